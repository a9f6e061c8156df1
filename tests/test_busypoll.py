"""The busy-polling loop of ``pywamp router``: it serves sockets and timers as a plain
loop does, sleeps for the time asked when nothing happens, and its setting is read from
the config file with its bounds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from pywamp.busypoll import BusyPollSelector, install, new_event_loop
from pywamp.router.settings import ConfigError, load_config

T = TypeVar("T")


def run(spin: float, coro_factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    loop = new_event_loop(spin)
    try:
        return loop.run_until_complete(coro_factory())
    finally:
        loop.close()


@pytest.mark.parametrize("spin", [0.0, 50e-6, 0.002])
def test_echo_over_a_real_socket(spin: float) -> None:
    async def scenario() -> list[bytes]:
        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while line := await reader.readline():
                writer.write(line)
            writer.close()

        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answers = []
        for n in range(200):
            writer.write(b"%d\n" % n)
            answers.append(await reader.readline())
        writer.close()
        server.close()
        await server.wait_closed()
        return answers

    assert run(spin, scenario) == [b"%d\n" % n for n in range(200)]


@pytest.mark.parametrize("spin", [50e-6, 0.005])
def test_timers_fire_in_order_and_not_early(spin: float) -> None:
    async def scenario() -> list[tuple[str, float]]:
        loop = asyncio.get_running_loop()
        fired: list[tuple[str, float]] = []
        done = loop.create_future()
        start = time.monotonic()
        for name, delay in (("late", 0.03), ("early", 0.01)):
            loop.call_later(delay, lambda n=name: fired.append((n, time.monotonic() - start)))
        loop.call_later(0.04, done.set_result, None)
        await done
        return fired

    fired = run(spin, scenario)
    assert [name for name, _ in fired] == ["early", "late"]
    assert fired[0][1] >= 0.01 and fired[1][1] >= 0.03


@pytest.mark.parametrize("spin", [0.0, 0.001])
def test_an_idle_select_sleeps_the_time_asked(spin: float) -> None:
    selector = BusyPollSelector(spin)
    try:
        start, cpu = time.monotonic(), time.process_time()
        assert selector.select(0.05) == []
        assert time.monotonic() - start >= 0.05
        # It slept: polling the whole time would cost the whole 50 ms of CPU.
        assert time.process_time() - cpu < 0.025
        assert selector.select(0) == []
    finally:
        selector.close()


def test_install_makes_every_new_loop_poll() -> None:
    async def scenario() -> tuple[Any, bytes]:
        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(await reader.readline())
            writer.close()

        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname())
        writer.write(b"ping\n")
        answer = await reader.readline()
        writer.close()
        server.close()
        await server.wait_closed()
        return asyncio.get_running_loop()._selector, answer  # type: ignore[attr-defined]

    install(20)
    try:
        selector, answer = asyncio.run(scenario())
        # What ApplicationRunner.run and Component's run create: the same kind of loop.
        loop = asyncio.new_event_loop()
        other = loop._selector  # type: ignore[attr-defined]
        loop.close()
    finally:
        asyncio.set_event_loop_policy(None)
    assert answer == b"ping\n"
    for each in (selector, other):
        assert isinstance(each, BusyPollSelector) and each.spin == pytest.approx(20e-6)
    plain = asyncio.new_event_loop()  # the policy is back to asyncio's own
    assert not isinstance(plain._selector, BusyPollSelector)  # type: ignore[attr-defined]
    plain.close()


def test_config_key(tmp_path: Path) -> None:
    path = tmp_path / "router.toml"
    assert load_config(_write(path, "")).limits.busy_poll_us == 50
    assert load_config(_write(path, "[limits]\nbusy_poll_us = 0")).limits.busy_poll_us == 0
    for text, error in (
        ("busy_poll_us = -1", "limits.busy_poll_us: must be at least 0"),
        ("busy_poll_us = 20000", "limits.busy_poll_us: must be at most 10000"),
        ("busy_poll_us = 0.5", "limits.busy_poll_us: must be int"),
    ):
        with pytest.raises(ConfigError, match=error):
            load_config(_write(path, "[limits]\n" + text))


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
