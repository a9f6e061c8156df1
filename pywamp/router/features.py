"""Roles and features: what the router announces in WELCOME and reads from HELLO.

Only features the router implements are announced, with the spec's feature keys
(``rfc/text/advanced/features.md``). From HELLO it reads the few client features that
change its behaviour; ``call_cancelling`` is accepted as a spelling of ``call_canceling``.
"""

from __future__ import annotations

from typing import Any

from pywamp._native import __version__

AGENT = f"pywamp-{__version__}"

BROKER_FEATURES: tuple[str, ...] = (
    "publisher_identification",
    "publisher_exclusion",
    "subscriber_blackwhite_listing",
    "pattern_based_subscription",
    "event_retention",
    "event_history",
    "subscription_revocation",
    "subscription_meta_api",
    "session_meta_api",
)

DEALER_FEATURES: tuple[str, ...] = (
    "caller_identification",
    "progressive_call_results",
    "progressive_call_invocations",
    "call_timeout",
    "call_canceling",
    "pattern_based_registration",
    "shared_registration",
    "sharded_registration",
    "registration_revocation",
    "registration_meta_api",
    "session_meta_api",
    "testament_meta_api",
)


def router_roles() -> dict[str, Any]:
    """A fresh ``WELCOME.Details.roles`` dict."""
    return {
        "broker": {"features": dict.fromkeys(BROKER_FEATURES, True)},
        "dealer": {"features": dict.fromkeys(DEALER_FEATURES, True)},
    }


CLIENT_ROLES = frozenset(("publisher", "subscriber", "caller", "callee"))


def client_roles(details: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """``HELLO.Details.roles`` as {role: features}, or None when it is malformed or empty."""
    roles = details.get("roles")
    if not isinstance(roles, dict):
        return None
    parsed: dict[str, dict[str, Any]] = {}
    for role, spec in roles.items():
        if role not in CLIENT_ROLES:
            continue
        if not isinstance(spec, dict):
            return None
        features = spec.get("features", {})
        parsed[role] = features if isinstance(features, dict) else {}
    return parsed or None


def has_feature(roles: dict[str, dict[str, Any]], role: str, *names: str) -> bool:
    """Whether the client announced any of the feature spellings for that role."""
    features = roles.get(role)
    if features is None:
        return False
    return any(features.get(name) is True for name in names)
