"""The seed's "Publish & Subscribe" examples on Twisted (``yield`` in ``inlineCallbacks``)
against Crossbar.io and pywamp's router.

The seed printed its topic patterns with the ``<name>`` placeholders lost
(``com.myapp....on_concert``, ``com.myapp.us.``); they are restored here. ``publish()``
returns None unless acknowledged, so ``yield session.publish(...)`` goes on at once.
"""

from __future__ import annotations

from typing import Any

from routers import Router
from twisted.internet import defer
from tx_helpers import KeepSession, seed

from pywamp import wamp
from pywamp.twisted.util import sleep
from pywamp.twisted.wamp import ApplicationSession
from pywamp.wamp.exception import ApplicationError
from pywamp.wamp.types import PublishOptions

TOPICS = [
    "com.myapp.us.montana.billings.on_concert",
    "com.myapp.us.montana.helena.on_concert",
    "com.myapp.us.newmexico.albuquerque.on_concert",
    "com.myapp.de.bavaria.munich.on_concert",
    "com.myapp.us.montana.billings",
    "com.myapp.us.montana.billings.on_challenge",
    "com.myapp.us.newmexico.albuquerque.citycenter.on_concert",
]


@defer.inlineCallbacks
def publish_all(publisher: ApplicationSession) -> Any:
    """Every topic of the seed's lists, then an acknowledged publication (events from one
    publisher arrive in order, so once it is acknowledged the others were routed)."""
    for topic in TOPICS:
        yield publisher.publish(topic, "Powerhour with Ali Spagnola", "2014-02-04")
    yield publisher.publish("com.myapp.done", options=PublishOptions(acknowledge=True))
    yield sleep(0.1)


def test_subscribing_and_publishing(run: Any, router: Router) -> None:
    published: list[str] = []

    def program(session: ApplicationSession, print: Any) -> Any:
        created: defer.Deferred[Any] = defer.Deferred()

        def on_product_create(id: int, label: str, price: float) -> None:
            print(f"New product created: {label} ({id})")
            created.callback(None)

        try:
            yield session.subscribe("com.myapp.product.on_create", on_product_create)
        except ApplicationError as err:
            print(f"Subscription failed: {err}")
        else:
            print("Ok, event handler subscribed!")
        yield created

    def backend(session: ApplicationSession) -> Any:
        @defer.inlineCallbacks
        def later() -> Any:
            yield sleep(0.2)
            try:
                yield session.publish("com.myapp.product.on_create", 103, "PyJacket", 50.3)
            except ApplicationError as err:
                published.append(f"Publication failed: {err}")
            else:
                published.append("Ok, event published!")

        later()

    assert seed(run, router, program, backend) == [
        "Ok, event handler subscribed!",
        "New product created: PyJacket (103)",
    ]
    assert published == ["Ok, event published!"]


def test_subscriptions_via_decorators(run: Any, router: Router) -> None:
    def program(session: ApplicationSession, print: Any) -> Any:
        created: defer.Deferred[Any] = defer.Deferred()

        @wamp.topic("com.myapp.product.on_create")
        def on_product_create(id: int, label: str, price: float) -> None:
            print(f"New product created: {label} ({id})")
            created.callback(None)

        try:
            yield session.subscribe(on_product_create)
        except ApplicationError as err:
            print(f"Subscription failed: {err}")
        else:
            print("Ok, event handler subscribed!")
        yield created

    def backend(session: ApplicationSession) -> Any:
        session.publish("com.myapp.never_seen")
        sleep(0.2).addCallback(
            lambda _: session.publish("com.myapp.product.on_create", 103, "PyJacket", 50.3)
        )

    assert seed(run, router, program, backend) == [
        "Ok, event handler subscribed!",
        "New product created: PyJacket (103)",
    ]


