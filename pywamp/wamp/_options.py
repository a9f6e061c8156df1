"""The options of calls and publishes, built by applications for every call/publish.

Re-exported by ``pywamp.wamp.types`` (see there). To keep building them cheap, only the
fields a session reads on every call/publish are slots; the seldom-set ones (router
links, correlation, sharding, filters by authid/authrole) live in one ``_more`` dict
that stays None until one of them is set, and pywamp's and the seed's extra keywords are
collected by ``**extra``. ``message_attr()`` builds the wire Options dict.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from pywamp.wamp._check import (
    bad_type,
    bad_value,
    both_spellings,
    check_choice,
    check_forward_for,
    check_one_or_list,
)

__all__ = ("CallOptions", "PublishOptions")

RUN_MODES = ("all", "any", "partition")
CANCEL_MODES = ("skip", "kill", "killnowait")
_NUMBER = (int, float)
T = TypeVar("T")


class _More(Generic[T]):
    """A seldom-set field, kept in the owner's ``_more`` dict (None while all are unset).

    The dict is never changed in place, so copies of an options object may share it.
    """

    __slots__ = ("name",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> _More[T]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> T: ...
    def __get__(self, obj: Any, owner: type) -> T | _More[T]:
        if obj is None:
            return self
        more = obj._more
        value: T = None if more is None else more.get(self.name)  # type: ignore[assignment]
        return value

    def __set__(self, obj: Any, value: T) -> None:
        more = dict(obj._more or ())
        if value is None:
            more.pop(self.name, None)
        else:
            more[self.name] = value
        obj._more = more or None


def _alias(owner: str, extra: dict[str, Any], name: str, old: str) -> Any:
    """The value given as ``name`` or as its old (seed) spelling ``old``, not both."""
    value = extra.get(name)
    old_value = extra.get(old)
    if old_value is not None:
        if value is not None:
            raise both_spellings(owner, name, old)
        return old_value
    return value


def _unexpected(owner: str, extra: dict[str, Any], known: frozenset[str]) -> None:
    unknown = sorted(extra.keys() - known)
    if unknown:
        raise TypeError(f"{owner}() got an unexpected keyword argument {unknown[0]!r}")


# -- PublishOptions -------------------------------------------------------------------------

_PUBLISH_EXTRA = frozenset({"disclose_me", "excludeMe", "discloseMe"})
_PUBLISH_FILTERS = ("exclude_authid", "exclude_authrole", "eligible_authid", "eligible_authrole")


class PublishOptions:
    """Options of ``session.publish()``: acknowledgement, exclusion and eligibility filters.

    Beyond Autobahn: ``disclose_me=`` and the seed's ``excludeMe=``/``discloseMe=``.
    """

    __slots__ = ("_more", "acknowledge", "eligible", "exclude", "exclude_me", "retain")

    acknowledge: bool | None
    exclude_me: bool | None
    exclude: int | list[int] | None
    eligible: int | list[int] | None
    retain: bool | None
    _more: dict[str, Any] | None
    exclude_authid: _More[str | list[str] | None] = _More()
    exclude_authrole: _More[str | list[str] | None] = _More()
    eligible_authid: _More[str | list[str] | None] = _More()
    eligible_authrole: _More[str | list[str] | None] = _More()
    transaction_hash: _More[str | None] = _More()
    forward_for: _More[list[dict[str, Any]] | None] = _More()
    disclose_me: _More[bool | None] = _More()
    correlation_id: _More[Any] = _More()
    correlation_uri: _More[Any] = _More()
    correlation_is_anchor: _More[Any] = _More()
    correlation_is_last: _More[Any] = _More()

    @overload
    def __init__(
        self,
        acknowledge: bool | None = None,
        exclude_me: bool | None = None,
        exclude: int | list[int] | None = None,
        exclude_authid: str | list[str] | None = None,
        exclude_authrole: str | list[str] | None = None,
        eligible: int | list[int] | None = None,
        eligible_authid: str | list[str] | None = None,
        eligible_authrole: str | list[str] | None = None,
        retain: bool | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        transaction_hash: str | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
    ) -> None: ...
    @overload
    def __init__(
        self,
        acknowledge: bool | None = None,
        exclude_me: bool | None = None,
        exclude: int | list[int] | None = None,
        exclude_authid: str | list[str] | None = None,
        exclude_authrole: str | list[str] | None = None,
        eligible: int | list[int] | None = None,
        eligible_authid: str | list[str] | None = None,
        eligible_authrole: str | list[str] | None = None,
        retain: bool | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        transaction_hash: str | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
        *,
        disclose_me: bool | None = None,
        excludeMe: bool | None = None,
        discloseMe: bool | None = None,
    ) -> None: ...
    def __init__(
        self,
        acknowledge: bool | None = None,
        exclude_me: bool | None = None,
        exclude: int | list[int] | None = None,
        exclude_authid: str | list[str] | None = None,
        exclude_authrole: str | list[str] | None = None,
        eligible: int | list[int] | None = None,
        eligible_authid: str | list[str] | None = None,
        eligible_authrole: str | list[str] | None = None,
        retain: bool | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        transaction_hash: str | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
        **extra: Any,
    ) -> None:
        owner = "PublishOptions"
        disclose_me = None
        if extra:
            _unexpected(owner, extra, _PUBLISH_EXTRA)
            if extra.get("excludeMe") is not None:
                if exclude_me is not None:
                    raise both_spellings(owner, "exclude_me", "excludeMe")
                exclude_me = extra["excludeMe"]
            disclose_me = _alias(owner, extra, "disclose_me", "discloseMe")
            if disclose_me is not None and type(disclose_me) is not bool:
                raise bad_type(owner, "disclose_me", "a bool", disclose_me)
        if acknowledge is not None and type(acknowledge) is not bool:
            raise bad_type(owner, "acknowledge", "a bool", acknowledge)
        if exclude_me is not None and type(exclude_me) is not bool:
            raise bad_type(owner, "exclude_me", "a bool", exclude_me)
        if exclude is not None:
            check_one_or_list(owner, "exclude", exclude, int, "a session id (int)")
        if eligible is not None:
            check_one_or_list(owner, "eligible", eligible, int, "a session id (int)")
        if retain is not None and type(retain) is not bool:
            raise bad_type(owner, "retain", "a bool", retain)
        more = None
        if (
            exclude_authid is not None
            or exclude_authrole is not None
            or eligible_authid is not None
            or eligible_authrole is not None
            or transaction_hash is not None
            or forward_for is not None
            or disclose_me is not None
            or correlation_id is not None
            or correlation_uri is not None
            or correlation_is_anchor is not None
            or correlation_is_last is not None
        ):
            fields = {
                "exclude_authid": exclude_authid,
                "exclude_authrole": exclude_authrole,
                "eligible_authid": eligible_authid,
                "eligible_authrole": eligible_authrole,
                "transaction_hash": transaction_hash,
                "forward_for": forward_for,
                "disclose_me": disclose_me,
                "correlation_id": correlation_id,
                "correlation_uri": correlation_uri,
                "correlation_is_anchor": correlation_is_anchor,
                "correlation_is_last": correlation_is_last,
            }
            for name in _PUBLISH_FILTERS:
                check_one_or_list(owner, name, fields[name], str, "a str")
            if transaction_hash is not None and type(transaction_hash) is not str:
                raise bad_type(owner, "transaction_hash", "a str", transaction_hash)
            if forward_for is not None:
                check_forward_for(owner, forward_for, authid_optional=False)
            more = {k: v for k, v in fields.items() if v is not None}
        self.acknowledge = acknowledge
        self.exclude_me = exclude_me
        self.exclude = exclude
        self.eligible = eligible
        self.retain = retain
        self._more = more

    def message_attr(self) -> dict[str, Any]:
        """The PUBLISH.Options dict (single filter values become one-item lists)."""
        options: dict[str, Any] = {}
        if self.acknowledge is not None:
            options["acknowledge"] = self.acknowledge
        if self.exclude_me is not None:
            options["exclude_me"] = self.exclude_me
        value: Any = self.exclude
        if value is not None:
            options["exclude"] = value if type(value) is list else [value]
        value = self.eligible
        if value is not None:
            options["eligible"] = value if type(value) is list else [value]
        if self.retain is not None:
            options["retain"] = self.retain
        more = self._more
        if more:
            for name in _PUBLISH_FILTERS:
                value = more.get(name)
                if value is not None:
                    options[name] = value if type(value) is list else [value]
            for name in ("transaction_hash", "forward_for", "disclose_me"):
                value = more.get(name)
                if value is not None:
                    options[name] = value
        return options

    def __str__(self) -> str:
        text = (
            f"PublishOptions(acknowledge={self.acknowledge}, exclude_me={self.exclude_me}, "
            f"exclude={self.exclude}, exclude_authid={self.exclude_authid}, "
            f"exclude_authrole={self.exclude_authrole}, eligible={self.eligible}, "
            f"eligible_authid={self.eligible_authid}, "
            f"eligible_authrole={self.eligible_authrole}, retain={self.retain}, "
            f"transaction_hash={self.transaction_hash}, forward_for={self.forward_for}"
        )
        if self.disclose_me is not None:
            text += f", disclose_me={self.disclose_me}"
        return text + ")"


# -- CallOptions ----------------------------------------------------------------------------

_CALL_EXTRA = frozenset(
    {
        "runmode",
        "rkey",
        "cancel_mode",
        "progress",
        "disclose_me",
        "onProgress",
        "runAt",
        "pkey",
        "discloseMe",
    }
)
_CALL_MORE_WIRE = (
    "transaction_hash",
    "forward_for",
    "caller",
    "caller_authid",
    "caller_authrole",
    "runmode",
    "rkey",
    "disclose_me",
)


class CallOptions:
    """Options of ``session.call()``.

    ``timeout`` is in seconds (int or float), as in Autobahn. It is enforced locally and
    sent as ``CALL.Options.timeout`` in whole seconds (a float is rounded up), which is
    what Autobahn sends and Crossbar reads; the spec text says milliseconds.

    Beyond Autobahn (keyword-only): ``runmode``/``rkey`` (the seed's ``runAt``/``pkey``,
    sharded registrations), ``cancel_mode`` (the CANCEL mode used when the call's future
    is cancelled; not sent in CALL), ``progress`` (a chunk of a progressive call
    invocation), ``disclose_me``; and the seed's ``onProgress`` and ``discloseMe``.
    """

    __slots__ = ("_more", "cancel_mode", "details", "on_progress", "progress", "timeout")

    on_progress: Callable[..., Any] | None
    timeout: int | float | None
    details: bool | None
    cancel_mode: str | None
    progress: bool | None
    _more: dict[str, Any] | None
    transaction_hash: _More[str | None] = _More()
    caller: _More[int | None] = _More()
    caller_authid: _More[str | None] = _More()
    caller_authrole: _More[str | None] = _More()
    forward_for: _More[list[dict[str, Any]] | None] = _More()
    runmode: _More[str | None] = _More()
    rkey: _More[str | int | None] = _More()
    disclose_me: _More[bool | None] = _More()
    correlation_id: _More[Any] = _More()
    correlation_uri: _More[Any] = _More()
    correlation_is_anchor: _More[Any] = _More()
    correlation_is_last: _More[Any] = _More()

    @overload
    def __init__(
        self,
        on_progress: Callable[..., Any] | None = None,
        timeout: int | float | None = None,
        transaction_hash: str | None = None,
        caller: int | None = None,
        caller_authid: str | None = None,
        caller_authrole: str | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
        details: bool | None = None,
    ) -> None: ...
    @overload
    def __init__(
        self,
        on_progress: Callable[..., Any] | None = None,
        timeout: int | float | None = None,
        transaction_hash: str | None = None,
        caller: int | None = None,
        caller_authid: str | None = None,
        caller_authrole: str | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
        details: bool | None = None,
        *,
        runmode: str | None = None,
        rkey: str | int | None = None,
        cancel_mode: str | None = None,
        progress: bool | None = None,
        disclose_me: bool | None = None,
        onProgress: Callable[..., Any] | None = None,
        runAt: str | None = None,
        pkey: str | int | None = None,
        discloseMe: bool | None = None,
    ) -> None: ...
    def __init__(
        self,
        on_progress: Callable[..., Any] | None = None,
        timeout: int | float | None = None,
        transaction_hash: str | None = None,
        caller: int | None = None,
        caller_authid: str | None = None,
        caller_authrole: str | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
        details: bool | None = None,
        **extra: Any,
    ) -> None:
        owner = "CallOptions"
        cancel_mode = progress = None
        sharding: dict[str, Any] | None = None
        if extra:
            _unexpected(owner, extra, _CALL_EXTRA)
            if extra.get("onProgress") is not None:
                if on_progress is not None:
                    raise both_spellings(owner, "on_progress", "onProgress")
                on_progress = extra["onProgress"]
            cancel_mode = extra.get("cancel_mode")
            if cancel_mode is not None:
                check_choice(owner, "cancel_mode", cancel_mode, CANCEL_MODES)
            progress = extra.get("progress")
            if progress is not None and type(progress) is not bool:
                raise bad_type(owner, "progress", "a bool", progress)
            sharding = _call_extra_fields(extra)
        if on_progress is not None and not callable(on_progress):
            raise bad_type(owner, "on_progress", "a callable", on_progress)
        if timeout is not None:
            if type(timeout) not in _NUMBER:
                raise bad_type(owner, "timeout", "an int or float (seconds)", timeout)
            if not 0 < timeout < math.inf:
                raise bad_value(owner, "timeout", "a positive, finite number of seconds", timeout)
        if details is not None and type(details) is not bool:
            raise bad_type(owner, "details", "a bool", details)
        more = None
        if (
            transaction_hash is not None
            or caller is not None
            or caller_authid is not None
            or caller_authrole is not None
            or forward_for is not None
            or correlation_id is not None
            or correlation_uri is not None
            or correlation_is_anchor is not None
            or correlation_is_last is not None
        ):
            more = _call_more(
                transaction_hash,
                caller,
                caller_authid,
                caller_authrole,
                forward_for,
                correlation_id,
                correlation_uri,
                correlation_is_anchor,
                correlation_is_last,
            )
        if sharding:
            more = sharding if more is None else {**more, **sharding}
        self.on_progress = on_progress
        self.timeout = timeout
        self.details = details
        self.cancel_mode = cancel_mode
        self.progress = progress
        self._more = more

    def message_attr(self) -> dict[str, Any]:
        """The CALL.Options dict (``on_progress`` becomes ``receive_progress: true``)."""
        options: dict[str, Any] = {}
        timeout = self.timeout
        if timeout is not None:
            options["timeout"] = timeout if type(timeout) is int else math.ceil(timeout)
        if self.on_progress is not None:
            options["receive_progress"] = True
        if self.progress is not None:
            options["progress"] = self.progress
        more = self._more
        if more:
            for name in _CALL_MORE_WIRE:
                value = more.get(name)
                if value is not None:
                    options[name] = value
        return options

    def __str__(self) -> str:
        text = (
            f"CallOptions(on_progress={self.on_progress}, timeout={self.timeout}, "
            f"transaction_hash={self.transaction_hash}, caller={self.caller}, "
            f"caller_authid={self.caller_authid}, caller_authrole={self.caller_authrole}, "
            f"forward_for={self.forward_for}, details={self.details}"
        )
        for name, value in (
            ("runmode", self.runmode),
            ("rkey", self.rkey),
            ("cancel_mode", self.cancel_mode),
            ("progress", self.progress),
            ("disclose_me", self.disclose_me),
        ):
            if value is not None:
                text += f", {name}={value}"
        return text + ")"


def _call_more(
    transaction_hash: Any,
    caller: Any,
    caller_authid: Any,
    caller_authrole: Any,
    forward_for: Any,
    correlation_id: Any,
    correlation_uri: Any,
    correlation_is_anchor: Any,
    correlation_is_last: Any,
) -> dict[str, Any]:
    """Check the seldom-set CallOptions fields; the dict of those that are set."""
    owner = "CallOptions"
    if transaction_hash is not None and type(transaction_hash) is not str:
        raise bad_type(owner, "transaction_hash", "a str", transaction_hash)
    if caller is not None and type(caller) is not int:
        raise bad_type(owner, "caller", "a session id (int)", caller)
    if caller_authid is not None and type(caller_authid) is not str:
        raise bad_type(owner, "caller_authid", "a str", caller_authid)
    if caller_authrole is not None and type(caller_authrole) is not str:
        raise bad_type(owner, "caller_authrole", "a str", caller_authrole)
    if forward_for is not None:
        check_forward_for(owner, forward_for)
    fields = {
        "transaction_hash": transaction_hash,
        "caller": caller,
        "caller_authid": caller_authid,
        "caller_authrole": caller_authrole,
        "forward_for": forward_for,
        "correlation_id": correlation_id,
        "correlation_uri": correlation_uri,
        "correlation_is_anchor": correlation_is_anchor,
        "correlation_is_last": correlation_is_last,
    }
    return {k: v for k, v in fields.items() if v is not None}


def _call_extra_fields(extra: dict[str, Any]) -> dict[str, Any] | None:
    """``runmode`` all/any/partition with ``rkey`` (str or int) for, and only for, partition;
    and ``disclose_me``. None when none of them is given."""
    owner = "CallOptions"
    runmode = _alias(owner, extra, "runmode", "runAt")
    rkey = _alias(owner, extra, "rkey", "pkey")
    disclose_me = _alias(owner, extra, "disclose_me", "discloseMe")
    if runmode is None and rkey is None and disclose_me is None:
        return None
    check_choice(owner, "runmode", runmode, RUN_MODES)
    if rkey is not None and type(rkey) not in (str, int):
        raise bad_type(owner, "rkey", "a str or int", rkey)
    if runmode == "partition" and rkey is None:
        raise ValueError("CallOptions: runmode='partition' (runAt) needs rkey= (pkey)")
    if runmode != "partition" and rkey is not None:
        raise ValueError("CallOptions: rkey= (pkey) is only used with runmode='partition'")
    if disclose_me is not None and type(disclose_me) is not bool:
        raise bad_type(owner, "disclose_me", "a bool", disclose_me)
    fields = {"runmode": runmode, "rkey": rkey, "disclose_me": disclose_me}
    return {k: v for k, v in fields.items() if v is not None}
