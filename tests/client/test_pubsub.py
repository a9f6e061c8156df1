"""Publish and subscribe against a real router: options, filters, details, shared
subscriptions, patterns and bad use (API.md sections 2 and 3)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers import Inbox, record_sent
from routers import Router

from pywamp import _native, connect, wamp
from pywamp.asyncio.wamp import Session
from pywamp.exception import ApplicationError, InvalidUri, SerializationError
from pywamp.handles import Subscription
from pywamp.wamp.types import EventDetails, Publication, PublishOptions, SubscribeOptions


async def test_publish_returns_none_or_publication(session: Session, other: Session) -> None:
    inbox = Inbox()
    await other.subscribe(inbox, "com.myapp.product.on_create")
    assert session.publish("com.myapp.product.on_create", 103, "PyJacket", 50.3) is None
    ack = session.publish(
        "com.myapp.product.on_create", 104, options=PublishOptions(acknowledge=True)
    )
    assert isinstance(ack, asyncio.Future)
    publication = await ack
    assert isinstance(publication, Publication) and isinstance(publication.id, int)
    items = await inbox.wait(2)
    assert items == [((103, "PyJacket", 50.3), {}), ((104,), {})]


async def test_a_burst_of_events_of_every_size_arrives_whole_and_in_order(
    session: Session, other: Session
) -> None:
    """Thousands of events published in one turn reach the subscriber in large reads,
    which it decodes a slice at a time: frames cut at any slice boundary come out whole."""
    sizes = [(i * 7919) % 20000 if i % 50 == 0 else i % 40 for i in range(3000)]
    inbox = Inbox()
    await other.subscribe(inbox, "com.burst")
    await session.publish("com.sync", options=PublishOptions(acknowledge=True))
    for i, size in enumerate(sizes):
        session.publish("com.burst", i, "x" * size)
    items = await inbox.wait(len(sizes), timeout=30)
    assert items == [((i, "x" * size), {}) for i, size in enumerate(sizes)]


async def test_unacknowledged_publish_creates_no_future(session: Session) -> None:
    sent = record_sent(session)
    session.publish("com.quiet", 1)
    session.publish("com.quiet", 2, options=PublishOptions(exclude_me=True))
    publishes = [m for m in sent if isinstance(m, _native.Publish)]
    assert [p.options for p in publishes] == [{}, {"exclude_me": True}]
    assert not session._peer.publishes


async def test_keyword_payload(session: Session, other: Session) -> None:
    inbox = Inbox()
    await other.subscribe(inbox, "com.kw")
    session.publish("com.kw", a=1, b=[True, None], c=b"\xff")
    assert await inbox.wait() == [((), {"a": 1, "b": [True, None], "c": b"\xff"})]


async def test_subscribe_both_argument_orders(session: Session, other: Session) -> None:
    first, second = Inbox(), Inbox()
    sub1 = await other.subscribe(first, "com.order.one")  # Autobahn's order
    sub2 = await other.subscribe("com.order.two", second)  # the seed's order
    assert isinstance(sub1, Subscription) and isinstance(sub2, Subscription)
    session.publish("com.order.one", 1)
    session.publish("com.order.two", 2)
    assert await first.wait() == [((1,), {})]
    assert await second.wait() == [((2,), {})]


async def test_handlers_share_one_broker_subscription(session: Session, other: Session) -> None:
    first, second = Inbox(), Inbox()
    sub1 = await other.subscribe(first, "com.shared.topic")
    sub2 = await other.subscribe(second, "com.shared.topic")
    assert sub1.id == sub2.id and sub1 is not sub2
    session.publish("com.shared.topic", "x")
    await first.wait()
    await second.wait()
    sent = record_sent(other)
    assert await sub1.unsubscribe() == 1  # one handler left: no UNSUBSCRIBE yet
    assert not any(isinstance(m, _native.Unsubscribe) for m in sent)
    session.publish("com.shared.topic", "y")
    assert (await second.wait(2))[1] == (("y",), {})
    assert await first.quiet() == [(("x",), {})]
    await other.unsubscribe(sub2)
    assert sum(isinstance(m, _native.Unsubscribe) for m in sent) == 1
    assert not sub1.active and not sub2.active
    session.publish("com.shared.topic", "z")
    assert len(await second.quiet()) == 2


async def test_event_details(session: Session, other: Session) -> None:
    seen = Inbox()
    await other.subscribe(
        lambda x, details: seen.put(details),
        "com.details.a",
        options=SubscribeOptions(details=True),
    )
    await other.subscribe(
        lambda x, info: seen.put(info),
        "com.details.b",
        options=SubscribeOptions(details_arg="info"),
    )
    ack = await session.publish("com.details.a", 1, options=PublishOptions(acknowledge=True))
    session.publish("com.details.b", 2)
    first, second = await seen.wait(2)
    for details in (first, second):
        assert isinstance(details, EventDetails)
        assert details.publisher == session.session_id
        assert details.publisher_authrole == "anonymous"
        assert isinstance(details.subscription, Subscription)
    assert first.publication == ack.id
    assert first.topic == "com.details.a" and second.topic == "com.details.b"


async def test_async_handlers(session: Session, other: Session) -> None:
    inbox = Inbox()

    async def handler(x: int) -> None:
        await asyncio.sleep(0.01)
        inbox.put(x)

    await other.subscribe(handler, "com.async.handler")
    for i in range(5):
        session.publish("com.async.handler", i)
    assert sorted(await inbox.wait(5)) == [0, 1, 2, 3, 4]


async def test_handler_errors_go_to_on_user_error(session: Session, other: Session) -> None:
    errors = Inbox()
    other.onUserError = lambda fail, msg: errors.put(fail.value)  # type: ignore[method-assign]
    inbox = Inbox()

    def broken(x: int) -> None:
        raise ValueError(f"bad {x}")

    async def broken_async(x: int) -> None:
        raise KeyError(x)

    await other.subscribe(broken, "com.broken.handler")
    await other.subscribe(broken_async, "com.broken.handler")
    await other.subscribe(inbox, "com.broken.handler")
    session.publish("com.broken.handler", 1)
    assert await inbox.wait() == [((1,), {})]  # the other handlers still run
    await errors.wait(2)
    assert sorted(type(e).__name__ for e in errors.items) == ["KeyError", "ValueError"]


# -- publish options -----------------------------------------------------------------------


async def test_exclude_me(session: Session) -> None:
    inbox = Inbox()
    await session.subscribe(inbox, "com.me")
    session.publish("com.me", "excluded by default")
    session.publish("com.me", "included", options=PublishOptions(exclude_me=False))
    assert await inbox.wait() == [(("included",), {})]
    assert len(await inbox.quiet()) == 1


async def test_black_and_white_listing(router: Router, session: Session, other: Session) -> None:
    async with connect(router.ws_url, router.realm) as third:
        inboxes = {"other": Inbox(), "third": Inbox()}
        await other.subscribe(inboxes["other"], "com.filtered")
        await third.subscribe(inboxes["third"], "com.filtered")
        session.publish("com.filtered", "a", options=PublishOptions(exclude=[other.session_id]))
        session.publish("com.filtered", "b", options=PublishOptions(eligible=[other.session_id]))
        session.publish("com.filtered", "c", options=PublishOptions(exclude_authrole=["anonymous"]))
        session.publish("com.filtered", "d", options=PublishOptions(eligible_authrole="anonymous"))
        session.publish(
            "com.filtered",
            "e",
            options=PublishOptions(
                eligible=[other.session_id, third.session_id], exclude=[third.session_id]
            ),
        )
        session.publish("com.filtered", "f", options=PublishOptions(exclude_authid=other.authid))
        session.publish("com.filtered", "g", options=PublishOptions(eligible_authid=[other.authid]))
        await inboxes["other"].wait(4)
        await inboxes["third"].wait(3)
        await asyncio.sleep(0.2)
        assert [a for (a,), _ in inboxes["other"].items] == ["b", "d", "e", "g"]
        assert [a for (a,), _ in inboxes["third"].items] == ["a", "d", "f"]


async def test_retained_event(session: Session, other: Session) -> None:
    await session.publish(
        "com.retained", "kept", options=PublishOptions(retain=True, acknowledge=True)
    )
    inbox = Inbox()
    await other.subscribe(
        lambda x, details: inbox.put((x, details.retained)),
        "com.retained",
        options=SubscribeOptions(get_retained=True, details=True),
    )
    assert await inbox.wait() == [("kept", True)]


async def test_acknowledged_publish_error(session: Session) -> None:
    with pytest.raises(ApplicationError) as info:
        await session.publish("wamp.reserved.topic", options=PublishOptions(acknowledge=True))
    assert info.value.error in (ApplicationError.INVALID_URI, ApplicationError.NOT_AUTHORIZED)


async def test_seed_positional_options(session: Session, other: Session) -> None:
    """The seed passes options positionally: ``publish(topic, arg, PublishOptions(...))``."""
    inbox = Inbox()
    await session.subscribe(inbox, "com.seed.options")
    other.publish("com.seed.options", "t130", PublishOptions(exclude=[other.session_id]))
    assert await inbox.wait() == [(("t130",), {})]


# -- patterns ------------------------------------------------------------------------------


async def test_pattern_subscriptions(session: Session, other: Session) -> None:
    prefix, wildcard = Inbox(), Inbox()
    await other.subscribe(
        lambda x, details: prefix.put((x, details.topic)),
        "com.myapp.us.",
        options=SubscribeOptions(match="prefix", details=True),
    )
    await other.subscribe(
        lambda x, details: wildcard.put((x, details.topic)),
        "com.myapp...on_concert",
        options=SubscribeOptions(match="wildcard", details=True),
    )
    session.publish("com.myapp.us.montana.billings", 1)
    session.publish("com.myapp.us.newmexico.albuquerque.on_concert", 2)
    session.publish("com.myapp.de.bavaria.on_concert", 3)
    assert await prefix.wait(2) == [
        (1, "com.myapp.us.montana.billings"),
        (2, "com.myapp.us.newmexico.albuquerque.on_concert"),
    ]
    assert await wildcard.wait() == [(3, "com.myapp.de.bavaria.on_concert")]


class Concerts:
    def __init__(self) -> None:
        self.inbox = Inbox()

    @wamp.subscribe("com.myapp.<country>.<state>.<city>.on_concert")
    def on_concert(self, country: str, state: str, city: str, title: str, date: str) -> None:
        self.inbox.put(("concert", country, state, city, title, date))

    @wamp.topic("com.myapp.us.<path:suffix>")
    def on_us_event(self, path: str, title: str, date: str) -> None:
        self.inbox.put(("us", path, title, date))

    @wamp.subscribe("com.myapp.count.<n:int>")
    def on_count(self, n: int) -> None:
        self.inbox.put(("count", n))


async def test_decorator_patterns_bind_components(session: Session, other: Session) -> None:
    concerts = Concerts()
    sent = record_sent(other)
    subscriptions = await other.subscribe(concerts)
    assert len(subscriptions) == 3
    subscribes = {m.topic: m.options for m in sent if isinstance(m, _native.Subscribe)}
    assert subscribes == {
        "com.myapp....on_concert": {"match": "wildcard"},
        "com.myapp.us.": {"match": "prefix"},
        "com.myapp.count.": {"match": "wildcard"},
    }
    session.publish("com.myapp.us.newmexico.albuquerque.on_concert", "Powerhour", "2014-02-04")
    session.publish("com.myapp.count.42")
    items = await concerts.inbox.wait(3)
    assert sorted(items, key=str) == sorted(
        [
            ("concert", "us", "newmexico", "albuquerque", "Powerhour", "2014-02-04"),
            ("us", "newmexico.albuquerque.on_concert", "Powerhour", "2014-02-04"),
            ("count", 42),
        ],
        key=str,
    )


async def test_subscribe_decorated_objects_as_futures(session: Session, other: Session) -> None:
    class Handlers:
        def __init__(self) -> None:
            self.inbox = Inbox()

        @wamp.subscribe("com.objects.one")
        def one(self, x: Any) -> None:
            self.inbox.put(("one", x))

        @wamp.subscribe("com.objects.two")
        async def two(self, x: Any) -> None:
            self.inbox.put(("two", x))

    handlers = Handlers()
    subscriptions = await asyncio.gather(*other.subscribe(handlers))
    assert sorted(s.topic for s in subscriptions) == ["com.objects.one", "com.objects.two"]
    session.publish("com.objects.one", 1)
    session.publish("com.objects.two", 2)
    assert sorted(await handlers.inbox.wait(2)) == [("one", 1), ("two", 2)]


# -- bad use -------------------------------------------------------------------------------


async def test_bad_publish_fails_at_once(session: Session) -> None:
    with pytest.raises(InvalidUri):
        session.publish("com..bad")
    with pytest.raises(InvalidUri):
        session.publish("com.myapp.")
    with pytest.raises(SerializationError):
        session.publish("com.ok", object())
    with pytest.raises(SerializationError):
        session.publish("com.ok", options=PublishOptions(acknowledge=True), x={1, 2})
    with pytest.raises(TypeError):
        session.publish("com.ok", options=SubscribeOptions())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        session.subscribe(lambda: None)
    with pytest.raises(InvalidUri):
        session.subscribe(lambda: None, "com.#bad")
    assert not session._peer.publishes and not session._peer.subscribes
