"""Static role-based authorization: each role has permission rules on URIs.

The data a config loader builds (plain frozen dataclasses)::

    Role(name, permissions=(Permission(...), ...))
    Permission(uri, match="exact", call=False, register=False, publish=False,
               subscribe=False, disclose_caller=False, disclose_publisher=False)

``match`` is ``"exact"``, ``"prefix"`` or ``"wildcard"`` (``com..update``), as in
Crossbar; ``uri=""`` with ``match="prefix"`` (or ``uri="*"``) matches every URI. For a
URI, one rule of the session's role decides, with Crossbar's precedence: an exact rule,
else a matching wildcard rule (the most specific one), else the longest matching prefix
rule. A narrower rule can deny what a broader one allows. No matching rule, or a role the
authorizer does not know, means denied. The broker and dealer answer
a denied action with ERROR ``wamp.error.not_authorized``; the session continues.

The URI checked is the one in the message: for a pattern-based SUBSCRIBE or REGISTER it
is the pattern itself.

Disclosure follows the rule, as in Crossbar: allowing a call (publish), ``authorize``
sets ``session.disclose_caller`` (``disclose_publisher``) from the rule that allowed it,
and the dealer (broker) reads it right after. ``role_disclose()`` gives each role's value
at join (a role discloses only when every rule granting call/publish says so). A
testament (meta API) is published with the value the session's last allowed publish left.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pywamp._native import Matcher, Result
from pywamp.exception import InvalidUriError
from pywamp.router.auth import Action, AuthorizationPending
from pywamp.router.config import Disclosure

if TYPE_CHECKING:
    from pywamp._native import Error, MatchPolicy
    from pywamp.router.session import RouterSession

__all__ = ("Permission", "Role", "RoleAuthorizer", "verdict")

log = logging.getLogger("pywamp.router")


@dataclass(frozen=True)
class Permission:
    """What a role may do on the URIs one rule matches."""

    uri: str
    match: MatchPolicy = "exact"
    call: bool = False
    register: bool = False
    publish: bool = False
    subscribe: bool = False
    disclose_caller: bool = False
    disclose_publisher: bool = False

    def allows(self, action: Action) -> bool:
        """True when this rule grants ``action``."""
        return bool(getattr(self, action))


@dataclass(frozen=True)
class Role:
    """A named role: its rules, or the procedure that decides for it (``authorizer``)."""

    name: str
    permissions: tuple[Permission, ...] = ()
    authorizer: str | None = None
    authorizer_timeout: float = 10.0


class _Rules:
    """One role's rules, looked up by the URI matcher."""

    __slots__ = ("catch_all", "matcher", "role", "wildcards")

    def __init__(self, role: Role) -> None:
        self.role = role
        self.matcher: Matcher[Permission] = Matcher()  # exact and prefix rules
        self.wildcards: Matcher[Permission] | None = None
        self.catch_all: Permission | None = None
        for rule in role.permissions:
            if rule.uri in ("", "*") and rule.match in ("prefix", "wildcard", "exact"):
                self.catch_all = rule
                continue
            matcher = self.matcher
            if rule.match == "wildcard":
                if self.wildcards is None:
                    self.wildcards = Matcher()
                matcher = self.wildcards
            try:
                matcher.add(rule.uri, rule.match, rule)
            except KeyError:
                raise ValueError(f"role {role.name!r}: two rules for {rule.uri!r}") from None
            except (InvalidUriError, ValueError) as exc:
                raise ValueError(f"role {role.name!r}: {exc}") from None

    def rule(self, uri: str) -> Permission | None:
        """The rule for ``uri``: exact, else wildcard, else the longest prefix (Crossbar)."""
        found = self.matcher.best(uri)
        if found is not None and found.match == "exact":
            return found
        if self.wildcards is not None:
            wild = self.wildcards.best(uri)
            if wild is not None:
                return wild
        return found if found is not None else self.catch_all


