"""The Twisted face meeting a router that sends what it should not (the scripts of
``hostile.py``): the session survives or ends cleanly, the call never hangs, and no
error is left unhandled in a Deferred or logged as a failure."""

from __future__ import annotations

from typing import Any

from hostile import answer, ended, expected_outcome, outcome_of, scripts
from hypothesis import HealthCheck, event, given, settings
from twisted.internet import defer, reactor
from twisted.logger import globalLogPublisher
from tx_scripted import ScriptedRouter, scripted


def meet(run: Any, script: list[Any]) -> None:
    failures: list[Any] = []

    def observe(log_event: dict[str, Any]) -> None:
        if "log_failure" in log_event:
            failures.append(log_event["log_failure"])

    def play(router: ScriptedRouter, item: Any) -> None:
        answer(item, script, lambda m: router.transport.write(router.stream.send(m)))

    @defer.inlineCallbacks
    def body(session: Any, router: ScriptedRouter) -> Any:
        probed: defer.Deferred[None] = defer.Deferred()
        left: defer.Deferred[None] = defer.Deferred()
        session.on("leave", lambda *_: left.called or left.callback(None))

        def on_event(*args: Any) -> None:
            if args == ("probe",) and not probed.called:
                probed.callback(None)

        yield session.register(lambda *a, **kw: "ok", "com.hostile.proc")
        yield session.subscribe(on_event, "com.hostile.topic")
        call = session.call("com.hostile.pending")
        # Fires with how the call ended; waited for with a timeout: it must not hang.
        answered: defer.Deferred[tuple[str, Any]] = defer.Deferred()
        call.addCallbacks(
            lambda value: answered.callback(outcome_of(value, None)),
            lambda failure: answered.callback(outcome_of(None, failure.value)),
        )
        first = defer.DeferredList([probed, left], fireOnOneCallback=True)
        yield first.addTimeout(5, reactor)
        if probed.called:
            survived = True
            assert session.is_attached()
            outcome = yield answered.addTimeout(5, reactor)
            assert outcome == expected_outcome(script)
            yield session.leave()
        else:
            survived = False
            outcome = yield answered.addTimeout(5, reactor)
            assert outcome[0] == "error" or outcome == expected_outcome(script)
        yield router.ended.addTimeout(5, reactor)
        # It said why it ended the session (once the router has read all it sent).
        assert survived or ended(router.items, script), router.items
        return survived

    globalLogPublisher.addObserver(observe)
    try:
        survived = run(scripted, play, body)
    finally:
        globalLogPublisher.removeObserver(observe)
    event("the session survived the script" if survived else "the session ended")
    assert failures == [], failures


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scripts)
def test_hostile_router(run: Any, script: list[Any]) -> None:
    meet(run, script)
