"""``pywamp.twisted.component``: Autobahn's Twisted ``Component`` against real routers on
real sockets: decorators and ``main``, re-registration after a reconnect, the retry
knobs, ``stop()`` while waiting to retry, a handshake that times out."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from routers import Router, free_port
from twisted.internet import defer, endpoints, protocol, reactor
from tx_helpers import close, joined

from pywamp.exception import ApplicationError
from pywamp.twisted.component import Component
from pywamp.twisted.util import sleep


@pytest.mark.parametrize("kind", ["websocket", "rawsocket", "unix"])
def test_decorators_and_main(run: Any, router: Router, kind: str) -> None:
    log: list[Any] = []
    component = Component(
        transports=[{"url": router.url(kind), "serializer": "msgpack"}]
        if kind != "websocket"
        else router.ws_url,
        realm=router.realm,
        main=lambda reactor, session: session.call("com.example.add", 2, 3).addCallback(log.append),
    )

    @component.register("com.example.add")
    def add(a: int, b: int) -> int:
        return a + b

    @component.on_join
    def joined_(session: Any, details: Any) -> None:
        log.append(f"join {details.realm}")

    @component.on_leave
    def left(session: Any, details: Any) -> None:
        log.append("leave")

    run(component.start)
    assert log == [f"join {router.realm}", 5, "leave"]


def test_reconnects_and_registers_again(run: Any, router: Router) -> None:
    """The transport drops under a joined session: the component connects again and its
    registration is back for callers."""
    sessions: list[Any] = []
    rejoined: defer.Deferred[Any] = defer.Deferred()
    component = Component(
        transports=[{"url": router.rs_url, "serializer": "cbor", "initial_retry_delay": 0.1}],
        realm=router.realm,
    )

    @component.register("com.example.whoami")
    def whoami() -> int:
        return len(sessions)

    @component.on_join
    def on_join(session: Any, details: Any) -> None:
        sessions.append(session)
        if len(sessions) == 2:
            rejoined.callback(session)

    @defer.inlineCallbacks
    def scenario() -> Any:
        done = component.start()
        caller = yield joined(router.ws_url, router.realm)
        try:
            while not sessions:
                yield sleep(0.02)
            yield sleep(0.1)  # the registration is made right after the join
            first = yield caller.call("com.example.whoami")
            sessions[0].transport.abort()
            yield rejoined
            second = None
            deadline = time.monotonic() + 5
            while second is None and time.monotonic() < deadline:
                try:
                    second = yield caller.call("com.example.whoami")
                except ApplicationError:
                    yield sleep(0.05)  # not registered yet
            yield component.stop()
            yield done
            return first, second, sessions[1].is_connected()
        finally:
            yield close(caller)

    assert run(scenario) == (1, 2, False)


def test_retry_knobs_until_exhausted(run: Any) -> None:
    port = free_port()  # nobody listens
    failures: list[float] = []
    component = Component(
        transports=[
            {
                "url": f"rs://127.0.0.1:{port}",
                "max_retries": 2,
                "initial_retry_delay": 0.05,
                "retry_delay_growth": 2,
                "retry_delay_jitter": 0,
            }
        ]
    )
    component.on("connectfailure", lambda c, error: failures.append(time.monotonic()))

    def scenario() -> Any:
        return component.start().addErrback(lambda f: f.value)

    outcome = run(scenario)
    assert isinstance(outcome, RuntimeError)
    assert "Exhausted" in str(outcome)
    assert len(failures) == 3  # the first attempt and two retries
    gaps = [b - a for a, b in itertools.pairwise(failures)]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19  # 0.05 s grown twice: 0.1 s, then 0.2 s


def test_stop_while_waiting_to_retry(run: Any) -> None:
    port = free_port()
    component = Component(transports=[{"url": f"rs://127.0.0.1:{port}", "initial_retry_delay": 20}])
    failed: defer.Deferred[Any] = defer.Deferred()
    component.on("connectfailure", lambda c, error: failed.called or failed.callback(error))

    @defer.inlineCallbacks
    def scenario() -> Any:
        done = component.start()
        yield failed
        yield sleep(0.05)  # now in the back-off delay (30 s)
        began = time.monotonic()
        yield component.stop()
        yield done
        return time.monotonic() - began

    assert run(scenario, timeout=10) < 2


def test_stop_leaves_a_joined_session(run: Any, router: Router) -> None:
    log: list[str] = []
    component = Component(transports=router.ws_url, realm=router.realm)
    component.on("join", lambda s, d: log.append("join"))
    component.on("leave", lambda s, d: log.append("leave"))
    component.on("disconnect", lambda s, was_clean=True: log.append("disconnect"))

    @defer.inlineCallbacks
    def scenario() -> Any:
        done = component.start()
        while not log:
            yield sleep(0.02)
        yield component.stop()
        yield done
        yield sleep(0.05)

    run(scenario)
    assert log == ["join", "leave", "disconnect"]


def test_main_failing_is_a_failed_attempt(run: Any, router: Router) -> None:
    """A failing ``main`` fails the attempt; ``is_fatal`` decides that it is the last."""
    errors: list[BaseException] = []

    def main(reactor: Any, session: Any) -> None:
        raise ValueError("main broke")

    component = Component(
        transports=router.rs_url,
        realm=router.realm,
        main=main,
        is_fatal=lambda error: isinstance(error, ValueError),
    )
    component.on("connectfailure", lambda c, error: errors.append(error))

    def scenario() -> Any:
        return component.start().addErrback(lambda f: f.value)

    outcome = run(scenario)
    assert isinstance(outcome, RuntimeError) and "Exhausted" in str(outcome)
    assert [str(e) for e in errors] == ["main broke"]


def test_run_starts_the_reactor_and_stops_when_done(router: Router, tmp_path: Any) -> None:
    """``run([component])`` in a program of its own: the reactor stops once main is done."""
    import subprocess
    import sys

    program = tmp_path / "app.py"
    program.write_text(
        "from pywamp.twisted.component import Component, run\n"
        f"component = Component(transports={router.rs_url!r}, realm={router.realm!r})\n"
        "@component.register('com.example.echo')\n"
        "def echo(x):\n"
        "    return x\n"
        "@component.on_join\n"
        "def joined(session, details):\n"
        "    def show(result):\n"
        "        print('echo', result, flush=True)\n"
        "        session.leave()\n"
        "    session.call('com.example.echo', 42).addCallback(show)\n"
        "run([component], log_level=None)\n"
        "print('reactor stopped', flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, str(program)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["echo 42", "reactor stopped"]


@pytest.mark.parametrize("kind", ["tls_rs_url", "tls_ws_url"])
def test_tls_endpoint_with_a_trust_root(run: Any, router: Router, tmp_path: Any, kind: str) -> None:
    """``endpoint.tls`` as Autobahn's Twisted component reads it: a dict naming the host
    and the CA file that signed the router's certificate."""
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(router.ca_pem)
    url = getattr(router, kind)
    port = int(url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    secure: list[bool] = []
    component = Component(
        transports=[
            {
                "type": "rawsocket" if kind == "tls_rs_url" else "websocket",
                "url": url,
                "endpoint": {
                    "type": "tcp",
                    "host": "127.0.0.1",
                    "port": port,
                    "tls": {"hostname": "127.0.0.1", "trust_root": str(ca_file)},
                },
            }
        ],
        realm=router.realm,
        main=lambda reactor, session: secure.append(session.transport_details.is_secure),
    )
    run(component.start)
    assert secure == [True]


@pytest.mark.parametrize("scheme", ["ws", "rs"])
def test_handshake_timeout_closes_the_connection_and_retries(run: Any, scheme: str) -> None:
    """A peer that accepts TCP and never answers the opening handshake: each attempt
    times out, its connection is closed (none is left half open), and the component
    tries again, then gives up."""
    accepted: list[int] = []
    lost: list[int] = []

    class Silent(protocol.Protocol):
        def connectionMade(self) -> None:
            accepted.append(1)

        def connectionLost(self, reason: Any = None) -> None:
            lost.append(1)

    failures: list[type] = []

    @defer.inlineCallbacks
    def scenario() -> Any:
        factory = protocol.Factory.forProtocol(Silent)
        port = yield endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
        number = port.getHost().port
        component = Component(
            transports=[
                {
                    "url": f"{scheme}://127.0.0.1:{number}" + ("/ws" if scheme == "ws" else ""),
                    "endpoint": {
                        "type": "tcp",
                        "host": "127.0.0.1",
                        "port": number,
                        "timeout": 0.5,
                    },
                    "max_retries": 1,
                    "initial_retry_delay": 0.05,
                    "retry_delay_jitter": 0,
                }
            ]
        )
        component.on("connectfailure", lambda c, error: failures.append(type(error)))
        try:
            outcome = yield component.start().addErrback(lambda f: f.value)
            yield sleep(0.2)  # the peer sees the last close
        finally:
            yield port.stopListening()
        return outcome

    outcome = run(scenario)
    assert isinstance(outcome, RuntimeError) and "Exhausted" in str(outcome)
    assert failures == [defer.TimeoutError, defer.TimeoutError]
    assert (len(accepted), len(lost)) == (2, 2)
