"""PUBLISH options: acknowledge, exclusion, black/white listing, disclosure, retention.

All present filters are ANDed (``rfc/text/advanced/pubsub_subscriber_blackwhite_listing.md``):
a subscriber gets the event only if it is in every eligible list given and in no exclude
list given. Malformed options are a protocol violation, as a malformed message is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pywamp.router.errors import ProtocolViolation

if TYPE_CHECKING:
    from pywamp.router.session import RouterSession


class Filter:
    """Who may receive one publication."""

    __slots__ = (
        "eligible",
        "eligible_authid",
        "eligible_authrole",
        "exclude",
        "exclude_authid",
        "exclude_authrole",
    )

    def __init__(
        self,
        exclude: frozenset[int] | None = None,
        eligible: frozenset[int] | None = None,
        exclude_authid: frozenset[str] | None = None,
        eligible_authid: frozenset[str] | None = None,
        exclude_authrole: frozenset[str] | None = None,
        eligible_authrole: frozenset[str] | None = None,
    ) -> None:
        self.exclude = exclude
        self.eligible = eligible
        self.exclude_authid = exclude_authid
        self.eligible_authid = eligible_authid
        self.exclude_authrole = exclude_authrole
        self.eligible_authrole = eligible_authrole

    @property
    def by_session(self) -> bool:
        """Whether it names session ids (such events stay out of the event history)."""
        return self.exclude is not None or self.eligible is not None

    def allows(self, s: RouterSession) -> bool:
        """Whether the session passes every filter."""
        if self.exclude is not None and s.id in self.exclude:
            return False
        if self.eligible is not None and s.id not in self.eligible:
            return False
        return self.allows_identity(s.authid, s.authrole)

    def allows_identity(self, authid: str, authrole: str) -> bool:
        """Whether an (authid, authrole) passes the authid/authrole filters."""
        if self.exclude_authid is not None and authid in self.exclude_authid:
            return False
        if self.eligible_authid is not None and authid not in self.eligible_authid:
            return False
        if self.exclude_authrole is not None and authrole in self.exclude_authrole:
            return False
        return self.eligible_authrole is None or authrole in self.eligible_authrole

    def excluding(self, session_id: int) -> Filter:
        """A copy that also excludes one session."""
        exclude = (self.exclude or frozenset()) | {session_id}
        return Filter(
            exclude,
            self.eligible,
            self.exclude_authid,
            self.eligible_authid,
            self.exclude_authrole,
            self.eligible_authrole,
        )


def opt_bool(options: dict[str, Any], key: str, default: bool, what: str) -> bool:
    """A boolean option (absent or null means the default)."""
    value = options.get(key)
    if value is None:
        return default
    if value is True or value is False:
        return value
    raise ProtocolViolation(f"{what}.Options.{key} must be a bool, got {type(value).__name__}")


def _ids(options: dict[str, Any], key: str) -> frozenset[int] | None:
    value = options.get(key)
    if value is None:
        return None
    if isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return frozenset(value)
    raise ProtocolViolation(f"PUBLISH.Options.{key} must be a list of session ids")


def _strs(options: dict[str, Any], key: str) -> frozenset[str] | None:
    value = options.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset((value,))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise ProtocolViolation(f"PUBLISH.Options.{key} must be a list of strings")


_FILTER_KEYS = frozenset(
    (
        "exclude",
        "eligible",
        "exclude_authid",
        "eligible_authid",
        "exclude_authrole",
        "eligible_authrole",
    )
)


def _flag(value: Any, default: bool, key: str) -> bool:
    if value is None:
        return default
    if value is True or value is False:
        return value
    raise ProtocolViolation(f"PUBLISH.Options.{key} must be a bool, got {type(value).__name__}")


# Payload passthru (and Autobahn's older end-to-end encryption) keys: copied from
# PUBLISH/CALL/YIELD options into EVENT/INVOCATION/RESULT details, never interpreted.
PASSTHRU_KEYS = (
    "ppt_scheme",
    "ppt_serializer",
    "ppt_cipher",
    "ppt_keyid",
    "enc_algo",
    "enc_key",
    "enc_serializer",
)
_PASSTHRU = frozenset(PASSTHRU_KEYS)


def passthru(options: dict[str, Any]) -> dict[str, Any] | None:
    """The payload passthru keys of some options, or None (the common case)."""
    if _PASSTHRU.isdisjoint(options):
        return None
    return {key: options[key] for key in PASSTHRU_KEYS if key in options}


class PublishOptions:
    """PUBLISH.Options parsed once (the filter lists only when one is present)."""

    __slots__ = ("acknowledge", "disclose_me", "exclude_me", "filter", "ppt", "retain")

    def __init__(self, options: dict[str, Any]) -> None:
        get = options.get
        self.acknowledge = _flag(get("acknowledge"), False, "acknowledge")
        self.exclude_me = _flag(get("exclude_me"), True, "exclude_me")
        self.disclose_me = _flag(get("disclose_me"), False, "disclose_me")
        self.retain = _flag(get("retain"), False, "retain")
        self.ppt = passthru(options)
        self.filter: Filter | None = None
        if _FILTER_KEYS.isdisjoint(options):
            return
        parts = (
            _ids(options, "exclude"),
            _ids(options, "eligible"),
            _strs(options, "exclude_authid"),
            _strs(options, "eligible_authid"),
            _strs(options, "exclude_authrole"),
            _strs(options, "eligible_authrole"),
        )
        if parts != (None,) * 6:
            self.filter = Filter(*parts)


DEFAULT_PUBLISH = PublishOptions({})
