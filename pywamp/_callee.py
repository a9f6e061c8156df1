"""The callee role: ``register()``/``unregister()``, INVOCATION dispatch, progressive
results, INTERRUPT, and progressive call invocations (chunks with one request id).

A plain synchronous endpoint is called inline and answered with YIELD at once: no task,
no future. Coroutine endpoints (or endpoints returning an awaitable) run in a task that
INTERRUPT cancels.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any

from pywamp import _native
from pywamp._handlers import Endpoint, compile_uri, type_checked
from pywamp._session_base import SessionBase
from pywamp.exception import (
    ApplicationError,
    Error,
    InvalidUri,
    ProtocolError,
    SerializationError,
)
from pywamp.handles import FutureList, Registration
from pywamp.protocol import PendingRequest, Phase
from pywamp.wamp.types import CallDetails, CallResult, RegisterOptions, invocation_arg
from pywamp.wamp.uri import Pattern, decorated

__all__ = ("CalleeMixin", "Running")

_INVOCATION = _native.Invocation.TYPE
_Yield: Any = _native.Yield  # takes any sequence as ``args``
_Error = _native.Error
_ESTABLISHED = Phase.ESTABLISHED
#: Results answered with YIELD at once: one plain value, or (in _SIMPLE) a CallResult.
_SINGLE = frozenset({type(None), bool, int, float, str, bytes, list, dict, tuple})
_SIMPLE = _SINGLE | {CallResult}
#: How many finished progressive invocations to remember, to drop their late chunks.
_RECENT = 256


class Running:
    """An invocation whose endpoint has not answered yet."""

    __slots__ = ("interrupted", "progressive", "receive_progress", "registration", "tail", "task")

    def __init__(self, registration: Registration, progressive: bool = False) -> None:
        self.registration = registration
        self.progressive = progressive
        self.receive_progress = False
        self.interrupted = False
        self.task: Any = None  # the task running the endpoint (async endpoints)
        self.tail: Any = None  # the last chunk's task (progressive invocations)


class CalleeMixin(SessionBase):
    """``register``/``unregister`` and the handling of INVOCATION and INTERRUPT."""

    _finished_progressive: deque[int]

    def register(
        self,
        endpoint: Any,
        procedure: Any = None,
        options: RegisterOptions | None = None,
        prefix: str | None = None,
        check_types: bool | None = None,
    ) -> Any:
        """Register a callable under ``procedure`` (also the seed's ``register(uri, fn)``),
        a ``@wamp.register``-decorated function, or every decorated method of an object.

        Returns a future of the :class:`Registration`, or for an object a
        :class:`FutureList` (iterate for the futures, await for the list).
        """
        if isinstance(endpoint, str) and procedure is not None and callable(procedure):
            endpoint, procedure = procedure, endpoint
        if self._peer.phase is not _ESTABLISHED:
            raise self._not_ready("register")
        if options is not None and not isinstance(options, RegisterOptions):
            raise TypeError(
                f"register(): options must be RegisterOptions, got {type(options).__name__}"
            )
        if prefix is not None and type(prefix) is not str:
            raise TypeError(f"register(): prefix must be a str, got {type(prefix).__name__}")
        if procedure is not None:
            if not callable(endpoint):
                raise TypeError(f"register(): endpoint must be callable, got {endpoint!r}")
            if type(procedure) is not str:
                raise TypeError(
                    f"register(): procedure must be a str, got {type(procedure).__name__}"
                )
            return self._register_one(endpoint, procedure, options, prefix, check_types)
        found = [(fn, pat) for fn, pat in decorated(endpoint) if pat.is_endpoint()]
        single = callable(endpoint) and getattr(endpoint, "_wampuris", None)
        if single and len(found) == 1:
            fn, pat = found[0]
            return self._register_pattern(fn, pat, options, prefix, check_types)
        if not found and callable(endpoint) and not single:
            raise TypeError(
                f"register(): {endpoint!r} has no @wamp.register URI; "
                "give the procedure: register(endpoint, 'com.example.procedure')"
            )
        futures = [
            self._register_pattern(fn, pat, options, prefix, check_types) for fn, pat in found
        ]
        return FutureList(futures, self._adapter.gather)

    def _register_pattern(
        self,
        fn: Callable[..., Any],
        pattern: Pattern,
        options: RegisterOptions | None,
        prefix: str | None,
        check_types: bool | None,
    ) -> Any:
        chosen = pattern.options or options
        assert chosen is None or isinstance(chosen, RegisterOptions)  # checked by @register
        checked = pattern.check_types if pattern.check_types is not None else check_types
        return self._register_one(fn, pattern.uri(), chosen, prefix, checked)

    def _register_one(
        self,
        fn: Callable[..., Any],
        uri: str,
        options: RegisterOptions | None,
        prefix: str | None,
        check_types: bool | None,
    ) -> Any:
        text = prefix + uri if prefix else uri
        wire, opts, pattern = _wire(text, options, "register()")
        details_arg = options.details_arg if options is not None else None
        if details_arg is None:
            details_arg = invocation_arg(fn)
        if check_types:
            fn = type_checked(fn)
        endpoint = Endpoint(fn, details_arg, pattern)
        peer = self._peer
        request_id = peer.next_id()
        future = self._adapter.create_future()
        peer.registers[request_id] = PendingRequest(request_id, future, wire, endpoint)
        try:
            self._transport.send(_native.Register(request_id, opts, wire))
        except BaseException:
            peer.registers.pop(request_id, None)
            raise
        return future

    def unregister(self, registration: Registration) -> Any:
        """Unregister a registration (same as ``registration.unregister()``)."""
        if not isinstance(registration, Registration):
            raise TypeError(f"unregister() takes a Registration, got {type(registration).__name__}")
        return registration.unregister()

    def _unregister(self, registration: Registration) -> Any:
        peer = self._peer
        if peer.phase is not _ESTABLISHED:
            raise self._not_ready("unregister")
        if peer.registrations.get(registration.id) is not registration:
            raise Error(f"registration {registration.id} does not belong to this session")
        request_id = peer.next_id()
        future = self._adapter.create_future()
        peer.unregisters[request_id] = PendingRequest(request_id, future, registration.id)
        self._transport.send(_native.Unregister(request_id, registration.id))
        return future

    def _shutting_down(self) -> None:
        """After our GOODBYE, INVOCATION and INTERRUPT are ignored (``bp_sessions.md``:
        SHUTTING DOWN, "received other / ignore"): the router answers the callers."""
        super()._shutting_down()
        dispatch = dict(self._dispatch)
        dispatch[_native.Invocation] = dispatch[_native.Interrupt] = _ignore
        self._dispatch = dispatch

    def _answering(self) -> bool:
        """Whether invocations may still be answered (not once our GOODBYE is out)."""
        return self._peer.phase is _ESTABLISHED

    # -- REGISTERED / UNREGISTERED ---------------------------------------------------------

    def _on_registered(self, message: _native.Registered) -> None:
        pending = self._peer.registers.pop(message.request_id, None)
        if pending is None:
            raise ProtocolError(
                f"REGISTERED received for non-pending request ID {message.request_id}"
            )
        registration = Registration(self, message.registration, pending.subject, pending.target)  # type: ignore[arg-type]
        self._peer.registrations[message.registration] = registration
        self._resolve(pending.future, registration)

    def _on_unregistered(self, message: _native.Unregistered) -> None:
        peer = self._peer
        details = message.details
        if details and "registration" in details:  # revoked by the router
            registration = peer.registrations.pop(details["registration"], None)
            if registration is not None:
                registration.active = False
                self.log.info(
                    "router revoked registration {id} of {procedure} ({reason})",
                    id=registration.id,
                    procedure=registration.procedure,
                    reason=details.get("reason"),
                )
            if message.request_id not in peer.unregisters:
                return
        pending = peer.unregisters.pop(message.request_id, None)
        if pending is None:
            raise ProtocolError(
                f"UNREGISTERED received for non-pending request ID {message.request_id}"
            )
        registration = peer.registrations.pop(pending.subject, None)
        if registration is not None:
            registration.active = False
        self._resolve(pending.future, None)

    # -- INVOCATION ---------------------------------------------------------------------------

    def _on_invocation(self, message: _native.Invocation) -> None:
        peer = self._peer
        request_id = message.request_id
        if request_id in peer.invocations:
            running = peer.invocations[request_id]
            if running.progressive:
                self._next_chunk(running, message)
                return
            raise ProtocolError(f"INVOCATION received for request ID {request_id} already invoked")
        registration = peer.registrations.get(message.registration)
        if registration is None:
            if request_id in self._finished_progressive:
                return  # a late chunk of a progressive invocation that already ended
            self._send(_Error(_INVOCATION, request_id, {}, ApplicationError.NO_SUCH_REGISTRATION))
            return
        endpoint = registration.endpoint
        details = message.details
        if details and details.get("progress"):
            if request_id in self._finished_progressive:
                return
            running = Running(registration, progressive=True)
            running.receive_progress = bool(details.get("receive_progress"))
            peer.invocations[request_id] = running
            self._next_chunk(running, message)
            return
        try:
            if endpoint.plain:
                kwargs = message.kwargs
                if kwargs:
                    result = endpoint.fn(*(message.args or ()), **kwargs)
                else:
                    result = endpoint.fn(*(message.args or ()))
            else:
                result = self._invoke(request_id, registration, message, False)
        except Exception as e:
            self._endpoint_failed(request_id, registration, e)
            return
        if type(result) in _SINGLE and not endpoint.is_coro:
            # _yield of one plain value, inlined: the answer of most endpoints.
            transport = self._transport
            if transport is not None:
                try:
                    transport.send(_Yield(request_id, {}, [result]))
                except (SerializationError, ProtocolError) as e:
                    self._unsendable(transport, request_id, registration, e)
            return
        if endpoint.is_coro or (type(result) not in _SIMPLE and self._is_awaitable(result)):
            running = Running(registration)
            peer.invocations[request_id] = running
            task = self._adapter.watch(result, partial(self._endpoint_done, request_id, running))
            if request_id in peer.invocations:
                running.task = task
            return
        self._yield(request_id, registration, result, False)

    def _invoke(
        self, request_id: int, registration: Registration, message: Any, chunk: bool
    ) -> Any:
        """Call an endpoint that wants details or binds URI components."""
        endpoint = registration.endpoint
        details = message.details
        procedure = details.get("procedure")
        args, kwargs = endpoint.arguments(message.args or (), message.kwargs, procedure)
        if endpoint.details_arg is not None:
            progress = (
                self._progress_sender(request_id) if details.get("receive_progress") else None
            )
            call_details = CallDetails(
                registration,
                progress=progress,
                caller=details.get("caller"),
                caller_authid=details.get("caller_authid"),
                caller_authrole=details.get("caller_authrole"),
                procedure=procedure or registration.procedure,
                transaction_hash=details.get("transaction_hash"),
                forward_for=details.get("forward_for"),
                is_progress=chunk,
            )
            kwargs[endpoint.details_arg] = call_details
        return endpoint.fn(*args, **kwargs)

    def _progress_sender(self, request_id: int) -> Callable[..., None]:
        """``details.progress(...)``: send a progressive result for this invocation."""

        def progress(*args: Any, **kwargs: Any) -> None:
            if self._answering():
                self._send(_Yield(request_id, {"progress": True}, args or None, kwargs or None))

        return progress

    def _endpoint_done(
        self, request_id: int, running: Running, result: Any, error: BaseException | None
    ) -> None:
        """An asynchronous endpoint finished: answer with YIELD or ERROR."""
        if self._peer.invocations.get(request_id) is running:
            del self._peer.invocations[request_id]
        if not self._answering():
            self._unanswered(error)
        elif error is None:
            self._yield(request_id, running.registration, result, False)
        else:
            self._endpoint_error(request_id, running, error)

    def _unanswered(self, error: BaseException | None) -> None:
        """An endpoint finished after our GOODBYE: no answer, but its failure is reported."""
        if isinstance(error, Exception) and not self._adapter.is_cancellation(error):
            self._user_error(error, f"{type(error).__name__}: {error}")

    def _endpoint_error(self, request_id: int, running: Running, error: BaseException) -> None:
        if self._adapter.is_cancellation(error):
            if running.interrupted:
                self._send(_Error(_INVOCATION, request_id, {}, ApplicationError.CANCELED))
        elif isinstance(error, Exception):
            self._endpoint_failed(request_id, running.registration, error)
        else:
            raise error

    def _yield(
        self, request_id: int, registration: Registration, result: Any, progress: bool
    ) -> None:
        """Answer an invocation with its result (or a progressive result)."""
        transport = self._transport
        if transport is None:
            return
        if progress:
            if result is None:
                return
            options = {"progress": True}
        else:
            options = {}
        if isinstance(result, CallResult):
            message = _Yield(
                request_id, options, list(result.results) or None, result.kwresults or None
            )
        else:
            message = _Yield(request_id, options, [result])
        try:
            transport.send(message)
        except (SerializationError, ProtocolError) as e:
            self._unsendable(transport, request_id, registration, e)

    @staticmethod
    def _unsendable(
        transport: Any,
        request_id: int,
        registration: Registration,
        error: SerializationError | ProtocolError,
    ) -> None:
        """A result that could not be sent: answer with ERROR instead."""
        if isinstance(error, SerializationError):
            uri = ApplicationError.INVALID_PAYLOAD
            why = f"could not be serialized: {error}"
        else:
            uri = ApplicationError.PAYLOAD_SIZE_EXCEEDED
            why = f"exceeds transport size limit: {error}"
        transport.send(
            _Error(
                _INVOCATION,
                request_id,
                {},
                uri,
                [f'success return value from invoked procedure "{registration.procedure}" {why}'],
            )
        )

    def _endpoint_failed(
        self, request_id: int, registration: Registration, error: Exception
    ) -> None:
        """Answer an invocation whose endpoint raised with ERROR."""
        # The message Autobahn passes (txaio's failure message): "TooBig: 1000".
        self._user_error(error, f"{type(error).__name__}: {error}")
        transport = self._transport
        if transport is None:
            return
        message = self._errors.to_message(_INVOCATION, request_id, error, self.traceback_app)
        try:
            transport.send(message)
        except (SerializationError, ProtocolError) as e:
            transport.send(
                _Error(
                    _INVOCATION,
                    request_id,
                    {},
                    ApplicationError.INVALID_PAYLOAD,
                    [
                        f'error return value from invoked procedure "{registration.procedure}" '
                        f"could not be serialized: {e}"
                    ],
                )
            )

    # -- progressive call invocations --------------------------------------------------------

    def _next_chunk(self, running: Running, message: Any) -> None:
        """One chunk of a progressive invocation, run once the previous one finished."""
        final = not message.details.get("progress")
        request_id = message.request_id
        if running.tail is None or self._adapter.is_done(running.tail):
            running.tail = self._run_chunk(request_id, running, message, final)
        else:
            running.tail = self._spawn(
                self._chunk_after(running.tail, request_id, running, message, final)
            )

    async def _chunk_after(
        self, previous: Any, request_id: int, running: Running, message: Any, final: bool
    ) -> None:
        await self._settle(previous)
        if self._peer.invocations.get(request_id) is not running:
            return  # an earlier chunk failed or was interrupted
        if not self._answering():
            self._chunk_done(request_id)
            return
        inner = self._run_chunk(request_id, running, message, final)
        if inner is not None:
            await self._settle(inner)

    async def _settle(self, awaitable: Any) -> None:
        """Wait for a chunk; its outcome was already reported."""
        try:
            await awaitable
        except BaseException as e:
            if not (self._adapter.is_cancellation(e) or isinstance(e, Exception)):
                raise

    def _run_chunk(self, request_id: int, running: Running, message: Any, final: bool) -> Any:
        """Call the endpoint with one chunk; the task when it runs asynchronously."""
        registration = running.registration
        try:
            result = self._invoke(request_id, registration, message, not final)
        except Exception as e:
            self._chunk_done(request_id)
            self._endpoint_failed(request_id, registration, e)
            return None
        if registration.endpoint.is_coro or (
            type(result) not in _SIMPLE and self._is_awaitable(result)
        ):
            running.task = self._adapter.watch(
                result, partial(self._chunk_finished, request_id, running, final)
            )
            return running.task
        if final:
            self._chunk_done(request_id)
            self._yield(request_id, registration, result, False)
        elif running.receive_progress:
            self._yield(request_id, registration, result, True)
        return None

    def _chunk_finished(
        self,
        request_id: int,
        running: Running,
        final: bool,
        result: Any,
        error: BaseException | None,
    ) -> None:
        """An asynchronous chunk finished: answer it (or end the invocation on error)."""
        running.task = None
        if not self._answering():
            self._chunk_done(request_id)
            self._unanswered(error)
        elif error is not None:
            self._chunk_done(request_id)
            self._endpoint_error(request_id, running, error)
        elif final:
            self._chunk_done(request_id)
            self._yield(request_id, running.registration, result, False)
        elif running.receive_progress:
            self._yield(request_id, running.registration, result, True)

    def _chunk_done(self, request_id: int) -> None:
        self._peer.invocations.pop(request_id, None)
        self._finished_progressive.append(request_id)

    # -- INTERRUPT -----------------------------------------------------------------------------

    def _on_interrupt(self, message: _native.Interrupt) -> None:
        running = self._peer.invocations.get(message.request_id)
        if running is None:
            return  # answered already
        running.interrupted = message.options.get("mode") != "killnowait"
        if running.task is not None:
            self._adapter.cancel(running.task)
            return
        # A progressive invocation waiting for its next chunk: end it here.
        self._chunk_done(message.request_id)
        if running.interrupted:
            self._send(_Error(_INVOCATION, message.request_id, {}, ApplicationError.CANCELED))


def _ignore(message: Any) -> None:
    """A message the session no longer acts on (it is shutting down)."""


def _wire(text: str, options: Any, what: str) -> tuple[str, dict[str, Any], Any]:
    """The URI and options to send for a (possibly ``<name>``-patterned) URI."""
    pattern = compile_uri(text)
    opts: dict[str, Any] = options.message_attr() if options is not None else {}
    if pattern is None:
        wire = text
    else:
        wire = pattern.uri
        policy = pattern.match
        if policy != "exact":
            given = opts.get("match")
            if given is not None and given != policy:
                raise ValueError(
                    f"{what}: URI pattern {text!r} is matched by {policy!r}, "
                    f"but its options ask for match={given!r}"
                )
            opts["match"] = policy
    if not _native.is_valid_uri(wire, allow_empty=True):
        raise InvalidUri(f"{what}: invalid URI {wire!r}")
    return wire, opts, pattern


def new_finished_progressive() -> deque[int]:
    """The bounded memory of finished progressive invocations."""
    return deque(maxlen=_RECENT)
