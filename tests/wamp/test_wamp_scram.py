"""The client's WAMP-SCRAM (``AuthScram``, ``AuthWampScram``): RFC 7677's exchange, the
same proofs as Autobahn's own ``AuthScram``, each KDF against an independent library, and
every CHALLENGE or WELCOME it must refuse."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import sys
from typing import Any

import nacl.pwhash
import pytest
import txaio
from hypothesis import given, settings
from hypothesis import strategies as st
from passlib.utils import saslprep

txaio.use_asyncio()

from autobahn.wamp import auth as ab  # noqa: E402
from autobahn.wamp.types import Challenge as AbChallenge  # noqa: E402

from pywamp.wamp import auth  # noqa: E402
from pywamp.wamp._scram import salted_password  # noqa: E402
from pywamp.wamp.types import Challenge  # noqa: E402

# RFC 7677, section 3: SCRAM-SHA-256 for user "user", password "pencil". The WAMP-SCRAM
# spec's AUTHENTICATE example carries the same ClientProof.
RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO"
RFC_NONCE = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
RFC_SALT = "W22ZaJ0SNY7soEsUEjb6gQ=="
RFC_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
RFC_VERIFIER = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
RFC_CHALLENGE = {"nonce": RFC_NONCE, "salt": RFC_SALT, "kdf": "pbkdf2", "iterations": 4096}


def answer(authenticator: Any, extra: dict[str, Any], method: str | None = None) -> Any:
    """What ``on_challenge`` answers (no session: the KDF runs inline)."""
    challenge = Challenge(method or authenticator.name, extra)
    return asyncio.run(authenticator.on_challenge(None, challenge))


def rfc_client() -> auth.AuthWampScram:
    client = auth.AuthWampScram(authid="user", password="pencil")
    client._nonce = RFC_CLIENT_NONCE  # the RFC's client nonce instead of a random one
    return client


def test_rfc7677_exchange() -> None:
    client = rfc_client()
    assert answer(client, RFC_CHALLENGE) == (RFC_PROOF, {"nonce": RFC_NONCE})
    assert client.on_welcome(None, {"verifier": RFC_VERIFIER}) is None


def test_a_wrong_or_missing_server_signature_is_refused() -> None:
    for authextra in ({"verifier": base64.b64encode(b"\0" * 32).decode()}, {}, None):
        client = rfc_client()
        answer(client, RFC_CHALLENGE)
        refusal = client.on_welcome(None, authextra)
        assert refusal is not None and "wamp-scram" in refusal
    assert rfc_client().on_welcome(None, {"verifier": RFC_VERIFIER}) == (
        "wamp-scram: WELCOME without a CHALLENGE"
    )


def test_create_authenticator_knows_both_names() -> None:
    scram = auth.create_authenticator("scram", authid="a", password="p")
    spec = auth.create_authenticator("wamp-scram", authid="a", password="p")
    assert (type(scram), type(spec)) == (auth.AuthScram, auth.AuthWampScram)
    assert isinstance(scram, auth.Authenticator)


# Printable ASCII ("=" and "," among it) and characters SASLprep makes ASCII: spaces, a
# soft hyphen, ligatures, full-width forms, a Roman numeral, a feminine ordinal.
PREPARED_TO_ASCII = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from("\u00a0\u2003\u3000\u00ad\ufb01\ufb00\uff21\uff1d\u2168\u00aa"),
)


def prepared_by_passlib(text: str) -> bool:
    """Whether Autobahn's client takes ``text`` as an authid: passlib's SASLprep prepares it
    to ASCII (Autobahn encodes its AuthMessage as ASCII)."""
    try:
        return saslprep(text).isascii() and bool(saslprep(text))
    except ValueError:
        return False


@settings(max_examples=40, deadline=None)
@given(
    authid=st.one_of(
        st.text("abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=12),
        st.text(PREPARED_TO_ASCII, min_size=1, max_size=12).filter(prepared_by_passlib),
    ),
    password=st.text(min_size=1, max_size=20).filter(lambda p: "\0" not in p),
    salt=st.binary(min_size=16, max_size=16),
    iterations=st.integers(1, 3),
    memory=st.sampled_from([8, 16, 64]),
    server_part=st.binary(min_size=8, max_size=24),
)
def test_same_proof_as_autobahns_client(
    authid: str, password: str, salt: bytes, iterations: int, memory: int, server_part: bytes
) -> None:
    """Autobahn's ``AuthScram`` (the client Crossbar is tested with) and ours, one CHALLENGE
    of Crossbar's shape: the combined nonce is the octets re-encoded, the KDF argon2id-13."""
    theirs = ab.AuthScram(authid=authid, password=password)
    ours = auth.AuthScram(authid=authid, password=password)
    client_nonce = theirs.authextra["nonce"]
    ours._nonce = client_nonce
    extra = {
        "nonce": base64.b64encode(base64.b64decode(client_nonce) + server_part).decode(),
        "salt": base64.b64encode(salt).decode(),
        "kdf": "argon2id-13",
        "iterations": iterations,
        "memory": memory,
    }
    proof = answer(ours, extra)
    assert proof == theirs.on_challenge(None, AbChallenge("scram", extra)).decode()
    server_key = hmac.new(theirs._salted_password, b"Server Key", hashlib.sha256).digest()
    signature = hmac.new(server_key, theirs._auth_message, hashlib.sha256).digest()
    verifier = base64.b64encode(signature).decode()
    assert ours.on_welcome(None, {"scram_server_signature": verifier}) is None


