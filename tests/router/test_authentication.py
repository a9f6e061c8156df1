"""Static authenticators through the sans-IO core, with real client-side signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from types import SimpleNamespace
from typing import Any

import nacl.signing
import pytest
from autobahn.wamp.auth import compute_wcs, derive_key
from router_harness import BASIC_ROLES, Client, Net
from wampproto.auth.cryptosign import sign_cryptosign_challenge  # type: ignore[import-untyped]

from pywamp._native import Abort, Authenticate, Challenge, Hello, Welcome
from pywamp.router import RealmConfig
from pywamp.router.authenticators import (
    AnonymousAuthenticator,
    Authentication,
    CryptosignAuthenticator,
    Principal,
    TicketAuthenticator,
    WampCraAuthenticator,
)
from pywamp.router.scram import ScramAuthenticator, scram_principal
from pywamp.wamp.auth import AuthWampCra
from pywamp.wamp.cryptosign import CryptosignKey

FAILED = "wamp.error.authentication_failed"
SECRETS = ("s3cret-ticket", "cra-secret", "cra-password", "pencil")


def hello(
    net: Net, realm: str = "realm1", transport: dict[str, Any] | None = None, **d: Any
) -> Client:
    client = net.attach(transport)
    client.send(Hello(realm, {"roles": BASIC_ROLES, **d}))
    return client


def aborted(client: Client) -> Abort:
    """The client got ABORT and its transport is closed; no secret in the text."""
    abort: Abort = client.take_one(Abort)
    assert client.closed == abort.reason
    text = json.dumps(abort.details)
    assert not any(s in text for s in SECRETS), text
    return abort


def realm(*methods: tuple[str, Any], roles: Any = None) -> Net:
    return Net(RealmConfig(authenticator=Authentication(dict(methods), roles)))


# -- ticket ---------------------------------------------------------------------------

TICKETS = TicketAuthenticator([Principal("alice", "user", ticket="s3cret-ticket")])


def test_ticket_accepts_the_right_ticket() -> None:
    net = realm(("ticket", TICKETS))
    client = hello(net, authmethods=["ticket"], authid="alice")
    challenge = client.take_one(Challenge)
    assert (challenge.authmethod, challenge.extra) == ("ticket", {})
    client.send(Authenticate("s3cret-ticket", {}))
    welcome = client.take_one(Welcome)
    details = welcome.details
    assert (details["authid"], details["authrole"], details["authmethod"]) == (
        "alice",
        "user",
        "ticket",
    )
    assert details["authprovider"] == "static"


def test_ticket_wrong_and_unknown_authid_abort_the_same_way() -> None:
    net = realm(("ticket", TICKETS))
    answers = []
    for authid, ticket in (("alice", "wrong"), ("mallory", "s3cret-ticket"), ("alice", "")):
        client = hello(net, authmethods=["ticket"], authid=authid)
        client.take_one(Challenge)  # unknown authids are challenged too
        client.send(Authenticate(ticket, {}))
        abort = aborted(client)
        answers.append((abort.reason, abort.details))
    assert answers[0][0] == FAILED
    assert answers[0] == answers[1] == answers[2]


def test_a_challenge_expires_and_answers_once() -> None:
    net = realm(("ticket", TicketAuthenticator(TICKETS.principals.values(), challenge_timeout=5)))
    client = hello(net, authmethods=["ticket"], authid="alice")
    client.take_one(Challenge)
    net.now += 6
    client.send(Authenticate("s3cret-ticket", {}))
    assert aborted(client).reason == FAILED


# -- WAMP-CRA -------------------------------------------------------------------------

CRA = WampCraAuthenticator(
    [
        Principal("peter", "user", secret="cra-secret"),
        Principal(
            "salty",
            "admin",
            secret=derive_key("cra-password", "salt123", 100, 16).decode(),
            salt="salt123",
            iterations=100,
            keylen=16,
        ),
    ]
)


def cra_join(net: Net, authid: str, secret: str) -> tuple[Client, Challenge]:
    client = hello(net, authmethods=["wampcra"], authid=authid)
    challenge = client.take_one(Challenge)
    peer = AuthWampCra(authid=authid, secret=secret)
    signature = peer.on_challenge(None, SimpleNamespace(method="wampcra", extra=challenge.extra))
    client.send(Authenticate(str(signature), {}))
    return client, challenge


def test_wampcra_challenge_and_autobahn_signature() -> None:
    net = realm(("wampcra", CRA))
    client = hello(net, authmethods=["wampcra"], authid="peter")
    challenge = client.take_one(Challenge)
    assert challenge.authmethod == "wampcra"
    assert set(challenge.extra) == {"challenge"}
    signed = json.loads(challenge.extra["challenge"])
    assert set(signed) == {
        "nonce",
        "authprovider",
        "authid",
        "authrole",
        "authmethod",
        "session",
        "timestamp",
    }
    assert (signed["authid"], signed["authrole"], signed["authmethod"]) == (
        "peter",
        "user",
        "wampcra",
    )
    assert signed["timestamp"] == "2023-11-14T22:13:20.000Z"  # the harness clock
    signature = compute_wcs(b"cra-secret", challenge.extra["challenge"].encode())
    client.send(Authenticate(signature.decode(), {}))
    welcome = client.take_one(Welcome)
    assert welcome.session == signed["session"]  # the session id the client signed
    assert welcome.details["authmethod"] == "wampcra"


def test_wampcra_nonces_differ() -> None:
    net = realm(("wampcra", CRA))
    nonces = set()
    for _ in range(5):
        challenge = hello(net, authmethods=["wampcra"], authid="peter").take_one(Challenge)
        nonces.add(json.loads(challenge.extra["challenge"])["nonce"])
    assert len(nonces) == 5


def test_wampcra_salted_with_the_pywamp_client() -> None:
    net = realm(("wampcra", CRA))
    client, challenge = cra_join(net, "salty", "cra-password")
    assert challenge.extra["salt"] == "salt123"
    assert (challenge.extra["iterations"], challenge.extra["keylen"]) == (100, 16)
    assert client.take_one(Welcome).details["authrole"] == "admin"


def test_wampcra_wrong_secret_and_unknown_authid_abort_the_same_way() -> None:
    net = realm(("wampcra", CRA))
    wrong, _ = cra_join(net, "peter", "guess")
    unknown, decoy = cra_join(net, "nobody", "cra-secret")
    salted_wrong, _ = cra_join(net, "salty", "cra-secret")
    answers = {
        (a.reason, json.dumps(a.details)) for a in map(aborted, (wrong, unknown, salted_wrong))
    }
    assert len(answers) == 1 and next(iter(answers))[0] == FAILED
    # The decoy looks like a salted challenge, with the same salt every time.
    again = hello(net, authmethods=["wampcra"], authid="nobody").take_one(Challenge)
    assert decoy.extra["salt"] == again.extra["salt"] != "salt123"


def test_wampcra_garbage_signature_fails() -> None:
    net = realm(("wampcra", CRA))
    for garbage in ("", "not base64!", "AAAA", "é" * 44):
        client = hello(net, authmethods=["wampcra"], authid="peter")
        client.take_one(Challenge)
        client.send(Authenticate(garbage, {}))
        assert aborted(client).reason == FAILED


# -- cryptosign -----------------------------------------------------------------------

# From the spec's "Test Vectors" (authentication_cryptosign.md).
VECTORS = [
    (
        None,
        "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510",
        "ff" * 32,
        "b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb"
        "71081464e6e75013517c2cf067ad566a6b7b728e5d03" + "ff" * 32,
    ),
    (
        None,
        "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd",
        "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
        "d4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b0422"
        "94af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660fb26c1f87c13fc1da14997f1b5a71995dff8fbe0a"
        "62fae8473c7bdbd05bfb607d",
    ),
    (
        None,
        "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b",
        "b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
        "7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda07"
        "5af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30bb05e6b8ad4d69abf74aa3be3c0ee40ae07d66e18"
        "95b9ab09285a2f1192d562d2",
    ),
    (
        "62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff",
        "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510",
        "ff" * 32,
        "9b6f41540c9b95b4b7b281c3042fa9c54cef43c842d62ea3fd6030fcb66e70b3e80d49d44c29d1635da9"
        "348d02ec93f3ed1ef227dfb59a07b580095c2b82f80f9d16ca518aa0c2b707f2b2a609edeca73bca8dd5"
        "9817a633f35574ac6fd80d00",
    ),
    (
        "62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff",
        "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd",
        "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
        "305aaa3ac25e98f651427688b3fc43fe7d8a68a7ec1d7d61c61517c519bd4a427c3015599d83ca28b4c6"
        "52333920223844ef0725eb5dc2febfd6af7677b73f01d0852a29b460fc92ec943242ac638a053bbacc20"
        "0512b18b30d15083cbdc9282",
    ),
    (
        "62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff",
        "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b",
        "b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
        "ee3c7644fd8070532bc1fde3d70d742267da545d8c8f03e63bda63f1ad4214f4d2c4bfdb4eb9526def42"
        "deeb7e31602a6ff99eba893e0a4ad4d45892ca75e608d2b75e24a189a7f78ca776ba36fc53f6c3e31c32"
        "f251f2c524f0a44202f2902d",
    ),
]


def pubkey(private_hex: str) -> str:
    return CryptosignKey.from_bytes(bytes.fromhex(private_hex)).public_key()


@pytest.mark.parametrize(("channel_id", "private", "challenge", "signature"), VECTORS)
def test_cryptosign_spec_test_vectors(
    channel_id: str | None, private: str, challenge: str, signature: str
) -> None:
    auth = CryptosignAuthenticator(
        [Principal("vector", "user", pubkeys=(pubkey(private),))],
        challenge=lambda: bytes.fromhex(challenge),
    )
    net = realm(("cryptosign", auth))
    transport: dict[str, Any] = {"type": "test"}
    extra = {"pubkey": pubkey(private)}
    if channel_id is not None:
        transport["channel_id"] = {"tls-unique": bytes.fromhex(channel_id)}
        extra["channel_binding"] = "tls-unique"
    client = hello(net, transport=transport, authmethods=["cryptosign"], authextra=extra)
    sent = client.take_one(Challenge)
    assert sent.extra == {"challenge": challenge, "channel_binding": extra.get("channel_binding")}
    client.send(Authenticate(signature, {}))
    welcome = client.take_one(Welcome)
    assert (welcome.details["authid"], welcome.details["authmethod"]) == ("vector", "cryptosign")
    # And the pywamp client computes exactly the vector's signature.
    key = CryptosignKey.from_bytes(bytes.fromhex(private))
    binding = bytes.fromhex(channel_id) if channel_id else None
    mine = key.sign_challenge(
        SimpleNamespace(method="cryptosign", extra=sent.extra),
        binding,
        "tls-unique" if binding else None,
    )
    assert str(mine) == signature


KEY = nacl.signing.SigningKey.generate()
KEY_HEX = KEY.verify_key.encode().hex()
SIGN = CryptosignAuthenticator([Principal("client01@example.com", "user", pubkeys=(KEY_HEX,))])


def sign_join(net: Net, key: nacl.signing.SigningKey, **details: Any) -> Client:
    extra = {"pubkey": key.verify_key.encode().hex()}
    client = hello(net, authmethods=["cryptosign"], authextra=extra, **details)
    challenge = client.take_one(Challenge)
    assert len(bytes.fromhex(challenge.extra["challenge"])) == 32
    client.send(Authenticate(sign_cryptosign_challenge(challenge.extra["challenge"], key), {}))
    return client


def test_cryptosign_with_the_wampproto_peer() -> None:
    net = realm(("cryptosign", SIGN))
    welcome = sign_join(net, KEY).take_one(Welcome)
    assert welcome.details["authid"] == "client01@example.com"
    welcome = sign_join(net, KEY, authid="client01@example.com").take_one(Welcome)
    assert welcome.details["authrole"] == "user"


def test_cryptosign_failures_abort_the_same_way() -> None:
    net = realm(("cryptosign", SIGN))
    stranger = nacl.signing.SigningKey.generate()
    unknown = sign_join(net, stranger)
    other_authid = sign_join(net, KEY, authid="someone-else")
    forged = hello(net, authmethods=["cryptosign"], authextra={"pubkey": KEY_HEX})
    challenge = forged.take_one(Challenge).extra["challenge"]
    forged.send(Authenticate(sign_cryptosign_challenge(challenge, stranger), {}))
    replay = hello(net, authmethods=["cryptosign"], authextra={"pubkey": KEY_HEX})
    replay.take_one(Challenge)
    replay.send(Authenticate(sign_cryptosign_challenge("00" * 32, KEY), {}))
    answers = {
        (a.reason, json.dumps(a.details))
        for a in map(aborted, (unknown, other_authid, forged, replay))
    }
    assert len(answers) == 1 and next(iter(answers))[0] == FAILED


def test_cryptosign_refuses_bad_pubkeys_and_unavailable_bindings() -> None:
    net = realm(("cryptosign", SIGN))
    for extra in ({}, {"pubkey": "zz" * 32}, {"pubkey": KEY_HEX[:-2]}):
        assert aborted(hello(net, authmethods=["cryptosign"], authextra=extra)).reason == FAILED
    for binding in ("tls-unique", "tls-exporter", 7):
        bad: dict[str, Any] = {"pubkey": KEY_HEX, "channel_binding": binding}
        assert aborted(hello(net, authmethods=["cryptosign"], authextra=bad)).reason == FAILED


# -- SCRAM ----------------------------------------------------------------------------

# RFC 7677 section 3 (SCRAM-SHA-256): the spec's own example uses these values.
RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO"
RFC_SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
RFC_SALT = "W22ZaJ0SNY7soEsUEjb6gQ=="
RFC_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
RFC_VERIFIER = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

SCRAM_USER = scram_principal("user", "frontend", "pencil", salt=RFC_SALT, iterations=4096)


def scram_net() -> Net:
    scram = ScramAuthenticator([SCRAM_USER], server_nonce=lambda: RFC_SERVER_NONCE)
    return realm(("wamp-scram", scram), ("scram", scram))


@pytest.mark.parametrize("method", ["wamp-scram", "scram"])
def test_scram_rfc7677_vector(method: str) -> None:
    net = scram_net()
    client = hello(net, authmethods=[method], authid="user", authextra={"nonce": RFC_CLIENT_NONCE})
    challenge = client.take_one(Challenge)
    nonce = RFC_CLIENT_NONCE + RFC_SERVER_NONCE
    assert challenge.authmethod == method
    assert challenge.extra == {
        "nonce": nonce,
        "salt": RFC_SALT,
        "kdf": "pbkdf2",
        "iterations": 4096,
    }  # no memory for pbkdf2 (Autobahn's client fails on a null one)
    client.send(Authenticate(RFC_PROOF, {"nonce": nonce, "channel_binding": None}))
    welcome = client.take_one(Welcome)
    assert welcome.details["authmethod"] == method
    assert welcome.details["authrole"] == "frontend"
    assert welcome.details["authextra"]["verifier"] == RFC_VERIFIER


def rfc5802(password: str, auth_message: str) -> tuple[str, str]:
    """ClientProof and ServerSignature (base64) over ``auth_message``, written out from
    RFC 5802 section 3 with PBKDF2 at the RFC salt and 4096 rounds."""
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(RFC_SALT), 4096)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    signature = hmac.digest(hashlib.sha256(client_key).digest(), auth_message.encode(), "sha256")
    proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
    server = hmac.digest(
        hmac.digest(salted, b"Server Key", "sha256"), auth_message.encode(), "sha256"
    )
    return base64.b64encode(proof).decode(), base64.b64encode(server).decode()


# SASLprep turns the ligature into "fi"; RFC 5802 escapes "=" and "," as =3D and =2C,
# Autobahn and Crossbar leave them as they are.
@pytest.mark.parametrize(
    ("method", "username", "cbind", "extra"),
    [
        ("wamp-scram", "fiona=3D1=2Cx", "biws", {"nonce": RFC_CLIENT_NONCE + RFC_SERVER_NONCE}),
        ("scram", "fiona=1,x", "", {}),
    ],
)
def test_scram_auth_message_holds_the_saslprepped_authid(
    method: str, username: str, cbind: str, extra: dict[str, str]
) -> None:
    fiona = scram_principal("\ufb01ona=1,x", "frontend", "pencil", salt=RFC_SALT, iterations=4096)
    scram = ScramAuthenticator([fiona], server_nonce=lambda: RFC_SERVER_NONCE)
    net = realm((method, scram))
    client = hello(
        net, authmethods=[method], authid="\ufb01ona=1,x", authextra={"nonce": RFC_CLIENT_NONCE}
    )
    client.take_one(Challenge)
    nonce = RFC_CLIENT_NONCE + RFC_SERVER_NONCE
    proof, verifier = rfc5802(
        "pencil",
        f"n={username},r={RFC_CLIENT_NONCE},r={nonce},s={RFC_SALT},i=4096,c={cbind},r={nonce}",
    )
    client.send(Authenticate(proof, extra))
    welcome = client.take_one(Welcome)
    assert welcome.details["authid"] == "\ufb01ona=1,x"  # the principal as named
    assert welcome.details["authextra"]["verifier"] == verifier


def test_scram_refuses_an_authid_saslprep_forbids() -> None:
    net = scram_net()
    authextra = {"nonce": RFC_CLIENT_NONCE}
    client = hello(net, authmethods=["wamp-scram"], authid="us\u0007er", authextra=authextra)
    abort = aborted(client)
    assert abort.reason == FAILED
    assert "control character (U+0007" in abort.details["message"]


def test_scram_failures_abort_the_same_way() -> None:
    net = scram_net()
    nonce = RFC_CLIENT_NONCE + RFC_SERVER_NONCE
    attempts = [
        ("user", base64.b64encode(b"\0" * 32).decode(), nonce),  # wrong proof
        ("user", RFC_PROOF, nonce[:-1] + "x"),  # wrong nonce
        ("nobody", RFC_PROOF, nonce),  # unknown user
    ]
    answers = set()
    salts = set()
    for authid, proof, sent_nonce in attempts:
        extra = {"nonce": RFC_CLIENT_NONCE}
        client = hello(net, authmethods=["wamp-scram"], authid=authid, authextra=extra)
        salts.add(client.take_one(Challenge).extra["salt"])
        client.send(Authenticate(proof, {"nonce": sent_nonce}))
        abort = aborted(client)
        answers.add((abort.reason, json.dumps(abort.details)))
    assert len(answers) == 1 and next(iter(answers))[0] == FAILED
    assert len(salts) == 2  # the unknown user gets a decoy salt


def test_scram_refuses_argon2id13_without_memory_and_unknown_kdfs() -> None:
    with pytest.raises(ValueError, match="memory"):
        scram_principal("a", "r", "pw", kdf="argon2id13")
    with pytest.raises(ValueError, match="unknown SCRAM kdf"):
        scram_principal("a", "r", "pw", kdf="bcrypt")


@pytest.mark.parametrize("method", ["wamp-scram", "scram"])
@pytest.mark.parametrize("kdf", ["argon2id13", "argon2id-13"])
def test_scram_challenge_names_the_kdf_the_keys_were_made_with(method: str, kdf: str) -> None:
    """``argon2id13`` keys are the spec's, ``argon2id-13`` keys Autobahn's and Crossbar's:
    the CHALLENGE says which, whatever the method's name, so the client derives the same."""
    user = scram_principal("u", "r", "pw", salt=RFC_SALT, kdf=kdf, iterations=1, memory=8)
    net = realm((method, ScramAuthenticator([user])))
    client = hello(net, authmethods=[method], authid="u", authextra={"nonce": RFC_CLIENT_NONCE})
    extra = client.take_one(Challenge).extra
    assert (extra["kdf"], extra["iterations"], extra["memory"]) == (kdf, 1, 8)


