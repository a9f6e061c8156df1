"""The auth and roles sections of a config file, in pywamp TOML and Crossbar's shape.

One shape serves both formats (Crossbar's): an auth table maps each method to
``{"type": "static", ...principals}`` or ``{"type": "dynamic", "authenticator": uri}``;
a role is ``{"name", "permissions": [{"uri", "match", "allow", "disclose", "cache"}]}``
or ``{"name", "authorizer": uri}``. In a pywamp TOML file the auth table belongs to a
realm; in a Crossbar config.json it belongs to a transport, and a principal's optional
``realm`` limits it to one realm. The methods and their fields are documented in
docs/security.md. A secret may be written ``"${NAME}"``: it is read from the environment
variable NAME (as Crossbar does). Errors name the key, never the secret.
"""

from __future__ import annotations

import binascii
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pywamp._native import is_valid_uri
from pywamp.router.auth import AnonymousAuthenticator, Authenticator
from pywamp.router.authenticators import (
    Authentication,
    CryptosignAuthenticator,
    Principal,
    TicketAuthenticator,
    WampCraAuthenticator,
)
from pywamp.router.authorization import Permission, Role, RoleAuthorizer
from pywamp.router.dynamic import DynamicAuthenticator, scram_fields
from pywamp.router.scram import ScramAuthenticator
from pywamp.wamp._scram import KDFS, PBKDF2
from pywamp.wamp.auth import derive_key

if TYPE_CHECKING:
    from pywamp.router.settings import _Reader

METHODS = ("anonymous", "ticket", "wampcra", "cryptosign", "scram")
ACTIONS = ("call", "register", "publish", "subscribe")
MATCHES = ("exact", "prefix", "wildcard")


@dataclass
class MethodSpec:
    """One method of an auth table: static principals (with their realm) or a procedure."""

    method: str
    principals: list[tuple[str | None, Principal]] = field(default_factory=list)
    anonymous: tuple[str | None, str] | None = None  # (realm, role) of static anonymous
    dynamic: DynamicAuthenticator | None = None
    dynamic_realm: str | None = None
    where: str = ""


AuthSpec = dict[str, MethodSpec]


def build(spec: AuthSpec, realm: str, roles: Sequence[str] | None) -> Authentication:
    """The realm's authenticator for an auth table."""
    methods: dict[str, Authenticator] = {}
    for method, m in spec.items():
        if m.dynamic is not None:
            chosen: Authenticator | None = m.dynamic
        elif method == "anonymous":
            chosen = None
            if m.anonymous is not None and m.anonymous[0] in (None, realm):
                chosen = AnonymousAuthenticator(m.anonymous[1])
        else:
            mine = [p for r, p in m.principals if r in (None, realm)]
            chosen = _static(method, mine) if mine else None
        if chosen is None:
            continue
        if method == "scram":
            methods["wamp-scram"] = chosen  # the spec's name for the same method
        methods[method] = chosen
    return Authentication(methods, roles)


def _static(method: str, principals: list[Principal]) -> Authenticator:
    if method == "ticket":
        return TicketAuthenticator(principals)
    if method == "wampcra":
        return WampCraAuthenticator(principals)
    if method == "cryptosign":
        return CryptosignAuthenticator(principals)
    return ScramAuthenticator(principals)


def _secret(r: _Reader, value: Any, where: str) -> str:
    """A secret from the file, or from the environment for ``${NAME}``/``$NAME``."""
    text = r.typed(value, where, str)
    if text.startswith("$"):
        name = text[2:-1] if text.startswith("${") and text.endswith("}") else text[1:]
        found = os.environ.get(name)
        if found is None:
            raise r.fail(where, f"the environment variable {name!r} is not set")
        return found
    return str(text)


def _positive(r: _Reader, value: Any, where: str) -> int:
    n = r.typed(value, where, int)
    if n < 1:
        raise r.fail(where, f"must be a positive integer, got {n}")
    return int(n)


def _role_name(r: _Reader, value: Any, where: str) -> str:
    role = r.typed(value, where, str)
    if not role:
        raise r.fail(where, "must not be empty")
    return str(role)


def read_auth(r: _Reader, value: Any, where: str, crossbar: bool) -> AuthSpec:
    """An auth table: one entry per method."""
    t = r.table(value, where, METHODS, ("cookie", "tls") if crossbar else ())
    out: AuthSpec = {}
    for method, item in t.items():
        out[method] = _method(r, method, item, f"{where}.{method}", crossbar)
    return out


