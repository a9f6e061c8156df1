"""Details of a joined session and of the transport under it.

Re-exported by ``pywamp.wamp.types``; ``str()`` is the pformat of ``marshal()``, as in Autobahn.
"""

from __future__ import annotations

from pprint import pformat
from typing import Any, ClassVar

from pywamp.wamp._check import bad_type

__all__ = ("SessionDetails", "TransportDetails")


def _parse_field(owner: str, data: dict[str, Any], name: str, typ: type, what: str) -> Any:
    """``data[name]`` checked to be ``typ``, or None when absent or null."""
    value = data.get(name)
    if value is not None and type(value) is not typ:
        raise ValueError(f'{owner}.parse: "{name}" must be {what}, was {type(value).__name__}')
    return value


def _parse_enum(owner: str, data: dict[str, Any], name: str, table: dict[str, int]) -> Any:
    """A name from ``table`` in ``data[name]``, as its number (None when absent)."""
    value = data.get(name)
    if value is None:
        return None
    if type(value) is not str or value not in table:
        expected = ", ".join(table)
        raise ValueError(f'{owner}.parse: invalid "{name}" {value!r}, expected one of {expected}')
    return table[value]


def _check_types(owner: str, obj: object, types: dict[str, type]) -> None:
    """Every field None or of its type; bools are not ints (Autobahn does not check)."""
    for name, typ in types.items():
        value = getattr(obj, name)
        if value is not None and (
            not isinstance(value, typ) or (typ is int and type(value) is bool)
        ):
            raise bad_type(owner, name, f"{typ.__name__} or None", value)


def _name(table: dict[int, str], value: int | None) -> str | None:
    """The name of an enum number, None for None or an unknown number."""
    return None if value is None else table.get(value)


