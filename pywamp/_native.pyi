"""pywamp._native: the compiled core (WAMP codec, RawSocket and WebSocket framing, URIs).

Errors raised here are the classes of ``pywamp.exception``: ``ProtocolError`` for bytes
or messages that break WAMP, ``SerializationError`` for values that cannot be encoded,
``TransportError`` / ``HandshakeError`` for framing and handshake violations, and
``InvalidUri`` for malformed URIs and URI patterns.
"""

from collections.abc import Sequence
from typing import Any, ClassVar, Final, Generic, Literal, TypeAlias, TypeVar, final

from typing_extensions import Self

__version__: Final[str]

Serializer: TypeAlias = Literal["json", "msgpack", "cbor"]
MatchPolicy: TypeAlias = Literal["exact", "prefix", "wildcard"]

# ---------------------------------------------------------------------------------------
# WAMP messages. Field names follow the spec. Every class is immutable, compares by
# value, and has TYPE (the message code). Constructors validate like the decoder does:
# ids in [1, 2**53], dicts with str keys, URIs non-empty strings; bad input raises
# ProtocolError naming the message and the field. Empty args/kwargs are stored as None
# (the wire omits them), so a message always equals its own round trip. The messages
# that carry application data also take ``payload``: a transparent binary payload
# (payload passthru / end-to-end encryption) sent in place of args, without kwargs.
# ---------------------------------------------------------------------------------------

_Args: TypeAlias = list[Any] | None
_Kwargs: TypeAlias = dict[str, Any] | None
_Payload: TypeAlias = bytes | None

@final
class Hello:
    TYPE: ClassVar[int]  # 1
    __match_args__ = ("realm", "details")
    realm: str
    details: dict[str, Any]
    def __new__(cls, realm: str, details: dict[str, Any]) -> Self: ...

@final
class Welcome:
    TYPE: ClassVar[int]  # 2
    __match_args__ = ("session", "details")
    session: int
    details: dict[str, Any]
    def __new__(cls, session: int, details: dict[str, Any]) -> Self: ...

@final
class Abort:
    TYPE: ClassVar[int]  # 3
    __match_args__ = ("details", "reason", "args", "kwargs")
    details: dict[str, Any]
    reason: str
    args: _Args
    kwargs: _Kwargs
    def __new__(
        cls, details: dict[str, Any], reason: str, args: _Args = None, kwargs: _Kwargs = None
    ) -> Self: ...

@final
class Challenge:
    TYPE: ClassVar[int]  # 4
    __match_args__ = ("authmethod", "extra")
    authmethod: str
    extra: dict[str, Any]
    def __new__(cls, authmethod: str, extra: dict[str, Any]) -> Self: ...

@final
class Authenticate:
    TYPE: ClassVar[int]  # 5
    __match_args__ = ("signature", "extra")
    signature: str
    extra: dict[str, Any]
    def __new__(cls, signature: str, extra: dict[str, Any]) -> Self: ...

@final
class Goodbye:
    TYPE: ClassVar[int]  # 6
    __match_args__ = ("details", "reason")
    details: dict[str, Any]
    reason: str
    def __new__(cls, details: dict[str, Any], reason: str) -> Self: ...

@final
class Error:
    TYPE: ClassVar[int]  # 8
    __match_args__ = ("request_type", "request_id", "details", "error", "args", "kwargs", "payload")
    request_type: int
    request_id: int
    details: dict[str, Any]
    error: str
    args: _Args
    kwargs: _Kwargs
    payload: _Payload
    def __new__(
        cls,
        request_type: int,
        request_id: int,
        details: dict[str, Any],
        error: str,
        args: _Args = None,
        kwargs: _Kwargs = None,
        payload: _Payload = None,
    ) -> Self: ...

@final
class Publish:
    TYPE: ClassVar[int]  # 16
    __match_args__ = ("request_id", "options", "topic", "args", "kwargs", "payload")
    request_id: int
    options: dict[str, Any]
    topic: str
    args: _Args
    kwargs: _Kwargs
    payload: _Payload
    def __new__(
        cls,
        request_id: int,
        options: dict[str, Any],
        topic: str,
        args: _Args = None,
        kwargs: _Kwargs = None,
        payload: _Payload = None,
    ) -> Self: ...

@final
class Published:
    TYPE: ClassVar[int]  # 17
    __match_args__ = ("request_id", "publication")
    request_id: int
    publication: int
    def __new__(cls, request_id: int, publication: int) -> Self: ...

