"""Authorization over real sockets: roles with permission rules, disclosure per role,
a dynamic authorizer procedure, and realms that share nothing; Autobahn clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from auth_harness import Client, joined, listeners_toml, start_router, wait
from autobahn.wamp.auth import AuthTicket
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import (
    CallDetails,
    EventDetails,
    PublishOptions,
    RegisterOptions,
    SubscribeOptions,
)

from pywamp.router.server import Router

DENIED = "wamp.error.not_authorized"
ALL = "{ call = true, register = true, publish = true, subscribe = true }"

CONFIG = (
    listeners_toml()
    + f"""
[[realms]]
name = "app"
auth.ticket.principals.user1 = {{ ticket = "t-user", role = "user" }}
auth.ticket.principals.guest1 = {{ ticket = "t-guest", role = "guest" }}
auth.ticket.principals.backend1 = {{ ticket = "t-backend", role = "backend" }}
auth.ticket.principals.dyn1 = {{ ticket = "t-dyn", role = "dyn" }}
auth.ticket.principals.trusted1 = {{ ticket = "t-trusted", role = "trusted" }}

[[realms.roles]]
name = "user"
[[realms.roles.permissions]]
uri = "com.example."
match = "prefix"
allow = {{ call = true, subscribe = true }}
disclose = {{ caller = true }}
[[realms.roles.permissions]]
uri = "com.example.secret"
allow = {{}}
[[realms.roles.permissions]]
uri = "com..update"
match = "wildcard"
allow = {{ publish = true, subscribe = true }}
disclose = {{ publisher = true }}
[[realms.roles.permissions]]
uri = "com.user.*"
allow = {{ register = true }}
[[realms.roles.permissions]]
uri = "com.plain."
match = "prefix"
allow = {{ call = true }}

[[realms.roles]]
name = "guest"
permissions = [
  {{ uri = "com.example.", match = "prefix", allow = {{ call = true }} }},
  {{ uri = "com..update", match = "wildcard", allow = {{ publish = true }} }},
]

[[realms.roles]]
name = "backend"
permissions = [{{ uri = "", match = "prefix", allow = {ALL} }}]

[[realms.roles]]
name = "dyn"
authorizer = "com.example.authorize"
authorizer-timeout = 0.5

[[realms.roles]]
name = "trusted"
permissions = [{{ uri = "com.example.authorize", allow = {{ register = true }} }}]

[[realms]]
name = "a"
[[realms]]
name = "b"
"""
)


@pytest.fixture
async def router(tmp_path: Path) -> AsyncIterator[Router]:
    async with start_router(tmp_path, "router.toml", CONFIG) as router:
        yield router


async def login(router: Router, who: str, ticket: str) -> Client:
    return await joined(router, "app", AuthTicket(authid=who, ticket=ticket))


async def denied(awaitable: Any) -> None:
    with pytest.raises(ApplicationError) as info:
        await wait(awaitable)
    assert info.value.error == DENIED


class Seen:
    """What a handler was called with; lets a test wait for it."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.changed = asyncio.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        self.items.append((args, kwargs))
        self.changed.set()
        return "ok"

    async def count(self, n: int) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        async def until() -> None:
            while len(self.items) < n:
                self.changed.clear()
                await self.changed.wait()

        await wait(until())
        return self.items


async def test_each_denied_action_answers_not_authorized_and_the_session_goes_on(
    router: Router,
) -> None:
    backend = await login(router, "backend1", "t-backend")
    await wait(backend.register(lambda: "added", "com.example.add"))
    await wait(backend.register(lambda: "secret", "com.example.secret"))
    user = await login(router, "user1", "t-user")

    await denied(user.register(lambda: None, "com.example.mine"))  # register only com.user.*
    await denied(user.subscribe(lambda: None, "com.other.topic"))  # no rule at all
    acknowledged = PublishOptions(acknowledge=True)
    await denied(user.publish("com.example.news", options=acknowledged))  # rule lacks publish
    await denied(user.call("com.example.secret"))  # a narrower exact rule denies
    assert user.is_attached()
    # the session goes on, with what its rules allow
    assert await wait(user.call("com.example.add")) == "added"
    await wait(user.register(lambda: "mine", "com.user.proc"))  # starred URI: prefix
    await wait(user.subscribe(lambda: None, "com.example.news"))
    await wait(user.publish("com.stock.update", options=acknowledged))  # wildcard rule
    await user.close()
    await backend.close()


