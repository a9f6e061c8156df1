"""Authentication over real sockets: Autobahn's own client authenticators against a
pywamp Router configured by a TOML file (static principals and dynamic authenticators)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nacl.signing
import pytest
from auth_harness import (
    Outcome,
    attempt,
    joined,
    listeners_toml,
    start_router,
    toml_string,
    wait,
)
from autobahn.wamp.auth import AuthCryptoSign, AuthScram, AuthTicket, AuthWampCra, derive_key
from autobahn.wamp.exception import ApplicationError
from io_harness import RawPeer
from scram_credentials import scram_credential

from pywamp import _native
from pywamp.router.server import Router

FAILED = "wamp.error.authentication_failed"

TICKET = "tkt-alice-7Qx9"
CRA_SECRET = "cra-bob-secret-k2"
CRA_PASSWORD = "cra-carl-password-m4"
CRA_SALT = "salt-carl"
SCRAM_PASSWORD = "scram-erin-password-p8"
AUTHENTICATOR_TICKET = "tkt-authenticator-z5"
DYN_TICKET = "dyn-ticket-w3"
DYN_CRA_SECRET = "dyn-cra-secret-v6"
SECRETS = (
    TICKET,
    CRA_SECRET,
    CRA_PASSWORD,
    SCRAM_PASSWORD,
    AUTHENTICATOR_TICKET,
    DYN_TICKET,
    DYN_CRA_SECRET,
    "wrong-secret-h7",
)

DANA = nacl.signing.SigningKey(bytes(range(32)))
DANA_PRIV = DANA.encode().hex()
DANA_PUB = DANA.verify_key.encode().hex()
STRANGER_PRIV = nacl.signing.SigningKey(bytes(range(1, 33))).encode().hex()


ERIN = scram_credential(SCRAM_PASSWORD, b"erin-salt-16byte")
#: An authid SASLprep changes (the ligature becomes "fi"), with "=" and "," that Autobahn's
#: AuthMessage leaves unescaped.
FIONA = "\ufb01ona=1,x"
CARL_KEY = derive_key(CRA_PASSWORD, CRA_SALT, 100, 32).decode()  # what the router keeps
STORED = (CARL_KEY, ERIN["stored-key"], ERIN["server-key"])  # secret on the router's side


def toml_table(values: dict[str, Any]) -> str:
    """An inline TOML table of strings, ints and string lists."""
    items = []
    for key, value in values.items():
        if isinstance(value, list):
            text = "[" + ", ".join(toml_string(v) for v in value) + "]"
        elif isinstance(value, int):
            text = str(value)
        else:
            text = toml_string(value)
        items.append(f"{toml_string(key)} = {text}")
    return "{ " + ", ".join(items) + " }"


def config_text() -> str:
    erin = toml_table({**ERIN, "role": "user"})
    dynamic = (
        '{ type = "dynamic", authenticator = "com.example.authenticate", '
        'authenticator-realm = "auth", timeout = 0.5 }'
    )
    return (
        listeners_toml()
        + f"""
[[realms]]
name = "static"
[[realms.roles]]
name = "user"
permissions = [{{ uri = "", match = "prefix", allow = {{ call = true, subscribe = true }} }}]
[realms.auth.ticket]
principals.alice = {{ ticket = {toml_string(TICKET)}, role = "user" }}
principals.ghost = {{ ticket = {toml_string(TICKET)}, role = "nobody" }}
[realms.auth.wampcra]
users.bob = {{ secret = {toml_string(CRA_SECRET)}, role = "user" }}
[realms.auth.wampcra.users.carl]
secret = {toml_string(CRA_PASSWORD)}
role = "user"
salt = "{CRA_SALT}"
iterations = 100
keylen = 32
[realms.auth.cryptosign]
principals.dana = {{ authorized_keys = ["{DANA_PUB}"], role = "user" }}
[realms.auth.scram]
principals.erin = {erin}
principals.{toml_string(FIONA)} = {erin}

[[realms]]
name = "open"
auth.anonymous = {{ role = "guest" }}

[[realms]]
name = "dyn"
auth.ticket = {dynamic}
auth.wampcra = {dynamic}
auth.cryptosign = {dynamic}
auth.scram = {dynamic}

