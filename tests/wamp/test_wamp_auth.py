"""WAMP-CRA, ticket, anonymous and TOTP against Autobahn's auth module and RFC 6238."""

from __future__ import annotations

import base64
import hashlib
import sys
import time
from typing import Any

import pytest
from _compare import SETTINGS
from autobahn.wamp import auth as ab
from autobahn.wamp import types as ab_types
from hypothesis import given
from hypothesis import strategies as st

from pywamp.wamp import auth, types

STR_OR_BYTES = st.one_of(st.text(max_size=40), st.binary(max_size=40))
SALTED = st.fixed_dictionaries(
    {
        "salt": st.text(min_size=1, max_size=16),
        "iterations": st.integers(1, 50),
        "keylen": st.integers(1, 64),
    }
)


@SETTINGS
@given(STR_OR_BYTES, STR_OR_BYTES)
def test_compute_wcs_like_autobahn(key: str | bytes, challenge: str | bytes) -> None:
    assert auth.compute_wcs(key, challenge) == ab.compute_wcs(key, challenge)


@SETTINGS
@given(STR_OR_BYTES, STR_OR_BYTES, st.integers(1, 50), st.integers(1, 64))
def test_derive_key_like_autobahn(
    secret: str | bytes, salt: str | bytes, iterations: int, keylen: int
) -> None:
    assert auth.derive_key(secret, salt, iterations, keylen) == ab.derive_key(
        secret, salt, iterations, keylen
    )


@SETTINGS
@given(
    st.binary(max_size=20), st.binary(max_size=20), st.sampled_from(["sha1", "sha256", "sha512"])
)
def test_pbkdf2_like_autobahn(data: bytes, salt: bytes, hashfunc: str) -> None:
    assert auth.pbkdf2(data, salt, 7, 40, hashfunc) == ab.pbkdf2(data, salt, 7, 40, hashfunc)


@SETTINGS
@given(
    st.binary(max_size=20),
    st.binary(max_size=20),
    st.integers(1, 30),
    st.integers(1, 80),
    st.sampled_from(["sha1", "sha224", "sha256", "sha384", "sha512", "md5", "sha3_256"]),
)
def test_pbkdf2_equals_hashlib(
    data: bytes, salt: bytes, iterations: int, keylen: int, hashfunc: str
) -> None:
    """cryptography's PBKDF2 (the fast path) and hashlib's (the fallback) agree."""
    assert auth.pbkdf2(data, salt, iterations, keylen, hashfunc) == hashlib.pbkdf2_hmac(
        hashfunc, data, salt, iterations, keylen
    )


def test_pbkdf2_without_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    assert auth._openssl_pbkdf2() is not None  # installed with the test dependencies
    expected = auth.derive_key("secret", "salt123", 1000, 32)
    monkeypatch.setattr(auth, "_openssl_pbkdf2", lambda: None)
    assert auth.derive_key("secret", "salt123", 1000, 32) == expected
    with pytest.raises(ValueError, match="iteration"):
        auth.pbkdf2(b"secret", b"salt", 0, 32)


@pytest.mark.parametrize(
    "args",
    [(1, "salt"), ("secret", 2.0), ("secret", "salt", "1000"), ("secret", "salt", 1000, None)],
)
def test_derive_key_refuses_like_autobahn(args: tuple[Any, ...]) -> None:
    with pytest.raises(ValueError) as ours:
        auth.derive_key(*args)
    with pytest.raises(ValueError) as theirs:
        ab.derive_key(*args)
    assert str(ours.value) == str(theirs.value)


def test_compute_wcs_names_bad_arguments() -> None:
    with pytest.raises(TypeError, match="compute_wcs: key"):
        auth.compute_wcs(123, "challenge")  # type: ignore[arg-type]


