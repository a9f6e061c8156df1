"""Authentication bound to the TLS connection (``tls-unique``), over real TLS to ``pywamp
router``: cryptosign from pywamp's client on asyncio and Twisted and from Autobahn's (so
both sides compute the channel id alike), and the spec's WAMP-SCRAM. Without TLS the
router refuses the binding."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nacl.signing
import pytest
import trustme
import txaio

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationSession as AbSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.auth import AuthCryptoSign as AbCryptoSign  # noqa: E402
from autobahn.wamp.types import ComponentConfig  # noqa: E402
from scram_credentials import principal_fields, toml_principal  # noqa: E402

from pywamp import connect  # noqa: E402
from pywamp.exception import ApplicationError  # noqa: E402
from pywamp.router.server import Router  # noqa: E402

KEY = nacl.signing.SigningKey(bytes(range(40, 72)))
PRIVKEY = KEY.encode().hex()
PUBKEY = KEY.verify_key.encode().hex()
SALT = b"binding-salt-16b"
PASSWORD = "bound password"
BOUND = {"channel_binding": "tls-unique"}


def scram_principal() -> str:
    """A spec WAMP-SCRAM principal (PBKDF2) with keys made here, outside pywamp."""
    salted = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), SALT, 2, 32)
    return toml_principal(principal_fields("pbkdf2", salted, SALT, 2), "user")


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def certificate(authority: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tls") / "router.pem"
    issued = authority.issue_cert("127.0.0.1")
    path.write_bytes(
        b"".join(blob.bytes() for blob in [issued.private_key_pem, *issued.cert_chain_pems])
    )
    return path


@pytest.fixture
async def router(tmp_path: Path, certificate: Path) -> AsyncIterator[Router]:
    path = tmp_path / "router.toml"
    path.write_text(
        '[[listeners]]\nkind = "universal"\nhost = "127.0.0.1"\nport = 0\n'
        f'tls = {{ certificate = "{certificate}" }}\n\n'
        '[[listeners]]\nkind = "universal"\nhost = "127.0.0.1"\nport = 0\n\n'
        '[[realms]]\nname = "realm1"\n[[realms.roles]]\nname = "user"\n'
        'permissions = [{ uri = "", match = "prefix", allow = { call = true, register = true } }]\n'
        "[realms.auth.cryptosign]\n"
        f'principals.dana = {{ authorized_keys = ["{PUBKEY}"], role = "user" }}\n'
        f"[realms.auth.scram]\nprincipals.sam = {scram_principal()}\n",
        encoding="utf-8",
    )
    async with Router.from_config(path) as router:
        yield router


@pytest.fixture
def client_tls(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


AUTHENTICATION = {
    "cryptosign": {"authid": "dana", "privkey": PRIVKEY, "authextra": BOUND},
    "wamp-scram": {"authid": "sam", "password": PASSWORD, "authextra": BOUND},
}


@pytest.mark.parametrize("scheme", ["wss", "rss"])
@pytest.mark.parametrize("method", sorted(AUTHENTICATION))
async def test_bound_to_the_tls_connection(
    router: Router, client_tls: ssl.SSLContext, scheme: str, method: str
) -> None:
    url = f"{scheme}://127.0.0.1:{router.port(0)}" + ("/ws" if scheme == "wss" else "")
    authentication = {method: AUTHENTICATION[method]}
    async with connect(url, "realm1", authentication=authentication, ssl=client_tls) as session:
        assert (session.authmethod, session.authrole) == (method, "user")
        ids = session.transport_details.channel_id
        assert list(ids) == ["tls-unique"] and len(ids["tls-unique"]) == 32
        # the router's side of the same connection, as its meta API shows it (in hex)
        mine = await session.call("wamp.session.get", session.session_id)
        assert mine["transport"]["channel_id"] == {"tls-unique": ids["tls-unique"].hex()}


@pytest.mark.parametrize("method", sorted(AUTHENTICATION))
async def test_without_tls_the_binding_is_refused(router: Router, method: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        async with connect(
            f"rs://127.0.0.1:{router.port(1)}",
            "realm1",
            authentication={method: AUTHENTICATION[method]},
        ):
            pass
    assert refused.value.error == "wamp.error.authentication_failed"


async def test_autobahns_bound_cryptosign_joins(router: Router, client_tls: ssl.SSLContext) -> None:
    """Autobahn's client computes the channel id its own way; the router must agree."""
    joined: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    auth = AbCryptoSign(authid="dana", privkey=PRIVKEY, authextra=BOUND)

    class Client(AbSession):
        def onConnect(self) -> None:
            self.join("realm1", authmethods=["cryptosign"], authid="dana", authextra=auth.authextra)

        def onChallenge(self, challenge: Any) -> Any:
            return auth.on_challenge(self, challenge)

        def onJoin(self, details: Any) -> None:
            joined.set_result((details.authid, details.authmethod))
            self.leave()

        def onLeave(self, details: Any) -> None:
            if not joined.done():
                joined.set_exception(RuntimeError(f"{details.reason}: {details.message}"))
            self.disconnect()

    url = f"wss://127.0.0.1:{router.port(0)}/ws"
    factory = WampWebSocketClientFactory(lambda: Client(ComponentConfig("realm1")), url=url)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_connection(
        factory, "127.0.0.1", router.port(0), ssl=client_tls, server_hostname="127.0.0.1"
    )
    try:
        assert await asyncio.wait_for(joined, 10) == ("dana", "cryptosign")
    finally:
        transport.close()


def test_channel_ids_hash_the_finished_message() -> None:
    """The binding data is SHA-256 of the first Finished message, as Autobahn takes it."""
    from pywamp.transport.base import channel_ids

    assert channel_ids(b"finished") == {"tls-unique": hashlib.sha256(b"finished").digest()}
    assert channel_ids(None) == {}