[[realms]]
name = "auth"
[[realms.roles]]
name = "trusted"
permissions = [{{ uri = "com.example.authenticate", allow = {{ register = true }} }}]
[realms.auth.ticket.principals]
authenticator = {{ ticket = {toml_string(AUTHENTICATOR_TICKET)}, role = "trusted" }}
"""
    )


@pytest.fixture
async def router(tmp_path: Path) -> AsyncIterator[Router]:
    async with start_router(tmp_path, "router.toml", config_text()) as router:
        yield router


def refused(outcome: Outcome, reason: str) -> str:
    """The join was refused with ``reason``; no secret is in the ABORT's message."""
    assert outcome.details is None, outcome.details
    assert outcome.reason == reason, (outcome.reason, outcome.message)
    text = outcome.message or ""
    assert not any(s in text for s in SECRETS), text
    return text


# -- static principals ----------------------------------------------------------------


@pytest.mark.parametrize("websocket", [False, True], ids=["rawsocket", "websocket"])
async def test_ticket(router: Router, websocket: bool) -> None:
    client = await joined(
        router, "static", AuthTicket(authid="alice", ticket=TICKET), websocket=websocket
    )
    details = client.joined.result()
    assert (details.authid, details.authrole) == ("alice", "user")
    assert (details.authmethod, details.authprovider) == ("ticket", "static")
    assert await wait(client.call("wamp.session.count")) == 1  # it may act
    await client.close()


async def test_wrong_ticket_and_unknown_authid_fail_alike(router: Router) -> None:
    wrong = await attempt(router, "static", AuthTicket(authid="alice", ticket="wrong-secret-h7"))
    unknown = await attempt(router, "static", AuthTicket(authid="mallory", ticket=TICKET))
    assert refused(wrong, FAILED) == refused(unknown, FAILED)
    assert [c.method for c in wrong.client.challenges] == ["ticket"]
    assert [c.method for c in unknown.client.challenges] == ["ticket"]  # challenged alike


async def test_a_principal_whose_role_the_realm_lacks_is_refused(router: Router) -> None:
    outcome = await attempt(router, "static", AuthTicket(authid="ghost", ticket=TICKET))
    refused(outcome, "wamp.error.no_such_role")


async def test_wampcra_plain(router: Router) -> None:
    client = await joined(router, "static", AuthWampCra(authid="bob", secret=CRA_SECRET))
    details = client.joined.result()
    assert (details.authid, details.authrole, details.authmethod) == ("bob", "user", "wampcra")
    # the session id signed inside the challenge is the one the router assigned
    assert f'"session": {details.session}' in client.challenges[0].extra["challenge"]
    await client.close()


async def test_wampcra_salted(router: Router) -> None:
    client = await joined(router, "static", AuthWampCra(authid="carl", secret=CRA_PASSWORD))
    extra = client.challenges[0].extra
    assert (extra["salt"], extra["iterations"], extra["keylen"]) == (CRA_SALT, 100, 32)
    assert client.joined.result().authid == "carl"
    await client.close()


async def test_wampcra_wrong_secret_and_unknown_authid_fail_alike(router: Router) -> None:
    plain = await attempt(router, "static", AuthWampCra(authid="bob", secret="wrong-secret-h7"))
    salted = await attempt(router, "static", AuthWampCra(authid="carl", secret="wrong-secret-h7"))
    unknown = await attempt(router, "static", AuthWampCra(authid="mallory", secret=CRA_SECRET))
    assert refused(plain, FAILED) == refused(salted, FAILED) == refused(unknown, FAILED)
    # the unknown authid got a salted challenge too: nothing tells it apart from carl's
    assert set(unknown.client.challenges[0].extra) == set(salted.client.challenges[0].extra)


async def test_cryptosign(router: Router) -> None:
    auth = AuthCryptoSign(privkey=DANA_PRIV, authid="dana")
    client = await joined(router, "static", auth)
    details = client.joined.result()
    assert (details.authid, details.authrole, details.authmethod) == ("dana", "user", "cryptosign")
    await client.close()
    # without an authid the key alone names the principal
    client = await joined(router, "static", AuthCryptoSign(privkey=DANA_PRIV))
    assert client.joined.result().authid == "dana"
    await client.close()


async def test_cryptosign_unknown_key_and_wrong_authid_fail_alike(router: Router) -> None:
    stranger = await attempt(router, "static", AuthCryptoSign(privkey=STRANGER_PRIV, authid="dana"))
    other = await attempt(router, "static", AuthCryptoSign(privkey=DANA_PRIV, authid="bob"))
    assert refused(stranger, FAILED) == refused(other, FAILED)


async def test_scram_with_autobahns_client(router: Router) -> None:
    auth = AuthScram(authid="erin", password=SCRAM_PASSWORD)
    client = await joined(router, "static", auth)  # its on_welcome checked the router
    details = client.joined.result()
    assert (details.authid, details.authmethod) == ("erin", "scram")
    assert client.challenges[0].extra["kdf"] == "argon2id-13"
    await client.close()


