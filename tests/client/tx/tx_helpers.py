"""Joined Twisted sessions for the tests (Deferred based)."""

from __future__ import annotations

from typing import Any

from twisted.internet import defer

from pywamp.twisted.wamp import ApplicationSession, connect_transport
from pywamp.wamp.types import ComponentConfig


@defer.inlineCallbacks
def joined(
    url: str, realm: str, cls: type[ApplicationSession] = ApplicationSession, **connect: Any
) -> Any:
    """Connect a session of class ``cls`` and fire with it once it joined ``realm``."""
    session = cls(ComponentConfig(realm))
    yield connect_transport(url, session, **connect)
    outcome = yield session._joined()
    if isinstance(outcome, BaseException):
        raise outcome
    return session


@defer.inlineCallbacks
def close(*sessions: ApplicationSession) -> Any:
    """Leave and disconnect each session, waiting until its connection is closed."""
    for session in sessions:
        if session.is_attached():
            yield session.leave()
        closed = session.disconnect()
        if closed is not None:
            yield closed
