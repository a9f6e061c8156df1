"""The dealer as Autobahn callers and callees see it: matching, shared registrations,
disclosure, progress, timeouts, cancellation and sessions that vanish mid-call."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from autobahn.wamp import message
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import CallDetails, CallOptions, CallResult, RegisterOptions
from io_harness import SERIALIZERS, Endpoints, Peer, RawPeer, join, settle, wait

from pywamp import _native


async def close_all(*peers: Peer) -> None:
    await asyncio.gather(*(peer.close() for peer in peers))


class Slow:
    """An endpoint that runs until released or cancelled, and says which happened."""

    def __init__(self, result: Any = "finished") -> None:
        loop = asyncio.get_running_loop()
        self.started: asyncio.Future[CallDetails | None] = loop.create_future()
        self.release = asyncio.Event()
        self.outcome: asyncio.Future[str] = loop.create_future()
        self.result = result

    async def __call__(self, details: CallDetails | None = None) -> Any:
        self.started.set_result(details)
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.outcome.set_result("cancelled")
            raise
        self.outcome.set_result("finished")
        return self.result


def pending_request(caller: Peer) -> int:
    """The request id of the caller's one call in flight."""
    [request] = caller._call_reqs
    return int(request)


async def test_call_results_and_errors(endpoints: Endpoints) -> None:
    callee = await join(endpoints, "websocket", serializer="msgpack")
    caller = await join(endpoints, "rawsocket", serializer="cbor")

    def custom() -> None:
        raise ApplicationError("com.error.custom", "bad", 2, reason="testing")

    def crash() -> None:
        raise ValueError("plain exception")

    await wait(callee.register(lambda: None, "com.none"))
    await wait(callee.register(lambda: CallResult(1, 2, x=3), "com.many"))
    await wait(callee.register(custom, "com.custom"))
    await wait(callee.register(crash, "com.crash"))
    assert await wait(caller.call("com.none")) is None
    many = await wait(caller.call("com.many"))
    assert (list(many.results), many.kwresults) == ([1, 2], {"x": 3})
    with pytest.raises(ApplicationError) as info:
        await wait(caller.call("com.custom"))
    assert (info.value.error, info.value.args, info.value.kwargs) == (
        "com.error.custom",
        ("bad", 2),
        {"reason": "testing"},
    )
    with pytest.raises(ApplicationError) as info:
        await wait(caller.call("com.crash"))
    assert info.value.error == "wamp.error.runtime_error"
    assert info.value.args == ("plain exception",)
    with pytest.raises(ApplicationError) as info:
        await wait(caller.call("com.nobody.home"))
    assert info.value.error == "wamp.error.no_such_procedure"
    await close_all(callee, caller)


VALUES = [
    None,
    True,
    0,
    -(2**53),
    2**63 - 1,
    1.25,
    "ünïcödé ✓",
    "",
    b"",
    b"\x00\xff" * 100,
    [1, [2, [3, {"deep": [None]}]]],
    {"nested": {"list": [1.5, "x", b"\x01"], "empty": {}}},
]


@pytest.mark.parametrize("callee_serializer", SERIALIZERS)
@pytest.mark.parametrize("caller_serializer", SERIALIZERS)
async def test_values_cross_serializers_intact(
    endpoints: Endpoints, caller_serializer: str, callee_serializer: str
) -> None:
    callee = await join(endpoints, "rawsocket", serializer=callee_serializer)
    caller = await join(endpoints, "websocket", serializer=caller_serializer)
    received: list[Any] = []

    def echo(*args: Any, **kwargs: Any) -> CallResult:
        received.append((args, kwargs))
        return CallResult(*args, **kwargs)

    await wait(callee.register(echo, "com.echo"))
    result = await wait(caller.call("com.echo", *VALUES, key=VALUES[-1], blob=b"\x00"))
    assert list(received[0][0]) == VALUES
    assert received[0][1] == {"key": VALUES[-1], "blob": b"\x00"}
    assert list(result.results) == VALUES
    assert result.kwresults == {"key": VALUES[-1], "blob": b"\x00"}
    await close_all(callee, caller)