async def test_scram_authid_prepared_as_autobahn_prepares_it(router: Router) -> None:
    client = await joined(router, "static", AuthScram(authid=FIONA, password=SCRAM_PASSWORD))
    assert client.joined.result().authid == FIONA
    await client.close()


async def test_scram_wrong_password_and_unknown_authid_fail_alike(router: Router) -> None:
    wrong = await attempt(router, "static", AuthScram(authid="erin", password="wrong-secret-h7"))
    unknown = await attempt(router, "static", AuthScram(authid="mallory", password="x"))
    assert refused(wrong, FAILED) == refused(unknown, FAILED)


async def test_anonymous(router: Router) -> None:
    client = await joined(router, "open")
    details = client.joined.result()
    assert (details.authrole, details.authmethod) == ("guest", "anonymous")
    assert details.authid  # a random one
    await client.close()


async def test_unsupported_method_unknown_realm(router: Router) -> None:
    # the realm allows ticket, wampcra, cryptosign and scram, but not anonymous
    refused(await attempt(router, "static"), "wamp.error.no_auth_method")
    # a method the realm lacks, although the client could answer it
    outcome = await attempt(router, "open", AuthTicket(authid="alice", ticket=TICKET))
    refused(outcome, "wamp.error.no_auth_method")
    outcome = await attempt(router, "nowhere", AuthTicket(authid="alice", ticket=TICKET))
    refused(outcome, "wamp.error.no_such_realm")


# -- dynamic authenticator ------------------------------------------------------------


