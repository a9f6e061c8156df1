"""Static role-based authorization: each role has permission rules on URIs.

The data a config loader builds (plain frozen dataclasses)::

    Role(name, permissions=(Permission(...), ...))
    Permission(uri, match="exact", call=False, register=False, publish=False,
               subscribe=False, disclose_caller=False, disclose_publisher=False)

``match`` is ``"exact"``, ``"prefix"`` or ``"wildcard"`` (``com..update``), as in
Crossbar; ``uri=""`` with ``match="prefix"`` (or ``uri="*"``) matches every URI. For a
URI, the most specific matching rule of the session's role decides, by the same
precedence as registrations (exact, then the longest prefix, then the wildcard with the
longest literal run): a narrower rule can deny what a broader one allows. No matching
rule, or a role the authorizer does not know, means denied. The broker and dealer answer
a denied action with ERROR ``wamp.error.not_authorized``; the session continues.

The URI checked is the one in the message: for a pattern-based SUBSCRIBE or REGISTER it
is the pattern itself. Disclosure: the core discloses per role (``RealmConfig.
role_disclose``); ``role_disclose()`` derives that from the rules (a role discloses the
caller/publisher only when every rule granting call/publish says so), and ``disclose()``
answers per URI for a core that asks per message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pywamp._native import Matcher
from pywamp.exception import InvalidUriError
from pywamp.router.auth import Action
from pywamp.router.config import Disclosure

if TYPE_CHECKING:
    from pywamp._native import MatchPolicy
    from pywamp.router.session import RouterSession

__all__ = ("Permission", "Role", "RoleAuthorizer")


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
    """A named role and its rules."""

    name: str
    permissions: tuple[Permission, ...] = ()


class _Rules:
    """One role's rules, looked up by the URI matcher."""

    __slots__ = ("catch_all", "matcher", "role")

    def __init__(self, role: Role) -> None:
        self.role = role
        self.matcher: Matcher[Permission] = Matcher()
        self.catch_all: Permission | None = None
        for rule in role.permissions:
            if rule.uri in ("", "*") and rule.match in ("prefix", "wildcard", "exact"):
                self.catch_all = rule
                continue
            try:
                self.matcher.add(rule.uri, rule.match, rule)
            except KeyError:
                raise ValueError(f"role {role.name!r}: two rules for {rule.uri!r}") from None
            except (InvalidUriError, ValueError) as exc:
                raise ValueError(f"role {role.name!r}: {exc}") from None

    def rule(self, uri: str) -> Permission | None:
        """The most specific rule for ``uri``."""
        found = self.matcher.best(uri)
        return found if found is not None else self.catch_all


class RoleAuthorizer:
    """The realm's ``authorizer``: the session's role and the URI pick one rule."""

    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles = {role.name: _Rules(role) for role in roles}

    def authorize(self, session: RouterSession, uri: str, action: Action) -> bool:
        """True when the most specific rule of the session's role grants ``action``."""
        rules = self.roles.get(session.authrole)
        if rules is None:
            return False
        rule = rules.rule(uri)
        return rule is not None and rule.allows(action)

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