@final
class Subscribe:
    TYPE: ClassVar[int]  # 32
    __match_args__ = ("request_id", "options", "topic")
    request_id: int
    options: dict[str, Any]
    topic: str
    def __new__(cls, request_id: int, options: dict[str, Any], topic: str) -> Self: ...

@final
class Subscribed:
    TYPE: ClassVar[int]  # 33
    __match_args__ = ("request_id", "subscription")
    request_id: int
    subscription: int
    def __new__(cls, request_id: int, subscription: int) -> Self: ...

@final
class Unsubscribe:
    TYPE: ClassVar[int]  # 34
    __match_args__ = ("request_id", "subscription")
    request_id: int
    subscription: int
    def __new__(cls, request_id: int, subscription: int) -> Self: ...

@final
class Unsubscribed:
    TYPE: ClassVar[int]  # 35
    __match_args__ = ("request_id", "details")
    request_id: int
    details: dict[str, Any] | None  # present only on router-initiated revocation
    def __new__(cls, request_id: int, details: dict[str, Any] | None = None) -> Self: ...

@final
class Event:
    TYPE: ClassVar[int]  # 36
    __match_args__ = ("subscription", "publication", "details", "args", "kwargs", "payload")
    subscription: int
    publication: int
    details: dict[str, Any]
    args: _Args
    kwargs: _Kwargs
    payload: _Payload
    def __new__(
        cls,
        subscription: int,
        publication: int,
        details: dict[str, Any],
        args: _Args = None,
        kwargs: _Kwargs = None,
        payload: _Payload = None,
    ) -> Self: ...

def router_event(
    subscription: int,
    publication: int,
    details: dict[str, Any],
    args: _Args,
    kwargs: _Kwargs,
    payload: _Payload,
) -> Event:
    """An EVENT from parts the router holds, already checked: no constructor checks."""

def router_invocation(
    request_id: int,
    registration: int,
    details: dict[str, Any],
    args: _Args,
    kwargs: _Kwargs,
    payload: _Payload,
) -> Invocation:
    """An INVOCATION from parts the router holds, already checked."""

def router_result(
    request_id: int, details: dict[str, Any], args: _Args, kwargs: _Kwargs, payload: _Payload
) -> Result:
    """A RESULT from parts the router holds, already checked."""

@final
class Call:
    TYPE: ClassVar[int]  # 48
    __match_args__ = ("request_id", "options", "procedure", "args", "kwargs", "payload")
    request_id: int
    options: dict[str, Any]
    procedure: str
    args: _Args
    kwargs: _Kwargs
    payload: _Payload
    def __new__(
        cls,
        request_id: int,
        options: dict[str, Any],
        procedure: str,
        args: _Args = None,
        kwargs: _Kwargs = None,
        payload: _Payload = None,
    ) -> Self: ...

@final
class Cancel:
    TYPE: ClassVar[int]  # 49
    __match_args__ = ("request_id", "options")
    request_id: int
    options: dict[str, Any]
    def __new__(cls, request_id: int, options: dict[str, Any]) -> Self: ...

@final
class Result:
    TYPE: ClassVar[int]  # 50
    __match_args__ = ("request_id", "details", "args", "kwargs", "payload")
    request_id: int
    details: dict[str, Any]
    args: _Args
    kwargs: _Kwargs
    payload: _Payload
    def __new__(
        cls,
        request_id: int,
        details: dict[str, Any],
        args: _Args = None,
        kwargs: _Kwargs = None,
        payload: _Payload = None,
    ) -> Self: ...

@final
class Register:
    TYPE: ClassVar[int]  # 64
    __match_args__ = ("request_id", "options", "procedure")
    request_id: int
    options: dict[str, Any]
    procedure: str
    def __new__(cls, request_id: int, options: dict[str, Any], procedure: str) -> Self: ...

@final
class Registered:
    TYPE: ClassVar[int]  # 65
    __match_args__ = ("request_id", "registration")
    request_id: int
    registration: int
    def __new__(cls, request_id: int, registration: int) -> Self: ...

@final
class Unregister:
    TYPE: ClassVar[int]  # 66
    __match_args__ = ("request_id", "registration")
    request_id: int
    registration: int
    def __new__(cls, request_id: int, registration: int) -> Self: ...

@final
class Unregistered:
    TYPE: ClassVar[int]  # 67
    __match_args__ = ("request_id", "details")
    request_id: int
    details: dict[str, Any] | None  # present only on router-initiated revocation
    def __new__(cls, request_id: int, details: dict[str, Any] | None = None) -> Self: ...

