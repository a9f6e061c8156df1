"""The WAMP client session shared by every face: Autobahn's ``ApplicationSession`` API
(``onJoin``, ``call``, ``register``, ``publish``, ``subscribe`` ...) over the sans-IO
peer in :mod:`pywamp.protocol`.

Framework-agnostic: a face subclasses :class:`Session` and sets ``adapter_class``
(asyncio futures in :mod:`pywamp.asyncio.wamp`; Twisted Deferreds in the Twisted face).
Incoming messages are dispatched with one dict lookup on the message's class.

:class:`SessionShim` adds the PEP 8 hooks (``on_join`` ...) and authenticators, the base
of ``pywamp.asyncio.wamp.Session``.
"""

from __future__ import annotations

from typing import Any

from pywamp import _native
from pywamp._callee import CalleeMixin, new_finished_progressive
from pywamp._caller import CallerMixin
from pywamp._errors import CallTimeoutError
from pywamp._joining import JoiningMixin
from pywamp._pubsub import PubSubMixin
from pywamp.exception import ApplicationError, ProtocolError
from pywamp.protocol import PendingCall, PendingRequest
from pywamp.wamp.types import Challenge, CloseDetails, ComponentConfig, SessionDetails

__all__ = ("ApplicationSessionFactory", "Session", "SessionShim", "make_authenticator")


class Session(JoiningMixin, CallerMixin, CalleeMixin, PubSubMixin):
    """A WAMP client session: caller, callee, publisher and subscriber."""

    def __init__(self, config: ComponentConfig | None = None) -> None:
        super().__init__(config)
        self._finished_progressive = new_finished_progressive()
        # Bound once: call() hands it to every call future as its cancel hook.
        self._on_call_cancelled = self._cancel_call
        self._when_joining = {
            _native.Welcome: self._on_welcome,
            _native.Challenge: self._on_challenge,
            _native.Abort: self._on_abort,
        }
        self._when_established = {
            _native.Event: self._on_event,
            _native.Result: self._on_result,
            _native.Invocation: self._on_invocation,
            _native.Interrupt: self._on_interrupt,
            _native.Published: self._on_published,
            _native.Subscribed: self._on_subscribed,
            _native.Unsubscribed: self._on_unsubscribed,
            _native.Registered: self._on_registered,
            _native.Unregistered: self._on_unregistered,
            _native.Error: self._on_error,
            _native.Goodbye: self._on_goodbye,
            _native.Abort: self._on_abort,
        }

    def _on_error(self, message: _native.Error) -> None:
        """An ERROR answering one of our requests: fail its future."""
        record = self._peer.pop_errored(message.request_type, message.request_id)
        if record is None:
            if message.request_id <= self._peer.last_id:
                return  # a call we cancelled or timed out here; the router answered late
            raise ProtocolError(
                f"ERROR received for non-pending request_type {message.request_type} "
                f"and request ID {message.request_id}"
            )
        timeout = None
        future = record
        if type(record) is PendingCall:
            if record.timer is not None:
                record.timer.cancel()
            timeout = record.timeout
            future = record.future
        elif type(record) is PendingRequest:
            future = record.future
        error, failure = self._errors.from_message(message)
        if timeout is not None and message.error == ApplicationError.CANCELED:
            # A router that enforces the call's timeout by cancelling it (Crossbar answers
            # wamp.error.canceled "timeout reached"): the caller never cancelled, so this
            # is the timeout, raised as the local timer raises it.
            error = CallTimeoutError(*(message.args or ()), **(message.kwargs or {}))
        if failure is not None:
            self._user_error(failure, "While re-constructing exception")
        self._reject(future, error)


