"""Drills against a router in its own process: bad input, slow consumers, load, fuzzing.

The router runs as ``pywamp router --config FILE`` so its memory (VmRSS) can be read and
a crash shows as a dead process. The drills are plain coroutines with their sizes as
arguments: the tests run them scaled down, ``scripts/drills.sh`` at full size.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pywamp import _native
from pywamp.exception import ProtocolError
from pywamp.transport import WampTransport, connect

DEADLINE = 10.0


@dataclass
class RouterProcess:
    """A router subprocess with one listener of each kind; addresses by listener name."""

    limits: dict[str, Any] = field(default_factory=dict)
    tls_pem: str | None = None
    #: ``max_connection_rate`` of the TLS listener (None: no bound).
    tls_rate: int | None = None
    process: subprocess.Popen[str] | None = None
    addresses: dict[str, str] = field(default_factory=dict)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pw-drill-")))

    def config(self) -> str:
        lines = ["[limits]"]
        lines += [f"{key} = {json.dumps(value)}" for key, value in self.limits.items()]
        listeners = [
            ('kind = "rawsocket"', "port = 0"),
            ('kind = "websocket"', "port = 0"),
            ('kind = "universal"', "port = 0"),
            ('kind = "rawsocket"', f'socket = "{self.directory / "rs.sock"}"'),
        ]
        if self.tls_pem is not None:
            tls = f'tls = {{ certificate = "{self.tls_pem}", key = "{self.tls_pem}" }}'
            rate = () if self.tls_rate is None else (f"max_connection_rate = {self.tls_rate}",)
            listeners.append(('kind = "universal"', "port = 0", tls, *rate))  # type: ignore[arg-type]
        for listener in listeners:
            lines += ["[[listeners]]", *listener]
        return "\n".join(lines) + "\n"

    def start(self) -> RouterProcess:
        path = self.directory / "router.toml"
        path.write_text(self.config())
        code = "from pywamp.cli import main; raise SystemExit(main())"
        with (self.directory / "stderr.log").open("w") as log:  # the child keeps its own
            self.process = subprocess.Popen(
                [sys.executable, "-c", code, "router", "--config", str(path)],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        names = ["rawsocket", "websocket", "universal", "rawsocket-unix", "universal-tls"]
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "listening (" in line:
                where = line.split("(", 1)[1].rstrip(")\n").split(" ", 1)[1]
                self.addresses[names[len(self.addresses)]] = where
            elif "realms" in line:
                break
        return self

    def port(self, name: str) -> int:
        return int(self.addresses[name].rsplit(":", 1)[1])

    def rss(self) -> int:
        """The router's resident memory in bytes (VmRSS)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")

    def stderr(self) -> str:
        """What the router wrote to stderr (its log) so far."""
        return (self.directory / "stderr.log").read_text()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> int | None:
        """SIGTERM (graceful shutdown); the exit status."""
        if self.process is None:
            return None
        self.process.terminate()
        try:
            return self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


class Client:
    """A bare WAMP peer on pywamp's transport: answers INVOCATIONs, counts what arrives."""

    def __init__(self) -> None:
        self.transport: WampTransport | None = None
        self.session = 0
        self.joined: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.events = 0
        self.results: dict[int, asyncio.Future[Any]] = {}
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_id = 0
        self.on_event: Callable[[Any], None] | None = None

    def transport_open(self, transport: WampTransport) -> None:
        self.transport = transport

    def message_received(self, message: Any) -> None:
        kind = type(message)
        if kind is _native.Event:
            self.events += 1
            if self.on_event is not None:
                self.on_event(message)
        elif kind is _native.Invocation:
            assert self.transport is not None
            self.transport.send(_native.Yield(message.request_id, {}, message.args))
        elif kind is _native.Welcome:
            self.session = message.session
            self.joined.set_result(message.session)
        elif kind is _native.Abort:
            if not self.joined.done():
                self.joined.set_exception(AssertionError(f"ABORT {message.reason}"))
        else:
            request = getattr(message, "request_id", None)
            future = self.results.pop(request, None) if request is not None else None
            if future is not None and not future.done():
                future.set_result(message)

    def protocol_violation(self, error: ProtocolError) -> None:
        raise AssertionError(f"the router sent a malformed message: {error}")

    def transport_closed(self, error: BaseException | None) -> None:
        for future in self.results.values():
            if not future.done():
                future.set_exception(ConnectionError("connection lost"))
        if not self.closed.done():
            self.closed.set_result(None)

    @classmethod
    async def join(cls, url: str, serializer: str = "msgpack", **kw: Any) -> Client:
        client = cls()
        await connect(url, client, serializers=(serializer,), **kw)
        assert client.transport is not None
        roles = {r: {} for r in ("caller", "callee", "publisher", "subscriber")}
        client.transport.send(_native.Hello("realm1", {"roles": roles}))
        await asyncio.wait_for(client.joined, DEADLINE)
        return client

    def request(self, build: Callable[[int], Any]) -> asyncio.Future[Any]:
        """Send a message with a fresh request id; the future gets the answer."""
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.results[self.next_id] = future
        assert self.transport is not None
        self.transport.send(build(self.next_id))
        return future

    async def call(self, procedure: str, *args: Any) -> Any:
        return await self.request(lambda r: _native.Call(r, {}, procedure, list(args)))

    async def subscribe(self, topic: str) -> Any:
        return await self.request(lambda r: _native.Subscribe(r, {}, topic))

    async def register(self, procedure: str) -> Any:
        return await self.request(lambda r: _native.Register(r, {}, procedure))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def url_of(router: RouterProcess, name: str) -> str:
    """A pywamp connect URL for a listener (rs:// or ws://, TCP or Unix)."""
    where = router.addresses[name]
    if where.startswith("unix:"):
        return where
    scheme = "ws" if name == "websocket" else "rs"
    return f"{scheme}://{where}" + ("/ws" if scheme == "ws" else "")


