"""Configuration of realms: the knobs of the router core, with documented defaults.

Call timeouts: ``CALL.Options.timeout`` is milliseconds in the spec, but Autobahn
documents seconds and Crossbar enforces seconds, so clients disagree on the wire.
``call_timeout_unit`` settles it per realm:

* ``"ms"``: always milliseconds (the spec).
* ``"s"``: always seconds (Crossbar).
* ``"auto"`` (default): seconds for callers whose ``HELLO.Details.agent`` starts with
  one of ``seconds_agents`` (case-insensitive; Autobahn|Python, Autobahn|JS and pywamp,
  whose APIs take seconds and which Crossbar serves in seconds), milliseconds for
  everyone else. Autobahn|Python sends no agent at all: a HELLO without one whose roles
  announce a feature of ``seconds_features`` (``payload_encryption_cryptobox``, which only
  Autobahn announces) is served in seconds too. The unit follows what the caller's own
  library documents, which a value-size heuristic cannot know (``500`` is a sane value
  in both units).

``wamp.session.on_leave``: the spec sends ``[session, authid, authrole]``; Crossbar sends
``[session]``. ``on_leave_args`` picks one (``"spec"`` by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pywamp.router.auth import Authenticator, Authorizer

if TYPE_CHECKING:
    from pywamp._native import MatchPolicy


@dataclass(frozen=True)
class Disclosure:
    """Whether a role's identity is shown to callees (caller) and subscribers (publisher)."""

    caller: bool = True
    publisher: bool = True


@dataclass(frozen=True)
class HistoryTopic:
    """Keep the last ``limit`` events of a subscription for ``wamp.subscription.get_events``."""

    uri: str
    match: MatchPolicy = "exact"
    limit: int = 100


@dataclass
class RealmConfig:
    """One realm. The defaults give the open ``realm1`` that API.md describes."""

    name: str = "realm1"
    strict_uris: bool = False
    disclose: Disclosure = field(default_factory=Disclosure)
    role_disclose: Mapping[str, Disclosure] = field(default_factory=dict)
    call_timeout_unit: Literal["auto", "ms", "s"] = "auto"
    seconds_agents: tuple[str, ...] = ("autobahn", "pywamp")
    seconds_features: tuple[str, ...] = ("payload_encryption_cryptobox",)
    history: Sequence[HistoryTopic] = ()
    retention: bool = True
    meta_api: bool = True
    on_leave_args: Literal["spec", "crossbar"] = "spec"
    authenticator: Authenticator | None = None
    authorizer: Authorizer | None = None

    def disclosure(self, authrole: str) -> Disclosure:
        """The disclosure rule for a role."""
        return self.role_disclose.get(authrole, self.disclose)

    def timeout_scale(
        self, agent: object, roles: Mapping[str, Mapping[str, object]] | None = None
    ) -> float:
        """Seconds per unit of CALL.Options.timeout for a caller with this agent string
        (and, when it sends none, these HELLO roles and features)."""
        unit = self.call_timeout_unit
        if unit == "s":
            return 1.0
        if unit == "ms":
            return 0.001
        if isinstance(agent, str):
            return 1.0 if agent.lower().startswith(self.seconds_agents) else 0.001
        if roles and any(
            features.get(name) is True
            for features in roles.values()
            for name in self.seconds_features
        ):
            return 1.0
        return 0.001