# -- choosing the method, realms and roles --------------------------------------------


def test_the_clients_order_decides_among_allowed_methods() -> None:
    net = realm(("ticket", TICKETS), ("wampcra", CRA))
    client = hello(net, authmethods=["cryptosign", "wampcra", "ticket"], authid="peter")
    assert client.take_one(Challenge).authmethod == "wampcra"
    client = hello(net, authmethods=["ticket", "wampcra"], authid="alice")
    assert client.take_one(Challenge).authmethod == "ticket"


def test_no_allowed_method_aborts_with_no_auth_method() -> None:
    net = realm(("ticket", TICKETS))
    for methods in (["cryptosign"], [], None):
        details: dict[str, Any] = {} if methods is None else {"authmethods": methods}
        abort = aborted(hello(net, authid="alice", **details))
        assert abort.reason == "wamp.error.no_auth_method"


def test_anonymous_is_the_default_offer() -> None:
    net = realm(("anonymous", AnonymousAuthenticator("guest")), ("ticket", TICKETS))
    welcome = hello(net).take_one(Welcome)
    assert (welcome.details["authmethod"], welcome.details["authrole"]) == ("anonymous", "guest")


def test_unknown_role_aborts_with_no_such_role() -> None:
    net = realm(("ticket", TICKETS), ("anonymous", AnonymousAuthenticator()), roles=["admin"])
    assert aborted(hello(net)).reason == "wamp.error.no_such_role"
    client = hello(net, authmethods=["ticket"], authid="alice")
    client.take_one(Challenge)
    client.send(Authenticate("s3cret-ticket", {}))
    assert aborted(client).reason == "wamp.error.no_such_role"


