"""Calls the router makes itself: a dynamic authenticator or authorizer procedure.

The router invokes the procedure on a callee registered in a realm, exactly as for a
client's CALL (same registration lookup and invocation policy), but the outcome goes to
a callback rather than to a transport: the callee's RESULT or ERROR, ``wamp.error.
timeout`` when it does not answer in time (the invocation is interrupted),
``wamp.error.canceled`` when the callee leaves, ``wamp.error.no_such_procedure`` when
nothing is registered. The callback gets ``(message, now, out)`` and may add outputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pywamp._native import Call, Error, Invocation
from pywamp.router import errors
from pywamp.router.calls import Notify, PendingCall
from pywamp.router.outputs import Output, Send
from pywamp.router.session import RouterSession

if TYPE_CHECKING:
    from pywamp.router.realm import Realm

INTERNAL = {"type": "internal"}


def callout(
    realm: Realm,
    procedure: str,
    args: list[Any],
    timeout: float,
    notify: Notify,
    now: float,
    out: list[Output],
) -> None:
    """Invoke ``procedure`` in ``realm``; ``notify`` gets the outcome (maybe right away)."""
    dealer = realm.dealer
    reg = dealer.matcher.best(procedure)
    callee = reg.pick("any", None) if reg is not None else None
    if reg is None or callee is None:
        notify(Error(Call.TYPE, 1, {}, errors.NO_SUCH_PROCEDURE), now, out)
        return
    caller = RouterSession(INTERNAL)  # holds the call, as a client's session would
    target = callee.session
    invocation = target.next_invocation_id()
    call = PendingCall(caller, 1, reg, callee, invocation)
    call.notify = notify
    call.timeout = timeout
    caller.calls[1] = call
    target.invocations[invocation] = call
    callee.inflight += 1
    details = {"procedure": procedure} if reg.match != "exact" else {}
    out.append(Send(Invocation(invocation, reg.id, details, args), (target,)))
    dealer._arm(call, now + timeout, out)