class TransportDetails:
    """What a session runs over: channel type, framing, serializer, peer, TLS binding, HTTP."""

    CHANNEL_TYPE_NONE = 0
    CHANNEL_TYPE_FUNCTION = 1
    CHANNEL_TYPE_MEMORY = 2
    CHANNEL_TYPE_SERIAL = 3
    CHANNEL_TYPE_TCP = 4
    CHANNEL_TYPE_TLS = 5
    CHANNEL_TYPE_UDP = 6
    CHANNEL_TYPE_DTLS = 7
    CHANNEL_TYPE_TO_STR: ClassVar[dict[int, str]] = {
        0: "null",
        1: "function",
        2: "memory",
        3: "serial",
        4: "tcp",
        5: "tls",
        6: "udp",
        7: "dtls",
    }
    CHANNEL_TYPE_FROM_STR: ClassVar[dict[str, int]] = {v: k for k, v in CHANNEL_TYPE_TO_STR.items()}

    CHANNEL_FRAMING_NONE = 0
    CHANNEL_FRAMING_NATIVE = 1
    CHANNEL_FRAMING_WEBSOCKET = 2
    CHANNEL_FRAMING_RAWSOCKET = 3
    CHANNEL_FRAMING_TO_STR: ClassVar[dict[int, str]] = {
        0: "null",
        1: "native",
        2: "websocket",
        3: "rawsocket",
    }
    CHANNEL_FRAMING_FROM_STR: ClassVar[dict[str, int]] = {
        v: k for k, v in CHANNEL_FRAMING_TO_STR.items()
    }

    CHANNEL_SERIALIZER_NONE = 0
    CHANNEL_SERIALIZER_JSON = 1
    CHANNEL_SERIALIZER_MSGPACK = 2
    CHANNEL_SERIALIZER_CBOR = 3
    CHANNEL_SERIALIZER_UBJSON = 4
    CHANNEL_SERIALIZER_FLATBUFFERS = 5
    CHANNEL_SERIALIZER_TO_STR: ClassVar[dict[int, str]] = {
        0: "null",
        1: "json",
        2: "msgpack",
        3: "cbor",
        4: "ubjson",
        5: "flatbuffers",
    }
    CHANNEL_SERIALIZER_FROM_STR: ClassVar[dict[str, int]] = {
        v: k for k, v in CHANNEL_SERIALIZER_TO_STR.items()
    }

    CHANNEL_BINDINGS = ("tls-unique", "tls-exporter")

    __slots__ = (
        "channel_framing",
        "channel_id",
        "channel_serializer",
        "channel_type",
        "http_cbtid",
        "http_headers_received",
        "http_headers_sent",
        "is_secure",
        "is_server",
        "own",
        "own_fd",
        "own_pid",
        "own_tid",
        "peer",
        "peer_cert",
        "websocket_extensions_in_use",
        "websocket_protocol",
    )

    channel_type: int | None
    channel_framing: int | None
    channel_serializer: int | None
    own: str | None
    peer: str | None
    is_server: bool | None
    own_pid: int | None
    own_tid: int | None
    own_fd: int | None
    is_secure: bool | None
    channel_id: dict[str, bytes] | None
    peer_cert: dict[str, Any] | None
    websocket_protocol: str | None
    websocket_extensions_in_use: list[str] | None
    http_headers_received: dict[str, Any] | None
    http_headers_sent: dict[str, Any] | None
    http_cbtid: str | None

    def __init__(
        self,
        channel_type: int | None = None,
        channel_framing: int | None = None,
        channel_serializer: int | None = None,
        own: str | None = None,
        peer: str | None = None,
        is_server: bool | None = None,
        own_pid: int | None = None,
        own_tid: int | None = None,
        own_fd: int | None = None,
        is_secure: bool | None = None,
        channel_id: dict[str, bytes] | None = None,
        peer_cert: dict[str, Any] | None = None,
        websocket_protocol: str | None = None,
        websocket_extensions_in_use: list[str] | None = None,
        http_headers_received: dict[str, Any] | None = None,
        http_headers_sent: dict[str, Any] | None = None,
        http_cbtid: str | None = None,
    ) -> None:
        self.channel_type = channel_type
        self.channel_framing = channel_framing
        self.channel_serializer = channel_serializer
        self.own = own
        self.peer = peer
        self.is_server = is_server
        self.own_pid = own_pid
        self.own_tid = own_tid
        self.own_fd = own_fd
        self.is_secure = is_secure
        self.channel_id = channel_id
        self.peer_cert = peer_cert
        self.websocket_protocol = websocket_protocol
        self.websocket_extensions_in_use = websocket_extensions_in_use
        self.http_headers_received = http_headers_received
        self.http_headers_sent = http_headers_sent
        self.http_cbtid = http_cbtid
        _check_types("TransportDetails", self, self._TYPES)

    _TYPES: ClassVar[dict[str, type]] = {
        "channel_type": int,
        "channel_framing": int,
        "channel_serializer": int,
        "own": str,
        "peer": str,
        "is_server": bool,
        "own_pid": int,
        "own_tid": int,
        "own_fd": int,
        "is_secure": bool,
        "channel_id": dict,
        "peer_cert": dict,
        "websocket_protocol": str,
        "websocket_extensions_in_use": list,
        "http_headers_received": dict,
        "http_headers_sent": dict,
        "http_cbtid": str,
    }

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, self.__class__) and other._fields() == self._fields()

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value, as in Autobahn

    @staticmethod
    def parse(data: dict[str, Any]) -> TransportDetails:
        """Rebuild from ``marshal()`` output (channel ids given as 64 hex digits)."""
        owner = "TransportDetails"
        if type(data) is not dict:
            raise bad_type(owner, "parse(data)", "a dict", data)
        obj = TransportDetails()
        obj.channel_type = _parse_enum(owner, data, "channel_type", obj.CHANNEL_TYPE_FROM_STR)
        obj.channel_framing = _parse_enum(
            owner, data, "channel_framing", obj.CHANNEL_FRAMING_FROM_STR
        )
        obj.channel_serializer = _parse_enum(
            owner, data, "channel_serializer", obj.CHANNEL_SERIALIZER_FROM_STR
        )
        obj.own = _parse_field(owner, data, "own", str, "a string")
        obj.peer = _parse_field(owner, data, "peer", str, "a string")
        obj.is_server = _parse_field(owner, data, "is_server", bool, "a bool")
        obj.own_pid = _parse_field(owner, data, "own_pid", int, "an int")
        obj.own_tid = _parse_field(owner, data, "own_tid", int, "an int")
        obj.own_fd = _parse_field(owner, data, "own_fd", int, "an int")
        obj.is_secure = _parse_field(owner, data, "is_secure", bool, "a bool")
        ids = _parse_field(owner, data, "channel_id", dict, "a dict")
        if ids is not None:
            obj.channel_id = {}
            for binding, value in ids.items():
                if binding not in obj.CHANNEL_BINDINGS:
                    raise ValueError(f'{owner}.parse: invalid binding type "{binding}"')
                if type(value) is not str or len(value) != 64:
                    raise ValueError(f'{owner}.parse: invalid binding ID "{value}" for {binding}')
                obj.channel_id[binding] = bytes.fromhex(value)
        obj.peer_cert = _parse_field(owner, data, "peer_cert", dict, "a dict")
        obj.websocket_protocol = _parse_field(owner, data, "websocket_protocol", str, "a string")
        obj.websocket_extensions_in_use = _parse_field(
            owner, data, "websocket_extensions_in_use", list, "a list of strings"
        )
        obj.http_headers_received = _parse_field(
            owner, data, "http_headers_received", dict, "a map of strings"
        )
        obj.http_headers_sent = _parse_field(
            owner, data, "http_headers_sent", dict, "a map of strings"
        )
        obj.http_cbtid = _parse_field(owner, data, "http_cbtid", str, "a string")
        return obj

    def marshal(self) -> dict[str, Any]:
        """A plain dict with the enums as names (``"tcp"``, ``"websocket"``, ``"json"``)."""
        return {
            "channel_type": _name(self.CHANNEL_TYPE_TO_STR, self.channel_type),
            "channel_framing": _name(self.CHANNEL_FRAMING_TO_STR, self.channel_framing),
            "channel_serializer": _name(self.CHANNEL_SERIALIZER_TO_STR, self.channel_serializer),
            "own": self.own,
            "peer": self.peer,
            "is_server": self.is_server,
            "own_pid": self.own_pid,
            "own_tid": self.own_tid,
            "own_fd": self.own_fd,
            "is_secure": self.is_secure,
            "channel_id": self.channel_id,
            "peer_cert": self.peer_cert,
            "websocket_protocol": self.websocket_protocol,
            "websocket_extensions_in_use": self.websocket_extensions_in_use,
            "http_headers_received": self.http_headers_received,
            "http_headers_sent": self.http_headers_sent,
            "http_cbtid": self.http_cbtid,
        }

    def __str__(self) -> str:
        return pformat(self.marshal())

    @property
    def channel_typeid(self) -> str:
        """A short id of type, framing and serializer, e.g. ``"tcp-websocket-json"``."""
        return (
            f"{self.CHANNEL_TYPE_TO_STR[self.channel_type or 0]}-"
            f"{self.CHANNEL_FRAMING_TO_STR[self.channel_framing or 0]}-"
            f"{self.CHANNEL_SERIALIZER_TO_STR[self.channel_serializer or 0]}"
        )


