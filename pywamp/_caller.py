"""The caller role: ``call()``, cancellation, timeouts, progressive results and
progressive call invocations (caller streaming).

``call()`` is a hot path: one id, one future, one message, no logging.
"""

from __future__ import annotations

from typing import Any

from pywamp import _native
from pywamp._errors import CallTimeoutError
from pywamp._session_base import SessionBase
from pywamp.exception import Error, InvalidUri
from pywamp.handles import ProgressiveCall
from pywamp.protocol import MAX_ID, PendingCall, Phase
from pywamp.wamp.types import CallOptions, CallResult

__all__ = ("CallerMixin",)

# The native constructors take any sequence as ``args`` (tuples are not copied here).
_Call: Any = _native.Call
_Cancel = _native.Cancel
_is_valid_uri = _native.is_valid_uri
_ESTABLISHED = Phase.ESTABLISHED


#: URIs already found valid: a set lookup is cheaper than the check, and programs call and
#: publish a few URIs many times. Bounded: cleared when it grows past _VALID_MAX.
_valid_uris: set[str] = set()
_VALID_MAX = 4096


def valid_uri(uri: Any) -> bool:
    """Whether ``uri`` is a str and a valid URI without empty components (remembered)."""
    if uri in _valid_uris:
        return True
    if type(uri) is not str or not _is_valid_uri(uri):
        return False
    if len(_valid_uris) >= _VALID_MAX:
        _valid_uris.clear()
    _valid_uris.add(uri)
    return True


def bad_uri(what: str, uri: Any) -> Exception:
    """The error for a URI argument that is not a valid URI."""
    if type(uri) is not str:
        return TypeError(f"{what}: the URI must be a str, got {type(uri).__name__}")
    return InvalidUri(f"{what}: invalid URI {uri!r}")


