"""``pywamp router`` as a user runs it: a real process, what it prints, Autobahn clients
connected to it, and a clean stop on SIGINT/SIGTERM that says GOODBYE to every session."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from autobahn.wamp.types import PublishOptions
from io_harness import Collector, Endpoints, Peer, Tls, join, wait

from pywamp.router.settings import RouterConfig

LISTENING = re.compile(r"pywamp router: listening \((\w+) (?:unix:(\S+)|([\d.]+):(\d+))\)")
PYWAMP = Path(sys.executable).parent / "pywamp"


class RouterProcess:
    """A ``pywamp router`` child process and what it printed."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self.listening: list[tuple[str, str]] = []  # (kind, "host:port" or a socket path)

    async def read_banner(self) -> None:
        """Read until the router says which realms it serves."""
        assert self.process.stdout is not None
        while True:
            line = (await wait(self.process.stdout.readline())).decode()
            if not line:
                raise AssertionError(f"router exited early: {self.lines}")
            self.lines.append(line.rstrip("\n"))
            found = LISTENING.match(line)
            if found:
                kind, path, host, port = found.groups()
                self.listening.append((kind, path or f"{host}:{port}"))
            if line.startswith("pywamp router: realms"):
                return

    def port(self, index: int = 0) -> int:
        return int(self.listening[index][1].rsplit(":", 1)[1])

    async def finish(self) -> tuple[int, str, str]:
        """Wait for the exit: (code, the rest of stdout, stderr)."""
        out, err = await wait(self.process.communicate(), 15)
        assert self.process.returncode is not None
        return self.process.returncode, out.decode(), err.decode()


async def start(*args: str, command: Sequence[str] | None = None) -> RouterProcess:
    argv = [*(command or [sys.executable, "-m", "pywamp.cli"]), "router", *args]
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    return RouterProcess(process)


@contextlib.asynccontextmanager
async def running(*args: str, command: Sequence[str] | None = None) -> AsyncIterator[RouterProcess]:
    router = await start(*args, command=command)
    try:
        await router.read_banner()
        yield router
    finally:
        if router.process.returncode is None:
            router.process.kill()
            await router.process.wait()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_router_process_serves_autobahn_and_stops_cleanly(sig: signal.Signals) -> None:
    async with running("--port", "0") as router:
        assert router.listening[0][0] == "universal"
        assert router.listening[0][1].startswith("127.0.0.1:")
        assert "pywamp router: realms realm1" in router.lines
        port = router.port()
        endpoints = Endpoints({"universal": port}, {}, None)  # type: ignore[arg-type]
        callee = await join(endpoints, "universal-rawsocket", serializer="msgpack")
        caller = await join(endpoints, "universal-websocket", serializer="json")
        await wait(callee.register(lambda x: x * 2, "com.double"))
        assert await wait(caller.call("com.double", 21)) == 42
        events = Collector()
        await wait(callee.subscribe(events, "com.news"))
        await wait(caller.publish("com.news", "hi", options=PublishOptions(acknowledge=True)))
        await events.count(1)

        router.process.send_signal(sig)
        for peer in (callee, caller):
            details = await wait(peer.left)
            assert details.reason == "wamp.close.system_shutdown"
            await wait(peer.disconnected)
        code, out, err = await router.finish()
        assert code == 0, err
        assert "pywamp router: shutting down" in out
        assert "Traceback" not in err


# A router on a loop of the caller's making (as ``uvloop.new_event_loop`` would be): the
# loop says when the router opens a listener on it.
ON_OWN_LOOP = """
import asyncio, sys
from pywamp.cli import main

class OwnLoop(asyncio.SelectorEventLoop):
    async def create_server(self, *args, **kwargs):
        print("own loop: listener", flush=True)
        return await super().create_server(*args, **kwargs)

sys.exit(main(sys.argv[1:], loop_factory=OwnLoop))
"""


async def test_router_runs_on_the_loop_factory_it_is_given() -> None:
    command = [sys.executable, "-c", ON_OWN_LOOP]
    async with running("--port", "0", command=command) as router:
        assert router.lines[0] == "own loop: listener"
        endpoints = Endpoints({"universal": router.port()}, {}, None)  # type: ignore[arg-type]
        peer = await join(endpoints, "universal-rawsocket")
        assert await wait(peer.call("wamp.session.count")) == 1
        router.process.send_signal(signal.SIGINT)
        assert (await wait(peer.left)).reason == "wamp.close.system_shutdown"
        code, _, err = await router.finish()
        assert code == 0, err


