"""How a Twisted callee answers INVOCATIONs: YIELD with the endpoint's result (one value,
several, None, keyword results), or ERROR when the result cannot be encoded or exceeds
the largest message the router takes. The router is the native framer behind a plain
Twisted server socket announcing a small RawSocket limit, so the callee's own limit is
what is tested."""

from __future__ import annotations

from typing import Any

from twisted.internet import defer
from tx_scripted import ScriptedRouter, scripted

from pywamp import _native
from pywamp.wamp.types import CallResult

REGISTRATION = 31
LIMIT = 4096  # the router takes frames up to 4 KB

ENDPOINTS: dict[str, Any] = {
    "com.one": lambda x: x,
    "com.none": lambda: None,
    "com.many": lambda: CallResult(1, "two", k=3),
    "com.nan": lambda: float("nan"),  # JSON has no NaN
    "com.big": lambda n: "y" * n,
    "com.big.many": lambda n: CallResult("z" * n, 2),
}


@defer.inlineCallbacks
def answers(invocations: list[tuple[str, list[Any]]]) -> Any:
    """Register every endpoint, send each invocation (procedure, args) in turn and fire
    with the message that answered each."""
    registrations: dict[str, int] = {}
    done: defer.Deferred[None] = defer.Deferred()
    got: list[Any] = []

    def script(router: ScriptedRouter, item: Any) -> None:
        if isinstance(item, _native.Register):
            registrations[item.procedure] = REGISTRATION + len(registrations)
            reply = _native.Registered(item.request_id, registrations[item.procedure])
            router.transport.write(router.stream.send(reply))
        elif isinstance(item, (_native.Yield, _native.Error)):
            got.append(item)
            if len(got) == len(invocations):
                done.callback(None)

    @defer.inlineCallbacks
    def body(session: Any, router: ScriptedRouter) -> Any:
        for procedure, endpoint in ENDPOINTS.items():
            yield session.register(endpoint, procedure)
        frames = [
            router.stream.send(_native.Invocation(100 + i, registrations[procedure], {}, args))
            for i, (procedure, args) in enumerate(invocations)
        ]
        router.transport.write(b"".join(frames))  # one read: answered in one dispatch
        yield done
        return got

    result = yield scripted(script, body, max_length=LIMIT)
    return result


def test_results_are_yielded(run: Any) -> None:
    got = run(answers, [("com.one", [7]), ("com.none", []), ("com.many", []), ("com.one", [[]])])
    assert all(isinstance(m, _native.Yield) for m in got)
    assert [(m.request_id, m.options, m.args, m.kwargs) for m in got] == [
        (100, {}, [7], None),
        (101, {}, [None], None),
        (102, {}, [1, "two"], {"k": 3}),
        (103, {}, [[]], None),
    ]


def test_results_that_cannot_be_sent_are_answered_with_error(run: Any) -> None:
    got = run(
        answers,
        [
            ("com.nan", []),
            ("com.big", [LIMIT * 2]),
            ("com.big.many", [LIMIT * 2]),
            ("com.big", [10]),  # the callee goes on answering
        ],
    )
    nan, big, big_many, small = got
    assert isinstance(nan, _native.Error)
    assert (nan.request_type, nan.request_id, nan.error) == (68, 100, "wamp.error.invalid_payload")
    assert nan.args[0].startswith(
        'success return value from invoked procedure "com.nan" could not be serialized: '
    )
    for error, request_id, procedure in [(big, 101, "com.big"), (big_many, 102, "com.big.many")]:
        assert isinstance(error, _native.Error)
        assert (error.request_id, error.error) == (request_id, "wamp.error.payload_size_exceeded")
        assert error.args[0].startswith(
            f'success return value from invoked procedure "{procedure}" '
            "exceeds transport size limit: "
        )
    assert isinstance(small, _native.Yield)
    assert (small.request_id, small.args) == (103, ["y" * 10])