class Authenticator:
    """The procedure a trusted session registers: decides by the authid it is given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, dict[str, Any]]] = []

    async def __call__(self, realm: str, authid: str | None, details: dict[str, Any]) -> Any:
        self.calls.append((realm, authid, details))
        method = details["authmethod"]
        if authid == "sleepy":
            await asyncio.sleep(3)
        if authid == "raiser":
            raise ApplicationError("com.example.not_today", "come back tomorrow")
        if authid == "odd":
            return 42
        if method == "ticket":
            if details["ticket"] != DYN_TICKET:
                raise ApplicationError(FAILED, "wrong ticket")
            return {"role": "member", "authid": f"{authid}@dyn", "extra": {"tier": 2}}
        if method == "wampcra":
            return {"secret": DYN_CRA_SECRET, "role": "member"}
        if method == "cryptosign":
            return {"pubkey": DANA_PUB, "role": "device", "authid": "device-1"}
        return {**ERIN, "role": "member"}


@pytest.fixture
async def authenticator(router: Router) -> AsyncIterator[Authenticator]:
    procedure = Authenticator()
    auth = AuthTicket(authid="authenticator", ticket=AUTHENTICATOR_TICKET)
    trusted = await joined(router, "auth", auth)
    await wait(trusted.register(procedure, "com.example.authenticate"))
    yield procedure
    await trusted.close()


async def test_dynamic_ticket(router: Router, authenticator: Authenticator) -> None:
    client = await joined(router, "dyn", AuthTicket(authid="zoe", ticket=DYN_TICKET))
    details = client.joined.result()
    assert (details.authid, details.authrole) == ("zoe@dyn", "member")
    assert (details.authmethod, details.authprovider) == ("ticket", "dynamic")
    assert details.authextra == {"tier": 2}
    [(realm, authid, info)] = authenticator.calls
    assert (realm, authid, info["authmethod"]) == ("dyn", "zoe", "ticket")
    assert info["ticket"] == DYN_TICKET
    assert info["session"] == details.session
    assert info["transport"]["type"] == "rawsocket"
    await client.close()


async def test_dynamic_ticket_refused_by_the_procedure(
    router: Router, authenticator: Authenticator
) -> None:
    outcome = await attempt(router, "dyn", AuthTicket(authid="zoe", ticket="wrong-secret-h7"))
    refused(outcome, FAILED)
    # the procedure's own error is the ABORT, as in Crossbar
    outcome = await attempt(router, "dyn", AuthTicket(authid="raiser", ticket=DYN_TICKET))
    assert refused(outcome, "com.example.not_today") == "come back tomorrow"
    outcome = await attempt(router, "dyn", AuthTicket(authid="odd", ticket=DYN_TICKET))
    refused(outcome, FAILED)


async def test_dynamic_authenticator_timeout_and_absence(
    router: Router, authenticator: Authenticator
) -> None:
    started = asyncio.get_running_loop().time()
    outcome = await attempt(router, "dyn", AuthTicket(authid="sleepy", ticket=DYN_TICKET))
    refused(outcome, FAILED)
    assert asyncio.get_running_loop().time() - started < 2.5  # the 0.5 s timeout, not 3 s


async def test_no_dynamic_authenticator_registered(router: Router) -> None:
    outcome = await attempt(router, "dyn", AuthTicket(authid="zoe", ticket=DYN_TICKET))
    refused(outcome, FAILED)


async def test_dynamic_wampcra_cryptosign_scram(
    router: Router, authenticator: Authenticator
) -> None:
    client = await joined(router, "dyn", AuthWampCra(authid="yan", secret=DYN_CRA_SECRET))
    details = client.joined.result()
    assert (details.authid, details.authrole, details.authprovider) == ("yan", "member", "dynamic")
    await client.close()
    refused(await attempt(router, "dyn", AuthWampCra(authid="yan", secret="x")), FAILED)

    client = await joined(router, "dyn", AuthCryptoSign(privkey=DANA_PRIV))
    details = client.joined.result()
    assert (details.authid, details.authrole) == ("device-1", "device")
    assert details.authmethod == "cryptosign"
    await client.close()
    refused(await attempt(router, "dyn", AuthCryptoSign(privkey=STRANGER_PRIV)), FAILED)
    info = authenticator.calls[-1][2]
    assert (
        info["authextra"]["pubkey"]
        == nacl.signing.SigningKey(binascii.unhexlify(STRANGER_PRIV)).verify_key.encode().hex()
    )

    client = await joined(router, "dyn", AuthScram(authid="xia", password=SCRAM_PASSWORD))
    assert client.joined.result().authrole == "member"
    await client.close()
    refused(await attempt(router, "dyn", AuthScram(authid="xia", password="x")), FAILED)


# -- secrets never logged -------------------------------------------------------------


async def test_no_secret_is_logged(
    router: Router, authenticator: Authenticator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        tries = [
            ("static", AuthTicket(authid="alice", ticket=TICKET)),
            ("static", AuthTicket(authid="alice", ticket="wrong-secret-h7")),
            ("static", AuthWampCra(authid="bob", secret=CRA_SECRET)),
            ("static", AuthWampCra(authid="carl", secret=CRA_PASSWORD)),
            ("static", AuthWampCra(authid="bob", secret="wrong-secret-h7")),
            ("static", AuthScram(authid="erin", password=SCRAM_PASSWORD)),
            ("static", AuthScram(authid="erin", password="wrong-secret-h7")),
            ("dyn", AuthTicket(authid="zoe", ticket=DYN_TICKET)),
            ("dyn", AuthTicket(authid="zoe", ticket="wrong-secret-h7")),
            ("dyn", AuthTicket(authid="sleepy", ticket=DYN_TICKET)),
            ("dyn", AuthWampCra(authid="yan", secret=DYN_CRA_SECRET)),
        ]
        for realm, auth in tries:
            outcome = await attempt(router, realm, auth)
            if outcome.details is not None:
                await outcome.client.close()
        await asyncio.sleep(0.1)
    router_records = [r for r in caplog.records if r.name.startswith("pywamp")]
    assert router_records  # the failures of the dynamic authenticator were logged
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + (record.exc_text or "")
        encoded = [base64.b64encode(s.encode()).decode() for s in SECRETS]
        leaked = [s for s in (*SECRETS, *encoded, *STORED) if s in text]
        assert not leaked, (record.name, text)


async def test_an_in_process_session_can_be_the_authenticator(router: Router) -> None:
    local = RawPeer()
    router.connect_inprocess(local)
    hello = {"roles": {"callee": {}}, "authmethods": ["ticket"], "authid": "authenticator"}
    local.send(_native.Hello("auth", hello))
    await local.next(_native.Challenge)
    local.send(_native.Authenticate(AUTHENTICATOR_TICKET, {}))
    await local.next(_native.Welcome)
    local.send(_native.Register(1, {}, "com.example.authenticate"))
    await local.next(_native.Registered)

    pending = asyncio.ensure_future(
        attempt(router, "dyn", AuthTicket(authid="kim", ticket=DYN_TICKET))
    )
    invocation = await local.next(_native.Invocation)
    assert invocation.args[:2] == ["dyn", "kim"] and invocation.args[2]["ticket"] == DYN_TICKET
    local.send(_native.Yield(invocation.request_id, {}, ["member"]))
    outcome = await wait(pending)
    assert outcome.details is not None
    assert (outcome.details.authid, outcome.details.authrole) == ("kim", "member")
    await outcome.client.close()
    local.close()
