"""Authentication against a real router: ticket, WAMP-CRA and cryptosign through
``Component(authentication=...)``, ``connect(...)`` and an ``onChallenge`` override."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers import Inbox
from routers import (
    AUTHENTICATION,
    SCRAM_PREPARED_AUTHID,
    SCRAM_USER,
    TICKET_USER,
    WAMPCRA_USER,
    Router,
)

from pywamp import connect
from pywamp.asyncio.component import Component
from pywamp.asyncio.wamp import ApplicationRunner, ApplicationSession, Session
from pywamp.exception import ApplicationError
from pywamp.wamp.types import Challenge, SessionDetails


@pytest.mark.parametrize("method", sorted(AUTHENTICATION))
async def test_component_authentication(router: Router, method: str) -> None:
    joined = Inbox()

    async def main(loop: asyncio.AbstractEventLoop, session: Session) -> None:
        joined.put((session.authid, session.authrole, session.authmethod))
        await session.register(lambda: "secret stuff", "com.private.proc")
        joined.put(await session.call("com.private.proc"))

    component = Component(
        main=main,
        transports={"url": router.auth_url, "max_retries": 0},
        realm=router.realm,
        authentication={method: AUTHENTICATION[method]},
    )
    await asyncio.wait_for(component.start(), 10)
    authid = AUTHENTICATION[method]["authid"]
    assert joined.items == [(authid, "authenticated", method), "secret stuff"]


@pytest.mark.parametrize("method", sorted(AUTHENTICATION))
async def test_connect_authentication(router: Router, method: str) -> None:
    async with connect(
        router.auth_url, router.realm, authentication={method: AUTHENTICATION[method]}
    ) as session:
        assert session.authmethod == method
        assert session.authrole == "authenticated"


async def test_connect_with_on_challenge(router: Router) -> None:
    challenges: list[Challenge] = []

    def on_challenge(challenge: Challenge) -> str:
        challenges.append(challenge)
        return TICKET_USER[1]

    async with connect(
        router.auth_url,
        router.realm,
        authmethods=["ticket"],
        authid=TICKET_USER[0],
        on_challenge=on_challenge,
    ) as session:
        assert session.authid == TICKET_USER[0]
    assert [c.method for c in challenges] == ["ticket"]


async def test_on_challenge_override(router: Router) -> None:
    """Autobahn's way: join(authmethods=..., authid=...) in onConnect, answer in onChallenge
    (here asynchronously, computing the WAMP-CRA signature)."""
    from pywamp.wamp.auth import compute_wcs

    joined = asyncio.get_running_loop().create_future()

    class App(ApplicationSession):
        def onConnect(self) -> None:
            self.join(self.config.realm, authmethods=["wampcra"], authid=WAMPCRA_USER[0])

        async def onChallenge(self, challenge: Challenge) -> str:
            assert challenge.method == "wampcra"
            await asyncio.sleep(0)
            return compute_wcs(WAMPCRA_USER[1], challenge.extra["challenge"]).decode("ascii")

        def onJoin(self, details: SessionDetails) -> None:
            joined.set_result((details.authid, details.authmethod))
            self.leave()

    await ApplicationRunner(router.auth_url, router.realm).run(App, start_loop=False)
    assert await asyncio.wait_for(joined, 5) == (WAMPCRA_USER[0], "wampcra")


async def test_wrong_ticket_is_refused(router: Router) -> None:
    with pytest.raises(ApplicationError) as info:
        await connect(
            router.auth_url,
            router.realm,
            authentication={"ticket": {"authid": TICKET_USER[0], "ticket": "wrong"}},
        )
    assert info.value.error in (
        ApplicationError.NOT_AUTHORIZED,
        ApplicationError.AUTHENTICATION_FAILED,
        "wamp.error.authentication_denied",
    )


async def test_failing_on_challenge_aborts(router: Router) -> None:
    left = Inbox()

    class App(ApplicationSession):
        def onConnect(self) -> None:
            self.join(self.config.realm, authmethods=["ticket"], authid=TICKET_USER[0])

        def onChallenge(self, challenge: Challenge) -> Any:
            raise ValueError("no ticket here")

        def onUserError(self, fail: Any, msg: str) -> None:
            left.put(("user_error", msg))

        def onLeave(self, details: Any) -> None:
            left.put(("leave", details.reason, details.message))
            self.disconnect()

    await ApplicationRunner(router.auth_url, router.realm).run(App, start_loop=False)
    assert await left.wait(2) == [
        ("user_error", "Authentication failed"),
        ("leave", "wamp.error.cannot_authenticate", "no ticket here"),
    ]


async def test_anonymous_is_refused_where_authentication_is_required(router: Router) -> None:
    with pytest.raises(ApplicationError):
        await connect(router.auth_url, router.realm)


BOUND = {"authextra": {"channel_binding": "tls-unique"}}


async def bound_join(router: Router, method: str, credentials: dict[str, Any]) -> None:
    """Join the authenticating TLS port with ``method`` bound to the connection."""
    authentication = {method: {**credentials, **BOUND}}
    async with connect(
        router.auth_tls_url, router.realm, authentication=authentication, ssl=router.client_ssl()
    ) as session:
        assert (session.authmethod, session.authrole) == (method, "authenticated")


async def test_cryptosign_bound_to_tls(router: Router) -> None:
    """The router computes the channel id (tls-unique) the client binds its signature to."""
    await bound_join(router, "cryptosign", AUTHENTICATION["cryptosign"])


@pytest.mark.needs("wamp_scram")
async def test_wamp_scram_bound_to_tls(router: Router) -> None:
    """The spec's SCRAM, its proof bound to the TLS connection (Crossbar's own keys)."""
    await bound_join(router, "wamp-scram", AUTHENTICATION["scram"])


async def test_scram_authid_is_prepared_as_the_router_prepares_it(router: Router) -> None:
    """Crossbar puts SASLprep(authid) unescaped in the AuthMessage: so must the client."""
    authentication = {"scram": {"authid": SCRAM_PREPARED_AUTHID, "password": SCRAM_USER[1]}}
    async with connect(router.auth_url, router.realm, authentication=authentication) as session:
        assert (session.authid, session.authmethod) == (SCRAM_PREPARED_AUTHID, "scram")
