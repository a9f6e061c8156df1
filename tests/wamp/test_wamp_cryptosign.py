"""WAMP-cryptosign against the spec's test vectors (wamp-proto authentication_cryptosign.md).

Autobahn's own CryptosignKey needs PyNaCl, which is not a dependency here; the spec's
vectors and its example exchange are the reference instead.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from _compare import SETTINGS
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from pywamp.wamp import auth, types
from pywamp.wamp.cryptosign import CryptosignKey, Signature, format_challenge

# "Test Vectors" of the spec: channel_id (tls-unique), private key, challenge, signature.
CHANNEL = "62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff"
SPEC_VECTORS = [
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
        "94af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660f"
        "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
    ),
    (
        None,
        "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b",
        "b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
        "7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda07"
        "5af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30b"
        "b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
    ),
    (
        CHANNEL,
        "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510",
        "ff" * 32,
        "9b6f41540c9b95b4b7b281c3042fa9c54cef43c842d62ea3fd6030fcb66e70b3e80d49d44c29d1635da9"
        "348d02ec93f3ed1ef227dfb59a07b580095c2b82f80f"
        "9d16ca518aa0c2b707f2b2a609edeca73bca8dd59817a633f35574ac6fd80d00",
    ),
    (
        CHANNEL,
        "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd",
        "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
        "305aaa3ac25e98f651427688b3fc43fe7d8a68a7ec1d7d61c61517c519bd4a427c3015599d83ca28b4c6"
        "52333920223844ef0725eb5dc2febfd6af7677b73f01"
        "d0852a29b460fc92ec943242ac638a053bbacc200512b18b30d15083cbdc9282",
    ),
    (
        CHANNEL,
        "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b",
        "b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
        "ee3c7644fd8070532bc1fde3d70d742267da545d8c8f03e63bda63f1ad4214f4d2c4bfdb4eb9526def42"
        "deeb7e31602a6ff99eba893e0a4ad4d45892ca75e608"
        "d2b75e24a189a7f78ca776ba36fc53f6c3e31c32f251f2c524f0a44202f2902d",
    ),
]


def challenge_of(hex_challenge: str, method: str = "cryptosign") -> types.Challenge:
    return types.Challenge(method, {"challenge": hex_challenge, "channel_binding": None})


def session_with(channel_id: bytes | None) -> Any:
    """Stands in for a session: the authenticator only reads its transport details."""
    ids = None if channel_id is None else {"tls-unique": channel_id}
    return SimpleNamespace(transport_details=types.TransportDetails(channel_id=ids))


@pytest.mark.parametrize(("channel", "privkey", "challenge", "signature"), SPEC_VECTORS)
def test_spec_vectors(channel: str | None, privkey: str, challenge: str, signature: str) -> None:
    key = CryptosignKey.from_bytes(bytes.fromhex(privkey))
    channel_id = bytes.fromhex(channel) if channel else None
    binding = "tls-unique" if channel else None
    assert key.sign_challenge(challenge_of(challenge), channel_id, binding) == signature
    public = CryptosignKey.from_pubkey(key.public_key(binary=True))
    assert public.verify_challenge(signature, challenge_of(challenge), channel_id, binding)
    assert not public.verify_challenge(signature, challenge_of("00" * 32), channel_id, binding)


@pytest.mark.parametrize(("channel", "privkey", "challenge", "signature"), SPEC_VECTORS)
def test_spec_vectors_through_the_authenticator(
    channel: str | None, privkey: str, challenge: str, signature: str
) -> None:
    authextra = {"channel_binding": "tls-unique"} if channel else {}
    authenticator = auth.create_authenticator("cryptosign", privkey=privkey, authextra=authextra)
    channel_id = bytes.fromhex(channel) if channel else None
    assert (
        authenticator.on_challenge(session_with(channel_id), challenge_of(challenge)) == signature
    )
    # the Autobahn session keeps them on its transport instead
    autobahn_style = SimpleNamespace(_transport=session_with(channel_id))
    assert authenticator.on_challenge(autobahn_style, challenge_of(challenge)) == signature
    assert (
        authenticator.authextra["pubkey"]
        == CryptosignKey.from_bytes(bytes.fromhex(privkey)).public_key()
    )


def test_spec_example_exchange_verifies() -> None:
    # HELLO.authextra.pubkey, CHALLENGE.extra.challenge and AUTHENTICATE.signature of the example
    pubkey = "545efb0a2192db8d43f118e9bf9aee081466e1ef36c708b96ee6f62dddad9122"
    challenge = "fa034062ad76352b53a25358854577730db82f367aa439709c91296d04a5716c"
    signature = (
        "e2f0297a193b63b7a4a92028e9e2e6107f82730560d54a657bd982cb4b3151490399debbbde998e494d3"
        "c3b2a5e2e91271291e10dee85a6cfaa127885ddd8b0a" + challenge
    )
    key = CryptosignKey.from_pubkey(bytes.fromhex(pubkey))
    assert not key.can_sign and key.public_key() == pubkey
    assert key.verify_challenge(signature, challenge_of(challenge))
    tampered = signature[:10] + ("0" if signature[10] != "0" else "1") + signature[11:]
    assert not key.verify_challenge(tampered, challenge_of(challenge))
    assert not key.verify_challenge(signature[:-2], challenge_of(challenge))
    assert not key.verify_challenge("zz" * 96, challenge_of(challenge))


@SETTINGS
@given(
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=32, max_size=32),
    st.one_of(st.none(), st.binary(min_size=32, max_size=32)),
    st.sampled_from(["tls-unique", "tls-exporter"]),
)
def test_sign_and_verify_roundtrip(
    seed: bytes, challenge: bytes, channel_id: bytes | None, binding: str
) -> None:
    key = CryptosignKey.from_seed(seed)
    kind = binding if channel_id is not None else None
    sig = key.sign_challenge(challenge_of(challenge.hex()), channel_id, kind)
    signed = bytes.fromhex(sig)[64:]
    expected = (
        challenge
        if channel_id is None
        else bytes(a ^ b for a, b in zip(challenge, channel_id, strict=True))
    )
    assert signed == expected and len(sig) == 192
    peer = CryptosignKey.from_pubkey(key.public_key(binary=True))
    assert peer.verify_challenge(sig, challenge_of(challenge.hex()), channel_id, kind)
    # the same as a key loaded by cryptography itself
    reference = Ed25519PrivateKey.from_private_bytes(seed)
    assert bytes.fromhex(sig)[:64] == reference.sign(expected)


def test_signature_can_be_awaited_as_autobahn_future() -> None:
    key = CryptosignKey.from_bytes(bytes(range(32)))
    sig = key.sign_challenge(challenge_of("ab" * 32))
    assert isinstance(sig, Signature) and isinstance(sig, str)

    async def on_challenge() -> tuple[str, bytes]:
        return await key.sign_challenge(challenge_of("ab" * 32)), await key.sign(b"data")

    text, raw = asyncio.run(on_challenge())
    assert text == sig and type(text) is str
    assert type(raw) is bytes and key.verify(raw, b"data")


@pytest.mark.parametrize(
    ("challenge", "channel_id", "binding", "exc", "words"),
    [
        (types.Challenge("cryptosign", {}), None, None, ValueError, "extra['challenge']"),
        (challenge_of("ab" * 31), None, None, ValueError, "64 hex digits"),
        (challenge_of("zz" * 32), None, None, ValueError, "not hex"),
        (types.Challenge("cryptosign", {"challenge": 5}), None, None, TypeError, "hex str"),
        (challenge_of("ab" * 32, "wampcra"), None, None, ValueError, "not a cryptosign"),
        (challenge_of("ab" * 32), None, "tls-unique", ValueError, "32-byte channel id"),
        (challenge_of("ab" * 32), b"\0" * 31, "tls-unique", ValueError, "32-byte channel id"),
        (challenge_of("ab" * 32), b"\0" * 32, "tls-server-end-point", ValueError, "binding"),
    ],
)
def test_bad_challenges(
    challenge: Any, channel_id: bytes | None, binding: str | None, exc: type, words: str
) -> None:
    key = CryptosignKey.from_bytes(b"\1" * 32)
    with pytest.raises(exc) as info:
        key.sign_challenge(challenge, channel_id, binding)
    assert words in str(info.value)


def test_native_challenge_message_is_accepted() -> None:
    # the authenticator may get the decoded CHALLENGE message (authmethod, extra)
    message = SimpleNamespace(authmethod="cryptosign", extra={"challenge": "ff" * 32})
    _, privkey, _, signature = SPEC_VECTORS[0]
    assert CryptosignKey.from_bytes(bytes.fromhex(privkey)).sign_challenge(message) == signature
    assert format_challenge(message, None, None) == b"\xff" * 32


def test_public_key_cannot_sign() -> None:
    key = CryptosignKey.from_pubkey(b"\2" * 32)
    with pytest.raises(ValueError, match="private key"):
        key.sign(b"data")
    assert key.key_type == "cryptosign" and "public" in str(key)


@pytest.mark.parametrize(
    ("make", "exc"),
    [
        (lambda: CryptosignKey.from_bytes(b"\0" * 31), ValueError),
        (lambda: CryptosignKey.from_bytes("00" * 32), TypeError),
        (lambda: CryptosignKey.from_pubkey(b"\0" * 33), ValueError),
        (lambda: CryptosignKey.from_bytes(b"\0" * 32, comment=5), TypeError),
        (lambda: CryptosignKey("not a key", True), TypeError),
        (lambda: CryptosignKey(Ed25519PrivateKey.generate(), False), ValueError),
        (lambda: CryptosignKey.from_ssh_bytes("ssh-rsa AAAA x"), ValueError),
    ],
)
def test_bad_keys(make: Any, exc: type) -> None:
    with pytest.raises(exc):
        make()


def test_keys_from_files(tmp_path: Path) -> None:
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pubhex = CryptosignKey.from_bytes(seed).public_key()

    raw = tmp_path / "client.key"
    raw.write_bytes(seed)
    assert CryptosignKey.from_file(str(raw), comment="c").public_key() == pubhex

    ssh_private = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    (tmp_path / "id_ed25519").write_bytes(ssh_private)
    loaded = CryptosignKey.from_ssh_file(str(tmp_path / "id_ed25519"))
    assert loaded.can_sign and loaded.public_key() == pubhex
    ssh_public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    loaded = CryptosignKey.from_ssh_bytes(ssh_public.decode() + " joe@example")
    assert not loaded.can_sign and loaded.public_key() == pubhex and loaded.comment == "joe@example"

    keyfile = tmp_path / "client.priv"
    keyfile.write_text(
        "Key file written by a test.\n\n"
        f"creator: test\npublic-key-ed25519: {pubhex}\nprivate-key-ed25519: {seed.hex()}\n"
    )
    assert CryptosignKey.from_keyfile(str(keyfile)).can_sign
    keyfile.write_text(f"comment\n\npublic-key-ed25519: {pubhex}\n")
    public = CryptosignKey.from_keyfile(str(keyfile))
    assert not public.can_sign and public.public_key() == pubhex
    keyfile.write_text("comment\n\ncreator: test\n")
    with pytest.raises(ValueError, match="private-key-ed25519"):
        CryptosignKey.from_keyfile(str(keyfile))
    keyfile.write_text("comment\n\nno colon here\n")
    with pytest.raises(ValueError, match="tag: value"):
        CryptosignKey.from_keyfile(str(keyfile))


def test_authenticator_config() -> None:
    _, privkey, _, _ = SPEC_VECTORS[0]
    pubkey = CryptosignKey.from_bytes(bytes.fromhex(privkey)).public_key()
    given_extra = {"pubkey": pubkey}
    authenticator = auth.AuthCryptoSign(privkey=privkey, authid="client01", authextra=given_extra)
    assert authenticator.authextra == {"pubkey": pubkey} and authenticator.authid == "client01"
    assert given_extra == {"pubkey": pubkey}  # the caller's dict is not modified
    assert auth.create_authenticator("cryptosign-proxy", privkey=privkey).name == "cryptosign-proxy"
    with pytest.raises(ValueError, match="Public key doesn't correspond"):
        auth.AuthCryptoSign(privkey=privkey, authextra={"pubkey": "00" * 32})
    with pytest.raises(ValueError, match="privkey"):
        auth.AuthCryptoSign(authid="x")
    with pytest.raises(ValueError, match="hex"):
        auth.AuthCryptoSign(privkey="not hex")
    with pytest.raises(ValueError, match="Unexpected key"):
        auth.AuthCryptoSign(privkey=privkey, secret="s")
    bound = auth.AuthCryptoSign(privkey=privkey, authextra={"channel_binding": "tls-unique"})
    with pytest.raises(ValueError, match="TLS"):
        bound.on_challenge(session_with(None), challenge_of("ff" * 32))


def test_import_does_not_need_cryptography() -> None:
    code = (
        "import sys, pywamp.wamp, pywamp.wamp.auth, pywamp.wamp.cryptosign, pywamp.wamp.types; "
        "print('cryptography' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
