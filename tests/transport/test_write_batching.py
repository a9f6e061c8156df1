"""When writes leave, over real sockets: a lone message at once, a burst together a turn
later, what the router's handlers send while a read is dispatched in one write per
connection, and a client's first ``WRITE_BATCH`` answers to a long read at once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pywamp import _native
from pywamp.exception import ProtocolError
from pywamp.transport import WampTransport, connect, listen
from pywamp.transport._framing import WRITE_BATCH


class Writes:
    """Counts the calls of an asyncio transport's ``write``/``writelines`` (they still
    write), and which of them happened while the protocol handled a read."""

    def __init__(self, transport: WampTransport) -> None:
        self.calls: list[str] = []
        self.frames: list[int] = []  # frames handed over by each call
        self.during_reads: list[int] = []  # writes made while each read was handled
        sock = transport.transport
        assert sock is not None
        write, writelines = sock.write, sock.writelines

        inside = []  # asyncio's writelines may call write: count the outer call only

        def counted_write(data: Any) -> None:
            if not inside:
                self.calls.append("write")
                self.frames.append(1)
            write(data)

        def counted_writelines(data: Any) -> None:
            self.calls.append("writelines")
            self.frames.append(len(data))
            inside.append(True)
            try:
                writelines(data)
            finally:
                inside.pop()

        sock.write = counted_write  # type: ignore[method-assign]
        sock.writelines = counted_writelines  # type: ignore[method-assign]
        received = transport.data_received

        def counted_read(data: bytes) -> None:
            before = len(self.calls)
            received(data)
            self.during_reads.append(len(self.calls) - before)

        transport.data_received = counted_read  # type: ignore[method-assign]


class Peer:
    """A handler that keeps its transport and fails the test on a protocol violation."""

    def __init__(self) -> None:
        self.transport: WampTransport | None = None

    def transport_open(self, transport: WampTransport) -> None:
        self.transport = transport

    def message_received(self, message: Any) -> None:
        pass

    def protocol_violation(self, error: ProtocolError) -> None:
        raise AssertionError(error)

    def transport_closed(self, error: BaseException | None) -> None:
        pass


class Echo(Peer):
    """A server handler that answers every CALL with a RESULT and a second RESULT."""

    def __init__(self, seen: list[Any]) -> None:
        super().__init__()
        self.seen = seen

    def transport_open(self, transport: WampTransport) -> None:
        super().transport_open(transport)
        self.seen.append(self)

    def message_received(self, message: Any) -> None:
        assert self.transport is not None
        self.transport.send(_native.Result(message.request_id, {"progress": True}, ["a"]))
        self.transport.send(_native.Result(message.request_id, {}, ["b"]))


class Answerer(Peer):
    """A client handler that answers every message at once (as a callee YIELDs)."""

    def message_received(self, message: Any) -> None:
        assert self.transport is not None
        self.transport.send(_native.Call(message.request_id, {}, "com.example.answer"))


class Inbox(Peer):
    """A handler that keeps every message."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []
        self.arrived = asyncio.Event()

    def message_received(self, message: Any) -> None:
        self.messages.append(message)
        self.arrived.set()

    async def wait_for(self, count: int) -> None:
        while len(self.messages) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 5)


