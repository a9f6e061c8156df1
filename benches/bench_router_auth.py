"""What authentication and authorization cost in the sans-IO router core.

* ``router-ticket-handshake``: HELLO (ticket), CHALLENGE, AUTHENTICATE, WELCOME, against
  wampproto's ``Acceptor`` with a ticket authenticator (it checks a ticket the same way
  but keeps no realm, publishes no meta event and compares tickets in plain time).
* ``router-call-roundtrip``: a CALL/YIELD round trip allowed by a role's prefix rule, in
  the group of the unauthorized round trip (``bench_router_core``) and wampproto's.
"""

from __future__ import annotations

from typing import Any

import pytest
from core_calls import NOW, call_roundtrip
from wampproto import messages as wp
from wampproto.acceptor import Acceptor
from wampproto.auth.auth import IServerAuthenticator, Request, Response, TicketRequest

from pywamp._native import Authenticate, Hello, Welcome
from pywamp.router import RealmConfig, RouterCore
from pywamp.router.auth import Accept
from pywamp.router.authenticators import Authentication, Principal, TicketAuthenticator
from pywamp.router.authorization import Permission, Role, RoleAuthorizer

ROLES = {"publisher": {}, "subscriber": {}, "caller": {}, "callee": {}}
TICKET = "a-ticket-of-some-length"


@pytest.mark.benchmark(group="router-ticket-handshake")
def test_pywamp_ticket_handshake(benchmark: Any) -> None:
    tickets = TicketAuthenticator([Principal("alice", "user", ticket=TICKET)])
    config = RealmConfig(authenticator=Authentication({"ticket": tickets}), meta_api=False)
    core = RouterCore([config], now=NOW)
    hello = Hello("realm1", {"roles": ROLES, "authmethods": ["ticket"], "authid": "alice"})
    answer = Authenticate(TICKET, {})

    def handshake() -> Any:
        session = core.attach({"type": "bench"})
        core.receive(session, hello, NOW)
        welcome = core.receive(session, answer, NOW)[0].message
        core.detach(session, NOW)
        return welcome

    welcome = benchmark(handshake)
    assert type(welcome) is Welcome and welcome.details["authid"] == "alice"


class _Tickets(IServerAuthenticator):  # type: ignore[misc]
    def methods(self) -> list[str]:
        return ["ticket"]

    def authenticate(self, request: Request) -> Response:
        if isinstance(request, TicketRequest) and request.ticket == TICKET:
            return Response(request.authid, "user")
        raise ValueError("invalid ticket")


@pytest.mark.benchmark(group="router-ticket-handshake")
def test_wampproto_ticket_handshake(benchmark: Any) -> None:
    tickets = _Tickets()
    hello = wp.Hello(wp.HelloFields("realm1", ROLES, "alice", ["ticket"]))
    answer = wp.Authenticate(wp.AuthenticateFields(TICKET, {}))

    def handshake() -> Any:
        acceptor = Acceptor(authenticator=tickets)
        acceptor.receive_message(hello)
        return acceptor.receive_message(answer)

    welcome = benchmark(handshake)
    assert isinstance(welcome, wp.Welcome) and welcome.authid == "alice"


class _AsAsked:
    def hello(self, realm: str, details: dict[str, Any], transport: Any, now: float) -> Accept:
        return Accept("someone", details["authrole"])


@pytest.mark.benchmark(group="router-call-roundtrip")
def test_pywamp_call_roundtrip_authorized(benchmark: Any) -> None:
    rule = Permission("com.example.", "prefix", call=True, register=True)
    roles = RoleAuthorizer([Role("user", (rule,))])
    core = RouterCore([RealmConfig(authenticator=_AsAsked(), authorizer=roles)], now=NOW)
    callee, caller = core.attach({}), core.attach({})
    for session in (callee, caller):
        core.receive(session, Hello("realm1", {"roles": ROLES, "authrole": "user"}), NOW)
    roundtrip, _ = call_roundtrip(core, callee, caller)
    result = benchmark(roundtrip)
    assert result.args == [5]
