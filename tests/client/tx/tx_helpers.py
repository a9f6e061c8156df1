"""Joined Twisted sessions for the tests (Deferred based)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from routers import Router
from twisted.internet import defer
from twisted.internet.defer import gatherResults

from pywamp import wamp
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


Program = Callable[[ApplicationSession, Callable[..., None]], Generator[Any, Any, Any]]


def seed(run: Any, router: Router, program: Program, backend: Any = None) -> list[str]:
    """Run ``program(session, print)`` inline with a second session holding ``backend``."""
    printed: list[str] = []

    def print_(*args: Any) -> None:
        printed.append(" ".join(str(a) for a in args))

    @defer.inlineCallbacks
    def scenario() -> Any:
        other = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        session = yield joined(router.ws_url, router.realm)
        try:
            if backend is not None:
                yield backend(other)
            yield defer.inlineCallbacks(program)(session, print_)
        finally:
            yield close(session, other)

    run(scenario)
    return printed


def register_all(session: ApplicationSession, endpoints: dict[str, Any]) -> Any:
    return gatherResults([session.register(fn, uri) for uri, fn in endpoints.items()])


class DecoratedCalculator:
    """The seed's calculator with ``@wamp.procedure`` URIs on its methods."""

    @wamp.procedure("com.calculator.add")
    def add(self, a: int, b: int) -> int:
        return a + b

    @wamp.procedure("com.calculator.square")
    def square(self, x: int) -> int:
        return x * x


class KeepSession:
    """A backend that keeps its session for the program (``keep.session``)."""

    session: ApplicationSession

    def __call__(self, session: ApplicationSession) -> None:
        self.session = session