@settings(max_examples=10, deadline=None)
@given(
    password=st.text(min_size=1, max_size=20),
    salt=st.binary(min_size=16, max_size=16),
    iterations=st.integers(1, 3),
)
def test_argon2_kdfs_match_libsodium(password: str, salt: bytes, iterations: int) -> None:
    """``argon2id13`` is the raw hash (the spec); ``argon2id-13`` its unpadded base64 text
    (Autobahn's and Crossbar's SaltedPassword), checked against PyNaCl's libsodium."""
    raw = nacl.pwhash.argon2id.kdf(32, password.encode(), salt, iterations, 16 * 1024)
    text = base64.b64encode(salt).decode()
    assert salted_password(password, text, "argon2id13", iterations, 16) == raw
    assert salted_password(password, text, "argon2id-13", iterations, 16) == base64.b64encode(
        raw
    ).rstrip(b"=")


def test_pbkdf2_matches_hashlib() -> None:
    salt = base64.b64encode(b"0123456789abcdef").decode()
    expected = hashlib.pbkdf2_hmac("sha256", b"pw", b"0123456789abcdef", 10, 32)
    assert salted_password("pw", salt, "pbkdf2", 10) == expected


def test_each_join_gets_a_fresh_nonce() -> None:
    client = auth.AuthScram(authid="a", password="p", authextra={"x": 1})
    first = client.authextra
    assert first == client.authextra  # read again before the CHALLENGE: the same
    assert first["x"] == 1 and len(base64.b64decode(first["nonce"], validate=True)) == 16
    nonce = base64.b64encode(base64.b64decode(first["nonce"]) + b"server-part!").decode()
    answer(client, {"nonce": nonce, "salt": RFC_SALT, "kdf": "pbkdf2", "iterations": 1})
    assert client.authextra["nonce"] != first["nonce"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "does not extend"),
        ({"nonce": RFC_CLIENT_NONCE}, "does not extend"),
        ({"nonce": None}, "does not extend"),
        ({"salt": "not base64!"}, "salt"),
        ({"salt": 7}, "salt"),
        ({"salt": ""}, "salt"),
        ({"kdf": "bcrypt"}, "unknown kdf"),
        ({"kdf": None}, "unknown kdf"),
        ({"iterations": 0}, "iterations"),
        ({"iterations": "4096"}, "iterations"),
        ({"kdf": "argon2id13"}, "memory"),
        ({"kdf": "argon2id-13", "memory": -1}, "memory"),
        ({"iterations": 10**9}, "over 10000000"),
        ({"kdf": "argon2id13", "memory": 2**21}, "asks too much"),
        ({"kdf": "argon2id-13", "memory": 2**20, "iterations": 4096}, "asks too much"),
    ],
)
def test_bad_challenges_are_refused(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        answer(rfc_client(), {**RFC_CHALLENGE, **change})


def test_a_challenge_of_another_method_or_before_hello_is_refused() -> None:
    with pytest.raises(ValueError, match="not a wamp-scram challenge"):
        rfc_client().on_challenge(None, Challenge("ticket", {}))
    with pytest.raises(ValueError, match="before HELLO"):
        auth.AuthScram(authid="a", password="p").on_challenge(None, Challenge("scram", {}))


def test_configuration_is_checked() -> None:
    with pytest.raises(ValueError, match="'password'"):
        auth.AuthScram(authid="a")
    with pytest.raises(ValueError, match="'authid'"):
        auth.AuthScram(password="p")
    with pytest.raises(TypeError, match="password must be a str"):
        auth.AuthScram(authid="a", password=b"p")
    with pytest.raises(ValueError, match="Unexpected key 'secret'"):
        auth.AuthScram(authid="a", password="p", secret="s")
    with pytest.raises(ValueError, match="no channel binding 'tls-unique'"):
        auth.AuthScram(authid="a", password="p", authextra={"channel_binding": "tls-unique"})
    with pytest.raises(ValueError, match="no channel binding 'tls-exporter'"):
        auth.AuthWampScram(authid="a", password="p", authextra={"channel_binding": "tls-exporter"})
    with pytest.raises(ValueError, match=r"scram authid contains a control character \(U\+0007"):
        auth.AuthScram(authid="a\u0007", password="p")
    with pytest.raises(ValueError, match="authid is empty once SASLprep-ed"):
        auth.AuthScram(authid="\u00ad", password="p")
    with pytest.raises(ValueError, match="wamp-scram password contains a private use character"):
        auth.AuthWampScram(authid="a", password="p\ue000")
    auth.AuthScram(authid="a", password="p\ue000")  # Autobahn's dialect: the password as given


def test_argon2_without_argon2_cffi_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "argon2.low_level", None)
    with pytest.raises(ValueError, match=r"pywamp\[scram\]"):
        salted_password("pw", RFC_SALT, "argon2id13", 1, 8)


