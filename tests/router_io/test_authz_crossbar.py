"""The same roles in one config.json, served by Crossbar.io and by pywamp: an Autobahn
client gets the same allow/deny answer from both for every action on every URI."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auth_harness import Client, connect_port, start_router, wait
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = ("call", "register", "publish", "subscribe")
URIS = (
    "com.a",
    "com.x.secret",  # a wildcard rule beats the prefix rule com.
    "com.app.open",  # an exact rule
    "com.app.admin.x",  # a narrower prefix rule that allows nothing
    "org.star.x",  # starred prefix org.star.*
    "org.a.thing",  # starred wildcard org.*.thing
    "net.x",  # no rule
)
ROLES = [
    {
        "name": "user",
        "permissions": [
            {
                "uri": "com.",
                "match": "prefix",
                "allow": {"call": True, "publish": True, "subscribe": True},
            },
            {"uri": "com..secret", "match": "wildcard", "allow": {"subscribe": True}},
            {"uri": "com.app.open", "match": "exact", "allow": {"register": True, "call": True}},
            {"uri": "com.app.admin.", "match": "prefix", "allow": {}},
            {"uri": "org.star.*", "allow": {"publish": True, "register": True}},
            {"uri": "org.*.thing", "allow": {"subscribe": True}},
        ],
    }
]


def config(port: int) -> dict[str, Any]:
    return {
        "version": 2,
        "controller": {},
        "workers": [
            {
                "type": "router",
                "realms": [{"name": "realm1", "roles": copy.deepcopy(ROLES)}],
                "transports": [
                    {
                        "type": "rawsocket",
                        "endpoint": {"type": "tcp", "port": port, "interface": "127.0.0.1"},
                        "serializers": ["json"],
                        "auth": {"anonymous": {"type": "static", "role": "user"}},
                    }
                ],
            }
        ],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def crossbar(tmp_path: Path) -> Iterator[int]:
    """A Crossbar.io node serving ``config``; yields its port."""
    port = free_port()
    cbdir = tmp_path / ".crossbar"
    cbdir.mkdir()
    (cbdir / "config.json").write_text(json.dumps(config(port)))
    executable = ROOT / ".venv-crossbar" / "bin" / "crossbar"
    if not executable.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "setup-crossbar.sh")], check=True)
    log = (tmp_path / "crossbar.log").open("wb")
    process = subprocess.Popen(
        [str(executable), "start", "--cbdir", str(cbdir), "--loglevel", "warn"],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "crossbar.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "Crossbar did not listen"
                time.sleep(0.2)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


async def allowed(client: Client, action: str, uri: str) -> bool:
    """Whether the router lets ``client`` do ``action`` on ``uri`` (undone afterwards)."""
    try:
        if action == "call":
            await wait(client.call(uri))
        elif action == "register":
            await wait((await wait(client.register(lambda: None, uri))).unregister())
        elif action == "subscribe":
            await wait((await wait(client.subscribe(lambda: None, uri))).unsubscribe())
        else:
            await wait(client.publish(uri, options=PublishOptions(acknowledge=True)))
    except ApplicationError as exc:
        return exc.error != "wamp.error.not_authorized"
    return True


async def answers(port: int) -> dict[tuple[str, str], bool]:
    client = await connect_port(port, "realm1")
    await wait(asyncio.wait([client.joined, client.left], return_when=asyncio.FIRST_COMPLETED))
    assert client.joined.done(), client.left.result()
    out = {(a, u): await allowed(client, a, u) for u in URIS for a in ACTIONS}
    await client.close()
    return out


async def test_pywamp_authorizes_like_crossbar(crossbar: int, tmp_path: Path) -> None:
    expected = await answers(crossbar)
    text = json.dumps(config(0))
    async with start_router(tmp_path, "config.json", text) as router:
        got = await answers(router.port(0))
    assert got == expected
    # the config is not trivial: some of each
    assert expected[("subscribe", "com.x.secret")] and not expected[("publish", "com.x.secret")]
    assert expected[("register", "com.app.open")] and not expected[("call", "com.app.admin.x")]
    assert not any(expected[(a, "net.x")] for a in ACTIONS)