class SessionDetails:
    """What a joined session is: realm, session id, auth identity, serializer, transport."""

    __slots__ = (
        "authextra",
        "authid",
        "authmethod",
        "authprovider",
        "authrole",
        "realm",
        "resumable",
        "resume_token",
        "resumed",
        "serializer",
        "session",
        "transport",
    )

    realm: str | None
    session: int | None
    authid: str | None
    authrole: str | None
    authmethod: str | None
    authprovider: str | None
    authextra: dict[str, Any] | None
    serializer: str | None
    transport: TransportDetails | None
    resumed: bool | None
    resumable: bool | None
    resume_token: str | None

    def __init__(
        self,
        realm: str | None = None,
        session: int | None = None,
        authid: str | None = None,
        authrole: str | None = None,
        authmethod: str | None = None,
        authprovider: str | None = None,
        authextra: dict[str, Any] | None = None,
        serializer: str | None = None,
        transport: TransportDetails | None = None,
        resumed: bool | None = None,
        resumable: bool | None = None,
        resume_token: str | None = None,
    ) -> None:
        self.realm = realm
        self.session = session
        self.authid = authid
        self.authrole = authrole
        self.authmethod = authmethod
        self.authprovider = authprovider
        self.authextra = authextra
        self.serializer = serializer
        self.transport = transport
        self.resumed = resumed
        self.resumable = resumable
        self.resume_token = resume_token
        _check_types("SessionDetails", self, self._TYPES)

    _TYPES: ClassVar[dict[str, type]] = {
        "realm": str,
        "session": int,
        "authid": str,
        "authrole": str,
        "authmethod": str,
        "authprovider": str,
        "authextra": dict,
        "serializer": str,
        "transport": TransportDetails,
        "resumed": bool,
        "resumable": bool,
        "resume_token": str,
    }

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, self.__class__) and other._fields() == self._fields()

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value, as in Autobahn

    @staticmethod
    def parse(data: dict[str, Any]) -> SessionDetails:
        """Rebuild from ``marshal()`` output."""
        owner = "SessionDetails"
        if type(data) is not dict:
            raise bad_type(owner, "parse(data)", "a dict", data)
        obj = SessionDetails()
        obj.realm = _parse_field(owner, data, "realm", str, "a string")
        obj.session = _parse_field(owner, data, "session", int, "an int")
        obj.authid = _parse_field(owner, data, "authid", str, "a string")
        obj.authrole = _parse_field(owner, data, "authrole", str, "a string")
        obj.authmethod = _parse_field(owner, data, "authmethod", str, "a string")
        obj.authprovider = _parse_field(owner, data, "authprovider", str, "a string")
        obj.authextra = _parse_field(owner, data, "authextra", dict, "a dict")
        if obj.authextra is not None:
            for key in obj.authextra:
                if type(key) is not str:
                    raise ValueError(f'{owner}.parse: key "{key}" in authextra must be a string')
        obj.serializer = _parse_field(owner, data, "serializer", str, "a string")
        if data.get("transport") is not None:
            obj.transport = TransportDetails.parse(data["transport"])
        obj.resumed = _parse_field(owner, data, "resumed", bool, "a bool")
        obj.resumable = _parse_field(owner, data, "resumable", bool, "a bool")
        obj.resume_token = _parse_field(owner, data, "resume_token", str, "a string")
        return obj

    def marshal(self) -> dict[str, Any]:
        """A plain dict of every field (the transport marshalled too)."""
        return {
            "realm": self.realm,
            "session": self.session,
            "authid": self.authid,
            "authrole": self.authrole,
            "authmethod": self.authmethod,
            "authprovider": self.authprovider,
            "authextra": self.authextra,
            "serializer": self.serializer,
            "transport": self.transport.marshal() if self.transport else None,
            "resumed": self.resumed,
            "resumable": self.resumable,
            "resume_token": self.resume_token,
        }

    def __str__(self) -> str:
        return pformat(self.marshal())