async def test_unregister_removes_the_procedure(endpoints: Endpoints) -> None:
    callee = await join(endpoints)
    caller = await join(endpoints, "websocket")
    registration = await wait(callee.register(lambda: 1, "com.once"))
    assert await wait(caller.call("com.once")) == 1
    await wait(registration.unregister())
    with pytest.raises(ApplicationError) as info:
        await wait(caller.call("com.once"))
    assert info.value.error == "wamp.error.no_such_procedure"
    await close_all(callee, caller)


async def test_exact_prefix_wildcard_precedence(endpoints: Endpoints) -> None:
    exact = await join(endpoints, "websocket", serializer="cbor")
    prefix = await join(endpoints, "rawsocket", serializer="json")
    longer = await join(endpoints, "rawsocket-unix", serializer="msgpack")
    wildcard = await join(endpoints)
    wildcard2 = await join(endpoints)
    caller = await join(endpoints, "universal-websocket")

    def named(name: str) -> Any:
        return lambda details: [name, details.procedure]

    opts = {"details_arg": "details"}
    await wait(exact.register(named("exact"), "com.app.a.b", options=RegisterOptions(**opts)))
    await wait(
        prefix.register(named("prefix"), "com.app", options=RegisterOptions("prefix", **opts))
    )
    await wait(
        longer.register(named("longer"), "com.app.a", options=RegisterOptions("prefix", **opts))
    )
    await wait(
        wildcard.register(named("wild"), "com..b", options=RegisterOptions("wildcard", **opts))
    )
    await wait(
        wildcard2.register(
            named("wild2"), "com.app..b", options=RegisterOptions("wildcard", **opts)
        )
    )
    calls = {
        "com.app.a.b": "exact",  # exact beats every pattern
        "com.app.a.x": "longer",  # the longest prefix wins
        "com.app.x": "prefix",
        "com.app.x.b": "prefix",  # a prefix beats a wildcard
        "com.zzz.b": "wild",
        "com.xyz.q.b": None,
    }
    for procedure, expected in calls.items():
        if expected is None:
            with pytest.raises(ApplicationError) as info:
                await wait(caller.call(procedure))
            assert info.value.error == "wamp.error.no_such_procedure"
            continue
        name, seen = await wait(caller.call(procedure))
        assert name == expected, procedure
        # a pattern registration's callee learns the procedure that was called
        assert seen == (procedure if expected != "exact" else None) or (
            expected == "exact" and seen in (None, procedure)
        )
    # among wildcards, the more specific one (more non-empty leading components) wins
    await wait(prefix.leave())
    await wait(longer.leave())
    await settle(caller)
    assert (await wait(caller.call("com.app.x.b")))[0] == "wild2"
    await close_all(exact, prefix, longer, wildcard, wildcard2, caller)


async def test_second_single_registration_is_refused(endpoints: Endpoints) -> None:
    first = await join(endpoints)
    second = await join(endpoints, "websocket")
    await wait(first.register(lambda: 1, "com.single"))
    with pytest.raises(ApplicationError) as info:
        await wait(second.register(lambda: 2, "com.single"))
    assert info.value.error == "wamp.error.procedure_already_exists"
    shared = RegisterOptions(invoke="roundrobin")
    await wait(first.register(lambda: 1, "com.shared", options=shared))
    with pytest.raises(ApplicationError) as info:
        await wait(second.register(lambda: 2, "com.shared", options=RegisterOptions(invoke="last")))
    assert info.value.error == "wamp.error.procedure_exists_with_different_invocation_policy"
    # a pattern registration with the same URI is a different registration
    await wait(second.register(lambda: 2, "com.single", options=RegisterOptions(match="prefix")))
    await close_all(first, second)


@pytest.mark.parametrize("policy", ["roundrobin", "random", "first", "last"])
async def test_shared_registration_policies(endpoints: Endpoints, policy: str) -> None:
    callees = [await join(endpoints, t) for t in ("rawsocket", "websocket", "rawsocket-unix")]
    for index, callee in enumerate(callees):
        await wait(
            callee.register(
                lambda index=index: index, "com.pool", options=RegisterOptions(invoke=policy)
            )
        )
    caller = await join(endpoints)
    reg_id = await wait(caller.call("wamp.registration.lookup", "com.pool"))
    assert len(await wait(caller.call("wamp.registration.list_callees", reg_id))) == 3
    got = [await wait(caller.call("com.pool")) for _ in range(30)]
    if policy == "roundrobin":
        assert got == [0, 1, 2] * 10
    elif policy == "first":
        assert set(got) == {0}
    elif policy == "last":
        assert set(got) == {2}
    else:
        assert set(got) == {0, 1, 2}  # (chance of missing one: 3 * (2/3)**30 < 1e-5)
    if policy in ("first", "last"):
        # when the first (last) callee leaves, the next in line takes over
        gone = callees[0] if policy == "first" else callees[2]
        await gone.close()
        await settle(caller)
        assert await wait(caller.call("com.pool")) == 1
    await close_all(*callees, caller)