def test_wildcard_and_subset_subscriptions(run: Any, router: Router) -> None:
    """The four-component concert topics match; too short, too long or ending otherwise
    do not. (The seed lists ``com.myapp.de.bavaria.munich.on_concert`` as not matching,
    but with ``country`` a placeholder it does.)"""
    backend = KeepSession()

    def program(session: ApplicationSession, print: Any) -> Any:
        @wamp.topic("com.myapp.<country>.<state>.<city>.on_concert")
        def on_concert_pulse(country: str, state: str, city: str, title: str, date: str) -> None:
            print(f"Concert {title} in {city}, {state}/{country} on {date}")

        @wamp.topic("com.myapp.us.montana.<city>.on_concert")
        def on_concert_us_montana_pulse(city: str, title: str, date: str) -> None:
            print(f"montana: {city}")

        @wamp.topic("com.myapp.us.<state>.<city>.on_concert")
        def on_concert_us_pulse(state: str, city: str, title: str, date: str) -> None:
            print(f"us: {state}/{city}")

        try:
            yield session.subscribe(on_concert_pulse)
        except ApplicationError as err:
            print(f"Subscription failed: {err}")
        yield session.subscribe(on_concert_us_montana_pulse)
        yield session.subscribe(on_concert_us_pulse)
        yield publish_all(backend.session)

    printed = seed(run, router, program, backend)
    assert [p for p in printed if p.startswith("Concert")] == [
        "Concert Powerhour with Ali Spagnola in billings, montana/us on 2014-02-04",
        "Concert Powerhour with Ali Spagnola in helena, montana/us on 2014-02-04",
        "Concert Powerhour with Ali Spagnola in albuquerque, newmexico/us on 2014-02-04",
        "Concert Powerhour with Ali Spagnola in munich, bavaria/de on 2014-02-04",
    ]
    assert [p for p in printed if p.startswith("montana")] == [
        "montana: billings",
        "montana: helena",
    ]
    assert [p for p in printed if p.startswith("us")] == [
        "us: montana/billings",
        "us: montana/helena",
        "us: newmexico/albuquerque",
    ]


def test_publishing_to_a_pattern_subscription(run: Any, router: Router) -> None:
    backend = KeepSession()

    def program(session: ApplicationSession, print: Any) -> Any:
        seen: defer.Deferred[Any] = defer.Deferred()

        @wamp.topic("com.myapp.<country>.<state>.<city>.on_concert")
        def on_concert_pulse(country: str, state: str, city: str, title: str, date: str) -> None:
            seen.callback(f"Concert {title} in {city}, {state}/{country} on {date}")

        yield session.subscribe(on_concert_pulse)
        publisher = backend.session
        try:
            state = "newmexico"
            city = "albuquerque"
            yield publisher.publish(
                f"com.myapp.us.{state}.{city}.on_concert",
                "Powerhour with Ali Spagnola",
                "2014-02-04",
            )
        except ApplicationError as err:
            print(f"Publication failed: {err}")
        else:
            print("Ok, event published!")
        print((yield seen))

    assert seed(run, router, program, backend) == [
        "Ok, event published!",
        "Concert Powerhour with Ali Spagnola in albuquerque, newmexico/us on 2014-02-04",
    ]


def test_prefix_subscription(run: Any, router: Router) -> None:
    backend = KeepSession()

    def program(session: ApplicationSession, print: Any) -> Any:
        @wamp.topic("com.myapp.us.<path:suffix>")
        def on_us_event(path: str, title: str, date: str) -> None:
            parts = path.split(".")
            if parts[-1] == "on_concert":
                print(f"concert {path}")
            elif parts[-1] == "on_challenge":
                print(f"challenge {path}")
            else:
                print(f"other {path}")

        yield session.subscribe(on_us_event)
        yield publish_all(backend.session)

    assert seed(run, router, program, backend) == [
        "concert montana.billings.on_concert",
        "concert montana.helena.on_concert",
        "concert newmexico.albuquerque.on_concert",
        "other montana.billings",
        "challenge montana.billings.on_challenge",
        "concert newmexico.albuquerque.citycenter.on_concert",
    ]