class SessionShim(Session):
    """PEP 8 hooks (``on_join``, ``on_leave`` ...) and authenticators on top of the
    camelCase ones, like Autobahn's ``Session``."""

    _authenticators: dict[str, Any] | None = None
    #: Keyword arguments of ``join()`` (authmethods, authid, ...) used by ``on_connect``.
    _join_options: dict[str, Any] | None = None
    #: ``fn(challenge) -> signature`` for challenges no authenticator answers.
    _challenge_handler: Any = None

    def onJoin(self, details: SessionDetails) -> Any:
        return self.on_join(details)

    def onConnect(self) -> Any:
        if self._authenticators:
            authenticators = list(self._authenticators.values())
            authid = [_auth_arg(a, "authid") for a in authenticators][-1]
            authrole = [_auth_arg(a, "authrole") for a in authenticators][-1]
            self.join(
                self._config.realm,  # type: ignore[arg-type]
                authmethods=list(self._authenticators),
                authid=authid,
                authrole=authrole,
                authextra=self._merged_authextra(),
            )
            return None
        return self.on_connect()

    def onChallenge(self, challenge: Challenge) -> Any:
        authenticators = self._authenticators or {}
        authenticator = authenticators.get(challenge.method)
        if authenticator is None:
            if self._challenge_handler is not None:
                return self._challenge_handler(challenge)
            raise RuntimeError(
                f"Received challenge for unknown authmethod '{challenge.method}' "
                f"[authenticators={sorted(authenticators)}]"
            )
        return authenticator.on_challenge(self, challenge)

    def onWelcome(self, welcome: Any) -> Any:
        authmethod = welcome.details.get("authmethod")
        if authmethod is None or self._authenticators is None:
            return self.on_welcome(welcome)
        authenticator = self._authenticators.get(authmethod)
        if authenticator is None:
            raise RuntimeError(
                f"Received onWelcome for unknown authmethod '{authmethod}' "
                f"[authenticators={sorted(self._authenticators)}]"
            )
        on_welcome = getattr(authenticator, "on_welcome", None)
        return on_welcome(self, welcome.details.get("authextra")) if on_welcome else None

    def onLeave(self, details: CloseDetails) -> Any:
        return self.on_leave(details)

    def onDisconnect(self) -> Any:
        return self.on_disconnect()

    # -- authenticators ---------------------------------------------------------------------

    def add_authenticator(self, authenticator: Any) -> None:
        """Use ``authenticator`` (from ``pywamp.wamp.auth.create_authenticator``) to join."""
        existing = list((self._authenticators or {}).values())
        for name in ("authid", "authrole"):
            values = {_auth_arg(a, name) for a in [*existing, authenticator] if _auth_arg(a, name)}
            if len(values) > 1:
                raise ValueError(f"Inconsistent {name}s: {' '.join(sorted(values))}")
        merged = self._merged_authextra()
        for key, value in (getattr(authenticator, "authextra", None) or {}).items():
            if key in merged and merged[key] != value:
                raise ValueError(
                    f"Inconsistent authextra values for '{key}': '{merged[key]}' vs '{value}'"
                )
        if self._authenticators is None:
            self._authenticators = {}
        self._authenticators[authenticator.name] = authenticator

    def _merged_authextra(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for authenticator in (self._authenticators or {}).values():
            for key, value in (getattr(authenticator, "authextra", None) or {}).items():
                merged.setdefault(key, value)
        return merged

    # -- the PEP 8 hooks (override these) ---------------------------------------------------

    def on_welcome(self, welcome: Any) -> Any:
        """Inspect WELCOME; a str aborts the session."""
        return None

    def on_join(self, details: SessionDetails) -> Any:
        """The session joined its realm."""

    def on_leave(self, details: CloseDetails) -> Any:
        """The session left: close the transport."""
        self.disconnect()

    def on_connect(self) -> Any:
        """The transport is open: join the configured realm."""
        self.join(self._config.realm, **(self._join_options or {}))  # type: ignore[arg-type]

    def on_disconnect(self) -> Any:
        """The transport is closed."""


def make_authenticator(name: str, config: Any) -> Any:
    """An authenticator from ``authentication={name: config}`` (a config dict, or an
    authenticator object used as is)."""
    if hasattr(config, "on_challenge"):
        return config
    if not isinstance(config, dict):
        raise TypeError(f"authentication[{name!r}] must be a dict of options, got {config!r}")
    from pywamp.wamp.auth import create_authenticator

    return create_authenticator(name, **config)


def _auth_arg(authenticator: Any, name: str) -> Any:
    """An authenticator's authid/authrole (Autobahn keeps them in ``_args``)."""
    args = getattr(authenticator, "_args", None)
    if isinstance(args, dict) and name in args:
        return args[name]
    return getattr(authenticator, name, None)


class ApplicationSessionFactory:
    """Creates sessions of class ``session`` with one ``config`` (each face names its class)."""

    session: type[Session]

    def __init__(self, config: ComponentConfig | None = None) -> None:
        self.config = config or ComponentConfig(realm="realm1")

    def __call__(self) -> Session:
        session = self.session(self.config)
        session.factory = self  # type: ignore[attr-defined]
        return session