@final
class Invocation:
    TYPE: ClassVar[int]  # 68
    __match_args__ = ("request_id", "registration", "details", "args", "kwargs", "payload")
    request_id: int
    registration: int
    details: dict[str, Any]
    args: _Args
    kwargs: _Kwargs
    payload: _Payload
    def __new__(
        cls,
        request_id: int,
        registration: int,
        details: dict[str, Any],
        args: _Args = None,
        kwargs: _Kwargs = None,
        payload: _Payload = None,
    ) -> Self: ...

@final
class Interrupt:
    TYPE: ClassVar[int]  # 69
    __match_args__ = ("request_id", "options")
    request_id: int
    options: dict[str, Any]
    def __new__(cls, request_id: int, options: dict[str, Any]) -> Self: ...

@final
class Yield:
    TYPE: ClassVar[int]  # 70
    __match_args__ = ("request_id", "options", "args", "kwargs", "payload")
    request_id: int
    options: dict[str, Any]
    args: _Args
    kwargs: _Kwargs
    payload: _Payload
    def __new__(
        cls,
        request_id: int,
        options: dict[str, Any],
        args: _Args = None,
        kwargs: _Kwargs = None,
        payload: _Payload = None,
    ) -> Self: ...

@final
class EventReceived:
    TYPE: ClassVar[int]  # 337 (acknowledged event delivery, advanced profile)
    __match_args__ = ("publication",)
    publication: int
    def __new__(cls, publication: int) -> Self: ...

Message: TypeAlias = (
    Hello
    | Welcome
    | Abort
    | Challenge
    | Authenticate
    | Goodbye
    | Error
    | Publish
    | Published
    | Subscribe
    | Subscribed
    | Unsubscribe
    | Unsubscribed
    | Event
    | Call
    | Cancel
    | Result
    | Register
    | Registered
    | Unregister
    | Unregistered
    | Invocation
    | Interrupt
    | Yield
    | EventReceived
)

@final
class Codec:
    """One serializer: WAMP messages to and from json, msgpack or cbor bytes."""

    serializer: Serializer
    def __new__(cls, serializer: Serializer) -> Self: ...
    def encode(self, message: Message) -> bytes: ...
    def decode(self, data: bytes) -> Message: ...
    def encode_value(self, value: Any) -> bytes: ...
    def decode_value(self, data: bytes) -> Any: ...

# ---------------------------------------------------------------------------------------
# Transport events returned by feed() next to messages.
# ---------------------------------------------------------------------------------------

@final
class Ping:
    """The peer pinged; answer with the stream's pong(payload)."""

    payload: bytes

@final
class Pong:
    """The peer answered a ping."""

    payload: bytes

@final
class Close:
    """The peer started or answered the WebSocket closing handshake."""

    code: int | None
    reason: str

Item: TypeAlias = Message | Ping | Pong | Close

# ---------------------------------------------------------------------------------------
# RawSocket (spec: advanced profile, transport_rawsocket.md)
# ---------------------------------------------------------------------------------------

RAWSOCKET_MAX_LENGTH: Final[int]  # 16 MiB, the largest length a peer may announce

def rawsocket_handshake(serializer: int, max_receive: int) -> bytes:
    """The 4-byte opening (client) or reply (router): 0x7F, length exponent, serializer id.

    ``max_receive`` is rounded up to the next power of two in [512, 16 MiB].
    """

def rawsocket_error(code: int) -> bytes:
    """The 4-byte error reply (1 serializer unsupported, 2 length unacceptable,
    3 reserved bits used, 4 max connection count reached)."""

def rawsocket_parse_handshake(data: bytes) -> tuple[int, int]:
    """Parse 4 handshake bytes into (serializer id, max length the sender accepts).

    Raises HandshakeError with ``code`` set for an error reply from the peer, a bad magic
    byte or reserved bits.
    """

@final
class RawSocket:
    """A RawSocket connection after its handshake: frames in, messages out."""

    serializer: Serializer
    max_receive: int
    max_send: int
    def __new__(
        cls, serializer: Serializer, *, max_receive: int = ..., max_send: int = ...
    ) -> RawSocket: ...
    def feed(self, data: bytes) -> list[Item]:
        """Every complete item in the bytes received so far (any chunking works).

        Raises TransportError (oversized or reserved frames) or ProtocolError (a bad
        message) with ``messages`` holding what was decoded before it.
        """
    def send(self, message: Message) -> bytes:
        """Encode and frame one message (SerializationError for unencodable values,
        ProtocolError when it exceeds max_send)."""
    def frame(self, payload: bytes) -> bytes:
        """Frame an already-encoded message of this serializer."""
    def ping(self, payload: bytes = b"") -> bytes: ...
    def pong(self, payload: bytes) -> bytes: ...

