"""Fixtures of the client tests: real routers on 127.0.0.1 and connected sessions.

``router`` is parametrized over the routers under test: a Crossbar.io node and ``pywamp
router``, both real processes serving the same generated config.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from routers import CrossbarNode, PywampNode, Router

import pywamp
from pywamp.asyncio.wamp import Session

ROUTERS = ["crossbar", "pywamp"]

#: What each router under test does not implement: tests marked ``needs(feature)`` are
#: strict expected failures there (they must fail, and start passing when it does).
LACKS = {
    "crossbar": {
        "progressive_call_invocations": "Crossbar has no progressive call invocations",
        "sharded_registration": "Crossbar ignores runmode/rkey (sharded registrations)",
        "remove_callee": "Crossbar's wamp.registration.remove_callee drops the callee, then "
        "fails with wamp.error.runtime_error (no UNREGISTERED is sent)",
        "wamp_scram": "Crossbar speaks only its own 'scram' (no 'wamp-scram', no channel binding)",
    },
    "pywamp": {},
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "needs(feature): the test needs a router feature some routers lack"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/client/" in item.nodeid:
            # A coroutine never awaited or an error nobody saw is a bug here, not noise.
            item.add_marker(pytest.mark.filterwarnings("error::RuntimeWarning"))
            item.add_marker(
                pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
            )
        callspec = getattr(item, "callspec", None)
        router = callspec.params.get("router") if callspec is not None else None
        for mark in item.iter_markers("needs"):
            reason = LACKS.get(router or "", {}).get(mark.args[0])
            if reason:
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


@pytest.fixture(scope="session")
def crossbar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Router]:
    """A Crossbar.io node for the whole test run."""
    node = CrossbarNode(Path(tmp_path_factory.mktemp("crossbar")))
    router = node.start()
    try:
        yield router
    finally:
        node.stop()


@pytest.fixture(scope="session", name="pywamp")
def pywamp_router(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Router]:
    """A ``pywamp router`` process for the whole test run."""
    node = PywampNode(Path(tmp_path_factory.mktemp("pywamp")))
    router = node.start()
    try:
        yield router
    finally:
        node.stop()


@pytest.fixture(autouse=True)
async def settle() -> AsyncIterator[None]:
    """After each test, let closing connections run their session hooks before the
    test's event loop closes."""
    yield
    await asyncio.sleep(0.01)
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current]
    if pending:
        await asyncio.wait(pending, timeout=2)


@pytest.fixture(params=ROUTERS)
def router(request: pytest.FixtureRequest) -> Router:
    """Each router under test in turn."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.fixture
async def session(router: Router) -> AsyncIterator[Session]:
    """A joined session (WebSocket, default serializers)."""
    async with pywamp.connect(router.ws_url, router.realm) as s:
        yield s


@pytest.fixture
async def other(router: Router) -> AsyncIterator[Session]:
    """A second joined session (RawSocket, msgpack), for the other side of a call or event."""
    async with pywamp.connect(router.rs_url, router.realm, serializer="msgpack") as s:
        yield s