def _method(r: _Reader, method: str, value: Any, where: str, crossbar: bool) -> MethodSpec:
    if not isinstance(value, Mapping):
        raise r.fail(where, f"must be a table, got {type(value).__name__}")
    kind = r.choice(value.get("type", "static"), f"{where}.type", ("static", "dynamic"))
    spec = MethodSpec(method, where=where)
    realm_key = ("realm",) if crossbar else ()
    if kind == "dynamic":
        known = ("type", "authenticator", "authenticator-realm", "timeout")
        t = r.table(value, where, known)
        if "authenticator" not in t:
            raise r.fail(where, "a dynamic authenticator needs an authenticator (procedure URI)")
        uri = r.typed(t["authenticator"], f"{where}.authenticator", str)
        if not is_valid_uri(uri):
            raise r.fail(f"{where}.authenticator", f"not a valid URI: {uri!r}")
        timeout = r.typed(t.get("timeout", 10.0), f"{where}.timeout", (int, float))
        if isinstance(timeout, bool) or not 0 < timeout <= 3600:
            raise r.fail(f"{where}.timeout", f"must be seconds in (0, 3600], got {timeout!r}")
        if "authenticator-realm" in t:
            where_realm = f"{where}.authenticator-realm"
            spec.dynamic_realm = r.typed(t["authenticator-realm"], where_realm, str)
        spec.dynamic = DynamicAuthenticator(method, uri, spec.dynamic_realm, float(timeout))
        return spec
    if method == "anonymous":
        t = r.table(value, where, ("type", "role", *realm_key), ("authid",))
        role = _role_name(r, t.get("role", "anonymous"), f"{where}.role")
        realm = r.typed(t["realm"], f"{where}.realm", str) if "realm" in t else None
        spec.anonymous = (realm, role)
        return spec
    users_key = "users" if method == "wampcra" else "principals"
    keys: tuple[str, ...] = ("type", users_key)
    if method == "wampcra":
        keys = (*keys, "principals")  # pywamp also accepts the other methods' word
    t = r.table(value, where, keys)
    if method == "wampcra" and "principals" in t:
        if "users" in t:
            raise r.fail(where, "give users or principals, not both")
        users_key = "principals"
    if users_key not in t:
        raise r.fail(where, f"a static {method} authenticator needs {users_key}")
    people = r.table(t[users_key], f"{where}.{users_key}", list(t[users_key]))
    for authid, item in people.items():
        w = f"{where}.{users_key}.{authid}"
        realm, principal = _principal(r, method, authid, item, w, realm_key)
        spec.principals.append((realm, principal))
    return spec


def _principal(
    r: _Reader, method: str, authid: str, value: Any, where: str, realm_key: tuple[str, ...]
) -> tuple[str | None, Principal]:
    """One static principal (its fields by method)."""
    fields: dict[str, tuple[str, ...]] = {
        "ticket": ("ticket",),
        "wampcra": ("secret", "salt", "iterations", "keylen"),
        "cryptosign": ("authorized_keys",),
        "scram": ("kdf", "iterations", "memory", "salt", "stored-key", "server-key"),
    }
    t = r.table(value, where, ("role", *realm_key, *fields[method]))
    if not authid:
        raise r.fail(where, "an authid must not be empty")
    if "role" not in t:
        raise r.fail(where, "needs a role")
    role = _role_name(r, t["role"], f"{where}.role")
    realm = r.typed(t["realm"], f"{where}.realm", str) if "realm" in t else None
    if method == "ticket":
        if "ticket" not in t:
            raise r.fail(where, "needs a ticket")
        return realm, Principal(authid, role, ticket=_secret(r, t["ticket"], f"{where}.ticket"))
    if method == "wampcra":
        if "secret" not in t:
            raise r.fail(where, "needs a secret")
        secret = _secret(r, t["secret"], f"{where}.secret")
        salting = [key for key in ("salt", "iterations", "keylen") if key in t]
        if not salting:
            return realm, Principal(authid, role, secret=secret)
        if len(salting) != 3:
            raise r.fail(where, "a salted secret needs salt, iterations and keylen")
        salt = r.typed(t["salt"], f"{where}.salt", str)
        iterations = _positive(r, t["iterations"], f"{where}.iterations")
        keylen = _positive(r, t["keylen"], f"{where}.keylen")
        # As in Crossbar, a salted secret is the password: only the derived key is kept.
        key = derive_key(secret, salt, iterations, keylen).decode("ascii")
        return realm, Principal(
            authid, role, secret=key, salt=salt, iterations=iterations, keylen=keylen
        )
    if method == "cryptosign":
        keys = r.typed(t.get("authorized_keys"), f"{where}.authorized_keys", list)
        if not keys:
            raise r.fail(f"{where}.authorized_keys", "must name at least one public key")
        for i, key in enumerate(keys):
            ok = isinstance(key, str) and len(key) == 64
            try:
                bytes.fromhex(key) if ok else None
            except ValueError:
                ok = False
            if not ok:
                raise r.fail(
                    f"{where}.authorized_keys[{i}]", "must be an Ed25519 public key (64 hex digits)"
                )
        return realm, Principal(authid, role, pubkeys=tuple(k.lower() for k in keys))
    for key in ("kdf", "iterations", "salt", "stored-key", "server-key"):
        if key not in t:
            raise r.fail(where, f"needs {key}")
    r.choice(t["kdf"], f"{where}.kdf", KDFS)
    _positive(r, t["iterations"], f"{where}.iterations")
    if "memory" in t:
        _positive(r, t["memory"], f"{where}.memory")
    elif t["kdf"] != PBKDF2:
        raise r.fail(where, f"{t['kdf']} needs memory (KiB)")
    for key in ("salt", "stored-key", "server-key"):
        try:
            binascii.a2b_hex(r.typed(t[key], f"{where}.{key}", str))
        except (binascii.Error, ValueError):
            raise r.fail(f"{where}.{key}", "must be hex digits") from None
    converted = scram_fields(t)
    assert converted is not None  # every field was checked above
    return realm, Principal(authid, role, **converted)