# ---------------------------------------------------------------------------------------
# WebSocket (RFC 6455) with the WAMP subprotocols wamp.2.json / .msgpack / .cbor
# ---------------------------------------------------------------------------------------

@final
class WebSocketRequest:
    """A parsed HTTP/1.1 upgrade request (router side)."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    protocols: list[str]  # Sec-WebSocket-Protocol values, in the client's order
    key: str

def websocket_parse_request(data: bytes) -> tuple[WebSocketRequest, int] | None:
    """Parse an upgrade request: (request, bytes consumed), or None while incomplete.

    Raises HandshakeError with ``code`` the HTTP status to answer (400, 405, 426, 431).
    """

def websocket_accept(
    request: WebSocketRequest, protocol: str | None, headers: Sequence[tuple[str, str]] = ()
) -> bytes:
    """The 101 Switching Protocols response to a request."""

def websocket_reject(status: int, reason: str, headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """An HTTP error response that refuses an upgrade."""

def websocket_request(
    host: str,
    path: str,
    protocols: Sequence[str],
    *,
    key: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> tuple[bytes, str]:
    """A client upgrade request and the Sec-WebSocket-Key it carries (random if None)."""

def websocket_parse_response(
    data: bytes, key: str, protocols: Sequence[str]
) -> tuple[str | None, int] | None:
    """Check the router's answer: (chosen subprotocol, bytes consumed), None while incomplete.

    Raises HandshakeError (``code`` = the HTTP status) for a refusal, a wrong
    Sec-WebSocket-Accept, or a subprotocol that was not offered.
    """

@final
class WebSocket:
    """A WebSocket connection after its handshake: frames in, WAMP messages out."""

    serializer: Serializer
    client: bool
    max_message_size: int
    def __new__(
        cls, serializer: Serializer, *, client: bool, max_message_size: int = ...
    ) -> WebSocket: ...
    def feed(self, data: bytes) -> list[Item]:
        """Every complete item in the bytes received so far; fragmented messages are
        reassembled and text messages checked for UTF-8.

        Raises TransportError with ``close_code`` (1002, 1007, 1009) and ``messages``.
        """
    def send(self, message: Message) -> bytes:
        """Encode and frame one message (text for json, binary otherwise; masked by clients)."""
    def frame(self, payload: bytes) -> bytes:
        """Frame an already-encoded message of this serializer."""
    def ping(self, payload: bytes = b"") -> bytes: ...
    def pong(self, payload: bytes) -> bytes: ...
    def close(self, code: int | None = 1000, reason: str = "") -> bytes: ...

# ---------------------------------------------------------------------------------------
# URIs
# ---------------------------------------------------------------------------------------

def is_valid_uri(uri: str, *, strict: bool = False, allow_empty: bool = False) -> bool:
    """Check a URI against the spec's rules (loose or strict; empty components for patterns)."""

T = TypeVar("T")

@final
class Matcher(Generic[T]):
    """Subscriptions or registrations keyed by (uri, match policy); lookups cost the
    length of the URI, not the number of entries."""

    def __init__(self) -> None: ...
    @classmethod
    def __class_getitem__(cls, key: Any) -> Any: ...
    def __len__(self) -> int: ...
    def __contains__(self, key: tuple[str, MatchPolicy], /) -> bool: ...
    def add(self, uri: str, match: MatchPolicy, value: T) -> None:
        """Store ``value`` under (uri, match); KeyError if that key is taken."""
    def remove(self, uri: str, match: MatchPolicy) -> T:
        """Remove and return the value under (uri, match); KeyError if absent."""
    def get(self, uri: str, match: MatchPolicy) -> T | None: ...
    def match(self, uri: str) -> list[T]:
        """Every value whose pattern matches ``uri`` (exact, then prefix, then wildcard)."""
    def best(self, uri: str) -> T | None:
        """The one value that wins for ``uri`` by the registration precedence: exact,
        longest prefix, then the wildcard with the longest literal run before each
        wildcard component."""

@final
class UriPattern:
    """A decorator URI such as ``com.myapp.<country>.<city:int>.on_concert``."""

    pattern: str
    uri: str  # the URI sent on the wire ("com.myapp..on_concert" or "com.myapp.us.")
    match: MatchPolicy
    names: list[str]  # names bound, in order
    def __new__(cls, pattern: str) -> UriPattern: ...
    def bind(self, uri: str) -> dict[str, str | int] | None:
        """The named components of a concrete URI (``int`` converted, ``suffix`` is the
        rest of the URI), or None when the URI does not match the pattern."""
