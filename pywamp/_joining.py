"""Joining a realm: HELLO, authentication (CHALLENGE/AUTHENTICATE), WELCOME, and the
``join``/``ready`` events with ``onJoin`` in between."""

from __future__ import annotations

from typing import Any

from pywamp import _native
from pywamp._session_base import SessionBase, transport_details_of
from pywamp.exception import ApplicationError, Error, ProtocolError, TransportLost
from pywamp.protocol import Phase
from pywamp.wamp.types import Challenge, CloseDetails, SessionDetails

__all__ = ("JoiningMixin",)


class JoiningMixin(SessionBase):
    """``join`` and the handling of WELCOME and CHALLENGE."""

    def onConnect(self) -> Any:
        """The transport is open: join the configured realm."""
        self.join(self._config.realm)  # type: ignore[arg-type]

    def join(
        self,
        realm: str,
        authmethods: list[str] | None = None,
        authid: str | None = None,
        authrole: str | None = None,
        authextra: dict[str, Any] | None = None,
        resumable: bool | None = None,
        resume_session: int | None = None,
        resume_token: str | None = None,
    ) -> None:
        """Send HELLO for ``realm``; ``onJoin`` runs once the router welcomes the session."""
        if self._peer.session_id is not None:
            raise ProtocolError("session already joined")
        if self._transport is None:
            raise TransportLost("cannot join: no transport is connected")
        hello = self._peer.hello(
            realm,
            authmethods=authmethods,
            authid=authid,
            authrole=authrole,
            authextra=authextra,
            resumable=resumable,
            resume_session=resume_session,
            resume_token=resume_token,
            agent=_AGENT,
        )
        if self._join_waiter is None:
            self._join_waiter = self._adapter.create_future()
        self._join_outcome = None
        self._dispatch = self._when_joining
        self._transport.send(hello)

    def _joined(self) -> Any:
        """A future of the outcome of joining: SessionDetails, or the exception that
        ended it (never failed itself, so nobody must await it)."""
        if self._join_waiter is None:
            if self._join_outcome is not None:
                # the join already ended (a quick ABORT): its outcome, not a new wait
                return self._adapter.succeed(self._join_outcome)
            self._join_waiter = self._adapter.create_future()
        return self._join_waiter

    def _on_welcome(self, message: Any) -> None:
        peer = self._peer
        peer.welcome(message)
        self._dispatch = self._when_established
        details = message.details
        transport = self._transport
        self._session_details = SessionDetails(
            realm=peer.realm,
            session=message.session,
            authid=details.get("authid"),
            authrole=details.get("authrole"),
            authmethod=details.get("authmethod"),
            authprovider=details.get("authprovider"),
            authextra=details.get("authextra"),
            serializer=_serializer_of(transport),
            transport=transport_details_of(transport),
            resumed=details.get("resumed") or False,
            resumable=details.get("resumable") or False,
            resume_token=details.get("resume_token"),
        )
        self._spawn(self._welcomed(message, self._session_details))

    async def _welcomed(self, message: Any, details: SessionDetails) -> None:
        try:
            denied = self.onWelcome(message)
            if self._is_awaitable(denied):
                denied = await denied
        except Exception as e:
            self._user_error(e, "While firing onWelcome")
            denied = "Error calling onWelcome handler"
        if denied is not None:
            reason = "wamp.error.cannot_authenticate"
            self._send(self._peer.abort(reason, str(denied)))
            self._dispatch = {}
            self._fail_pending(ApplicationError(reason, str(denied)))
            self._finish_waiters(ApplicationError(reason, str(denied)))
            if self._transport is not None:
                self._transport.close()
            return
        await self._notify("join", self, details)
        await self._hook(self.onJoin, "While firing onJoin", details)
        await self._notify("ready", self)
        if self._join_waiter is not None and self._peer.session_id == details.session:
            self._resolve(self._join_waiter, details)
            self._join_waiter = None
            self._join_outcome = details

    def _on_challenge(self, message: Any) -> None:
        self._peer.challenge(message)
        self._spawn(self._challenged(Challenge(message.authmethod, message.extra)))

    async def _challenged(self, challenge: Challenge) -> None:
        try:
            signature = self.onChallenge(challenge)
            if self._is_awaitable(signature):
                signature = await signature
            extra: dict[str, Any] = {}
            if isinstance(signature, tuple) and len(signature) == 2:
                signature, extra = signature
            if signature is None:
                raise Error("onChallenge user callback did not return a signature")
            if isinstance(signature, bytes):
                signature = signature.decode("utf8")
            if type(signature) is not str:
                raise Error(f"signature must be a str, was {type(signature).__name__}")
        except Exception as e:
            self._user_error(e, "Authentication failed")
            reason = "wamp.error.cannot_authenticate"
            self._send(self._peer.abort(reason, str(e)))
            self._dispatch = {}
            self._finish_waiters(ApplicationError(reason, str(e)))
            await self._left(CloseDetails(reason, str(e)))
            return
        if self._peer.phase is Phase.JOINING and self._transport is not None:
            self._transport.send(self._peer.authenticate(signature, extra))


_AGENT = f"pywamp-{_native.__version__}"


def _serializer_of(transport: Any) -> str | None:
    info = getattr(transport, "info", None)
    return getattr(info, "serializer", None) if info is not None else None