class RoleAuthorizer:
    """The realm's ``authorizer``: the session's role and the URI pick one rule.

    A role with an ``authorizer`` procedure asks it instead, as Crossbar does, with
    ``(session_details, uri, action, options)``; it answers a bool or ``{"allow": bool,
    "disclose": bool, "cache": bool}`` (``disclose``: of the caller or publisher, default
    false). A cached answer holds for that session, URI and
    action until the session leaves; an ERROR, a malformed answer or no answer within
    ``authorizer_timeout`` seconds denies.
    """

    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles = {role.name: _Rules(role) for role in roles}
        # Answers of authorizer procedures: session id -> (uri, action) -> (allow, cached,
        # disclose)
        self.decided: dict[int, dict[tuple[str, str], tuple[bool, bool, bool]]] = {}

    def authorize(self, session: RouterSession, uri: str, action: Action) -> bool:
        """True when the most specific rule of the session's role grants ``action``."""
        rules = self.roles.get(session.authrole)
        if rules is None:
            return False
        if rules.role.authorizer is not None:
            return self._ask(session, rules.role, uri, action)
        rule = rules.rule(uri)
        if rule is None or not rule.allows(action):
            return False
        if action == "call":
            session.disclose_caller = rule.disclose_caller
        elif action == "publish":
            session.disclose_publisher = rule.disclose_publisher
        return True

    def forget(self, session: RouterSession) -> None:
        """The session left: its cached decisions go."""
        self.decided.pop(session.id, None)

    def _ask(self, session: RouterSession, role: Role, uri: str, action: Action) -> bool:
        key = (uri, action)
        known = self.decided.get(session.id)
        if known is not None and key in known:
            allow, cached, disclose = known[key]
            if not cached:
                del known[key]  # a one-time answer, for the message that asked
            if allow and action == "call":
                session.disclose_caller = disclose
            elif allow and action == "publish":
                session.disclose_publisher = disclose
            return allow
        sid = session.id

        def decide(outcome: Result | Error, now: float) -> None:
            allow, cached = verdict(outcome)
            answer = outcome.args[0] if isinstance(outcome, Result) and outcome.args else None
            disclose = isinstance(answer, dict) and answer.get("disclose") is True
            self.decided.setdefault(sid, {})[key] = (allow, cached, disclose)

        details = session.details()
        del details["realm"]
        assert role.authorizer is not None
        raise AuthorizationPending(
            role.authorizer, [details, uri, action], decide, role.authorizer_timeout
        )

    def disclose(self, authrole: str, uri: str, action: Action) -> bool:
        """Whether the rule for this URI discloses the caller (call) or publisher (publish)."""
        rules = self.roles.get(authrole)
        rule = rules.rule(uri) if rules is not None else None
        if rule is None:
            return False
        return rule.disclose_caller if action == "call" else rule.disclose_publisher

    def role_disclose(self) -> dict[str, Disclosure]:
        """Per-role disclosure for ``RealmConfig.role_disclose``."""
        out: dict[str, Disclosure] = {}
        for name, rules in self.roles.items():
            perms = rules.role.permissions
            calls = [p.disclose_caller for p in perms if p.call]
            pubs = [p.disclose_publisher for p in perms if p.publish]
            out[name] = Disclosure(
                caller=bool(calls) and all(calls), publisher=bool(pubs) and all(pubs)
            )
        return out


def verdict(outcome: Result | Error) -> tuple[bool, bool]:
    """(allow, cache) from an authorizer's answer; anything but a clear yes denies."""
    if not isinstance(outcome, Result):
        log.warning("dynamic authorizer failed: %s", outcome.error)
        return False, False
    args = outcome.args or []
    value = args[0] if len(args) == 1 else None
    if isinstance(value, bool):
        return value, False
    if isinstance(value, dict) and isinstance(value.get("allow"), bool):
        return value["allow"], value.get("cache") is True
    log.warning("dynamic authorizer answered neither a bool nor {allow: bool}")
    return False, False