async def test_config_file_and_host_override(short_dir: Path) -> None:
    config = short_dir / "router.toml"
    socket_path = short_dir / "r.sock"
    config.write_text(
        f"""
[[listeners]]
kind = "rawsocket"
port = 9
[[listeners]]
kind = "universal"
socket = "{socket_path}"
[[realms]]
name = "apps"
""",
        encoding="utf-8",
    )
    # --port replaces the first listener's port (so a test can ask for any free port)
    async with running("--config", str(config), "--port", "0") as router:
        kinds = [kind for kind, _ in router.listening]
        assert kinds == ["rawsocket", "universal"]
        assert router.listening[1][1] == str(socket_path)
        assert "pywamp router: realms apps" in router.lines
        endpoints = Endpoints(
            {"rawsocket": router.port()},
            {"universal-unix": str(socket_path)},
            None,  # type: ignore[arg-type]
        )
        a = await join(endpoints, "rawsocket", realm="apps")
        b = await join(endpoints, "universal-unix-websocket", realm="apps")
        assert await wait(b.call("wamp.session.count")) == 2
        router.process.send_signal(signal.SIGINT)
        assert (await wait(a.left)).reason == "wamp.close.system_shutdown"
        assert (await wait(b.left)).reason == "wamp.close.system_shutdown"
        code, _, err = await router.finish()
        assert code == 0, err


async def test_bad_config_file_is_reported(short_dir: Path) -> None:
    config = short_dir / "router.toml"
    config.write_text("[[listeners]]\nkind = 'http'\n", encoding="utf-8")
    router = await start("--config", str(config))
    code, out, err = await router.finish()
    assert code == 2
    assert err.startswith(f"pywamp: {config}: listeners[0].kind: must be one of")
    assert out == ""


async def test_port_in_use_is_reported() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        router = await start("--port", str(port))
        code, _, err = await router.finish()
    assert code == 1
    assert err.startswith("pywamp: cannot listen:")
    assert "Traceback" not in err


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def test_zero_argument_default() -> None:
    """``pywamp router`` alone: realm1 on 127.0.0.1:8080, universal, WebSocket at /ws. When
    8080 is taken on this machine, the defaults are checked on the configuration instead."""
    if not port_is_free(8080):
        config = RouterConfig()
        listener = config.listeners[0]
        assert (listener.kind, listener.host, listener.port, listener.path) == (
            "universal",
            "127.0.0.1",
            8080,
            "/ws",
        )
        assert [r.name for r in config.realms] == ["realm1"]
        return
    async with running(command=[str(PYWAMP)]) as router:
        assert router.listening == [("universal", "127.0.0.1:8080")]
        assert "pywamp router: realms realm1" in router.lines
        endpoints = Endpoints({"universal": 8080}, {}, None)  # type: ignore[arg-type]
        peer: Peer = await join(endpoints, "universal-websocket", serializer="cbor")
        other = await join(endpoints, "universal-rawsocket")
        assert await wait(peer.call("wamp.session.count")) == 2
        router.process.send_signal(signal.SIGINT)
        assert (await wait(peer.left)).reason == "wamp.close.system_shutdown"
        assert (await wait(other.left)).reason == "wamp.close.system_shutdown"
        code, _, err = await router.finish()
        assert code == 0, err


async def test_stopping_during_a_tls_handshake_leaves_nothing_running(
    short_dir: Path, tls: Tls
) -> None:
    """A rate-bounded TLS listener runs each admitted handshake as a task of its own; one
    still waiting for its ClientHello when the router stops is cancelled, not left
    pending in a closed loop."""
    config = short_dir / "router.toml"
    config.write_text(
        "[[listeners]]\nport = 0\nmax_connection_rate = 10\n"
        f'tls = {{ certificate = "{tls.certificate}", key = "{tls.certificate}" }}\n'
    )
    async with running("--config", str(config)) as router:
        _, writer = await wait(asyncio.open_connection("127.0.0.1", router.port()))
        await asyncio.sleep(0.2)  # accepted and admitted: its handshake waits for us
        router.process.send_signal(signal.SIGTERM)
        code, _, err = await router.finish()
        writer.close()
    assert code == 0, err
    assert "Task was destroyed" not in err and "Traceback" not in err, err