class CallerMixin(SessionBase):
    """``call``/``call_progressive`` and the handling of RESULT for them."""

    def call(
        self, procedure: str, *args: Any, options: CallOptions | None = None, **kwargs: Any
    ) -> Any:
        """Call ``procedure``; returns at once a future of the result.

        The result is the single positional result, None, or a ``CallResult`` for
        several positional or any keyword results (or with ``CallOptions(details=True)``).
        Cancelling the future sends CANCEL (``CallOptions(cancel_mode=...)``).
        """
        peer = self._peer
        if peer.phase is not _ESTABLISHED:
            raise self._not_ready("call")
        if type(procedure) is not str or (
            procedure not in _valid_uris and not valid_uri(procedure)
        ):
            raise bad_uri("call()", procedure)
        request_id = peer._next_id  # peer.next_id(), inlined: this is the hot path
        peer._next_id = request_id + 1 if request_id < MAX_ID else 1
        future = self._adapter.create_call_future(self._on_call_cancelled, request_id)
        if options is not None:
            return self._call_with_options(request_id, future, procedure, args, kwargs, options)
        # A plain call is tracked by its bare future: no record to build.
        calls = peer.calls
        calls[request_id] = future
        try:
            self._transport.send(_Call(request_id, {}, procedure, args or None, kwargs or None))
        except BaseException:
            del calls[request_id]
            raise
        return future

    def _call_with_options(
        self,
        request_id: int,
        future: Any,
        procedure: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        options: CallOptions,
    ) -> Any:
        if not isinstance(options, CallOptions):
            raise TypeError(f"call(): options must be CallOptions, got {type(options).__name__}")
        pending = PendingCall(
            request_id, procedure, future, options.on_progress, bool(options.details)
        )
        opts = options.message_attr()
        message = _Call(request_id, opts, procedure, args or None, kwargs or None)
        if options.cancel_mode is not None:
            pending.cancel_mode = options.cancel_mode
        if options.runmode == "all":
            pending.gather = True
        calls = self._peer.calls
        calls[request_id] = pending
        try:
            self._transport.send(message)
        except BaseException:
            del calls[request_id]
            raise
        if options.timeout is not None:
            pending.timeout = options.timeout
            pending.timer = self._adapter.call_later(
                options.timeout, self._call_timed_out, request_id
            )
        if options.progress:
            return ProgressiveCall(self, request_id, procedure, future, opts)  # type: ignore[arg-type]
        return future

    def call_progressive(
        self, procedure: str, *args: Any, options: CallOptions | None = None, **kwargs: Any
    ) -> ProgressiveCall:
        """Start a call whose arguments come in chunks (progressive call invocations).

        Sends ``args``/``kwargs`` as the first chunk; use ``.send(...)`` for more and
        ``.finish(...)`` for the last, then await the returned object for the result.
        """
        if options is None:
            options = CallOptions(progress=True)
        elif not options.progress:
            if not isinstance(options, CallOptions):
                raise TypeError(
                    f"call_progressive(): options must be CallOptions, got {type(options).__name__}"
                )
            options = _with_progress(options)
        handle = self.call(procedure, *args, options=options, **kwargs)
        assert isinstance(handle, ProgressiveCall)
        return handle

    def _call_chunk(
        self, handle: ProgressiveCall, args: tuple[Any, ...], kwargs: dict[str, Any], more: bool
    ) -> None:
        """Send one more CALL of a progressive call invocation (same request id)."""
        if handle.finished:
            raise Error(f"progressive call {handle.request_id} was already finished")
        if handle.request_id not in self._peer.calls or self._adapter.is_done(handle.future):
            raise Error(f"progressive call {handle.request_id} has already completed")
        if self._peer.phase is not _ESTABLISHED:
            raise self._not_ready("call")
        opts = dict(handle._options)
        if more:
            opts["progress"] = True
        else:
            opts.pop("progress", None)
            handle.finished = True
        self._transport.send(
            _Call(
                handle.request_id,
                opts,
                handle.procedure,
                args or None,
                kwargs or None,
            )
        )

    def _cancel_call(self, request_id: int) -> None:
        """The application cancelled a call's future: tell the router (CANCEL)."""
        pending = self._peer.calls.pop(request_id, None)
        if pending is None:
            return
        mode = None
        if type(pending) is PendingCall:
            if pending.timer is not None:
                pending.timer.cancel()
            mode = pending.cancel_mode
        if self._peer.phase is _ESTABLISHED and self._transport is not None:
            self._transport.send(_Cancel(request_id, {"mode": mode} if mode else {}))

    def _call_timed_out(self, request_id: int) -> None:
        """The local timeout of a call expired: cancel it at the router and fail it here."""
        pending = self._peer.calls.pop(request_id, None)
        if pending is None:
            return
        if self._peer.phase is _ESTABLISHED and self._transport is not None:
            self._transport.send(_Cancel(request_id, {"mode": "killnowait"}))
        self._reject(
            pending.future,
            CallTimeoutError(
                f"call to {pending.procedure} timed out after {pending.timeout} seconds"
            ),
        )

    # -- RESULT -------------------------------------------------------------------------

    def _on_result(self, message: _native.Result) -> None:
        calls = self._peer.calls
        request_id = message.request_id
        entry = calls.get(request_id)
        if entry is None:
            return  # cancelled or timed out here: the router's late answer is dropped
        if type(entry) is PendingCall:
            self._result_with_options(entry, message)
            return
        details = message.details
        if details and details.get("progress"):
            return  # a progressive result nobody asked for
        del calls[request_id]
        args = message.args
        if message.kwargs:
            result: Any = _call_result(message)
        elif args:
            result = args[0] if len(args) == 1 else CallResult(*args)
        else:
            result = None
        self._resolve(entry, result)

    def _result_with_options(self, pending: PendingCall, message: _native.Result) -> None:
        details = message.details
        if details and details.get("progress"):
            if pending.on_progress is not None:
                self._progress_result(pending, message)
            return
        del self._peer.calls[pending.request_id]
        if pending.timer is not None:
            pending.timer.cancel()
        args = message.args
        if message.kwargs or pending.details:
            result: Any = _call_result(message)
        elif pending.gather:
            result = list(args or ())
        elif args:
            result = args[0] if len(args) == 1 else CallResult(*args)
        else:
            result = None
        self._resolve(pending.future, result)

    def _progress_result(self, pending: PendingCall, message: _native.Result) -> None:
        args = message.args or ()
        kwargs = message.kwargs or {}
        try:
            if pending.details:
                res = pending.on_progress(_call_result(message))
            else:
                res = pending.on_progress(*args, **kwargs)
        except Exception as e:
            self._user_error(e, "While firing on_progress")
            return
        if res is not None and self._is_awaitable(res):
            self._spawn(self._guard(res, "While firing on_progress"))


def _call_result(message: _native.Result) -> CallResult:
    """A CallResult with the callee's identity when the router disclosed it."""
    result = CallResult(*(message.args or ()), **(message.kwargs or {}))
    details = message.details
    if details:
        for name in ("callee", "callee_authid", "callee_authrole", "forward_for"):
            value = details.get(name)
            if value is not None:
                setattr(result, name, value)
    return result


def _with_progress(options: CallOptions) -> CallOptions:
    """A copy of ``options`` that starts a progressive call invocation."""
    copy = CallOptions.__new__(CallOptions)
    for name in CallOptions.__slots__:
        setattr(copy, name, getattr(options, name))
    copy.progress = True
    return copy