async def call_rate(client: Client, seconds: float, window: int = 10) -> float:
    """Calls per second one client completes with ``window`` calls in flight."""
    done = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < stop:
            answer = await asyncio.wait_for(client.call("wamp.session.count"), DEADLINE)
            assert type(answer) is _native.Result, answer
            done += 1

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(window)))
    return done / (time.monotonic() - start)


def random_bytes(rng: random.Random, n: int) -> bytes:
    return rng.randbytes(n)


def environ_seconds(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


# -- bad input -------------------------------------------------------------------------

RS_HELLO = b"\x7f\xf1\x00\x00"  # JSON, 16 MiB
WS_UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n"
)
HELLO = json.dumps([1, "realm1", {"roles": {"caller": {}, "subscriber": {}}}]).encode()


def rs_frame(payload: bytes, kind: int = 0) -> bytes:
    return bytes([kind]) + len(payload).to_bytes(3, "big") + payload


def ws_frame(payload: bytes, opcode: int = 1, length: int | None = None) -> bytes:
    """A masked client frame (``length`` may lie about the payload)."""
    n = len(payload) if length is None else length
    if n < 126:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    mask = b"\x01\x02\x03\x04"
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def bad_inputs(wire: str, rng: random.Random) -> list[bytes]:
    """One connection's worth of bad input of each kind, for a RawSocket or WebSocket port."""
    if wire == "rawsocket":
        opening, frame = RS_HELLO, rs_frame
        oversized = RS_HELLO + b"\x00\xff\xff\xff" + b"x" * 100
    else:
        opening, frame = WS_UPGRADE, ws_frame
        oversized = WS_UPGRADE + ws_frame(b"x" * 100, length=2**62)
    hello = frame(HELLO)
    return [
        random_bytes(rng, rng.randrange(1, 2048)),  # random bytes instead of a handshake
        opening + random_bytes(rng, rng.randrange(1, 2048)),  # random bytes after it
        opening + hello[: rng.randrange(1, len(hello))],  # a truncated frame, then EOF
        oversized,  # a length prefix far over the limit
        opening + frame(b'[1, "realm1", {"x": "\xff\xfe"}]'),  # invalid UTF-8
        opening + frame(b"[1, 2, 3]"),  # a HELLO of the wrong shape
        opening + frame(b'{"hello": 1}'),  # not a list
        opening + hello + frame(b"[999, 1, {}]"),  # an unknown message type
        opening + hello + hello,  # HELLO twice
        opening + hello,  # a HELLO flood: join and go
    ]


async def attack(
    open_connection: Callable[[], Any], inputs: list[bytes], read_timeout: float = 2.0
) -> bool:
    """Send one bad input on a fresh connection; True if the router closed it."""
    try:
        reader, writer = await asyncio.wait_for(open_connection(), DEADLINE)
    except OSError:  # refused as it was accepted (a listener's connection-rate bound)
        return True
    try:
        writer.write(inputs[0])
        await writer.drain()
        deadline = time.monotonic() + read_timeout
        while time.monotonic() < deadline:
            chunk = await asyncio.wait_for(reader.read(65536), read_timeout)
            if not chunk:
                return True
        return False
    except (ConnectionError, asyncio.TimeoutError, OSError):
        return True
    finally:
        writer.close()


# -- attackers in their own process (so their CPU is not the healthy client's) -------------


def attack_opener(where: str, tls: bool) -> Callable[[], Any]:
    """How an attacker connects to ``host:port`` or ``unix:/path`` (TLS unverified)."""
    if where.startswith("unix:"):
        return lambda: asyncio.open_unix_connection(where[5:])
    host, port = where.rsplit(":", 1)
    if not tls:
        return lambda: asyncio.open_connection(host, int(port))
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return lambda: asyncio.open_connection(host, int(port), ssl=context)


async def attackers(
    where: str, tls: bool, wire: str, mode: str, connections: int, concurrency: int, seed: int
) -> tuple[int, int]:
    """``connections`` bad inputs (mode "bad": every kind in turn; "hello": HELLO floods,
    half cut short), ``concurrency`` at a time; (sent, closed by the router)."""
    rng = random.Random(seed)
    open_connection = attack_opener(where, tls)
    sent = closed = 0
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        nonlocal sent, closed
        inputs = bad_inputs(wire, rng)
        data = inputs[i % len(inputs)] if mode == "bad" else inputs[-1]
        if mode == "hello" and i % 2:
            data = data[:-5]
        async with gate:
            closed += await attack(open_connection, [data], read_timeout=0.3)
            sent += 1

    await asyncio.gather(*(one(i) for i in range(connections)))
    return sent, closed


async def attack_from_process(
    where: str, tls: bool, wire: str, mode: str, connections: int, concurrency: int, seed: int
) -> tuple[int, int]:
    """Run :func:`attackers` in a child process; its (sent, closed)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        where,
        "tls" if tls else "plain",
        wire,
        mode,
        str(connections),
        str(concurrency),
        str(seed),
        stdout=subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, process.returncode
    sent, closed = out.split()
    return int(sent), int(closed)


if __name__ == "__main__":
    where_, tls_, wire_, mode_, n_, c_, seed_ = sys.argv[1:8]
    result = asyncio.run(
        attackers(where_, tls_ == "tls", wire_, mode_, int(n_), int(c_), int(seed_))
    )
    print(*result)