async def test_disclosure_of_caller_and_publisher_per_role(router: Router) -> None:
    backend = await login(router, "backend1", "t-backend")
    calls, events = Seen(), Seen()
    await wait(backend.register(calls, "com.example.who", RegisterOptions(details_arg="details")))
    await wait(
        backend.subscribe(events, "com.a.update", options=SubscribeOptions(details_arg="details"))
    )
    user = await login(router, "user1", "t-user")
    guest = await login(router, "guest1", "t-guest")

    await wait(backend.register(calls, "com.plain.who", RegisterOptions(details_arg="details")))
    await wait(user.call("com.example.who"))
    await wait(guest.call("com.example.who"))
    await wait(user.call("com.plain.who"))  # the rule allowing it does not disclose
    await wait(user.call("com.example.who"))
    [(_, by_user), (_, by_guest), (_, plain), (_, again)] = await calls.count(4)
    details: CallDetails = by_user["details"]
    assert (details.caller, details.caller_authid) == (user._session_id, "user1")
    assert by_guest["details"].caller is None
    assert plain["details"].caller is None
    assert again["details"].caller == user._session_id

    await wait(user.publish("com.a.update", 1, options=PublishOptions(acknowledge=True)))
    await wait(guest.publish("com.a.update", 2, options=PublishOptions(acknowledge=True)))
    [(_, from_user), (_, from_guest)] = await events.count(2)
    event: EventDetails = from_user["details"]
    assert (event.publisher, event.publisher_authrole) == (user._session_id, "user")
    assert from_guest["details"].publisher is None
    for client in (user, guest, backend):
        await client.close()


