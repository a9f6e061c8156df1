"""The Twisted face after its GOODBYE: an INTERRUPT that crosses it is not answered, an
endpoint still running sends nothing, and the procedure is free for the next callee."""

from __future__ import annotations

from typing import Any

from helpers import record_sent
from routers import Router
from twisted.internet import defer
from tx_helpers import close, joined

from pywamp import _native
from pywamp.twisted.util import sleep
from pywamp.wamp.types import CallOptions


def test_interrupt_crossing_goodbye_is_not_answered(run: Any, router: Router) -> None:
    @defer.inlineCallbacks
    def scenario() -> Any:
        callee = yield joined(router.rs_url, router.realm, serializers=["cbor"])
        caller = yield joined(router.ws_url, router.realm)
        started: defer.Deferred[None] = defer.Deferred()
        stopped: defer.Deferred[str] = defer.Deferred()

        @defer.inlineCallbacks
        def longop() -> Any:
            started.callback(None)
            try:
                yield sleep(30)
            except defer.CancelledError:
                stopped.callback("stopped")
                raise
            return "finished"

        try:
            yield callee.register(longop, "com.txleaving.longop")
            call = caller.call("com.txleaving.longop", options=CallOptions(cancel_mode="kill"))
            call.addErrback(lambda failure: failure.value.error)
            yield started
            sent = record_sent(callee)  # type: ignore[arg-type]
            crossed: defer.Deferred[None] = defer.Deferred()
            receive = callee.message_received

            def goodbye_first(message: Any) -> None:
                if type(message) is _native.Interrupt and not crossed.called:
                    callee.leave()  # our GOODBYE crosses the router's INTERRUPT
                    crossed.callback(None)
                receive(message)

            callee.message_received = goodbye_first  # type: ignore[method-assign]
            call.cancel()
            yield crossed
            yield callee.leave()
            outcome = yield stopped
            error = yield call
            fresh = yield joined(router.ws_url, router.realm, serializers=["msgpack"])
            yield fresh.register(lambda: "fresh", "com.txleaving.longop")
            answer = yield caller.call("com.txleaving.longop")
            yield close(fresh)
            return [type(m) for m in sent], outcome, error, answer
        finally:
            yield close(caller, callee)

    sent, outcome, error, answer = run(scenario)
    assert sent == [_native.Goodbye]
    assert outcome == "stopped"
    assert error == "wamp.error.canceled"
    assert answer == "fresh"
