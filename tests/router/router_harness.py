"""Drive real RouterCore sessions with messages and collect what each one receives.

No network and no fake peer: a ``Client`` is a RouterSession of the core under test
plus the inbox of messages addressed to it, the way the ``ConnectionPair`` helpers of
h11 drive two real state machines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pywamp._native import Hello, Welcome
from pywamp.router import Accept, Close, RealmConfig, RouterCore, RouterSession, Send, Timer

if TYPE_CHECKING:
    from pywamp._native import Message

FULL_ROLES: dict[str, Any] = {
    "publisher": {"features": {"publisher_exclusion": True, "publisher_identification": True}},
    "subscriber": {"features": {"pattern_based_subscription": True}},
    "caller": {
        "features": {
            "progressive_call_results": True,
            "progressive_call_invocations": True,
            "call_canceling": True,
            "call_timeout": True,
        }
    },
    "callee": {
        "features": {
            "progressive_call_results": True,
            "progressive_call_invocations": True,
            "call_canceling": True,
            "pattern_based_registration": True,
            "shared_registration": True,
        }
    },
}

BASIC_ROLES: dict[str, Any] = {
    "publisher": {},
    "subscriber": {},
    "caller": {},
    "callee": {},
}


class HelloIdentity:
    """An authenticator for tests: the identity is whatever HELLO asks for."""

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept:
        return Accept(
            str(details.get("authid", "anon")),
            str(details.get("authrole", "user")),
            "test",
            "hello",
        )


class Client:
    """One router session and what it has received."""

    def __init__(self, net: Net, session: RouterSession) -> None:
        self.net = net
        self.session = session
        self.inbox: list[Message] = []
        self.closed: str | None = None
        self._request = 0

    @property
    def id(self) -> int:
        return self.session.id

    def request_id(self) -> int:
        self._request += 1
        return self._request

    def send(self, message: Message) -> list[Any]:
        """Deliver one message to the router; returns the raw outputs."""
        return self.net.deliver(self.net.core.receive(self.session, message, self.net.now))

    def take(self) -> list[Message]:
        """Everything received since the last take."""
        got, self.inbox = self.inbox, []
        return got

    def take_one(self, kind: type | None = None) -> Any:
        """Exactly one received message (of ``kind`` if given)."""
        got = self.take()
        assert len(got) == 1, got
        if kind is not None:
            assert type(got[0]) is kind, got
        return got[0]

    def drop(self) -> list[Any]:
        """The transport is lost."""
        return self.net.deliver(self.net.core.detach(self.session, self.net.now))


class Net:
    """A RouterCore, its clients, and the clock the test controls."""

    def __init__(self, *realms: RealmConfig, now: float = 1_700_000_000.0, **kw: Any) -> None:
        self.now = now
        self.core = RouterCore(realms or None, now=now, **kw)
        self.clients: dict[RouterSession, Client] = {}
        self.timers: list[float] = []
        self.sends: list[Send] = []

    def attach(self, transport: dict[str, Any] | None = None) -> Client:
        session = self.core.attach(transport or {"type": "test"})
        client = Client(self, session)
        self.clients[session] = client
        return client

    def join(
        self,
        realm: str = "realm1",
        roles: dict[str, Any] | None = None,
        **details: Any,
    ) -> Client:
        """Attach and join; asserts WELCOME."""
        client = self.attach()
        client.send(Hello(realm, {"roles": roles if roles is not None else FULL_ROLES, **details}))
        welcome = client.take_one(Welcome)
        assert welcome.session == client.id
        return client

    def deliver(self, outputs: Iterable[Any]) -> list[Any]:
        outputs = list(outputs)
        for out in outputs:
            if type(out) is Send:
                self.sends.append(out)
                assert len(set(map(id, out.recipients))) == len(out.recipients), "duplicate"
                for session in out.recipients:
                    client = self.clients[session]
                    assert client.closed is None, f"message to a closed session: {out.message}"
                    client.inbox.append(out.message)
            elif type(out) is Close:
                self.clients[out.session].closed = out.reason
            elif type(out) is Timer:
                self.timers.append(out.deadline)
            else:
                raise AssertionError(f"unknown output {out!r}")
        return outputs

    def advance(self, seconds: float) -> list[Any]:
        """Move the clock and fire due timers."""
        self.now += seconds
        return self.deliver(self.core.on_timer(self.now))

    def take_all(self) -> None:
        for client in self.clients.values():
            client.take()
