"""The native asyncio face: one call opens a transport and joins a realm (`pywamp.connect`).

::

    async with pywamp.connect("rs://127.0.0.1:8081", "realm1", serializer="msgpack") as session:
        await session.register(add, "com.calculator.add")
        print(await session.call("com.calculator.add", 2, 3))

The session is a :class:`pywamp.asyncio.wamp.Session`, the class the drop-in face uses.
``await pywamp.connect(...)`` (without ``async with``) returns the joined session too.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl as _ssl
from collections.abc import Callable, Generator, Mapping, Sequence
from types import TracebackType
from typing import Any

from pywamp.asyncio.wamp import Session
from pywamp.session import make_authenticator
from pywamp.transport import connect as connect_transport
from pywamp.wamp.types import Challenge, ComponentConfig

__all__ = ("Connection", "connect")


class Connection:
    """A pending connection: await it (or ``async with`` it) for the joined session."""

    def __init__(
        self,
        url: str,
        realm: str,
        *,
        serializer: str | None = None,
        serializers: Sequence[str] | None = None,
        authentication: Mapping[str, Any] | None = None,
        authmethods: Sequence[str] | None = None,
        authid: str | None = None,
        authrole: str | None = None,
        authextra: dict[str, Any] | None = None,
        on_challenge: Callable[[Challenge], Any] | None = None,
        ssl: _ssl.SSLContext | bool | None = None,
        headers: Mapping[str, str] | None = None,
        max_message_size: int | None = None,
        timeout: float = 10.0,
        extra: Any = None,
        session_class: type[Session] = Session,
    ) -> None:
        if type(url) is not str:
            raise TypeError(f"connect(): url must be a str, got {type(url).__name__}")
        if type(realm) is not str or not realm:
            raise ValueError(f"connect(): realm must be a non-empty str, got {realm!r}")
        if serializer is not None and serializers is not None:
            raise TypeError("connect(): give serializer= or serializers=, not both")
        if serializer is not None:
            serializers = [serializer]
        self.url = url
        self.realm = realm
        self.serializers = list(serializers) if serializers else ["cbor", "msgpack", "json"]
        self.authentication = dict(authentication or {})
        self.join_options = {
            key: value
            for key, value in (
                ("authmethods", list(authmethods) if authmethods else None),
                ("authid", authid),
                ("authrole", authrole),
                ("authextra", authextra),
            )
            if value is not None
        }
        self.on_challenge = on_challenge
        self.ssl = ssl
        self.headers = tuple((headers or {}).items())
        self.max_message_size = max_message_size
        self.timeout = timeout
        self.extra = extra
        self.session_class = session_class
        self.session: Session | None = None

    def _new_session(self) -> Session:
        session = self.session_class(ComponentConfig(self.realm, self.extra))
        for name, config in self.authentication.items():
            session.add_authenticator(make_authenticator(name, config))
        if self.join_options:
            session._join_options = self.join_options
        if self.on_challenge is not None:
            session._challenge_handler = self.on_challenge
        return session

    async def open(self) -> Session:
        """Connect, join, and return the session (raises what ended the join)."""
        session = self._new_session()
        transport = await connect_transport(
            self.url,
            session,
            serializers=self.serializers,
            ssl=self.ssl,
            max_message_size=self.max_message_size,
            headers=self.headers,
            timeout=self.timeout,
        )
        try:
            outcome = await asyncio.wait_for(asyncio.shield(session._joined()), self.timeout)
        except BaseException:
            await self._abandon(session, transport)
            raise
        if isinstance(outcome, BaseException):
            await self._abandon(session, transport)
            raise outcome
        self.session = session
        return session

    async def _abandon(self, session: Session, transport: Any) -> None:
        """Close the connection of a session that did not join, and let it finish closing."""
        closed = session.disconnect()
        transport.close()
        if closed is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(closed), self.timeout)

    async def close(self) -> None:
        """Leave the realm (if joined) and close the connection."""
        session = self.session
        if session is None:
            return
        if session.is_attached():
            leave = session.leave()
            if leave is not None:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(leave), self.timeout)
        closed = session.disconnect()
        if closed is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(closed), self.timeout)

    def __await__(self) -> Generator[Any, None, Session]:
        return self.open().__await__()

    async def __aenter__(self) -> Session:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def connect(url: str, realm: str, **kwargs: Any) -> Connection:
    """Connect to ``url`` and join ``realm``: ``async with connect(...) as session``.

    Keyword arguments: ``serializer`` (or ``serializers``), ``authentication`` (as
    ``Component``: ``{"ticket": {"authid": ..., "ticket": ...}}``), or ``authmethods``,
    ``authid``, ``authrole``, ``authextra`` with ``on_challenge``; ``ssl``, ``headers``,
    ``max_message_size``, ``timeout`` (seconds for connecting and joining), ``extra``.
    """
    return Connection(url, realm, **kwargs)