class Fan(Inbox):
    """A server handler that answers the CALL of ``com.example.fan`` with ``count``
    RESULTs (in one dispatch, so in one write) and keeps every other message."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def message_received(self, message: Any) -> None:
        assert self.transport is not None
        if message.procedure == "com.example.fan":
            for request in range(1, self.count + 1):
                self.transport.send(_native.Result(request, {}, [request]))
        else:
            super().message_received(message)


async def test_lone_write_leaves_at_once_and_a_burst_together() -> None:
    servers: list[Any] = []
    server = await listen("rawsocket", lambda: Echo(servers), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    inbox = Inbox()
    client = await connect(f"rs://127.0.0.1:{port}", inbox, serializers=["msgpack"])
    try:
        await asyncio.sleep(0.05)  # the handshake's own writes are done
        writes = Writes(client)
        client.send(_native.Call(1, {}, "com.example.one"))
        assert writes.calls == ["write"]  # before any await: already handed to the socket
        await inbox.wait_for(2)
        # a burst in one turn: the first at once, the other nine together next turn
        for request in range(2, 12):
            client.send(_native.Call(request, {}, "com.example.burst"))
        assert writes.calls == ["write", "write"]
        await asyncio.sleep(0)
        assert writes.calls == ["write", "write", "writelines"]
        await inbox.wait_for(22)
        assert [m.request_id for m in inbox.messages[2:]] == [
            r for r in range(2, 12) for _ in (0, 1)
        ]
    finally:
        client.close()
        server.close()
        await server.wait_closed()


async def test_replies_to_one_read_leave_in_one_write() -> None:
    servers: list[Echo] = []
    server = await listen("universal", lambda: Echo(servers), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    inbox = Inbox()
    client = await connect(f"rs://127.0.0.1:{port}", inbox, serializers=["cbor"])
    try:
        await asyncio.sleep(0.05)
        assert servers[0].transport is not None
        server_writes = Writes(servers[0].transport)
        for request in range(1, 51):
            client.send(_native.Call(request, {}, "com.example.many"))
        await inbox.wait_for(100)
        # every read was answered within its own dispatch, in exactly one write
        assert server_writes.during_reads and all(n == 1 for n in server_writes.during_reads)
        assert len(server_writes.calls) == len(server_writes.during_reads)
        assert [m.args for m in inbox.messages[:2]] == [["a"], ["b"]]
    finally:
        client.close()
        server.close()
        await server.wait_closed()


async def test_reads_are_64_kib() -> None:
    """asyncio's default 256 KiB read buffer would be mmap()ed and unmapped per read."""
    servers: list[Echo] = []
    server = await listen("rawsocket", lambda: Echo(servers), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    client = await connect(f"rs://127.0.0.1:{port}", Inbox(), serializers=["json"])
    try:
        await asyncio.sleep(0.05)
        assert servers[0].transport is not None
        for transport in (client, servers[0].transport):
            assert transport.transport.max_size == 64 * 1024  # type: ignore[union-attr]
        big = "x" * 300_000  # a message larger than one read still arrives whole
        client.send(_native.Call(7, {}, "com.example.big", [big]))
        inbox = client.handler
        assert isinstance(inbox, Inbox)
        await inbox.wait_for(2)
    finally:
        client.close()
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("scheme", ["rs", "ws"])
async def test_client_answers_to_a_long_read_start_leaving_early(scheme: str) -> None:
    """Held to the end of the read, the answers would leave the router idle until then."""
    count = 2 * WRITE_BATCH + WRITE_BATCH // 2
    fans: list[Fan] = []
    server = await listen(
        "universal", lambda: fans.append(Fan(count)) or fans[-1], host="127.0.0.1", port=0
    )
    port = server.sockets[0].getsockname()[1]
    client = await connect(f"{scheme}://127.0.0.1:{port}", Answerer(), serializers=["msgpack"])
    try:
        await asyncio.sleep(0.05)
        server_side = fans[0].transport
        assert server_side is not None
        server_writes, client_writes = Writes(server_side), Writes(client)
        client.send(_native.Call(count + 1, {}, "com.example.fan"))
        await fans[0].wait_for(count)
        assert server_writes.frames == [count]  # the router's side: one write per dispatch
        # the client's: the one CALL, then the first answers to the read as soon as there
        # are WRITE_BATCH of them, and the rest at its end
        assert client_writes.frames == [1, WRITE_BATCH, count - WRITE_BATCH]
        assert client_writes.during_reads == [2]
        assert [m.request_id for m in fans[0].messages] == list(range(1, count + 1))
    finally:
        client.close()
        server.close()
        await server.wait_closed()