class Authorizer:
    """The dynamic authorizer a trusted session registers: decides by URI."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], str, str, dict[str, Any]]] = []

    async def __call__(
        self, session: dict[str, Any], uri: str, action: str, options: dict[str, Any]
    ) -> Any:
        self.calls.append((session, uri, action, options))
        if uri == "com.dyn.slow":
            await asyncio.sleep(3)
        if uri == "com.dyn.fail":
            raise ApplicationError("com.example.oops")
        if uri == "com.dyn.cached":
            return {"allow": True, "cache": True}
        if uri == "com.dyn.ok.shown":
            return {"allow": True, "disclose": True}
        return uri.startswith("com.dyn.ok")

    def asked(self, uri: str) -> list[str]:
        return [action for _, u, action, _ in self.calls if u == uri]


@pytest.fixture
async def authorizer(router: Router) -> AsyncIterator[Authorizer]:
    procedure = Authorizer()
    trusted = await login(router, "trusted1", "t-trusted")
    await wait(trusted.register(procedure, "com.example.authorize"))
    yield procedure
    await trusted.close()


async def test_dynamic_authorizer_allows_and_denies(router: Router, authorizer: Authorizer) -> None:
    backend = await login(router, "backend1", "t-backend")
    await wait(backend.register(lambda: "fine", "com.dyn.ok.proc"))
    calls = Seen()
    options = RegisterOptions(details_arg="details", match="prefix")
    await wait(backend.register(calls, "com.dyn.ok.s", options))
    dyn = await login(router, "dyn1", "t-dyn")
    assert await wait(dyn.call("com.dyn.ok.proc")) == "fine"
    await wait(dyn.call("com.dyn.ok.shown"))  # the authorizer says: disclose
    await wait(dyn.call("com.dyn.ok.secret"))
    [(_, shown), (_, hidden)] = await calls.count(2)
    assert shown["details"].caller == dyn._session_id
    assert hidden["details"].caller is None
    await denied(dyn.call("com.dyn.no"))
    await denied(dyn.call("com.dyn.fail"))  # an error of the authorizer denies
    await wait(
        dyn.subscribe(lambda: None, "com.dyn.ok.topic", options=SubscribeOptions(match="prefix"))
    )
    session, uri, action, options = authorizer.calls[-1]
    assert (session["authid"], session["authrole"], uri, action) == (
        "dyn1",
        "dyn",
        "com.dyn.ok.topic",
        "subscribe",
    )
    assert session["session"] == dyn._session_id
    assert options["match"] == "prefix"
    await dyn.close()
    await backend.close()


async def test_dynamic_authorizer_timeout_denies_and_the_session_goes_on(
    router: Router, authorizer: Authorizer
) -> None:
    dyn = await login(router, "dyn1", "t-dyn")
    started = asyncio.get_running_loop().time()
    # both leave at once: the second waits behind the first, then gets its own answer
    slow = asyncio.ensure_future(dyn.call("com.dyn.slow"))
    ok = asyncio.ensure_future(dyn.publish("com.dyn.ok", options=PublishOptions(acknowledge=True)))
    await denied(slow)
    await wait(ok)
    assert asyncio.get_running_loop().time() - started < 2.5  # the 0.5 s timeout
    assert [uri for _, uri, _, _ in authorizer.calls] == ["com.dyn.slow", "com.dyn.ok"]
    await wait(dyn.publish("com.dyn.ok", options=PublishOptions(acknowledge=True)))
    await dyn.close()


async def test_dynamic_authorizer_answers_are_cached_when_it_says_so(
    router: Router, authorizer: Authorizer
) -> None:
    dyn = await login(router, "dyn1", "t-dyn")
    acknowledged = PublishOptions(acknowledge=True)
    for _ in range(3):
        await wait(dyn.publish("com.dyn.cached", options=acknowledged))
        await wait(dyn.publish("com.dyn.ok", options=acknowledged))
    assert authorizer.asked("com.dyn.cached") == ["publish"]  # once, then cached
    assert authorizer.asked("com.dyn.ok") == ["publish"] * 3  # asked every time
    await wait(dyn.subscribe(lambda: None, "com.dyn.cached"))  # another action: asked
    assert authorizer.asked("com.dyn.cached") == ["publish", "subscribe"]
    await dyn.close()
    # the cache belongs to the session: a new one is asked again
    dyn = await login(router, "dyn1", "t-dyn")
    await wait(dyn.publish("com.dyn.cached", options=acknowledged))
    assert authorizer.asked("com.dyn.cached") == ["publish", "subscribe", "publish"]
    await dyn.close()


async def test_without_an_authorizer_registered_dynamic_roles_are_denied(router: Router) -> None:
    dyn = await login(router, "dyn1", "t-dyn")
    await denied(dyn.call("com.dyn.ok.proc"))
    assert dyn.is_attached()
    await dyn.close()


async def test_realms_are_isolated(router: Router) -> None:
    sub_a, pub_b = await joined(router, "a"), await joined(router, "b", websocket=True)
    callee_a, callee_b = await joined(router, "a"), await joined(router, "b")
    events = Seen()
    await wait(sub_a.subscribe(events, "com.iso.topic"))
    await wait(pub_b.subscribe(lambda *a: None, "com.iso.topic"))
    # the same procedure in both realms: each realm calls its own callee
    await wait(callee_a.register(lambda: "a", "com.iso.proc"))
    await wait(callee_b.register(lambda: "b", "com.iso.proc"))
    assert await wait(pub_b.call("com.iso.proc")) == "b"
    assert await wait(sub_a.call("com.iso.proc")) == "a"
    await wait(pub_b.publish("com.iso.topic", "from b", options=PublishOptions(acknowledge=True)))
    await wait(
        callee_a.publish("com.iso.topic", "from a", options=PublishOptions(acknowledge=True))
    )
    [(args, _)] = await events.count(1)
    await asyncio.sleep(0.1)
    assert [a for a, _ in events.items] == [("from a",)]
    assert args == ("from a",)
    assert await wait(sub_a.call("wamp.session.count")) == 2
    assert await wait(pub_b.call("wamp.registration.lookup", "com.iso.proc")) is not None
    for client in (sub_a, pub_b, callee_a, callee_b):
        await client.close()