@pytest.mark.parametrize("salt", [None, bytes(range(16))])
def test_derive_scram_credential_as_autobahn(salt: bytes | None) -> None:
    """The fields Crossbar's config takes, the same as Autobahn derives (about 1 s each)."""
    ours = auth.derive_scram_credential("erin@example.com", "pw", salt)
    assert ours == ab.derive_scram_credential("erin@example.com", "pw", salt)


def test_derive_scram_credential_checks_its_salt() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        auth.derive_scram_credential("a@b", "pw", b"short")


NONCE_16 = base64.b64encode(bytes(16)).decode()
ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.floats(), st.text(max_size=12), st.lists(st.integers(), max_size=2)
)


@settings(max_examples=300, deadline=None)
@given(
    nonce=st.one_of(st.just(NONCE_16 + "c2VydmVy"), st.just(NONCE_16), ANY_VALUE),
    salt=st.one_of(st.just(RFC_SALT), st.just("c2FsdA=="), ANY_VALUE),
    kdf=st.one_of(st.sampled_from(["pbkdf2", "argon2id13", "argon2id-13"]), ANY_VALUE),
    iterations=st.one_of(st.integers(-2, 4), st.integers(10**8, 10**18), ANY_VALUE),
    memory=st.one_of(st.integers(-2, 64), st.integers(2**21, 2**62), ANY_VALUE),
    present=st.sets(st.sampled_from(["nonce", "salt", "kdf", "iterations", "memory"])),
)
def test_any_challenge_gets_a_proof_or_a_value_error(
    nonce: Any, salt: Any, kdf: Any, iterations: Any, memory: Any, present: set[str]
) -> None:
    """Whatever a router puts in a CHALLENGE: a proof, or a ValueError naming the problem;
    never another exception, and never hours of KDF or terabytes of Argon2 memory."""
    values = {"nonce": nonce, "salt": salt, "kdf": kdf, "iterations": iterations, "memory": memory}
    client = auth.AuthScram(authid="a", password="p")
    client._nonce = NONCE_16
    try:
        proof = answer(client, {key: values[key] for key in present})
    except ValueError:
        return
    assert len(base64.b64decode(proof, validate=True)) == 32