# -- roles ------------------------------------------------------------------------------


def read_roles(r: _Reader, value: Any, where: str) -> RoleAuthorizer:
    """A realm's roles: static permissions or a dynamic authorizer each."""
    roles = []
    for i, item in enumerate(r.typed(value, where, list)):
        roles.append(_role(r, item, f"{where}[{i}]"))
    names = [role.name for role in roles]
    for name in names:
        if names.count(name) > 1:
            raise r.fail(where, f"role {name!r} is configured twice")
    return RoleAuthorizer(roles)


def _role(r: _Reader, value: Any, where: str) -> Role:
    t = r.table(value, where, ("name", "permissions", "authorizer", "authorizer-timeout"))
    if "name" not in t:
        raise r.fail(where, "needs a name")
    name = _role_name(r, t["name"], f"{where}.name")
    if "authorizer" in t:
        if "permissions" in t:
            raise r.fail(where, "give permissions or an authorizer, not both")
        uri = r.typed(t["authorizer"], f"{where}.authorizer", str)
        if not is_valid_uri(uri):
            raise r.fail(f"{where}.authorizer", f"not a valid URI: {uri!r}")
        tw = f"{where}.authorizer-timeout"
        timeout = r.typed(t.get("authorizer-timeout", 10.0), tw, (int, float))
        if isinstance(timeout, bool) or not 0 < timeout <= 3600:
            raise r.fail(tw, f"must be seconds in (0, 3600], got {timeout!r}")
        return Role(name, (), uri, float(timeout))
    perms = []
    for i, item in enumerate(r.typed(t.get("permissions", []), f"{where}.permissions", list)):
        perms.append(_permission(r, item, f"{where}.permissions[{i}]"))
    role = Role(name, tuple(perms))
    try:
        RoleAuthorizer([role])
    except ValueError as exc:
        raise r.fail(f"{where}.permissions", str(exc)) from None
    return role


def starred(uri: str) -> tuple[str, str]:
    """Crossbar's starred URIs when no match is given: ``a.b.*`` prefix, ``a.*.c`` wildcard."""
    if uri == "*":
        return "", "prefix"
    if uri.endswith("*") and "*" not in uri[:-1]:
        return uri[:-1], "prefix"
    if "*" in uri:
        return uri.replace("*", ""), "wildcard"
    return uri, "exact"


def _permission(r: _Reader, value: Any, where: str) -> Permission:
    t = r.table(value, where, ("uri", "match", "allow", "disclose", "cache"), ("validate",))
    uri = r.typed(t.get("uri", ""), f"{where}.uri", str)
    if "match" in t:
        match = r.choice(t["match"], f"{where}.match", MATCHES)
    else:
        uri, match = starred(uri)
    if uri and not is_valid_uri(uri, allow_empty=match != "exact"):
        raise r.fail(f"{where}.uri", f"not a valid {match} URI: {uri!r}")
    allow = r.table(t.get("allow", {}), f"{where}.allow", ACTIONS)
    grants = {a: r.typed(allow.get(a, False), f"{where}.allow.{a}", bool) for a in ACTIONS}
    disclose = r.table(t.get("disclose", {}), f"{where}.disclose", ("caller", "publisher"))
    caller = r.typed(disclose.get("caller", False), f"{where}.disclose.caller", bool)
    publisher = r.typed(disclose.get("publisher", False), f"{where}.disclose.publisher", bool)
    r.typed(t.get("cache", False), f"{where}.cache", bool)
    return Permission(
        uri,
        match,  # type: ignore[arg-type]
        disclose_caller=caller,
        disclose_publisher=publisher,
        **grants,
    )
