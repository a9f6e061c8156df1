"""Options and results on the call/publish hot path: pywamp.wamp.types vs autobahn.wamp.types.

Each group builds the same object with both libraries and asks for its wire dict, as a
session does for every call or publish.
"""

from __future__ import annotations

import base64
from collections.abc import Coroutine
from typing import Any

import pytest
from autobahn.wamp import auth as ab_auth
from autobahn.wamp import types as ab

from pywamp.wamp import auth, types

LIBS = {"pywamp": types, "autobahn": ab}


def on_progress(*args: Any) -> None: ...


@pytest.mark.benchmark(group="call-options")
@pytest.mark.parametrize("lib", sorted(LIBS))
def test_call_options(benchmark: Any, lib: str) -> None:
    cls = LIBS[lib].CallOptions

    def run() -> dict[str, Any]:
        return cls(on_progress=on_progress, timeout=10).message_attr()

    assert benchmark(run) == {"timeout": 10, "receive_progress": True}


@pytest.mark.benchmark(group="call-options-reused")
@pytest.mark.parametrize("lib", sorted(LIBS))
def test_call_options_reused(benchmark: Any, lib: str) -> None:
    options = LIBS[lib].CallOptions(timeout=10)
    assert benchmark(options.message_attr) == {"timeout": 10}


@pytest.mark.benchmark(group="publish-options")
@pytest.mark.parametrize("lib", sorted(LIBS))
def test_publish_options(benchmark: Any, lib: str) -> None:
    cls = LIBS[lib].PublishOptions

    def run() -> dict[str, Any]:
        return cls(acknowledge=True, exclude_me=False, exclude=[1, 2]).message_attr()

    assert benchmark(run) == {"acknowledge": True, "exclude_me": False, "exclude": [1, 2]}


@pytest.mark.benchmark(group="register-options")
@pytest.mark.parametrize("lib", sorted(LIBS))
def test_register_options(benchmark: Any, lib: str) -> None:
    cls = LIBS[lib].RegisterOptions

    def run() -> dict[str, Any]:
        return cls(match="wildcard", invoke="roundrobin", details=True).message_attr()

    assert benchmark(run) == {"match": "wildcard", "invoke": "roundrobin"}


@pytest.mark.benchmark(group="call-result")
@pytest.mark.parametrize("lib", sorted(LIBS))
def test_call_result(benchmark: Any, lib: str) -> None:
    cls = LIBS[lib].CallResult
    assert benchmark(cls, 5, 8, real=7).results == (5, 8)


@pytest.mark.benchmark(group="event-details")
@pytest.mark.parametrize("lib", sorted(LIBS))
def test_event_details(benchmark: Any, lib: str) -> None:
    from autobahn.wamp.request import Subscription

    subscription = Subscription(1, "com.topic", None, print)
    cls = LIBS[lib].EventDetails
    details = benchmark(cls, subscription, 123, publisher=5, topic="com.topic")
    assert details.publication == 123


@pytest.mark.benchmark(group="wampcra")
@pytest.mark.parametrize("lib", ["pywamp", "autobahn"])
def test_wampcra_salted(benchmark: Any, lib: str) -> None:
    module = auth if lib == "pywamp" else ab_auth
    cra = module.create_authenticator("wampcra", authid="peter", secret="secret")
    challenge_cls = types.Challenge if lib == "pywamp" else ab.Challenge
    extra = {
        "challenge": '{"nonce": "LHRTC9zeOIrt_9U3"}',
        "salt": "salt123",
        "iterations": 1000,
        "keylen": 32,
    }
    signature = benchmark(cra.on_challenge, None, challenge_cls("wampcra", extra))
    assert len(signature) == 44


@pytest.mark.benchmark(group="scram")
@pytest.mark.parametrize("lib", ["pywamp", "autobahn"])
def test_scram_challenge(benchmark: Any, lib: str) -> None:
    """A SCRAM CHALLENGE answered (Argon2id at a test's cost: 2 passes over 64 KiB), as
    Crossbar sends it; the KDF is most of it, and both libraries run the same one."""
    module = auth if lib == "pywamp" else ab_auth
    challenge_cls = types.Challenge if lib == "pywamp" else ab.Challenge
    client = module.create_authenticator("scram", authid="erin", password="erin-password")
    client_nonce = client.authextra["nonce"]
    extra = {
        "nonce": base64.b64encode(base64.b64decode(client_nonce) + bytes(16)).decode(),
        "salt": base64.b64encode(b"erin-salt-16byte").decode(),
        "kdf": "argon2id-13",
        "iterations": 2,
        "memory": 64,
    }

    def answer() -> Any:
        if lib == "pywamp":
            client._nonce = client_nonce  # each CHALLENGE takes the nonce of its HELLO
            return finished(client.on_challenge(None, challenge_cls("scram", extra)))
        return client.on_challenge(None, challenge_cls("scram", extra)).decode()

    assert len(benchmark(answer)) == 44


def finished(coro: Coroutine[Any, Any, Any]) -> Any:
    """The value of a coroutine that never suspends (no session: the KDF runs inline)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the coroutine suspended")
