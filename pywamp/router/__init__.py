"""The embedded router's sans-IO core: realms, broker, dealer, meta API.

:class:`RouterCore` takes decoded messages and returns outputs addressed to sessions
(:mod:`pywamp.router.outputs`); the asyncio server that owns sockets sits on top.
"""

from pywamp.router.auth import (
    Accept,
    AnonymousAuthenticator,
    Ask,
    Authenticator,
    AuthorizationPending,
    Authorizer,
    Challenged,
    Deny,
    PendingAuth,
)
from pywamp.router.config import Disclosure, HistoryTopic, RealmConfig
from pywamp.router.core import RouterCore
from pywamp.router.outputs import Close, Output, Send, Timer
from pywamp.router.realm import Realm
from pywamp.router.session import RouterSession

__all__ = (
    "Accept",
    "AnonymousAuthenticator",
    "Ask",
    "Authenticator",
    "AuthorizationPending",
    "Authorizer",
    "Challenged",
    "Close",
    "Deny",
    "Disclosure",
    "HistoryTopic",
    "Output",
    "PendingAuth",
    "Realm",
    "RealmConfig",
    "RouterCore",
    "RouterSession",
    "Send",
    "Timer",
)