async def test_caller_is_disclosed_to_the_callee(endpoints: Endpoints) -> None:
    callee = await join(endpoints, realm="roles", authid="svc", authrole="backend")
    caller = await join(endpoints, "websocket", realm="roles", authid="joe", authrole="user")
    await wait(
        callee.register(
            lambda details: [details.caller, details.caller_authid, details.caller_authrole],
            "com.whoami",
            options=RegisterOptions(details_arg="details"),
        )
    )
    assert await wait(caller.call("com.whoami")) == [caller.session_id, "joe", "user"]
    await close_all(callee, caller)


async def test_realm_without_disclosure_hides_the_caller(endpoints: Endpoints) -> None:
    callee = await join(endpoints, realm="private")
    caller = await join(endpoints, "websocket", realm="private")
    await wait(
        callee.register(
            lambda details: details.caller,
            "com.whoami",
            options=RegisterOptions(details_arg="details"),
        )
    )
    assert await wait(caller.call("com.whoami")) is None
    await close_all(callee, caller)


@pytest.mark.parametrize("serializer", SERIALIZERS)
async def test_progressive_call_results(endpoints: Endpoints, serializer: str) -> None:
    callee = await join(endpoints, "websocket", serializer=serializer)
    caller = await join(endpoints, "rawsocket", serializer=serializer)

    async def countdown(n: int, details: CallDetails) -> str:
        for i in range(n, 0, -1):
            if details.progress is not None:  # only when the caller asked for progress
                details.progress(i, left=i)
            await asyncio.sleep(0)
        return "liftoff"

    await wait(
        callee.register(countdown, "com.countdown", options=RegisterOptions(details_arg="details"))
    )
    progress: list[tuple[Any, ...]] = []
    result = await wait(
        caller.call(
            "com.countdown",
            3,
            options=CallOptions(on_progress=lambda *a, **kw: progress.append((a, kw))),
        )
    )
    assert result == "liftoff"
    assert progress == [((3,), {"left": 3}), ((2,), {"left": 2}), ((1,), {"left": 1})]
    # a caller that does not ask for progress gets only the final result
    assert await wait(caller.call("com.countdown", 2)) == "liftoff"
    await close_all(callee, caller)


async def test_progressive_call_invocations(endpoints: Endpoints) -> None:
    """Autobahn speaks no progressive invocations: bare peers on both ends, and an
    Autobahn callee is protected by feature_not_supported."""
    url = f"rs://127.0.0.1:{endpoints.ports['rawsocket']}"
    callee = await RawPeer.open(url, "msgpack")
    await callee.join()
    callee.send(_native.Register(1, {}, "com.upload"))
    registered = await callee.next(_native.Registered)
    caller = await RawPeer.open(url, "cbor")
    await caller.join()
    caller.send(_native.Call(7, {"progress": True}, "com.upload", ["a"]))
    caller.send(_native.Call(7, {"progress": True}, "com.upload", ["b"]))
    caller.send(_native.Call(7, {}, "com.upload", ["c"]))
    chunks = [await callee.next(_native.Invocation) for _ in range(3)]
    assert [c.args for c in chunks] == [["a"], ["b"], ["c"]]
    assert len({c.request_id for c in chunks}) == 1
    assert [c.details.get("progress") for c in chunks] == [True, True, None]
    assert all(c.registration == registered.registration for c in chunks)
    callee.send(_native.Yield(chunks[0].request_id, {}, ["abc"]))
    result = await caller.next(_native.Result)
    assert (result.request_id, result.args) == (7, ["abc"])

    autobahn_callee = await join(endpoints, "websocket")
    await wait(autobahn_callee.register(lambda *a: a, "com.plain"))
    caller.send(_native.Call(8, {"progress": True}, "com.plain", ["x"]))
    error = await caller.next(_native.Error)
    assert (error.request_id, error.error) == (8, "wamp.error.feature_not_supported")
    callee.close()
    caller.close()
    await autobahn_callee.close()


