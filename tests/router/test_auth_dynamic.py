"""Dynamic authenticator and authorizer in the sans-IO core: the life cycle of the call
the router makes on a client's behalf (callee gone, client gone, timeout, ordering)."""

from __future__ import annotations

from typing import Any

import pytest
from autobahn.wamp.auth import compute_wcs, derive_key
from hypothesis import given, settings
from hypothesis import strategies as st
from router_harness import FULL_ROLES, Client, Net

from pywamp._native import (
    Abort,
    Authenticate,
    Challenge,
    Error,
    Goodbye,
    Hello,
    Interrupt,
    Invocation,
    Publish,
    Published,
    Register,
    Registered,
    Result,
    Subscribe,
    Subscribed,
    Welcome,
    Yield,
)
from pywamp.router import RealmConfig
from pywamp.router.auth import Accept
from pywamp.router.authenticators import Authentication, Principal, TicketAuthenticator
from pywamp.router.authorization import Permission, Role, RoleAuthorizer, verdict
from pywamp.router.dynamic import DynamicAuthenticator

FAILED = "wamp.error.authentication_failed"
AUTHENTICATE_URI = "com.example.authenticate"
AUTHORIZE_URI = "com.example.authorize"
TRUSTED = Role("trusted", (Permission("", "prefix", True, True, True, True),))


def network(method: str = "ticket") -> Net:
    """realm1 with a dynamic ``method`` authenticator living in realm ``auth``."""
    dynamic = DynamicAuthenticator(method, AUTHENTICATE_URI, "auth", timeout=2.0)
    trusted = TicketAuthenticator([Principal("backend", "trusted", ticket="t")])
    return Net(
        RealmConfig(authenticator=Authentication({method: dynamic})),
        RealmConfig("auth", authenticator=Authentication({"ticket": trusted}, ["trusted"])),
    )


def ticket_login(net: Net, realm: str, authid: str, ticket: str = "t") -> Client:
    client = net.attach()
    client.send(Hello(realm, {"roles": FULL_ROLES, "authmethods": ["ticket"], "authid": authid}))
    client.take_one(Challenge)
    client.send(Authenticate(ticket, {}))
    return client


def callee(net: Net, realm: str, procedure: str) -> tuple[Client, int]:
    """A trusted session of ``realm`` that registered ``procedure``."""
    client = ticket_login(net, realm, "backend")
    client.take_one(Welcome)
    client.send(Register(client.request_id(), {}, procedure))
    registered = client.take_one(Registered)
    return client, registered.registration


def test_the_callee_leaving_fails_the_pending_hello() -> None:
    net = network()
    backend, _ = callee(net, "auth", AUTHENTICATE_URI)
    client = ticket_login(net, "realm1", "zoe")
    invocation = backend.take_one(Invocation)
    assert invocation.args[0:2] == ["realm1", "zoe"]
    assert invocation.args[2]["ticket"] == "t"
    backend.drop()
    abort = client.take_one(Abort)
    assert (abort.reason, client.closed) == (FAILED, FAILED)


def test_authenticate_while_the_procedure_decides_is_a_violation() -> None:
    net = network()
    backend, _ = callee(net, "auth", AUTHENTICATE_URI)
    client = ticket_login(net, "realm1", "zoe")
    backend.take_one(Invocation)
    client.send(Authenticate("again", {}))
    assert client.take_one(Abort).reason == "wamp.error.protocol_violation"


def test_a_late_answer_for_a_client_that_left_is_dropped() -> None:
    net = network()
    backend, _ = callee(net, "auth", AUTHENTICATE_URI)
    client = ticket_login(net, "realm1", "zoe")
    invocation = backend.take_one(Invocation)
    client.drop()
    backend.send(Yield(invocation.request_id, {}, ["user"]))
    assert client.take() == []
    assert backend.take() == []


def test_the_timeout_fails_the_hello_and_interrupts_the_callee() -> None:
    net = network()
    backend, _ = callee(net, "auth", AUTHENTICATE_URI)
    client = ticket_login(net, "realm1", "zoe")
    invocation = backend.take_one(Invocation)
    net.advance(1.9)
    assert client.take() == []
    net.advance(0.2)
    assert client.take_one(Abort).reason == FAILED
    assert backend.take_one(Interrupt).request_id == invocation.request_id
    backend.send(Yield(invocation.request_id, {}, ["user"]))  # too late: ignored
    assert client.take() == [] and backend.take() == []