def test_unknown_realm_aborts_and_realms_keep_their_own_principals() -> None:
    net = Net(
        RealmConfig("a", authenticator=Authentication({"ticket": TICKETS})),
        RealmConfig("b", authenticator=Authentication({"wampcra": CRA})),
    )
    assert aborted(hello(net, "c", authmethods=["ticket"])).reason == "wamp.error.no_such_realm"
    assert aborted(hello(net, "b", authmethods=["ticket"], authid="alice")).reason == (
        "wamp.error.no_auth_method"
    )
    client = hello(net, "a", authmethods=["ticket"], authid="alice")
    client.take_one(Challenge)
    client.send(Authenticate("s3cret-ticket", {}))
    assert client.take_one(Welcome).details["realm"] == "a"


def test_principal_repr_hides_secrets() -> None:
    shown = repr(Principal("x", "y", secret="cra-secret", ticket="s3cret-ticket"))

    assert "cra-secret" not in shown and "s3cret-ticket" not in shown


def test_anonymous_authids_are_random_and_readable() -> None:
    net = realm(("anonymous", AnonymousAuthenticator("guest")))
    authids = set()
    for _ in range(200):
        client = hello(net)
        authid = client.take_one(Welcome).details["authid"]
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", authid)
        authids.add(authid)
    assert len(authids) == 200