@SETTINGS
@given(
    st.one_of(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20).map(str.encode)),
    st.text(max_size=200),
    st.one_of(st.just({}), SALTED),
)
def test_wampcra_signature_like_autobahn(
    secret: str | bytes, challenge: str, salt: dict[str, Any]
) -> None:
    extra = {"challenge": challenge, **salt}
    ours = auth.create_authenticator("wampcra", authid="peter", secret=secret)
    theirs = ab.create_authenticator("wampcra", authid="peter", secret=secret)
    expected = theirs.on_challenge(None, ab_types.Challenge("wampcra", extra))
    assert ours.on_challenge(None, types.Challenge("wampcra", extra)) == expected
    assert ours._args == theirs._args and ours.authextra == theirs.authextra  # type: ignore[attr-defined]


def test_wampcra_defaults_iterations_and_keylen_when_only_salted() -> None:
    cra = auth.AuthWampCra(authid="peter", secret="secret")
    full = {"challenge": "c", "salt": "salt123", "iterations": 1000, "keylen": 32}
    assert cra.on_challenge(
        None, types.Challenge("wampcra", {"challenge": "c", "salt": "salt123"})
    ) == (cra.on_challenge(None, types.Challenge("wampcra", full)))


@pytest.mark.parametrize(
    "kwargs",
    [{"secret": "s"}, {"authid": "a"}, {"authid": "a", "secret": "s", "ticket": "t"}],
)
def test_wampcra_config_errors_like_autobahn(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError) as ours:
        auth.create_authenticator("wampcra", **kwargs)
    with pytest.raises(ValueError) as theirs:
        ab.create_authenticator("wampcra", **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_wampcra_refuses_a_challenge_without_text() -> None:
    cra = auth.AuthWampCra(authid="a", secret="s")
    with pytest.raises(ValueError, match="challenge"):
        cra.on_challenge(None, types.Challenge("wampcra", {}))


def test_ticket_like_autobahn() -> None:
    kwargs = {"ticket": "secret!!!", "authid": "joe", "authextra": {"a": 1}}
    ours = auth.create_authenticator("ticket", **kwargs)
    theirs = ab.create_authenticator("ticket", **kwargs)
    assert ours.name == theirs.name == "ticket"
    assert ours._args == theirs._args and ours.authextra == theirs.authextra  # type: ignore[attr-defined]
    challenge = types.Challenge("ticket")
    assert ours.on_challenge(None, challenge) == theirs.on_challenge(None, challenge) == "secret!!!"
    assert ours.on_welcome(None, {}) is None
    with pytest.raises(ValueError, match="ticket"):
        ours.on_challenge(None, types.Challenge("wampcra", {"challenge": "x"}))
    with pytest.raises(ValueError, match="ticket="):
        auth.create_authenticator("ticket", authid="joe")


def test_anonymous_like_autobahn() -> None:
    for name in ("anonymous", "anonymous-proxy"):
        ours = auth.create_authenticator(name, authid="x", authextra={"k": "v"})
        theirs = ab.create_authenticator(name, authid="x", authextra={"k": "v"})
        assert ours.name == theirs.name and ours.authextra == theirs.authextra
        with pytest.raises(RuntimeError):
            ours.on_challenge(None, types.Challenge(name))
    assert auth.AuthAnonymous().authextra == {}


def test_authenticators_satisfy_the_interface() -> None:
    for authenticator in (
        auth.AuthAnonymous(),
        auth.AuthTicket(ticket="t"),
        auth.AuthWampCra(authid="a", secret="s"),
    ):
        assert isinstance(authenticator, auth.Authenticator)
    cra = auth.AuthWampCra(authid="peter", authrole="user", secret="s")
    assert (cra.authid, cra.authrole) == ("peter", "user")


@pytest.mark.parametrize("name", ["scram-sha-1", "tls", "", None])
def test_unknown_authenticator(name: Any) -> None:
    with pytest.raises(ValueError, match="Unknown authenticator"):
        auth.create_authenticator(name)


def test_bad_common_config() -> None:
    with pytest.raises(TypeError, match="authextra"):
        auth.AuthTicket(ticket="t", authextra=["not", "a", "dict"])
    with pytest.raises(TypeError, match="authid"):
        auth.AuthAnonymous(authid=5)


def test_generate_wcs() -> None:
    secret = auth.generate_wcs(20)
    assert len(secret) == 20 and set(secret.decode()) <= set(ab.WCS_SECRET_CHARSET)
    assert auth.generate_wcs() != auth.generate_wcs()
    assert len(auth.generate_wcs()) == len(ab.generate_wcs()) == 14


# -- TOTP ---------------------------------------------------------------------------------

RFC6238_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("now", "code8"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_rfc6238_vectors(now: int, code8: str) -> None:
    # RFC 6238 Appendix B (SHA-1) gives 8 digits; the 6-digit code is their last six.
    assert auth.compute_totp(RFC6238_SECRET, now=now) == code8[-6:]


def test_totp_like_autobahn_now() -> None:
    secret = auth.generate_totp_secret()
    assert len(base64.b32decode(secret)) == 10
    for _ in range(3):
        step = int(time.time()) // 30
        ours = [auth.compute_totp(secret, offset) for offset in (-1, 0, 1)]
        theirs = [ab.compute_totp(secret, offset) for offset in (-1, 0, 1)]
        if int(time.time()) // 30 == step:  # no 30 s boundary in between
            assert ours == theirs
            break
    assert auth.check_totp(secret, auth.compute_totp(secret))
    assert auth.check_totp(secret, auth.compute_totp(secret, -1))
    assert not auth.check_totp(secret, auth.compute_totp(secret, 3))
    assert not auth.check_totp(secret, 123456)  # type: ignore[arg-type]


def test_totp_bad_secret() -> None:
    with pytest.raises(ValueError, match="Base32"):
        auth.compute_totp("not base32!")
    with pytest.raises(TypeError, match="secret"):
        auth.compute_totp(b"GEZDGNBV")  # type: ignore[arg-type]


def test_qrcode_from_totp_as_autobahn() -> None:
    secret = auth.generate_totp_secret()
    ours = auth.qrcode_from_totp(secret, "alice@example.com", "ACME")
    assert ours.startswith(b"<svg")
    assert ours == ab.qrcode_from_totp(secret, "alice@example.com", "ACME")


def test_qrcode_from_totp_encodes_label_and_issuer() -> None:
    """Google's Key Uri Format: a label and issuer with spaces are percent-encoded (Autobahn
    puts them in the URI as they are); the issuer prefix's colon stays."""
    import qrcode
    import qrcode.image.svg

    uri = "otpauth://totp/ACME%20Corp:alice%20smith?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Corp"
    expected = qrcode.make(uri, box_size=3, image_factory=qrcode.image.svg.SvgImage).to_string()
    ours = auth.qrcode_from_totp("JBSWY3DPEHPK3PXP", "ACME Corp:alice smith", "ACME Corp")
    assert ours == expected


def test_qrcode_from_totp_checks_its_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TypeError, match="label must be a str, got bytes"):
        auth.qrcode_from_totp("JBSWY3DPEHPK3PXP", b"alice", "ACME")  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "qrcode", None)
    with pytest.raises(ImportError, match=r"pip install pywamp\[qrcode\]"):
        auth.qrcode_from_totp("JBSWY3DPEHPK3PXP", "alice", "ACME")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"iterations": 10**12}, "iterations"),
        ({"iterations": 0}, "iterations"),
        ({"iterations": "1000"}, "iterations"),
        ({"keylen": 2**40}, "keylen"),
        ({"keylen": True}, "keylen"),
    ],
)
def test_wampcra_refuses_a_salted_challenge_asking_too_much(
    change: dict[str, Any], problem: str
) -> None:
    """A router may not make the client derive for hours or allocate a terabyte."""
    cra = auth.create_authenticator("wampcra", authid="peter", secret="s")
    extra = {"challenge": "c", "salt": "salt123", "iterations": 1000, "keylen": 32, **change}
    with pytest.raises(ValueError, match=problem):
        cra.on_challenge(None, types.Challenge("wampcra", extra))