def test_the_answer_joins_the_client() -> None:
    net = network()
    backend, _ = callee(net, "auth", AUTHENTICATE_URI)
    client = ticket_login(net, "realm1", "zoe")
    invocation = backend.take_one(Invocation)
    backend.send(Yield(invocation.request_id, {}, [{"role": "user", "extra": {"a": 1}}]))
    welcome = client.take_one(Welcome)
    assert (welcome.details["authid"], welcome.details["authrole"]) == ("zoe", "user")
    assert welcome.details["authextra"] == {"a": 1}
    assert welcome.session == invocation.args[2]["session"]


def authorizing() -> tuple[Net, Client, Client]:
    """A realm whose role ``dyn`` is authorized by ``authz``'s procedure: (net, authz, dyn)."""
    roles = RoleAuthorizer([TRUSTED, Role("dyn", (), AUTHORIZE_URI, 1.0)])
    net = Net(RealmConfig(authenticator=_AsAsked(), authorizer=roles))
    authz = net.join(authid="a", authrole="trusted")
    authz.send(Register(authz.request_id(), {}, AUTHORIZE_URI))
    authz.take_one(Registered)
    return net, authz, net.join(authid="d", authrole="dyn")


def test_authorization_holds_the_sessions_messages_in_order() -> None:
    net, authz, dyn = authorizing()
    dyn.send(Subscribe(1, {}, "com.x"))
    dyn.send(Publish(2, {"acknowledge": True}, "com.y"))
    first = authz.take_one(Invocation)
    assert first.args[1:3] == ["com.x", "subscribe"]
    assert dyn.take() == []  # the PUBLISH waits behind the SUBSCRIBE
    authz.send(Yield(first.request_id, {}, [True]))
    assert [type(m) for m in dyn.take()] == [Subscribed]
    second = authz.take_one(Invocation)
    assert second.args[1:3] == ["com.y", "publish"]
    authz.send(Yield(second.request_id, {}, [{"allow": False}]))
    error = dyn.take_one(Error)
    assert (error.request_id, error.error) == (2, "wamp.error.not_authorized")
    # a session that leaves while waiting: its held messages and the answer are dropped
    dyn.send(Publish(3, {"acknowledge": True}, "com.z"))
    third = authz.take_one(Invocation)
    dyn.drop()
    authz.send(Yield(third.request_id, {}, [True]))
    assert dyn.take() == [] and authz.take() == []
    assert net.core.held == {}


def test_a_goodbye_and_a_new_hello_wait_behind_a_pending_authorization() -> None:
    net, authz, dyn = authorizing()
    first = dyn.id
    dyn.send(Subscribe(1, {}, "com.x"))
    dyn.send(Goodbye({}, "wamp.close.normal"))
    dyn.send(Hello("realm1", {"roles": FULL_ROLES, "authid": "d2", "authrole": "trusted"}))
    assert dyn.take() == []
    invocation = authz.take_one(Invocation)
    authz.send(Yield(invocation.request_id, {}, [True]))
    subscribed, goodbye, welcome = dyn.take()
    assert type(subscribed) is Subscribed and type(goodbye) is Goodbye
    assert welcome.details["authid"] == "d2" and welcome.session != first
    assert net.core.held == {}


def test_authorization_of_a_cached_answer_is_not_asked_again() -> None:
    roles = RoleAuthorizer([Role("dyn", (), AUTHORIZE_URI, 1.0), TRUSTED])
    net = Net(RealmConfig(authenticator=_AsAsked(), authorizer=roles))
    authz = net.join(authid="a", authrole="trusted")
    authz.send(Register(authz.request_id(), {}, AUTHORIZE_URI))
    authz.take_one(Registered)
    dyn = net.join(authid="d", authrole="dyn")
    dyn.send(Publish(1, {"acknowledge": True}, "com.y"))
    invocation = authz.take_one(Invocation)
    authz.send(Yield(invocation.request_id, {}, [{"allow": True, "cache": True}]))
    assert type(dyn.take_one()) is Published
    dyn.send(Publish(2, {"acknowledge": True}, "com.y"))
    assert type(dyn.take_one()) is Published
    assert authz.take() == []  # answered from the cache
    dyn.drop()
    assert roles.decided == {}  # forgotten with the session


