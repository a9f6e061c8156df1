"""Auth and roles in config files: Crossbar's config.json (auth per transport) served to
Autobahn clients, secrets from the environment, and mistakes that name key and file."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from auth_harness import attempt, joined, start_router, wait
from autobahn.wamp.auth import AuthTicket, AuthWampCra
from autobahn.wamp.exception import ApplicationError
from io_harness import allow_all

from pywamp.router.authenticators import Authentication
from pywamp.router.authorization import RoleAuthorizer
from pywamp.router.config import Disclosure
from pywamp.router.settings import ConfigError, load_config

PUBKEY = "a" * 64


def crossbar_config() -> dict[str, Any]:
    """A router worker with a ticket transport and an anonymous one, and two roles."""
    endpoint = {"type": "tcp", "port": 0, "interface": "127.0.0.1"}
    return {
        "version": 2,
        "workers": [
            {
                "type": "router",
                "realms": [
                    {
                        "name": "realm1",
                        "roles": [
                            {
                                "name": "anonymous",
                                "permissions": [
                                    {
                                        "uri": "com.public.*",
                                        "allow": {"call": True, "subscribe": True},
                                    }
                                ],
                            },
                            {
                                "name": "user",
                                "permissions": [allow_all(disclose=True)],
                            },
                        ],
                    },
                    {"name": "other", "roles": [{"name": "user", "permissions": []}]},
                ],
                "transports": [
                    {
                        "type": "rawsocket",
                        "id": "secure",
                        "endpoint": endpoint,
                        "serializers": ["json"],
                        "auth": {
                            "ticket": {
                                "type": "static",
                                "principals": {
                                    "alice": {"ticket": "${PYWAMP_TEST_TICKET}", "role": "user"},
                                    "olga": {"ticket": "o", "role": "user", "realm": "other"},
                                },
                            },
                            "wampcra": {
                                "type": "static",
                                "users": {"bob": {"secret": "b-secret", "role": "user"}},
                            },
                            "cryptosign": {
                                "type": "static",
                                "principals": {
                                    "dev": {"authorized_keys": [PUBKEY], "role": "user"}
                                },
                            },
                        },
                    },
                    {
                        "type": "websocket",
                        "endpoint": endpoint,
                        "serializers": ["msgpack"],
                        "auth": {"anonymous": {"type": "static", "role": "anonymous"}},
                    },
                ],
            }
        ],
    }


async def test_crossbar_auth_per_transport_and_roles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYWAMP_TEST_TICKET", "from-the-environment")
    text = json.dumps(crossbar_config())
    async with start_router(tmp_path, "config.json", text) as router:
        # the ticket transport: the ticket comes from the environment
        literal = AuthTicket(authid="alice", ticket="${PYWAMP_TEST_TICKET}")
        outcome = await attempt(router, "realm1", literal)
        assert outcome.reason == "wamp.error.authentication_failed"
        alice = await joined(
            router, "realm1", AuthTicket(authid="alice", ticket="from-the-environment")
        )
        assert alice.joined.result().authrole == "user"
        await wait(alice.register(lambda: "pong", "com.public.ping"))
        bob = await joined(router, "realm1", AuthWampCra(authid="bob", secret="b-secret"))
        # no anonymous on the ticket transport
        outcome = await attempt(router, "realm1")
        assert outcome.reason == "wamp.error.no_auth_method"
        # a principal limited to another realm is unknown here
        outcome = await attempt(router, "realm1", AuthTicket(authid="olga", ticket="o"))
        assert outcome.reason == "wamp.error.authentication_failed"
        olga = await joined(router, "other", AuthTicket(authid="olga", ticket="o"))
        with pytest.raises(ApplicationError) as info:
            await wait(olga.call("com.public.ping"))  # the role has no permissions there
        assert info.value.error == "wamp.error.not_authorized"

        # the anonymous transport: the anonymous role and its rules
        guest = await joined(router, "realm1", websocket=True)
        assert guest.joined.result().authrole == "anonymous"
        assert await wait(guest.call("com.public.ping")) == "pong"
        with pytest.raises(ApplicationError) as info:
            await wait(guest.register(lambda: None, "com.public.mine"))
        assert info.value.error == "wamp.error.not_authorized"
        outcome = await attempt(
            router, "realm1", AuthTicket(authid="alice", ticket="x"), websocket=True
        )
        assert outcome.reason == "wamp.error.no_auth_method"
        for client in (alice, bob, olga, guest):
            await client.close()


def test_a_secret_is_read_from_the_environment_and_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYWAMP_TEST_TICKET", raising=False)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(crossbar_config()))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert str(path) in text
    assert "principals.alice.ticket" in text and "PYWAMP_TEST_TICKET" in text


def _at(data: Any, where: str) -> Any:
    for key in where.split("."):
        data = data[int(key)] if key.isdigit() else data[key]
    return data


AUTH = "workers.0.transports.0.auth"
ROLES = "workers.0.realms.0.roles"


@pytest.mark.parametrize(
    ("where", "key", "value", "expected"),
    [
        (AUTH, "kerberos", {"type": "static"}, ".auth.kerberos: unknown key"),
        (f"{AUTH}.ticket", "type", "function", "ticket.type: must be one of static, dynamic"),
        (f"{AUTH}.ticket.principals.alice", "ticket", 5, "alice.ticket: must be str"),
        (f"{AUTH}.ticket.principals.alice", "role", "", "alice.role: must not be empty"),
        (f"{AUTH}.ticket.principals", "eve", {"ticket": "e"}, "principals.eve: needs a role"),
        (f"{AUTH}.wampcra.users.bob", "keylen", 32, "users.bob: a salted secret needs salt, "),
        (
            f"{AUTH}.cryptosign.principals.dev",
            "authorized_keys",
            ["xyz"],
            "authorized_keys[0]: must be an Ed25519 public key",
        ),
        (
            AUTH,
            "scram",
            {"type": "static", "principals": {"s": {"role": "user", "kdf": "md5"}}},
            "scram.principals.s: needs iterations",
        ),
        (
            AUTH,
            "anonymous",
            {"type": "dynamic"},
            "anonymous: a dynamic authenticator needs an authenticator",
        ),
        (
            AUTH,
            "anonymous",
            {"type": "dynamic", "authenticator": "com.a", "authenticator-realm": "nope"},
            "anonymous.authenticator-realm: no realm 'nope'",
        ),
        (
            AUTH,
            "anonymous",
            {"type": "dynamic", "authenticator": "com.a", "timeout": 0},
            "anonymous.timeout: must be seconds",
        ),
        (f"{ROLES}.0.permissions.0", "match", "regex", "permissions[0].match: must be one of"),
        (f"{ROLES}.0.permissions.0", "uri", "com..x y", "permissions[0].uri: not a valid"),
        (f"{ROLES}.0.permissions.0.allow", "delete", True, "allow.delete: unknown key"),
        (f"{ROLES}.1", "authorizer", "com.auth", "roles[1]: give permissions or an authorizer"),
        (f"{ROLES}.1", "name", "anonymous", "roles: role 'anonymous' is configured twice"),
        (f"{ROLES}.1.permissions.0", "cache", "yes", "permissions[0].cache: must be bool"),
    ],
)
def test_auth_and_role_mistakes_name_the_key_and_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    key: str,
    value: Any,
    expected: str,
) -> None:
    monkeypatch.setenv("PYWAMP_TEST_TICKET", "secret-in-env")
    data = copy.deepcopy(crossbar_config())
    _at(data, where)[key] = value
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert str(path) in text
    assert expected in text, text
    assert "secret-in-env" not in text and "b-secret" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('auth.ticket = { principals = { a = { ticket = "t" } } }', "principals.a: needs a role"),
        (
            'auth.ticket = { principals = { a = { ticket = "t", role = "r", realm = "x" } } }',
            "principals.a.realm: unknown key",
        ),
        ('roles = [{ name = "r", authorizer = "com..x" }]', "roles[0].authorizer: not a valid URI"),
        ('auth.tls = { type = "static" }', "realms[0].auth.tls: unknown key"),
        (
            'roles = [{ name = "r", authorizer = "com.x", authorizer-timeout = -1 }]',
            "authorizer-timeout: must be seconds",
        ),
    ],
)
def test_toml_auth_mistakes(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "router.toml"
    path.write_text(f'[[realms]]\nname = "realm1"\n{text}\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value), str(info.value)


def test_toml_roles_without_auth_admit_only_the_anonymous_role(tmp_path: Path) -> None:
    path = tmp_path / "router.toml"
    path.write_text('[[realms]]\nname = "realm1"\nroles = [{ name = "user" }]\n')
    realm = load_config(path).realms[0]
    assert realm.authenticator is not None
    answer = realm.authenticator.hello("realm1", {}, {}, 0.0)
    assert getattr(answer, "reason", None) == "wamp.error.no_such_role"


def test_the_example_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ALICE_TICKET", "BOB_SECRET", "CAROL_PASSWORD", "BACKEND_TICKET"):
        monkeypatch.setenv(name, f"value-of-{name}")
    example = Path(__file__).parents[2] / "examples" / "secure-router.toml"
    [realm] = load_config(example).realms
    assert isinstance(realm.authorizer, RoleAuthorizer)
    assert sorted(realm.authorizer.roles) == ["backend", "device", "frontend", "partner"]
    assert isinstance(realm.authenticator, Authentication)
    assert sorted(realm.authenticator.methods) == ["cryptosign", "ticket", "wampcra"]
    assert realm.disclosure("frontend") == Disclosure(caller=True, publisher=False)
    monkeypatch.delenv("CAROL_PASSWORD")
    with pytest.raises(ConfigError, match="CAROL_PASSWORD"):
        load_config(example)
