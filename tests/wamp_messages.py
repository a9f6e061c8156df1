"""Helpers shared by the codec tests: every message class and its wire form."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pywamp import _native

ROOT = Path(__file__).resolve().parent.parent


def vectors_dir() -> Path:
    """The wamp-proto test vectors: ../shared/wamp-testvectors, or $PYWAMP_TESTVECTORS."""
    env = os.environ.get("PYWAMP_TESTVECTORS")
    return Path(env) if env else ROOT.parent / "shared" / "wamp-testvectors"


MESSAGE_CLASSES: list[type[Any]] = [
    _native.Hello,
    _native.Welcome,
    _native.Abort,
    _native.Challenge,
    _native.Authenticate,
    _native.Goodbye,
    _native.Error,
    _native.Publish,
    _native.Published,
    _native.Subscribe,
    _native.Subscribed,
    _native.Unsubscribe,
    _native.Unsubscribed,
    _native.Event,
    _native.Call,
    _native.Cancel,
    _native.Result,
    _native.Register,
    _native.Registered,
    _native.Unregister,
    _native.Unregistered,
    _native.Invocation,
    _native.Interrupt,
    _native.Yield,
    _native.EventReceived,
]

BY_TYPE: dict[int, type[Any]] = {cls.TYPE: cls for cls in MESSAGE_CLASSES}

SERIALIZERS = ("json", "msgpack", "cbor")


def wire_list(msg: Any) -> list[Any]:
    """The list a message stands for on the wire, by the spec's rules (written independently
    of the codec): empty args/kwargs left out, `[]` before kwargs, payload in place of args."""
    fields = {name: getattr(msg, name) for name in type(msg).__match_args__}
    out: list[Any] = [type(msg).TYPE]
    tail = ("args", "kwargs", "payload")
    out += [v for k, v in fields.items() if k not in tail and not (k == "details" and v is None)]
    payload = fields.get("payload")
    args, kwargs = fields.get("args"), fields.get("kwargs")
    if payload is not None:
        out.append(payload)
    elif kwargs:
        out += [args or [], kwargs]
    elif args:
        out.append(args)
    return out