class _AsAsked:
    """Join as the authid/authrole the HELLO asks for."""

    def hello(self, realm: str, details: dict[str, Any], transport: Any, now: float) -> Accept:
        return Accept(details["authid"], details["authrole"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


@given(json_values, st.lists(json_values, max_size=2))
def test_an_authorizer_allows_only_on_a_clear_yes(value: Any, more: list[Any]) -> None:
    args = [value, *more]
    allow, cached = verdict(Result(1, {}, args))
    clear = len(args) == 1 and (
        value is True or (isinstance(value, dict) and value.get("allow") is True)
    )
    assert allow == clear
    assert not cached or (clear and isinstance(value, dict) and value.get("cache") is True)
    assert verdict(Error(48, 1, {}, "wamp.error.timeout")) == (False, False)


PUBKEY = "ab" * 32


@pytest.mark.parametrize("method", ["anonymous", "ticket", "wampcra", "cryptosign", "scram"])
@settings(max_examples=40, deadline=None)
@given(answer=json_values)
def test_no_answer_of_an_authenticator_hurts_the_router(method: str, answer: Any) -> None:
    net = network(method)
    backend, _ = callee(net, "auth", AUTHENTICATE_URI)
    client = net.attach()
    details = {
        "roles": FULL_ROLES,
        "authmethods": [method],
        "authid": "zoe",
        "authextra": {"pubkey": PUBKEY, "nonce": "bm9uY2U="},
    }
    client.send(Hello("realm1", details))
    if method == "ticket":
        client.take_one(Challenge)
        client.send(Authenticate("t", {}))
    invocation = backend.take_one(Invocation)
    backend.send(Yield(invocation.request_id, {}, [answer]))  # never raises
    [reply] = client.take()
    assert type(reply) in (Welcome, Challenge, Abort)
    if type(reply) is Welcome:
        assert method in ("anonymous", "ticket")
    assert backend.take() == []  # the callee is unharmed


def test_a_malformed_cryptosign_key_is_refused_before_asking() -> None:
    dynamic = DynamicAuthenticator("cryptosign", AUTHENTICATE_URI)
    net = Net(RealmConfig(authenticator=Authentication({"cryptosign": dynamic})))
    client = net.attach()
    extra = {"pubkey": "not-hex"}
    client.send(
        Hello("realm1", {"roles": FULL_ROLES, "authmethods": ["cryptosign"], "authextra": extra})
    )
    assert client.take_one(Abort).reason == FAILED


def wampcra_answered(answer: dict[str, Any]) -> tuple[Client, Client]:
    """A wampcra HELLO whose procedure answers ``answer``: (client, procedure's callee)."""
    net = network("wampcra")
    backend, _ = callee(net, "auth", AUTHENTICATE_URI)
    client = net.attach()
    client.send(Hello("realm1", {"roles": FULL_ROLES, "authmethods": ["wampcra"], "authid": "z"}))
    invocation = backend.take_one(Invocation)
    backend.send(Yield(invocation.request_id, {}, [answer]))
    return client, backend


def test_an_unusable_wampcra_answer_fails_the_login_only() -> None:
    answer = {"role": "user", "secret": "s", "salt": "x", "iterations": "many"}
    client, backend = wampcra_answered(answer)
    assert client.take_one(Abort).reason == FAILED
    assert backend.take() == [] and backend.closed is None


def test_a_salted_wampcra_answer_gives_the_password_as_in_crossbar() -> None:
    answer = {"role": "user", "secret": "pass-word", "salt": "NaCl", "iterations": 50, "keylen": 32}
    client, _ = wampcra_answered(answer)
    challenge = client.take_one(Challenge)
    assert (challenge.extra["salt"], challenge.extra["iterations"]) == ("NaCl", 50)
    key = derive_key("pass-word", "NaCl", 50, 32)  # what Autobahn's client derives
    client.send(Authenticate(compute_wcs(key, challenge.extra["challenge"]).decode(), {}))
    assert client.take_one(Welcome).details["authprovider"] == "dynamic"
