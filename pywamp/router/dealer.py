"""The dealer: registrations, calls, invocations, cancel, timeouts, progress, sharding.

Registrations are keyed by (procedure, match); the native ``Matcher.best`` applies the
spec's precedence (exact, longest prefix, most specific wildcard). A shared
registration keeps its callees in registration order for ``invoke`` single, first, last,
roundrobin and random. ``CALL.Options.runmode`` picks differently: ``all`` invokes every
callee and gathers their results (in registration order) into one RESULT whose args is
the list of results, each the callee's single positional result, None when it returned
nothing, the list of its positional results when several, or ``{"args", "kwargs"}``
when it returned keyword results; ``partition`` picks the callee by a stable hash
(CRC-32) of ``rkey`` over the callees in registration order; ``any`` is the default.

Cancel modes follow ``rpc_call_canceling.md`` (a callee without ``call_canceling`` gets
``skip``). A dealer timeout is a ``killnowait`` cancel answered with
``wamp.error.timeout``; a callee's late answer to a dropped invocation is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pywamp._ids import MAX_ID, IdSequence
from pywamp._native import (
    Call,
    Cancel,
    Error,
    Interrupt,
    Invocation,
    Matcher,
    Register,
    Registered,
    Result,
    Unregister,
    Unregistered,
    Yield,
    is_valid_uri,
    router_invocation,
    router_result,
)
from pywamp.exception import InvalidUriError
from pywamp.router import errors
from pywamp.router.broker import match_policy, send_error
from pywamp.router.calls import Leg, PendingCall, gathered, late_answer
from pywamp.router.errors import ProtocolViolation
from pywamp.router.features import has_feature
from pywamp.router.filters import opt_bool, passthru
from pywamp.router.outputs import Output, Send, Timer
from pywamp.router.registrations import INVOKE_POLICIES, RUNMODES, Callee, Registration

if TYPE_CHECKING:
    from pywamp.router.realm import Realm
    from pywamp.router.session import RouterSession

CANCEL_MODES = frozenset(("skip", "kill", "killnowait"))

_CALL = Call.TYPE
#: The reason in a revocation's UNREGISTERED.Details (Crossbar's).
_REVOKED = "wamp.error.unregistered"
_REGISTER = Register.TYPE
_UNREGISTER = Unregister.TYPE
_INVOCATION = Invocation.TYPE
_KILLNOWAIT = {"mode": "killnowait"}
#: INVOCATION.Details of a plain call: one shared dict (messages are never mutated).
_NO_DETAILS: dict[str, Any] = {}
#: Procedure URIs a dealer remembers as valid (a set lookup is cheaper than the check).
_VALID_MAX = 4096
_new = tuple.__new__  # builds a Send without NamedTuple's Python-level __new__ (hot path)

MetaProcedure = Callable[
    ["RouterSession", list[Any], dict[str, Any], float, list[Output]],
    tuple[list[Any] | None, dict[str, Any] | None],
]


class MetaError(Exception):
    """A meta procedure fails with ERROR ``uri``."""

    def __init__(self, uri: str, message: str | None = None) -> None:
        super().__init__(message or uri)
        self.uri = uri
        self.message = message


class Dealer:
    """Remote procedure calls of one realm."""

    def __init__(self, realm: Realm) -> None:
        self.realm = realm
        self.strict = realm.config.strict_uris
        self.matcher: Matcher[Registration] = Matcher()
        self.by_id: dict[int, Registration] = {}
        self.ids = IdSequence()
        self.meta_procedures: dict[str, MetaProcedure] = {}
        self._valid: set[str] = set()

    def _check_uri(self, procedure: str) -> bool:
        """Whether a CALL's procedure is a valid URI (remembered, up to _VALID_MAX)."""
        if not is_valid_uri(procedure, strict=self.strict):
            return False
        if len(self._valid) >= _VALID_MAX:
            self._valid.clear()
        self._valid.add(procedure)
        return True

    # -- REGISTER / UNREGISTER -------------------------------------------------------

    def register(
        self, session: RouterSession, msg: Register, now: float, out: list[Output]
    ) -> None:
        """Handle REGISTER, creating or joining a (shared) registration."""
        options = msg.options
        match = match_policy(options, "REGISTER")
        invoke = options.get("invoke") or "single"
        if invoke not in INVOKE_POLICIES:
            raise ProtocolViolation(f"REGISTER.Options.invoke {invoke!r} is not a policy")
        forward_timeout = opt_bool(options, "forward_timeout", False, "REGISTER")
        disclose = opt_bool(options, "disclose_caller", False, "REGISTER")
        concurrency = options.get("concurrency") or 0
        if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 0:
            raise ProtocolViolation("REGISTER.Options.concurrency must be a positive integer")
        procedure = msg.procedure
        request = msg.request_id
        valid = is_valid_uri(procedure, strict=self.strict, allow_empty=match != "exact")
        if not valid or procedure.startswith("wamp."):
            send_error(out, session, _REGISTER, request, errors.INVALID_URI, procedure)
            return
        authorizer = self.realm.authorizer
        if authorizer is not None and not authorizer.authorize(session, procedure, "register"):
            send_error(out, session, _REGISTER, request, errors.NOT_AUTHORIZED, procedure)
            return
        reg = self.matcher.get(procedure, match)
        if reg is not None and options.get("force_reregister") is True:
            self._revoke(reg, now, out)
            reg = None
        created = reg is None
        if reg is None:
            reg = Registration(self.ids.next(), procedure, match, invoke, now)
            try:
                self.matcher.add(procedure, match, reg)
            except (InvalidUriError, ValueError) as exc:
                send_error(out, session, _REGISTER, request, errors.INVALID_URI, str(exc))
                return
            self.by_id[reg.id] = reg
        elif reg.invoke == "single" or session in reg.callees:
            send_error(out, session, _REGISTER, request, errors.PROCEDURE_ALREADY_EXISTS, procedure)
            return
        elif reg.invoke != invoke:
            send_error(out, session, _REGISTER, request, errors.PROCEDURE_EXISTS_INVOKE, procedure)
            return
        reg.callees[session] = Callee(session, forward_timeout, concurrency, disclose)
        reg._changed()
        session.registrations[reg.id] = reg
        out.append(Send(Registered(request, reg.id), (session,)))
        if self.realm.meta_api:
            meta = self.realm.broker.meta_event
            if created:
                meta("wamp.registration.on_create", [session.id, reg.details()], None, now, out)
            meta("wamp.registration.on_register", [session.id, reg.id], None, now, out)

    def unregister(
        self, session: RouterSession, msg: Unregister, now: float, out: list[Output]
    ) -> None:
        """Handle UNREGISTER."""
        reg = session.registrations.pop(msg.registration, None)
        if reg is None:
            send_error(out, session, _UNREGISTER, msg.request_id, errors.NO_SUCH_REGISTRATION)
            return
        deleted = self._detach_callee(reg, session)
        out.append(Send(Unregistered(msg.request_id), (session,)))
        self._unregistered_events(session, reg, deleted, now, out)

    def _revoke(self, reg: Registration, now: float, out: list[Output]) -> None:
        """``force_reregister``: take the registration from every callee (Crossbar's option);
        those that announced ``registration_revocation`` are told with UNREGISTERED."""
        for callee in list(reg.order):
            self.remove_callee(reg, callee.session, _REVOKED, now, out)

    def remove_callee(
        self,
        reg: Registration,
        session: RouterSession,
        reason: str | None,
        now: float,
        out: list[Output],
    ) -> None:
        """Revoke one callee's registration; a callee that announced
        ``registration_revocation`` is told with UNREGISTERED(0, Details)."""
        session.registrations.pop(reg.id, None)
        if has_feature(session.roles, "callee", "registration_revocation"):
            details: dict[str, Any] = {"registration": reg.id}
            if reason is not None:
                details["reason"] = reason
            out.append(Send(Unregistered(0, details), (session,)))
        deleted = self._detach_callee(reg, session)
        self._unregistered_events(session, reg, deleted, now, out)

    def _detach_callee(self, reg: Registration, session: RouterSession) -> bool:
        del reg.callees[session]
        reg._changed()
        if reg.callees:
            return False
        self.matcher.remove(reg.uri, reg.match)
        del self.by_id[reg.id]
        return True

    def _unregistered_events(
        self,
        session: RouterSession,
        reg: Registration,
        deleted: bool,
        now: float,
        out: list[Output],
    ) -> None:
        if self.realm.meta_api:
            meta = self.realm.broker.meta_event
            meta("wamp.registration.on_unregister", [session.id, reg.id], None, now, out)
            if deleted:
                meta("wamp.registration.on_delete", [session.id, reg.id], None, now, out)

    # -- CALL ------------------------------------------------------------------------

    def call(self, session: RouterSession, msg: Call, now: float, out: list[Output]) -> None:
        """Handle CALL: a new call, or the next chunk of a progressive invocation."""
        request = msg.request_id
        pending = session.calls.get(request)
        if pending is not None:
            self._continue(session, pending, msg, out)
            return
        options = msg.options
        progress = opt_bool(options, "progress", False, "CALL") if options else False
        finished = session.finished_progressive
        if finished and request in finished:
            # A chunk of a progressive call that already ended: dropped (the spec's rule).
            if not progress:
                finished.discard(request)
            return
        if progress and not session.caller_progressive_calls:
            raise ProtocolViolation("CALL.Options.progress without progressive_call_invocations")
        procedure = msg.procedure
        meta = self.meta_procedures.get(procedure)
        if meta is not None:
            self._meta_call(session, msg, meta, progress, now, out)
            return
        if procedure not in self._valid and not self._check_uri(procedure):
            send_error(out, session, _CALL, request, errors.INVALID_URI, procedure)
            return
        authorizer = self.realm.authorizer
        if authorizer is not None and not authorizer.authorize(session, procedure, "call"):
            send_error(out, session, _CALL, request, errors.NOT_AUTHORIZED, procedure)
            return
        reg = self.matcher.best(procedure)
        if reg is None:
            send_error(out, session, _CALL, request, errors.NO_SUCH_PROCEDURE, procedure)
            return
        if options:
            receive_progress = opt_bool(options, "receive_progress", False, "CALL")
            disclose = opt_bool(options, "disclose_me", False, "CALL") or session.disclose_caller
            timeout = options.get("timeout") or 0
            if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout < 0:
                raise ProtocolViolation("CALL.Options.timeout must be a non-negative number")
            runmode = options.get("runmode", "any")
            if runmode not in RUNMODES:
                send_error(out, session, _CALL, request, errors.INVALID_ARGUMENT, "runmode")
                return
            rkey = options.get("rkey")
            if runmode == "partition" and not isinstance(rkey, (str, int)):
                send_error(out, session, _CALL, request, errors.INVALID_ARGUMENT, "rkey")
                return
        else:
            receive_progress = False
            disclose = session.disclose_caller
            timeout = 0
            runmode = "any"
            rkey = None
        gather = runmode == "all"
        if runmode == "any" and reg.invoke == "single" and not reg.limited and reg.order:
            chosen: Callee | list[Callee] | None = reg.order[0]  # pick()'s common case
        else:
            chosen = reg.pick_all() if gather else reg.pick(runmode, rkey)
        if chosen is None:
            send_error(out, session, _CALL, request, errors.NO_AVAILABLE_CALLEE, procedure)
            return
        if progress:
            first = chosen[0].session if isinstance(chosen, list) else chosen.session
            if gather or not (first.callee_progressive_calls and first.callee_cancel):
                send_error(out, session, _CALL, request, errors.FEATURE_NOT_SUPPORTED, "progress")
                return
        base = session.caller if disclose else _NO_DETAILS
        if reg.match != "exact":
            base = {**base, "procedure": procedure}
        if options:
            ppt = passthru(options)
            if ppt is not None:
                base = {**base, **ppt}
        args = msg.args
        kwargs = msg.kwargs
        payload = msg.payload
        if isinstance(chosen, list):
            call = self._invoke_all(session, request, reg, chosen, base, timeout, msg, out)
            dealer_timer = bool(timeout) and not all(c.forward_timeout for c in chosen)
        else:
            callee = chosen
            target = callee.session
            details = base
            dealer_timer = False
            if timeout:
                if callee.forward_timeout:
                    details = {**details, "timeout": timeout}
                else:
                    dealer_timer = True
            if receive_progress and target.callee_progress:
                details = {**details, "receive_progress": True}
            invocation = target.invocation_ids + 1
            if invocation > MAX_ID:
                invocation = 1
            target.invocation_ids = invocation
            call = PendingCall(session, request, reg, callee, invocation)
            call.receive_progress = receive_progress
            if progress:
                call.progress_open = True
                call.details = details
                details = {**details, "progress": True}
            target.invocations[invocation] = call
            callee.inflight += 1
            message = router_invocation(invocation, reg.id, details, args, kwargs, payload)
            out.append(_new(Send, (message, (target,))))
        session.calls[request] = call
        if dealer_timer:
            call.timeout = timeout * session.timeout_scale
            self._arm(call, now + call.timeout, out)

    def _invoke_all(
        self,
        session: RouterSession,
        request: int,
        reg: Registration,
        chosen: list[Callee],
        base: dict[str, Any],
        timeout: float,
        msg: Call,
        out: list[Output],
    ) -> PendingCall:
        """runmode all: one INVOCATION per callee, results gathered in registration order."""
        call = PendingCall(session, request, reg, chosen[0], 0)
        call.done = True  # the call object is not a leg itself here
        call.legs = []
        for index, callee in enumerate(chosen):
            target = callee.session
            details = {**base, "timeout": timeout} if timeout and callee.forward_timeout else base
            invocation = target.next_invocation_id()
            call.legs.append(Leg(callee, invocation, index))
            target.invocations[invocation] = call
            callee.inflight += 1
            message = router_invocation(
                invocation, reg.id, details, msg.args, msg.kwargs, msg.payload
            )
            out.append(Send(message, (target,)))
        call.remaining = len(chosen)
        call.results = [None] * len(chosen)
        return call

    def _continue(
        self, session: RouterSession, call: PendingCall, msg: Call, out: list[Output]
    ) -> None:
        """The next CALL of a progressive invocation: same callee, same invocation id."""
        if not call.progress_open:
            raise ProtocolViolation("CALL repeats the request id of a call in progress")
        options = msg.options
        progress = opt_bool(options, "progress", False, "CALL") if options else False
        details = {**call.details, "progress": True} if progress else call.details
        if not progress:
            call.progress_open = False
        message = router_invocation(
            call.invocation, call.registration.id, details, msg.args, msg.kwargs, msg.payload
        )
        out.append(Send(message, (call.callee.session,)))

    def _meta_call(
        self,
        session: RouterSession,
        msg: Call,
        handler: MetaProcedure,
        progress: bool,
        now: float,
        out: list[Output],
    ) -> None:
        request = msg.request_id
        if progress:
            send_error(out, session, _CALL, request, errors.FEATURE_NOT_SUPPORTED, "progress")
            return
        authorizer = self.realm.authorizer
        if authorizer is not None and not authorizer.authorize(session, msg.procedure, "call"):
            send_error(out, session, _CALL, request, errors.NOT_AUTHORIZED, msg.procedure)
            return
        effects: list[Output] = []
        try:
            args, kwargs = handler(session, msg.args or [], msg.kwargs or {}, now, effects)
        except MetaError as exc:
            send_error(out, session, _CALL, request, exc.uri, exc.message)
            return
        out.append(Send(Result(request, {}, args, kwargs), (session,)))
        out.extend(effects)

    # -- timers ----------------------------------------------------------------------

    def _arm(self, call: PendingCall, deadline: float, out: list[Output]) -> None:
        if call.timer is not None:
            call.timer.cancel()
        call.timer, earliest = self.realm.timers.schedule(deadline, self._expired, call)
        if earliest:
            out.append(Timer(deadline))

    def _expired(self, call: PendingCall, now: float, out: list[Output]) -> None:
        call.timer = None
        if call.caller.calls.get(call.request_id) is call:
            self._terminate(call, errors.TIMEOUT, True, now, out)

    # -- answers from callees --------------------------------------------------------

    def yield_(self, session: RouterSession, msg: Yield, now: float, out: list[Output]) -> None:
        """Handle YIELD: a progressive or final result."""
        invocation = msg.request_id
        call = session.invocations.get(invocation)
        if call is None:
            late_answer(session, invocation, "YIELD")
            return
        options = msg.options
        details: dict[str, Any] = {}
        if options:
            ppt = passthru(options)
            if ppt is not None:
                details = ppt
            if opt_bool(options, "progress", False, "YIELD"):
                if call.receive_progress and not call.canceling:
                    details = {**details, "progress": True}
                    result = router_result(
                        call.request_id, details, msg.args, msg.kwargs, msg.payload
                    )
                    out.append(Send(result, (call.caller,)))
                    if call.timer is not None:
                        self._arm(call, now + call.timeout, out)
                return
        del session.invocations[invocation]
        if call.legs is None:
            call.done = True
            call.callee.inflight -= 1
            result = router_result(call.request_id, details, msg.args, msg.kwargs, msg.payload)
        else:
            leg = call.leg(session, invocation)
            leg.done = True
            leg.callee.inflight -= 1
            call.results[leg.index] = gathered(msg.args, msg.kwargs, msg.payload)
            call.remaining -= 1
            if call.remaining:
                return
            result = Result(call.request_id, {}, call.results)
        self._finish(call)
        if call.notify is not None:
            call.notify(result, now, out)
            return
        out.append(_new(Send, (result, (call.caller,))))

    def error(self, session: RouterSession, msg: Error, now: float, out: list[Output]) -> None:
        """Handle a callee's ERROR for an INVOCATION: the caller gets it as a CALL error."""
        if msg.request_type != _INVOCATION:
            raise ProtocolViolation(f"ERROR for request type {msg.request_type} from a client")
        invocation = msg.request_id
        call = session.invocations.pop(invocation, None)
        if call is None:
            late_answer(session, invocation, "ERROR")
            return
        leg = call.leg(session, invocation)
        leg.done = True
        leg.callee.inflight -= 1
        self._drop_legs(call, True, out)  # runmode all: the other callees stop too
        self._finish(call)
        error = Error(
            _CALL, call.request_id, msg.details, msg.error, msg.args, msg.kwargs, msg.payload
        )
        if call.notify is not None:
            call.notify(error, now, out)
            return
        out.append(Send(error, (call.caller,)))

    def _drop_legs(self, call: PendingCall, interrupt: bool, out: list[Output]) -> None:
        """Forget the open invocations of a call, interrupting callees that can cancel."""
        for leg in call.all_legs():
            if leg.done:
                continue
            leg.done = True
            callee = leg.callee
            callee.inflight -= 1
            callee.session.invocations.pop(leg.invocation, None)
            if interrupt and callee.session.callee_cancel:
                out.append(Send(Interrupt(leg.invocation, _KILLNOWAIT), (callee.session,)))

    def _finish(self, call: PendingCall) -> None:
        caller = call.caller
        caller.calls.pop(call.request_id, None)
        if call.timer is not None:
            call.timer.cancel()
            call.timer = None
        if call.progress_open:
            caller.finished_progressive.add(call.request_id)

    def _terminate(
        self, call: PendingCall, uri: str, interrupt: bool, now: float, out: list[Output]
    ) -> None:
        """End a call with ERROR ``uri`` now; open invocations are dropped (and interrupted)."""
        self._finish(call)
        error = Error(_CALL, call.request_id, {}, uri)
        self._drop_legs(call, interrupt, out)
        if call.notify is not None:
            call.notify(error, now, out)
        else:
            out.append(Send(error, (call.caller,)))

    # -- CANCEL ----------------------------------------------------------------------

    def cancel(self, session: RouterSession, msg: Cancel, now: float, out: list[Output]) -> None:
        """Handle CANCEL in mode skip, kill or killnowait (default)."""
        options = msg.options
        mode = options.get("mode", "killnowait") if options else "killnowait"
        if mode not in CANCEL_MODES:
            raise ProtocolViolation(f"CANCEL.Options.mode {mode!r} is not a cancel mode")
        call = session.calls.get(msg.request_id)
        if call is None:
            return  # already answered
        if mode == "kill" and call.legs is None and call.callee.session.callee_cancel:
            if not call.canceling:
                call.canceling = True
                interrupt = Interrupt(call.invocation, {"mode": "kill"})
                out.append(Send(interrupt, (call.callee.session,)))
            return
        self._terminate(call, errors.CANCELED, mode != "skip", now, out)

    # -- sessions leaving ------------------------------------------------------------

    def fail_calls(self, session: RouterSession, uri: str, now: float, out: list[Output]) -> None:
        """Answer every call this caller waits for with ERROR ``uri`` (router shutdown);
        the callees still working on them are interrupted."""
        for call in list(session.calls.values()):
            self._terminate(call, uri, True, now, out)

    def remove_session(self, session: RouterSession, now: float, out: list[Output]) -> None:
        """Clean up after a leaving session, as caller and as callee."""
        if not (
            session.calls
            or session.invocations
            or session.registrations
            or session.finished_progressive
        ):
            return  # nothing to clean up (a session that only published or subscribed)
        for call in list(session.calls.values()):
            self._finish(call)
            self._drop_legs(call, True, out)
        session.calls.clear()
        session.finished_progressive.clear()
        for invocation, call in list(session.invocations.items()):
            if session.invocations.pop(invocation, None) is None:
                continue  # dropped with an earlier call of this loop
            leg = call.leg(session, invocation)
            leg.done = True
            leg.callee.inflight -= 1
            self._terminate(call, errors.CANCELED, True, now, out)
        session.invocations.clear()
        regs = list(session.registrations.values())
        session.registrations.clear()
        deleted = [self._detach_callee(reg, session) for reg in regs]
        for reg, gone in zip(regs, deleted, strict=True):
            self._unregistered_events(session, reg, gone, now, out)
