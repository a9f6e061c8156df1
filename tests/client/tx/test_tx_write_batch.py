"""A Twisted callee's first ``WRITE_BATCH`` YIELDs to a long read leave as soon as they
are made: the router can work on them while the callee works through the rest (held to
the end of the read, they would leave the router idle until then). Each endpoint call
looks, without reading, at what has already reached the router's socket."""

from __future__ import annotations

import socket
from typing import Any

from twisted.internet import defer
from tx_scripted import ScriptedRouter, scripted

from pywamp import _native
from pywamp.transport._framing import WRITE_BATCH

REGISTRATION = 77
COUNT = 2 * WRITE_BATCH + WRITE_BATCH // 2


def frames_waiting(sock: socket.socket) -> int:
    """RawSocket frames that have reached ``sock`` and not been read yet."""
    try:
        data = sock.recv(1 << 16, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return 0
    count = at = 0
    while at + 4 <= len(data):
        at += 4 + int.from_bytes(data[at + 1 : at + 4], "big")
        count += 1
    return count


@defer.inlineCallbacks
def waiting_at_each_call() -> Any:
    """Send COUNT INVOCATIONs in one write; fire with the frames waiting at the router
    when each call began, and the YIELDs the router then read."""
    done: defer.Deferred[None] = defer.Deferred()
    answers: list[Any] = []

    def script(router: ScriptedRouter, item: Any) -> None:
        if isinstance(item, _native.Register):
            router.transport.write(
                router.stream.send(_native.Registered(item.request_id, REGISTRATION))
            )
        else:
            answers.append(item)
            if len(answers) == COUNT:
                done.callback(None)

    seen: list[int] = []

    @defer.inlineCallbacks
    def body(session: Any, router: ScriptedRouter) -> Any:
        def endpoint(n: int) -> int:
            seen.append(frames_waiting(router.transport.getHandle()))
            return n

        yield session.register(endpoint, "com.echo")
        frames = [
            router.stream.send(_native.Invocation(100 + i, REGISTRATION, {}, [i]))
            for i in range(COUNT)
        ]
        router.transport.write(b"".join(frames))  # one read: answered in one dispatch
        yield done
        return seen, answers

    result = yield scripted(script, body)
    return result


def test_first_yields_leave_before_the_read_is_done(run: Any) -> None:
    seen, answers = run(waiting_at_each_call)
    # The first WRITE_BATCH YIELDs have left once there are that many; the rest wait for
    # the end of the read (one write).
    assert seen == [0] * WRITE_BATCH + [WRITE_BATCH] * (COUNT - WRITE_BATCH)
    assert [(m.request_id, m.args) for m in answers] == [(100 + i, [i]) for i in range(COUNT)]
