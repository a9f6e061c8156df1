"""Error and close URIs the router sends, and the exception that aborts one session.

The URIs are the spec's (``rfc/text/basic/uri_reference.md`` and the advanced chapters);
``wamp.error.procedure_exists_with_different_invocation_policy`` and
``wamp.error.history_unavailable`` are Crossbar's spelling, kept for interop.
"""

from __future__ import annotations

INVALID_URI = "wamp.error.invalid_uri"
INVALID_ARGUMENT = "wamp.error.invalid_argument"
NO_SUCH_REALM = "wamp.error.no_such_realm"
NO_SUCH_ROLE = "wamp.error.no_such_role"
NO_AUTH_METHOD = "wamp.error.no_auth_method"
AUTHENTICATION_FAILED = "wamp.error.authentication_failed"
NO_SUCH_PROCEDURE = "wamp.error.no_such_procedure"
NO_SUCH_REGISTRATION = "wamp.error.no_such_registration"
NO_SUCH_SUBSCRIPTION = "wamp.error.no_such_subscription"
NO_SUCH_SESSION = "wamp.error.no_such_session"
PROCEDURE_ALREADY_EXISTS = "wamp.error.procedure_already_exists"
PROCEDURE_EXISTS_INVOKE = "wamp.error.procedure_exists_with_different_invocation_policy"
NO_AVAILABLE_CALLEE = "wamp.error.no_available_callee"
CANCELED = "wamp.error.canceled"
TIMEOUT = "wamp.error.timeout"
NOT_AUTHORIZED = "wamp.error.not_authorized"
FEATURE_NOT_SUPPORTED = "wamp.error.feature_not_supported"
PROTOCOL_VIOLATION = "wamp.error.protocol_violation"
HISTORY_UNAVAILABLE = "wamp.error.history_unavailable"

CLOSE_GOODBYE_AND_OUT = "wamp.close.goodbye_and_out"
CLOSE_KILLED = "wamp.close.killed"
CLOSE_NORMAL = "wamp.close.normal"
CLOSE_SYSTEM_SHUTDOWN = "wamp.close.system_shutdown"


class ProtocolViolation(Exception):
    """Raised inside a handler: the router ABORTs that one session with protocol_violation."""