async def test_call_timeout_in_seconds_interrupts_the_callee(endpoints: Endpoints) -> None:
    callee = await join(endpoints, "websocket", serializer="msgpack")
    caller = await join(endpoints, "rawsocket", serializer="cbor")
    slow = Slow()
    await wait(callee.register(slow, "com.slow"))
    started = time.monotonic()
    with pytest.raises(ApplicationError) as info:
        # Autobahn documents seconds and its CALL message takes whole numbers only
        await wait(caller.call("com.slow", options=CallOptions(timeout=1)))
    elapsed = time.monotonic() - started
    assert info.value.error == "wamp.error.timeout"
    assert 0.95 <= elapsed < 3.0  # one second, neither a millisecond nor a thousand
    assert await wait(slow.outcome) == "cancelled"
    # a call that finishes in time is untouched by its timeout
    await wait(callee.register(lambda: "quick", "com.quick"))
    assert await wait(caller.call("com.quick", options=CallOptions(timeout=1))) == "quick"
    await close_all(callee, caller)


@pytest.mark.parametrize("mode", ["skip", "kill", "killnowait"])
async def test_cancel_modes(endpoints: Endpoints, mode: str) -> None:
    callee = await join(endpoints, "websocket", serializer="json")
    caller = await join(endpoints, "rawsocket", serializer="msgpack")
    slow = Slow()
    await wait(callee.register(slow, "com.slow"))
    call = caller.call("com.slow")
    await wait(slow.started)
    caller._transport.send(message.Cancel(pending_request(caller), mode=mode))
    if mode == "kill":
        # the router interrupts the callee and forwards what the callee answers
        assert await wait(slow.outcome) == "cancelled"
        with pytest.raises(ApplicationError) as info:
            await wait(call)
        assert info.value.error == "wamp.error.runtime_error"  # Autobahn's answer to INTERRUPT
    else:
        # the caller is answered at once
        with pytest.raises(ApplicationError) as info:
            await wait(call)
        assert info.value.error == "wamp.error.canceled"
        if mode == "killnowait":
            assert await wait(slow.outcome) == "cancelled"
        else:
            # skip: the callee is not told and runs to the end; its late result is dropped
            await asyncio.sleep(0.05)
            assert not slow.outcome.done()
            slow.release.set()
            assert await wait(slow.outcome) == "finished"
    # both sessions are fine afterwards
    await wait(callee.register(lambda: "ok", "com.after"))
    assert await wait(caller.call("com.after")) == "ok"
    await close_all(callee, caller)


async def test_autobahn_future_cancel(endpoints: Endpoints) -> None:
    """Cancelling Autobahn's future sends CANCEL without a mode: killnowait."""
    callee = await join(endpoints, "universal-rawsocket")
    caller = await join(endpoints, "universal-websocket")
    slow = Slow()
    await wait(callee.register(slow, "com.slow"))
    call = caller.call("com.slow")
    await wait(slow.started)
    call.cancel()
    assert await wait(slow.outcome) == "cancelled"
    await settle(caller)
    assert caller._call_reqs == {}  # the router answered the CANCEL
    await close_all(callee, caller)


@pytest.mark.parametrize("transport", ["websocket", "rawsocket", "tls-rawsocket", "rawsocket-unix"])
async def test_callee_killed_mid_call(endpoints: Endpoints, transport: str) -> None:
    callee = await join(endpoints, transport, serializer="cbor")
    caller = await join(endpoints, "rawsocket", serializer="json")
    slow = Slow()
    await wait(callee.register(slow, "com.doomed"))
    call = caller.call("com.doomed")
    await wait(slow.started)
    callee.drop()
    with pytest.raises(ApplicationError) as info:
        await wait(call)
    assert info.value.error == "wamp.error.canceled"
    with pytest.raises(ApplicationError) as info:
        await wait(caller.call("com.doomed"))
    assert info.value.error == "wamp.error.no_such_procedure"
    await caller.close()


