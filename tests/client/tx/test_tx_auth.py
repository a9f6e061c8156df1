"""Authentication on the Twisted face, against Crossbar.io and ``pywamp router`` on their
authenticating port: every method through ``Component(authentication=...)`` (SCRAM's KDF
in the reactor's thread pool), Autobahn's ``onConnect``/``onChallenge`` way with an
authenticator object, refusals, and cryptosign bound to the TLS connection."""

from __future__ import annotations

from typing import Any

import pytest
from routers import AUTHENTICATION, CRYPTOSIGN_USER, SCRAM_USER, Router
from twisted.internet import defer
from twisted.internet.ssl import Certificate, optionsForClientTLS
from tx_helpers import close, joined
from tx_routers import BOUND_REALM

from pywamp.exception import ApplicationError
from pywamp.twisted.component import Component
from pywamp.twisted.wamp import ApplicationSession
from pywamp.wamp.auth import AuthCryptoSign, AuthScram


@pytest.fixture(params=["crossbar", "pywamp"])
def auth_router(request: pytest.FixtureRequest) -> Router:
    """The routers whose config has the authenticating WebSocket port."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.mark.parametrize("method", sorted(AUTHENTICATION))
def test_component_authentication(run: Any, auth_router: Router, method: str) -> None:
    log: list[Any] = []

    @defer.inlineCallbacks
    def main(reactor: Any, session: Any) -> Any:
        log.append((session.authid, session.authrole, session.authmethod))
        yield session.register(lambda: "secret stuff", "com.private.proc")
        log.append((yield session.call("com.private.proc")))

    component = Component(
        main=main,
        transports={"url": auth_router.auth_url, "max_retries": 0},
        realm=auth_router.realm,
        authentication={method: AUTHENTICATION[method]},
    )
    run(component.start)
    assert log == [(AUTHENTICATION[method]["authid"], "authenticated", method), "secret stuff"]


class AutobahnWay(ApplicationSession):
    """Autobahn's way: join in ``onConnect`` with an authenticator's name, authid and
    authextra, answer in ``onChallenge``, check in ``onWelcome``."""

    def authenticator(self) -> Any:
        raise NotImplementedError

    def onConnect(self) -> None:
        self.auth = self.authenticator()
        self.join(
            self.config.realm,
            authmethods=[self.auth.name],
            authid=self.auth.authid,
            authextra=self.auth.authextra,
        )

    def onChallenge(self, challenge: Any) -> Any:
        return self.auth.on_challenge(self, challenge)

    def onWelcome(self, welcome: Any) -> Any:
        return self.auth.on_welcome(self, welcome.details.get("authextra"))


class ScramSession(AutobahnWay):
    password = SCRAM_USER[1]

    def authenticator(self) -> Any:
        return AuthScram(authid=SCRAM_USER[0], password=self.password)


def test_scram_with_on_challenge(run: Any, auth_router: Router) -> None:
    session = run(joined, auth_router.auth_url, auth_router.realm, ScramSession)
    try:
        assert (session.authid, session.authmethod) == (SCRAM_USER[0], "scram")
    finally:
        run(close, session)


def test_a_wrong_scram_password_is_refused(run: Any, auth_router: Router) -> None:
    class Wrong(ScramSession):
        password = "not the password"

    with pytest.raises(ApplicationError) as refused:
        run(joined, auth_router.auth_url, auth_router.realm, Wrong)
    # Crossbar's reason for any failed authentication, and the spec's
    expected = {
        "crossbar": "wamp.error.not_authorized",
        "pywamp": "wamp.error.authentication_failed",
    }
    assert refused.value.error == expected[auth_router.name]


class BoundSession(AutobahnWay):
    """Cryptosign bound to the TLS connection (``tls-unique``)."""

    def authenticator(self) -> Any:
        return AuthCryptoSign(
            authid=CRYPTOSIGN_USER[0],
            privkey=CRYPTOSIGN_USER[1],
            authextra={"channel_binding": "tls-unique"},
        )


@pytest.mark.parametrize("kind", ["tls_rs_url", "tls_ws_url"])
def test_cryptosign_bound_to_tls(run: Any, pywamp_router: Router, kind: str) -> None:
    """The channel id comes from Twisted's TLS once its handshake is done; the router,
    on asyncio's TLS, must compute the same."""
    options = optionsForClientTLS("127.0.0.1", trustRoot=Certificate.loadPEM(pywamp_router.ca_pem))
    url = getattr(pywamp_router, kind)
    session = run(lambda: joined(url, BOUND_REALM, BoundSession, ssl=options))
    try:
        assert (session.authid, session.authmethod) == (CRYPTOSIGN_USER[0], "cryptosign")
        assert len(session.transport_details.channel_id["tls-unique"]) == 32
    finally:
        run(close, session)
