"""Reading a Crossbar ``config.json`` into a :class:`~pywamp.router.settings.RouterConfig`.

Its router worker's realms (roles with their permissions or authorizer, the event
history of the store) and its websocket/rawsocket/universal transports with their
``auth`` sections and WebSocket keepalive ``options`` are read; keys pywamp does not
implement are named in one warning (see :mod:`pywamp.router.settings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pywamp.router import auth_settings
from pywamp.router.authenticators import ListenerAuthentication
from pywamp.router.authorization import RoleAuthorizer
from pywamp.router.config import Disclosure, HistoryTopic, RealmConfig
from pywamp.router.settings import ANONYMOUS, ListenerConfig, RouterConfig, _Reader, log

__all__ = ("CrossbarReader",)


class CrossbarReader(_Reader):
    """The pywamp reader's checks, walking a Crossbar config."""

    def crossbar(self, data: Any) -> RouterConfig:
        top = self.table(data, "config", ("version", "workers"), ("controller", "$schema"))
        routers = [
            (i, w)
            for i, w in enumerate(self.typed(top.get("workers", []), "workers", list))
            if isinstance(w, Mapping) and w.get("type") == "router"
        ]
        if len(routers) != 1:
            raise self.fail(
                "workers", f"needs exactly one worker of type router, found {len(routers)}"
            )
        index, worker = routers[0]
        where = f"workers[{index}]"
        w = self.table(
            worker,
            where,
            ("type", "realms", "transports"),
            ("id", "options", "components", "connections", "manhole", "cookie", "container"),
        )
        config = RouterConfig(realms=[], listeners=[])
        for i, realm in enumerate(self.typed(w.get("realms", []), f"{where}.realms", list)):
            config.realms.append(self.crossbar_realm(realm, f"{where}.realms[{i}]"))
        self.unique([r.name for r in config.realms], f"{where}.realms")
        for i, transport in enumerate(
            self.typed(w.get("transports", []), f"{where}.transports", list)
        ):
            config.listeners.extend(self.crossbar_transport(transport, f"{where}.transports[{i}]"))
        self.crossbar_auth(config)
        self.check_authenticator_realms(config)
        if self.ignored:
            log.warning(
                "%s: Crossbar options pywamp does not implement were ignored: %s",
                self.path,
                ", ".join(self.ignored),
            )
        return config

    def crossbar_realm(self, value: Any, where: str) -> RealmConfig:
        t = self.table(value, where, ("name", "roles", "store"), ("options",))
        if "name" not in t:
            raise self.fail(where, "needs a name")
        realm = RealmConfig(name=self.typed(t["name"], f"{where}.name", str))
        if "roles" in t:
            authz = auth_settings.read_roles(self, t["roles"], f"{where}.roles")
            realm.authorizer = authz
            by_role = authz.role_disclose()
            # roles the config does not name get what any configured role discloses
            realm.disclose = Disclosure(
                caller=any(d.caller for d in by_role.values()),
                publisher=any(d.publisher for d in by_role.values()),
            )
            realm.role_disclose = by_role
        if "store" in t:
            realm.history = self.crossbar_store(t["store"], f"{where}.store")
        return realm

    def crossbar_auth(self, config: RouterConfig) -> None:
        """Each realm's authentication from the transports' auth sections.

        A transport without one lets clients in as ``anonymous`` (Crossbar's default).
        With no auth section anywhere and no roles, a realm stays open.
        """
        has_auth = any(spec is not None for _, spec in self.listener_auth.values())
        if not has_auth and not any(r.authorizer is not None for r in config.realms):
            return
        for realm in config.realms:
            authz = realm.authorizer
            roles = list(authz.roles) if isinstance(authz, RoleAuthorizer) else None
            by_listener = {
                name: auth_settings.build(spec or ANONYMOUS, realm.name, roles)
                for name, (_, spec) in self.listener_auth.items()
            }
            first = next(iter(by_listener.values()), None)
            default = first or auth_settings.build(ANONYMOUS, realm.name, roles)
            realm.authenticator = ListenerAuthentication(by_listener, default)

    def crossbar_store(self, value: Any, where: str) -> list[HistoryTopic]:
        """A realm store: its ``event-history`` topics (kept in memory)."""
        t = self.table(value, where, ("type", "limit", "event-history"), ("path", "maxsize"))
        self.choice(t.get("type", "memory"), f"{where}.type", ("memory", "lmdb"))
        limit = self.typed(t.get("limit", 100), f"{where}.limit", int)
        topics = []
        for i, item in enumerate(
            self.typed(t.get("event-history", []), f"{where}.event-history", list)
        ):
            h = f"{where}.event-history[{i}]"
            e = self.table(item, h, ("uri", "match", "limit"))
            if "uri" not in e:
                raise self.fail(h, "needs a uri")
            match = self.choice(
                e.get("match", "exact"), f"{h}.match", ("exact", "prefix", "wildcard")
            )
            size = self.typed(e.get("limit", limit), f"{h}.limit", int)
            topics.append(self.history_topic(e["uri"], match, size, h))
        return topics

    def crossbar_endpoint(self, value: Any, where: str, listener: ListenerConfig) -> None:
        t = self.table(
            value,
            where,
            ("type", "port", "interface", "path", "tls"),
            ("backlog", "shared", "version", "user_timeout"),
        )
        kind = self.choice(t.get("type"), f"{where}.type", ("tcp", "unix"))
        if kind == "unix":
            if "path" not in t:
                raise self.fail(where, "a unix endpoint needs a path")
            listener.socket_path = self.local_path(t["path"], f"{where}.path")
            listener.host = None
            return
        if "port" not in t:
            raise self.fail(where, "a tcp endpoint needs a port")
        listener.port = self.port(t["port"], f"{where}.port")
        listener.host = self.typed(t.get("interface", "0.0.0.0"), f"{where}.interface", str)
        if "tls" in t:
            tls = self.table(
                t["tls"],
                f"{where}.tls",
                ("certificate", "key"),
                ("ciphers", "ca_certificates", "chain_certificates", "dhparam"),
            )
            for key in ("certificate", "key"):
                if key not in tls:
                    raise self.fail(f"{where}.tls", f"needs a {key}")
            listener.tls_certificate = self.existing_file(
                tls["certificate"], f"{where}.tls.certificate"
            )
            listener.tls_key = self.existing_file(tls["key"], f"{where}.tls.key")

    def crossbar_transport(self, value: Any, where: str) -> list[ListenerConfig]:
        if not isinstance(value, Mapping):
            raise self.fail(where, "must be a table")
        kind = value.get("type")
        listener = ListenerConfig()
        ws_options = ("cookie", "debug", "url")
        auths: list[tuple[str, Any]] = []  # (where, auth section)
        if kind == "websocket":
            t = self.table(
                value,
                where,
                ("type", "endpoint", "serializers", "id", "auth", "options"),
                ws_options,
            )
            listener.kind, listener.path = "websocket", None
            if "options" in t:
                self.crossbar_ws_options(t["options"], f"{where}.options", listener)
        elif kind == "rawsocket":
            t = self.table(
                value,
                where,
                ("type", "endpoint", "serializers", "id", "auth"),
                ("options", "debug", "max_message_size"),
            )
            listener.kind = "rawsocket"
        elif kind == "universal":
            t = self.table(
                value,
                where,
                ("type", "endpoint", "rawsocket", "websocket", "id"),
                ("web", "mqtt", "options"),
            )
            listener.kind, listener.path = "universal", None
            if "websocket" in t:
                paths = self.table(t["websocket"], f"{where}.websocket", list(t["websocket"]))
                if len(paths) != 1:
                    raise self.fail(
                        f"{where}.websocket", "pywamp serves one WebSocket path per listener"
                    )
                ((path, ws),) = paths.items()
                listener.path = "/" + path.lstrip("/")
                w = self.table(
                    ws,
                    f"{where}.websocket.{path}",
                    ("type", "serializers", "auth", "options"),
                    ws_options,
                )
                if "options" in w:
                    self.crossbar_ws_options(
                        w["options"], f"{where}.websocket.{path}.options", listener
                    )
                if "auth" in w:
                    auths.append((f"{where}.websocket.{path}.auth", w["auth"]))
                if "serializers" in w:
                    listener.serializers = self.serializers(
                        w["serializers"], f"{where}.websocket.{path}.serializers"
                    )
            if "rawsocket" in t:
                r = self.table(
                    t["rawsocket"],
                    f"{where}.rawsocket",
                    ("type", "serializers", "auth"),
                    ("options", "max_message_size"),
                )
                if "auth" in r:
                    auths.append((f"{where}.rawsocket.auth", r["auth"]))
                if "serializers" in r and "websocket" not in t:
                    listener.serializers = self.serializers(
                        r["serializers"], f"{where}.rawsocket.serializers"
                    )
        elif kind == "web":
            raise self.fail(
                f"{where}.type", "web transports are not served; use websocket or universal"
            )
        else:
            raise self.fail(
                f"{where}.type", f"must be websocket, rawsocket or universal, got {kind!r}"
            )
        if "endpoint" not in t:
            raise self.fail(where, "needs an endpoint")
        self.crossbar_endpoint(t["endpoint"], f"{where}.endpoint", listener)
        if "serializers" in t:
            listener.serializers = self.serializers(t["serializers"], f"{where}.serializers")
        if "auth" in t:
            auths.append((f"{where}.auth", t["auth"]))
        if len(auths) == 2 and auths[0][1] != auths[1][1]:
            raise self.fail(
                auths[1][0], "pywamp applies one auth section per listener; make both the same"
            )
        name = self.typed(t.get("id", where), f"{where}.id", str)
        if name in self.listener_auth:
            raise self.fail(f"{where}.id", f"two transports are named {name!r}")
        spec = None
        if auths:
            spec = auth_settings.read_auth(self, auths[0][1], auths[0][0], crossbar=True)
            self.auth_specs.append((auths[0][0], spec))
        self.listener_auth[name] = (where, spec)
        listener.name = name
        return [listener]

    def crossbar_ws_options(self, value: Any, where: str, listener: ListenerConfig) -> None:
        """A Crossbar WebSocket transport's ``options``: its keepalive (milliseconds) is
        served per listener; the other options are noted as ignored."""
        if not isinstance(value, Mapping):
            raise self.fail(where, f"must be a table, got {type(value).__name__}")
        keys = ("auto_ping_interval", "auto_ping_timeout")
        t = self.table(value, where, keys, [k for k in value if k not in keys])
        self.keepalive(t, where, listener, unit=0.001)
