"""Per-listener keepalive from config files: Crossbar's WebSocket ``options``
(``auto_ping_interval``/``auto_ping_timeout`` in milliseconds) and pywamp's TOML listener
keys (seconds); a WebSocket peer that never answers the pings is dropped, one that
answers (the ``websockets`` package) stays, and a listener without keepalive sends none."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import websockets
from drill_harness import HELLO, WS_UPGRADE, ws_frame
from io_harness import wait

from pywamp.router.server import Router
from pywamp.router.settings import ConfigError, load_config


def crossbar_config(options: dict[str, Any]) -> dict[str, Any]:
    """Two WebSocket transports: one with ``options``, one (universal) without."""
    return {
        "version": 2,
        "workers": [
            {
                "type": "router",
                "realms": [{"name": "realm1"}],
                "transports": [
                    {
                        "type": "websocket",
                        "endpoint": {"type": "tcp", "port": 0, "interface": "127.0.0.1"},
                        "options": options,
                    },
                    {
                        "type": "universal",
                        "endpoint": {"type": "tcp", "port": 0, "interface": "127.0.0.1"},
                        "websocket": {"ws": {"type": "websocket", "options": {"compression": {}}}},
                    },
                ],
            }
        ],
    }


def write_json(directory: Path, data: dict[str, Any]) -> Path:
    path = directory / "config.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_crossbar_milliseconds_become_the_listeners_seconds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    options = {"auto_ping_interval": 1500, "auto_ping_timeout": 250, "enable_webstatus": False}
    with caplog.at_level(logging.WARNING, "pywamp.router"):
        config = load_config(write_json(tmp_path, crossbar_config(options)))
    pinged, plain = config.listeners
    assert (pinged.auto_ping_interval, pinged.auto_ping_timeout) == (1.5, 0.25)
    assert (plain.auto_ping_interval, plain.auto_ping_timeout) == (None, None)
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "transports[0].options.enable_webstatus" in warning
    assert "websocket.ws.options.compression" in warning
    assert "auto_ping" not in warning


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"auto_ping_interval": -1}, "options.auto_ping_interval: must be seconds"),
        ({"auto_ping_timeout": 0}, "options.auto_ping_timeout: must be more than 0"),
        ({"auto_ping_interval": "10s"}, "options.auto_ping_interval: must be int or float"),
    ],
)
def test_bad_crossbar_keepalive_is_named(
    tmp_path: Path, options: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_config(write_json(tmp_path, crossbar_config(options)))


def test_toml_listener_keepalive_overrides_the_limits(tmp_path: Path) -> None:
    path = tmp_path / "router.toml"
    path.write_text(
        "[limits]\nauto_ping_interval = 30\n"
        '[[listeners]]\nkind = "websocket"\nport = 0\nauto_ping_interval = 0.5\n'
        "auto_ping_timeout = 2\n"
        '[[listeners]]\nkind = "rawsocket"\nport = 0\n',
        encoding="utf-8",
    )
    config = load_config(path)
    own, inherited = config.listeners
    assert (own.auto_ping_interval, own.auto_ping_timeout) == (0.5, 2.0)
    assert (inherited.auto_ping_interval, inherited.auto_ping_timeout) == (None, None)
    assert config.limits.auto_ping_interval == 30.0


async def silent_peer(port: int, path: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A WebSocket peer that joins by hand, then never answers anything."""
    reader, writer = await wait(asyncio.open_connection("127.0.0.1", port))
    writer.write(WS_UPGRADE.replace(b"GET /ws ", b"GET " + path + b" "))
    head = await wait(reader.readuntil(b"\r\n\r\n"))
    assert head.startswith(b"HTTP/1.1 101"), head
    writer.write(ws_frame(HELLO))
    return reader, writer


async def opcodes_until_closed(reader: asyncio.StreamReader, within: float) -> list[int]:
    """The opcodes of the server frames read until the connection ends (or ``within``)."""
    seen: list[int] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            head = await asyncio.wait_for(reader.readexactly(2), deadline - loop.time())
        except (asyncio.IncompleteReadError, ConnectionResetError):
            return seen
        except asyncio.TimeoutError:  # (the builtin TimeoutError from Python 3.11)
            seen.append(-1)  # still open at the deadline
            return seen
        size = head[1] & 0x7F
        if size == 126:
            size = int.from_bytes(await reader.readexactly(2), "big")
        elif size == 127:
            size = int.from_bytes(await reader.readexactly(8), "big")
        await reader.readexactly(size)
        seen.append(head[0] & 0x0F)


async def test_a_peer_that_never_answers_pings_is_dropped(tmp_path: Path) -> None:
    options = {"auto_ping_interval": 100, "auto_ping_timeout": 200}
    router = Router.from_config(write_json(tmp_path, crossbar_config(options)))
    await router.start()
    try:
        silent, silent_writer = await silent_peer(router.port(0), b"/")
        unpinged, unpinged_writer = await silent_peer(router.port(1), b"/ws")
        answering = await websockets.connect(
            f"ws://127.0.0.1:{router.port(0)}/", subprotocols=["wamp.2.json"]
        )
        await answering.send(HELLO.decode())
        welcome = json.loads(await wait(answering.recv()))
        assert welcome[0] == 2
        dropped, kept = await asyncio.gather(
            opcodes_until_closed(silent, 3.0), opcodes_until_closed(unpinged, 1.0)
        )
        assert dropped[0] == 1  # WELCOME
        assert 9 in dropped[1:] and dropped[-1] != -1  # pinged, then closed before 3 s
        assert kept == [1, -1]  # WELCOME, no ping, still open
        assert answering.state is websockets.State.OPEN  # its pongs kept it
        await answering.close()
        for writer in (silent_writer, unpinged_writer):
            writer.close()
    finally:
        await router.stop()
