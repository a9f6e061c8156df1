"""pywamp demo: an embedded WAMP router and two clients doing RPC and pub/sub.

The router is pywamp's (``pywamp.router.server.Router``), started in this process on
127.0.0.1:8080 (or a free port when 8080 is taken): one port serves RawSocket and
WebSocket (path /ws). The clients are written against Autobahn|Python's API
(``ApplicationSession``): a backend over RawSocket/msgpack registers a procedure and
subscribes to a topic; a frontend over WebSocket/JSON calls it and publishes. Both
leave, the router stops, and the demo exits 0.

Run it with ``bash scripts/demo.sh`` (builds pywamp first) or ``python examples/demo.py``.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from typing import Any

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.serializer import JsonSerializer, MsgPackSerializer  # noqa: E402
from autobahn.wamp.types import (  # noqa: E402
    CallDetails,
    ComponentConfig,
    EventDetails,
    PublishOptions,
    RegisterOptions,
    SubscribeOptions,
)

from pywamp.router.server import Router  # noqa: E402
from pywamp.router.settings import ListenerConfig, RouterConfig  # noqa: E402

REALM = "realm1"
EVENTS = 3


class Backend(ApplicationSession):
    """Offers com.example.add2 and listens to com.example.oncounter."""

    async def onJoin(self, details: Any) -> None:
        print(f"backend:  joined {details.realm} as session {details.session}")
        self.events = 0
        self.all_events = asyncio.Event()

        def add2(a: int, b: int, details: CallDetails) -> int:
            print(f"backend:  add2({a}, {b}) called by session {details.caller}")
            return a + b

        def on_counter(value: int, details: EventDetails) -> None:
            self.events += 1
            print(f"backend:  event {details.topic} {value} from session {details.publisher}")
            if self.events == EVENTS:
                self.all_events.set()

        await self.register(
            add2, "com.example.add2", options=RegisterOptions(details_arg="details")
        )
        print("backend:  registered com.example.add2")
        await self.subscribe(
            on_counter,
            "com.example.oncounter",
            options=SubscribeOptions(details_arg="details"),
        )
        print("backend:  subscribed to com.example.oncounter")
        self.config.extra["ready"].set_result(None)

    def onLeave(self, details: Any) -> None:
        print(f"backend:  left ({details.reason})")
        self.disconnect()


class Frontend(ApplicationSession):
    """Calls com.example.add2 and publishes to com.example.oncounter."""

    async def onJoin(self, details: Any) -> None:
        print(f"frontend: joined {details.realm} as session {details.session}")
        result = await self.call("com.example.add2", 2, 3)
        print(f"frontend: com.example.add2(2, 3) = {result}")
        for value in range(1, EVENTS + 1):
            publication = await self.publish(
                "com.example.oncounter", value, options=PublishOptions(acknowledge=True)
            )
            print(f"frontend: published com.example.oncounter {value} ({publication.id})")
        self.config.extra["done"].set_result(result)

    def onLeave(self, details: Any) -> None:
        print(f"frontend: left ({details.reason})")
        self.disconnect()


def free_port(preferred: int = 8080) -> int:
    """The preferred port when nothing listens there, otherwise 0 (any free port)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            return 0
    return preferred


async def main() -> int:
    loop = asyncio.get_running_loop()
    router = Router(RouterConfig(listeners=[ListenerConfig("universal", port=free_port())]))
    await router.start()
    port = router.port()
    print(f"router:   listening on 127.0.0.1:{port} (RawSocket, and WebSocket at /ws)")

    ready: asyncio.Future[None] = loop.create_future()
    backend = Backend(ComponentConfig(REALM, extra={"ready": ready}))
    await loop.create_connection(
        WampRawSocketClientFactory(lambda: backend, serializer=MsgPackSerializer()),
        "127.0.0.1",
        port,
    )
    await ready

    done: asyncio.Future[int] = loop.create_future()
    frontend = Frontend(ComponentConfig(REALM, extra={"done": done}))
    url = f"ws://127.0.0.1:{port}/ws"
    await loop.create_connection(
        WampWebSocketClientFactory(lambda: frontend, url=url, serializers=[JsonSerializer()]),
        "127.0.0.1",
        port,
    )
    result = await done
    await backend.all_events.wait()

    frontend.leave()
    backend.leave()
    await asyncio.sleep(0.1)  # let the GOODBYEs cross
    await router.stop()
    print("router:   stopped")
    return 0 if result == 5 and backend.events == EVENTS else 1


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(asyncio.wait_for(main(), 30)))
    except TimeoutError:
        print("demo: did not finish in 30 s", file=sys.stderr)
        sys.exit(1)
