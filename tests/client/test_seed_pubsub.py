"""The seed guide's "Publish & Subscribe" section, translated to asyncio and run against a
real router.

The seed printed its topic patterns with the ``<name>`` placeholders lost
(``com.myapp....on_concert``, ``com.myapp.us.``); they are restored here
(``com.myapp.<country>.<state>.<city>.on_concert``, ``com.myapp.us.<path:suffix>``).
``publish()`` returns None unless acknowledged, so the seed's ``yield session.publish(...)``
becomes a plain call (or ``await`` with ``PublishOptions(acknowledge=True)``).
"""

from __future__ import annotations

import asyncio

from helpers import Inbox, eventually

from pywamp import wamp
from pywamp.asyncio.wamp import Session
from pywamp.exception import ApplicationError
from pywamp.wamp.types import PublishOptions

# -- Subscribing event handlers ----------------------------------------------------------------


async def test_subscribing_event_handlers(session: Session, other: Session) -> None:
    printed: list[str] = []

    def on_product_create(id: int, label: str, price: float) -> None:
        printed.append(f"New product created: {label} ({id})")

    try:
        await session.subscribe("com.myapp.product.on_create", on_product_create)
    except ApplicationError as err:
        raise AssertionError(f"Subscription failed: {err}") from err
    try:
        other.publish("com.myapp.product.on_create", 103, "PyJacket", 50.3)
        await other.publish(
            "com.myapp.product.on_create",
            104,
            "PyHat",
            9.5,
            options=PublishOptions(acknowledge=True),
        )
    except ApplicationError as err:
        raise AssertionError(f"Publication failed: {err}") from err
    await eventually(lambda: len(printed) == 2)
    assert printed == [
        "New product created: PyJacket (103)",
        "New product created: PyHat (104)",
    ]


# -- Subscriptions via decorators ------------------------------------------------------------------


async def test_subscriptions_via_decorators(session: Session, other: Session) -> None:
    printed: list[str] = []

    @wamp.topic("com.myapp.product.on_create")
    def on_product_create(id: int, label: str, price: float) -> None:
        printed.append(f"New product created: {label} ({id})")

    await session.subscribe(on_product_create)
    other.publish("com.myapp.product.on_create", 103, "PyJacket", 50.3)
    await eventually(lambda: printed)
    assert printed == ["New product created: PyJacket (103)"]


# -- Pattern-based subscriptions: wildcards ------------------------------------------------------

TOPICS = [
    "com.myapp.us.montana.billings.on_concert",
    "com.myapp.us.montana.helena.on_concert",
    "com.myapp.us.newmexico.albuquerque.on_concert",
    "com.myapp.de.bavaria.munich.on_concert",
    "com.myapp.us.montana.billings",
    "com.myapp.us.montana.billings.on_challenge",
    "com.myapp.us.newmexico.albuquerque.citycenter.on_concert",
]


async def publish_all(publisher: Session) -> None:
    for topic in TOPICS:
        publisher.publish(topic, "Powerhour with Ali Spagnola", "2014-02-04")
    await publisher.publish("com.myapp.done", options=PublishOptions(acknowledge=True))


class Concerts:
    def __init__(self) -> None:
        self.printed = Inbox()

    @wamp.topic("com.myapp.<country>.<state>.<city>.on_concert")
    def on_concert_pulse(self, country: str, state: str, city: str, title: str, date: str) -> None:
        self.printed.put(f"Concert {title} in {city}, {state}/{country} on {date}")


async def test_wildcard_subscription(session: Session, other: Session) -> None:
    """Matches the four-component concert topics; not the ones too short, too long or
    ending differently. (The seed also lists ``com.myapp.de.bavaria.munich.on_concert`` as
    not matching, but with ``country`` a placeholder it does: country is "de".)"""
    concerts = Concerts()
    await asyncio.gather(*session.subscribe(concerts))
    await publish_all(other)
    printed = await concerts.printed.wait(4)
    await asyncio.sleep(0.1)
    assert printed == [
        "Concert Powerhour with Ali Spagnola in billings, montana/us on 2014-02-04",
        "Concert Powerhour with Ali Spagnola in helena, montana/us on 2014-02-04",
        "Concert Powerhour with Ali Spagnola in albuquerque, newmexico/us on 2014-02-04",
        "Concert Powerhour with Ali Spagnola in munich, bavaria/de on 2014-02-04",
    ]


async def test_published_concert_binds_the_topic(session: Session, other: Session) -> None:
    concerts = Concerts()
    await session.subscribe(concerts)
    state = "newmexico"
    city = "albuquerque"
    try:
        other.publish(
            f"com.myapp.us.{state}.{city}.on_concert", "Powerhour with Ali Spagnola", "2014-02-04"
        )
    except ApplicationError as err:
        raise AssertionError(f"Publication failed: {err}") from err
    assert await concerts.printed.wait() == [
        "Concert Powerhour with Ali Spagnola in albuquerque, newmexico/us on 2014-02-04"
    ]


async def test_subset_subscriptions(session: Session, other: Session) -> None:
    montana, us = Inbox(), Inbox()

    @wamp.topic("com.myapp.us.montana.<city>.on_concert")
    def on_concert_us_montana_pulse(city: str, title: str, date: str) -> None:
        montana.put(city)

    @wamp.topic("com.myapp.us.<state>.<city>.on_concert")
    def on_concert_us_pulse(state: str, city: str, title: str, date: str) -> None:
        us.put((state, city))

    await session.subscribe(on_concert_us_montana_pulse)
    await session.subscribe(on_concert_us_pulse)
    await publish_all(other)
    await us.wait(3)
    await asyncio.sleep(0.1)
    assert montana.items == ["billings", "helena"]
    assert us.items == [
        ("montana", "billings"),
        ("montana", "helena"),
        ("newmexico", "albuquerque"),
    ]


# -- Pattern-based subscriptions: prefix ----------------------------------------------------------


async def test_prefix_subscription(session: Session, other: Session) -> None:
    seen = Inbox()

    @wamp.topic("com.myapp.us.<path:suffix>")
    def on_us_event(path: str, title: str, date: str) -> None:
        parts = path.split(".")
        if parts[-1] == "on_concert":
            seen.put(("concert", path))
        elif parts[-1] == "on_challenge":
            seen.put(("challenge", path))
        else:
            seen.put(("other", path))

    await session.subscribe(on_us_event)
    await publish_all(other)
    await seen.wait(6)
    await asyncio.sleep(0.1)
    assert seen.items == [
        ("concert", "montana.billings.on_concert"),
        ("concert", "montana.helena.on_concert"),
        ("concert", "newmexico.albuquerque.on_concert"),
        ("other", "montana.billings"),
        ("challenge", "montana.billings.on_challenge"),
        ("concert", "newmexico.albuquerque.citycenter.on_concert"),
    ]
