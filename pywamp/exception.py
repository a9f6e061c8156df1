"""The one exception hierarchy of pywamp, shared by the native core and every face.

Error (RuntimeError)
├── SessionNotReady      a WAMP action on a session that has not joined
├── SerializationError   a value that the serializer cannot encode
├── InvalidUriError      a malformed URI
│   └── InvalidUri       ... the spelling Autobahn exports from autobahn.wamp
├── ProtocolError        bytes or messages that break the WAMP protocol
├── TransportError       a framing or handshake violation (RawSocket, WebSocket)
│   └── HandshakeError   ... during the opening handshake
├── TransportLost        the connection went away
└── ApplicationError     an error URI with args/kwargs, raised and caught by applications
"""

from __future__ import annotations

from typing import Any

__all__ = (
    "ApplicationError",
    "Error",
    "HandshakeError",
    "InvalidUri",
    "InvalidUriError",
    "ProtocolError",
    "SerializationError",
    "SessionNotReady",
    "TransportError",
    "TransportLost",
)


class Error(RuntimeError):
    """Base class of every WAMP error raised by pywamp."""


class SessionNotReady(Error):
    """The session has not joined a realm (or has left it)."""


class SerializationError(Error):
    """A value cannot be encoded by the session's serializer."""


class InvalidUriError(Error):
    """A URI breaks the WAMP URI rules."""


class InvalidUri(InvalidUriError):
    """Autobahn's name for an invalid URI error."""


class ProtocolError(Error):
    """The peer (or the application) broke the WAMP protocol; fatal for that session.

    When raised by a stream's ``feed()``, ``messages`` holds the items that were
    decoded from the same buffer before the violation, so none is lost.
    """

    messages: list[Any]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.messages = []


class TransportError(Error):
    """A RawSocket or WebSocket peer broke its framing rules; fatal for that connection.

    ``close_code`` is the WebSocket close code to send (None for RawSocket);
    ``messages`` holds the items decoded before the violation.
    """

    close_code: int | None
    messages: list[Any]

    def __init__(self, *args: Any, close_code: int | None = None) -> None:
        super().__init__(*args)
        self.close_code = close_code
        self.messages = []


class HandshakeError(TransportError):
    """An opening handshake was refused or malformed.

    ``code`` is the RawSocket error code (1..4) or the HTTP status to answer with.
    """

    code: int | None

    def __init__(self, *args: Any, code: int | None = None) -> None:
        super().__init__(*args)
        self.code = code


class TransportLost(Error):
    """The transport under the session was lost or is not connected."""


class ApplicationError(Error):
    """An error identified by a URI, with positional and keyword payload."""

    INVALID_URI = "wamp.error.invalid_uri"
    INVALID_PAYLOAD = "wamp.error.invalid_payload"
    PAYLOAD_SIZE_EXCEEDED = "wamp.error.payload_size_exceeded"
    NO_SUCH_PROCEDURE = "wamp.error.no_such_procedure"
    PROCEDURE_ALREADY_EXISTS = "wamp.error.procedure_already_exists"
    PROCEDURE_EXISTS_INVOCATION_POLICY_CONFLICT = (
        "wamp.error.procedure_exists_with_different_invocation_policy"
    )
    NO_SUCH_REGISTRATION = "wamp.error.no_such_registration"
    NO_SUCH_SUBSCRIPTION = "wamp.error.no_such_subscription"
    NO_SUCH_SESSION = "wamp.error.no_such_session"
    INVALID_ARGUMENT = "wamp.error.invalid_argument"
    SYSTEM_SHUTDOWN = "wamp.error.system_shutdown"
    CLOSE_REALM = "wamp.error.close_realm"
    GOODBYE_AND_OUT = "wamp.error.goodbye_and_out"
    NOT_AUTHORIZED = "wamp.error.not_authorized"
    AUTHORIZATION_FAILED = "wamp.error.authorization_failed"
    AUTHENTICATION_FAILED = "wamp.error.authentication_failed"
    NO_AUTH_METHOD = "wamp.error.no_auth_method"
    NO_SUCH_REALM = "wamp.error.no_such_realm"
    NO_SUCH_ROLE = "wamp.error.no_such_role"
    NO_SUCH_PRINCIPAL = "wamp.error.no_such_principal"
    CANCELED = "wamp.error.canceled"
    TIMEOUT = "wamp.error.timeout"
    NO_ELIGIBLE_CALLEE = "wamp.error.no_eligible_callee"
    ENC_NO_PAYLOAD_CODEC = "wamp.error.no_payload_codec"
    ENC_TRUSTED_URI_MISMATCH = "wamp.error.encryption.trusted_uri_mismatch"
    ENC_DECRYPT_ERROR = "wamp.error.encryption.decrypt_error"
    TYPE_CHECK_ERROR = "wamp.error.type_check_error"
    RUNTIME_ERROR = "wamp.error.runtime_error"
    PROTOCOL_VIOLATION = "wamp.error.protocol_violation"
    FEATURE_NOT_SUPPORTED = "wamp.error.feature_not_supported"

    def __init__(self, error: str, *args: Any, **kwargs: Any) -> None:
        Exception.__init__(self, *args)
        self.kwargs = kwargs
        self.error = error
        self.enc_algo = kwargs.pop("enc_algo", None)
        self.callee = kwargs.pop("callee", None)
        self.callee_authid = kwargs.pop("callee_authid", None)
        self.callee_authrole = kwargs.pop("callee_authrole", None)
        self.forward_for = kwargs.pop("forward_for", None)

    def error_message(self) -> str:
        """The error URI followed by the positional arguments, as Autobahn prints it."""
        return "{}: {}".format(self.error, " ".join(str(a) for a in self.args))

    def __str__(self) -> str:
        if self.kwargs and "traceback" in self.kwargs:
            tb = ":\n" + self.kwargs.pop("traceback") + "\n"
            self.kwargs["traceback"] = "..."
        else:
            tb = ""
        return (
            f"ApplicationError(error=<{self.error}>, args={list(self.args)}, "
            f"kwargs={self.kwargs}, enc_algo={self.enc_algo}, callee={self.callee}, "
            f"callee_authid={self.callee_authid}, callee_authrole={self.callee_authrole}, "
            f"forward_for={self.forward_for}){tb}"
        )
