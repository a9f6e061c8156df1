"""``pywamp.twisted.wamp.ApplicationRunner(auto_reconnect=True)`` against real routers:
a dropped connection is made again and the session joins again (with the back-off
knobs), ``stop()`` ends it, and a first connection that fails is final (as Autobahn's)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest
from routers import Router, free_port
from twisted.internet import defer
from twisted.internet.error import ConnectError
from tx_helpers import close, joined

from pywamp.twisted.util import sleep
from pywamp.twisted.wamp import ApplicationRunner, ApplicationSession


@pytest.mark.parametrize("kind", ["websocket", "rawsocket"])
def test_rejoins_after_the_connection_drops(run: Any, router: Router, kind: str) -> None:
    sessions: list[Any] = []
    rejoined: defer.Deferred[Any] = defer.Deferred()

    class App(ApplicationSession):
        @defer.inlineCallbacks
        def onJoin(self, details: Any) -> Any:
            sessions.append(self)
            yield self.register(lambda: len(sessions), "com.example.generation")
            if len(sessions) == 2:
                rejoined.callback(self)

    runner = ApplicationRunner(
        router.ws_url if kind == "websocket" else router.rs_url,
        router.realm,
        initial_retry_delay=0.2,
        retry_delay_jitter=0,
    )

    @defer.inlineCallbacks
    def scenario() -> Any:
        proto = yield runner.run(App, start_reactor=False, auto_reconnect=True)
        caller = yield joined(router.ws_url, router.realm)
        try:
            while not sessions or not sessions[0].is_attached():
                yield sleep(0.02)
            yield sleep(0.1)  # the registration follows the join
            first = yield caller.call("com.example.generation")
            dropped = time.monotonic()
            sessions[0].transport.abort()
            yield rejoined
            waited = time.monotonic() - dropped
            yield sleep(0.1)
            second = yield caller.call("com.example.generation")
            yield runner.stop()
            return proto is not None, first, second, waited, sessions[1].is_connected()
        finally:
            yield close(caller)

    has_proto, first, second, waited, still_connected = run(scenario)
    assert (has_proto, first, second, still_connected) == (True, 1, 2, False)
    assert waited < 5  # after a session that joined, the first new attempt is at once


def test_a_first_connection_that_fails_is_final(run: Any) -> None:
    runner = ApplicationRunner(f"rs://127.0.0.1:{free_port()}", "realm1", initial_retry_delay=0.05)

    def scenario() -> Any:
        return runner.run(ApplicationSession, start_reactor=False, auto_reconnect=True).addErrback(
            lambda failure: failure.value
        )

    assert isinstance(run(scenario), ConnectError)


_PROGRAM = """
import sys
from pywamp.twisted.wamp import ApplicationRunner, ApplicationSession

joins = []

class App(ApplicationSession):
    def onJoin(self, details):
        joins.append(details.session)
        if len(joins) == 1:
            self.transport.abort()  # the connection drops: the runner connects again
        else:
            self.leave()  # a normal leave ends the run and stops the reactor

ApplicationRunner(sys.argv[1], sys.argv[2], initial_retry_delay=0.1).run(
    App, auto_reconnect=True
)
print("joins", len(joins), len(set(joins)))
"""


def run_program(program: str, router: Router) -> subprocess.CompletedProcess[str]:
    """Run a program in its own process (its own reactor) against the router."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(program), router.ws_url, router.realm],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_run_with_the_reactor_rejoins_then_returns(router: Router) -> None:
    done = run_program(_PROGRAM, router)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "joins 2 2"


_STOPS_ITSELF = """
import sys
from twisted.internet import reactor
from pywamp.twisted.wamp import ApplicationRunner, ApplicationSession

class App(ApplicationSession):
    def onJoin(self, details):
        self.leave()

    def onDisconnect(self):
        reactor.stop()  # as many Autobahn programs do: the runner must not fail on it

ApplicationRunner(sys.argv[1], sys.argv[2]).run(App)
print("stopped")
"""


def test_a_program_that_stops_the_reactor_itself_ends_cleanly(router: Router) -> None:
    done = run_program(_STOPS_ITSELF, router)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped"
    assert "ReactorNotRunning" not in done.stderr, done.stderr
