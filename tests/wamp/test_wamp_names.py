"""Every public name of API.md section 1 for pywamp.wamp and its data modules exists."""

from __future__ import annotations

import importlib

import autobahn.wamp
import autobahn.wamp.auth
import autobahn.wamp.exception
import autobahn.wamp.types
import pytest

from pywamp import handles, wamp
from pywamp.wamp import auth, exception, types, uri

API_WAMP = [
    "register",
    "subscribe",
    "error",
    "ApplicationError",
    "Error",
    "InvalidUri",
    "ProtocolError",
    "SerializationError",
    "SessionNotReady",
    "TransportLost",
    "CallDetails",
    "CallOptions",
    "CallResult",
    "CloseDetails",
    "ComponentConfig",
    "EventDetails",
    "PublishOptions",
    "RegisterOptions",
    "SessionDetails",
    "SubscribeOptions",
    "procedure",
    "topic",
]
API_TYPES = [
    "CallDetails",
    "CallOptions",
    "CallResult",
    "CloseDetails",
    "ComponentConfig",
    "EventDetails",
    "PublishOptions",
    "RegisterOptions",
    "SessionDetails",
    "SubscribeOptions",
    "Accept",
    "Deny",
    "Challenge",
    "HelloDetails",
    "SessionIdent",
    "TransportDetails",
    "Invocation",
]
API_EXCEPTIONS = [
    "ApplicationError",
    "Error",
    "InvalidUri",
    "ProtocolError",
    "SerializationError",
    "SessionNotReady",
    "TransportLost",
    "CanceledError",
    "NotAuthorized",
    "InvalidPayload",
    "TypeCheckError",
]
API_AUTH = ["compute_wcs", "derive_key", "generate_wcs", "create_authenticator"]


@pytest.mark.parametrize(
    ("module", "names", "autobahn_module"),
    [
        (wamp, API_WAMP, autobahn.wamp),
        (types, API_TYPES, autobahn.wamp.types),
        (exception, API_EXCEPTIONS, autobahn.wamp.exception),
        (auth, API_AUTH, autobahn.wamp.auth),
    ],
)
def test_api_names_exist(module: object, names: list[str], autobahn_module: object) -> None:
    for name in names:
        assert hasattr(module, name), name
    for name in autobahn_module.__all__:  # type: ignore[attr-defined]
        assert hasattr(module, name), f"{module.__name__}.{name}"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "name",
    [
        "pywamp.wamp",
        "pywamp.wamp.types",
        "pywamp.wamp.exception",
        "pywamp.wamp.uri",
        "pywamp.wamp.auth",
        "pywamp.wamp.cryptosign",
        "pywamp.wamp.serializer",
        "pywamp.wamp.interfaces",
        "pywamp.wamp.request",
    ],
)
def test_all_lists_real_names(name: str) -> None:
    module = importlib.import_module(name)
    for exported in module.__all__:
        assert hasattr(module, exported), f"{name}.{exported}"


def test_the_same_objects_everywhere() -> None:
    assert wamp.register is uri.register and wamp.procedure is uri.register
    assert (
        wamp.CallOptions is types.CallOptions
        and wamp.ApplicationError is exception.ApplicationError
    )
    assert types.Invocation is types.CallDetails
    assert types.Registration is handles.Registration
    assert types.Subscription is handles.Subscription
    for constant in ("NO_SUCH_PROCEDURE", "CANCELED", "TIMEOUT", "NOT_AUTHORIZED"):
        assert getattr(exception.ApplicationError, constant) == getattr(
            autobahn.wamp.exception.ApplicationError, constant
        )


def test_cryptosign_key_is_there() -> None:
    from pywamp.wamp.cryptosign import CryptosignKey

    assert CryptosignKey.from_bytes(b"\0" * 32).key_type == "cryptosign"


def test_isession_is_the_session_of_every_face() -> None:
    """For type hints and ``isinstance`` (Autobahn's own sessions do not register with its
    ``ISession``; pywamp's derive from it)."""
    from pywamp.asyncio import wamp as asyncio_wamp
    from pywamp.twisted import wamp as twisted_wamp
    from pywamp.wamp.interfaces import ISession

    assert wamp.ISession is ISession
    for face in (asyncio_wamp, twisted_wamp):
        assert issubclass(face.ApplicationSession, ISession)
        assert issubclass(face.Session, ISession)
