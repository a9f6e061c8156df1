"""Decode-and-dispatch shared by the asyncio and Twisted transports (no I/O here).

A transport feeds received bytes to its native stream; the complete items go, in order,
to the handler (WAMP messages) or to the transport's own event hooks (PING, PONG, CLOSE).
A framing error still delivers the messages decoded before it, then reports the error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pywamp import _native
from pywamp.exception import HandshakeError, ProtocolError, TransportError

__all__ = ("DECODE_SLICE", "NEVER", "WRITE_BATCH", "broken", "dispatch", "websocket_answer")

#: The most bytes decoded at once. A 64 KB read of small EVENTs is thousands of messages;
#: decoded together they are all alive when the cyclic GC's young generation fills, so it
#: keeps promoting them and soon rescans every object of the program (tens of ms each
#: time). Decoded in slices of this size, they are dispatched and freed before that.
DECODE_SLICE = 8192

#: Answers a client holds back while it dispatches a read before the first of them leave.
#: The answers to a read leave together, in one system call; but held to the end of a
#: long read they leave the router idle until then, and then the client while the router
#: works through them: two processes taking turns instead of working at once (100 calls
#: in flight ran at half the rate on idle cores). So the first ones leave as soon as there
#: are this many, and the rest at the end of the read: one more write per long read.
#: Splitting further (every 16) gained a little more on idle cores but lost a third with
#: a third process busy; the router's side and a burst of publications are not split
#: (there the router is the bottleneck, and smaller reads cost it more per message).
WRITE_BATCH = 16

#: A count of frames no write reaches.
NEVER = sys.maxsize


class Framed(Protocol):
    """What :func:`broken` needs of a transport."""

    stream: Any
    transport: Any
    handler: Any

    def _dispatch(self, items: list[Any]) -> None: ...

    def _fail(self, error: TransportError) -> None: ...


def dispatch(
    items: list[Any], events: Mapping[type, Callable[[Any], None]], deliver: Callable[[Any], None]
) -> None:
    """Each item to its event hook, or (a WAMP message) to ``deliver``."""
    for item in items:
        on_event = events.get(type(item))
        if on_event is None:
            deliver(item)
        else:
            on_event(item)


def broken(framed: Framed, error: ProtocolError | TransportError) -> None:
    """Report what the stream's ``feed`` raised: the messages decoded before the bad
    bytes are dispatched, then the violation goes to the session (a bad WAMP message) or
    the transport fails (broken framing)."""
    framed._dispatch(error.messages)
    if isinstance(error, ProtocolError):
        if framed.transport is not None:
            framed.handler.protocol_violation(error)
    else:
        framed._fail(error)


def websocket_answer(
    received: bytes, key: str, offered: Any, max_message_size: int
) -> tuple[Any, str, bytes] | None:
    """A WebSocket client's stream once the router's upgrade answer is complete in
    ``received``: (stream, chosen subprotocol, the bytes after the answer); None while it
    is incomplete. A refusal, or an answer without a WAMP subprotocol, raises
    HandshakeError."""
    parsed = _native.websocket_parse_response(received, key, offered)
    if parsed is None:
        return None
    chosen, consumed = parsed
    if chosen is None:
        raise HandshakeError("router accepted no WAMP subprotocol")
    serializer = chosen.removeprefix("wamp.2.")
    stream = _native.WebSocket(serializer, client=True, max_message_size=max_message_size)  # type: ignore[arg-type]
    return stream, chosen, received[consumed:]