async def test_callee_leaving_politely_mid_call(endpoints: Endpoints) -> None:
    callee = await join(endpoints)
    caller = await join(endpoints, "websocket")
    slow = Slow()
    await wait(callee.register(slow, "com.leaving"))
    call = caller.call("com.leaving")
    await wait(slow.started)
    callee.leave()
    with pytest.raises(ApplicationError) as info:
        await wait(call)
    assert info.value.error == "wamp.error.canceled"
    await close_all(callee, caller)


@pytest.mark.parametrize("how", ["drop", "leave"])
async def test_caller_leaving_interrupts_the_callee(endpoints: Endpoints, how: str) -> None:
    callee = await join(endpoints, "websocket")
    caller = await join(endpoints, "rawsocket-unix")
    slow = Slow()
    await wait(callee.register(slow, "com.orphan"))
    caller.call("com.orphan").add_done_callback(lambda f: f.exception())
    await wait(slow.started)
    if how == "drop":
        caller.drop()
    else:
        caller.leave()
    assert await wait(slow.outcome) == "cancelled"
    await callee.close()


async def test_sharded_registration_runmodes(endpoints: Endpoints) -> None:
    """runmode/rkey cannot be sent with Autobahn's CallOptions: a bare caller sends them."""
    callees = [await join(endpoints, t) for t in ("rawsocket", "websocket", "rawsocket-unix")]
    for index, callee in enumerate(callees):
        await wait(
            callee.register(
                lambda x, index=index: [index, x],
                "com.shard",
                options=RegisterOptions(invoke="roundrobin"),
            )
        )
    caller = await RawPeer.open(f"rs://127.0.0.1:{endpoints.ports['rawsocket']}", "msgpack")
    await caller.join()
    caller.send(_native.Call(1, {"runmode": "all"}, "com.shard", ["x"]))
    result = await caller.next(_native.Result)
    # one entry per callee in registration order: each its single positional result
    assert result.args == [[0, "x"], [1, "x"], [2, "x"]]

    owners: dict[str, int] = {}
    for request, key in enumerate(["k1", "k2", "k3", "k4", "k5", "k1", "k2", "k3"], 10):
        caller.send(
            _native.Call(request, {"runmode": "partition", "rkey": key}, "com.shard", [key])
        )
        reply = await caller.next(_native.Result)
        [[owner, echoed]] = reply.args
        assert echoed == key
        assert owners.setdefault(key, owner) == owner  # one key, one callee
    assert len(set(owners.values())) > 1
    caller.send(_native.Call(30, {"runmode": "partition"}, "com.shard", []))
    error = await caller.next(_native.Error)
    assert error.error == "wamp.error.invalid_argument"
    caller.close()
    await close_all(*callees)


async def test_many_concurrent_calls_keep_their_answers(endpoints: Endpoints) -> None:
    callees = [await join(endpoints, t) for t in ("rawsocket", "websocket")]
    for callee in callees:
        await wait(
            callee.register(
                lambda x: x * 2, "com.double", options=RegisterOptions(invoke="roundrobin")
            )
        )
    callers = [
        await join(endpoints, t, serializer=s)
        for t, s in [("websocket", "cbor"), ("rawsocket", "msgpack")]
    ]
    calls = [callers[i % 2].call("com.double", i) for i in range(400)]
    results = await wait(asyncio.gather(*calls))
    assert results == [i * 2 for i in range(400)]
    counts = [await wait(c.call("wamp.session.count")) for c in callers]
    assert counts == [4, 4]
    await close_all(*callees, *callers)


async def test_concurrency_limit_of_a_callee(endpoints: Endpoints) -> None:
    callee = await join(endpoints, "websocket")
    helper = await join(endpoints, "rawsocket-unix")
    caller = await join(endpoints)
    busy = Slow("first")
    shared = RegisterOptions(invoke="roundrobin", concurrency=1)
    await wait(callee.register(busy, "com.limited", options=shared))
    first = caller.call("com.limited")
    await wait(busy.started)
    with pytest.raises(ApplicationError) as info:
        await wait(caller.call("com.limited"))
    assert info.value.error == "wamp.error.no_available_callee"
    # a second callee of the shared registration takes the overflow
    await wait(helper.register(lambda: "second", "com.limited", options=shared))
    assert await wait(caller.call("com.limited")) == "second"
    busy.release.set()
    assert await wait(first) == "first"
    await close_all(callee, helper, caller)
