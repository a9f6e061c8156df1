"""Types of joining and leaving a realm: component config, HELLO answers, close details.

Re-exported by ``pywamp.wamp.types``; behaviour and ``str()`` follow Autobahn's classes.
"""

from __future__ import annotations

from typing import Any

from pywamp.wamp._check import bad_type, check_opt

__all__ = (
    "Accept",
    "Challenge",
    "CloseDetails",
    "ComponentConfig",
    "Deny",
    "HelloDetails",
    "HelloReturn",
)


class ComponentConfig:
    """The configuration an ApplicationSession is built with: realm and user ``extra``."""

    __slots__ = ("controller", "extra", "keyring", "realm", "runner", "shared")

    realm: str | None
    extra: Any
    keyring: Any
    controller: Any
    shared: Any
    runner: Any

    def __init__(
        self,
        realm: str | None = None,
        extra: Any = None,
        keyring: Any = None,
        controller: Any = None,
        shared: Any = None,
        runner: Any = None,
    ) -> None:
        check_opt("ComponentConfig", "realm", realm, str, "a str")
        self.realm = realm
        self.extra = extra
        self.keyring = keyring
        self.controller = controller
        self.shared = shared
        self.runner = runner

    def __str__(self) -> str:
        return (
            f"ComponentConfig(realm=<{self.realm}>, extra={self.extra}, "
            f"keyring={self.keyring}, controller={self.controller}, shared={self.shared}, "
            f"runner={self.runner})"
        )


class HelloReturn:
    """Base of what a router-side authenticator answers to a HELLO."""

    __slots__ = ()


class Accept(HelloReturn):
    """Accept a HELLO under this realm, authid, authrole and method."""

    __slots__ = ("authextra", "authid", "authmethod", "authprovider", "authrole", "realm")

    realm: str | None
    authid: str | None
    authrole: str | None
    authmethod: str | None
    authprovider: str | None
    authextra: dict[str, Any] | None

    def __init__(
        self,
        realm: str | None = None,
        authid: str | None = None,
        authrole: str | None = None,
        authmethod: str | None = None,
        authprovider: str | None = None,
        authextra: dict[str, Any] | None = None,
    ) -> None:
        for name, value in (
            ("realm", realm),
            ("authid", authid),
            ("authrole", authrole),
            ("authmethod", authmethod),
            ("authprovider", authprovider),
        ):
            check_opt("Accept", name, value, str, "a str")
        check_opt("Accept", "authextra", authextra, dict, "a dict")
        self.realm = realm
        self.authid = authid
        self.authrole = authrole
        self.authmethod = authmethod
        self.authprovider = authprovider
        self.authextra = authextra

    def __str__(self) -> str:
        return (
            f"Accept(realm=<{self.realm}>, authid=<{self.authid}>, "
            f"authrole=<{self.authrole}>, authmethod={self.authmethod}, "
            f"authprovider={self.authprovider}, authextra={self.authextra})"
        )


class Deny(HelloReturn):
    """Refuse a HELLO with an error URI and a message for the log."""

    __slots__ = ("message", "reason")

    reason: str
    message: str | None

    def __init__(self, reason: str = "wamp.error.not_authorized", message: str | None = None):
        if type(reason) is not str:
            raise bad_type("Deny", "reason", "a str (an error URI)", reason)
        check_opt("Deny", "message", message, str, "a str")
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"Deny(reason=<{self.reason}>, message='{self.message}')"


class Challenge(HelloReturn):
    """A CHALLENGE: the auth method and its method-specific ``extra``."""

    __slots__ = ("extra", "method")

    method: str
    extra: dict[str, Any]

    def __init__(self, method: str, extra: dict[str, Any] | None = None) -> None:
        if type(method) is not str:
            raise bad_type("Challenge", "method", "a str", method)
        check_opt("Challenge", "extra", extra, dict, "a dict")
        self.method = method
        self.extra = extra or {}

    def __str__(self) -> str:
        return f"Challenge(method={self.method}, extra={self.extra})"


class HelloDetails:
    """What a router knows of a session that is still joining (from its HELLO)."""

    __slots__ = (
        "authextra",
        "authid",
        "authmethods",
        "authrole",
        "pending_session",
        "realm",
        "resumable",
        "resume_session",
        "resume_token",
        "session_roles",
    )

    realm: str | None
    authmethods: list[str] | None
    authid: str | None
    authrole: str | None
    authextra: dict[str, Any] | None
    session_roles: Any
    pending_session: int | None
    resumable: bool | None
    resume_session: int | None
    resume_token: str | None

    def __init__(
        self,
        realm: str | None = None,
        authmethods: list[str] | None = None,
        authid: str | None = None,
        authrole: str | None = None,
        authextra: dict[str, Any] | None = None,
        session_roles: Any = None,
        pending_session: int | None = None,
        resumable: bool | None = None,
        resume_session: int | None = None,
        resume_token: str | None = None,
    ) -> None:
        owner = "HelloDetails"
        check_opt(owner, "realm", realm, str, "a str")
        if authmethods is not None and (
            type(authmethods) is not list or any(type(m) is not str for m in authmethods)
        ):
            raise bad_type(owner, "authmethods", "a list of str", authmethods)
        check_opt(owner, "authid", authid, str, "a str")
        check_opt(owner, "authrole", authrole, str, "a str")
        check_opt(owner, "authextra", authextra, dict, "a dict")
        check_opt(owner, "pending_session", pending_session, int, "an int")
        check_opt(owner, "resumable", resumable, bool, "a bool")
        check_opt(owner, "resume_session", resume_session, int, "an int")
        check_opt(owner, "resume_token", resume_token, str, "a str")
        self.realm = realm
        self.authmethods = authmethods
        self.authid = authid
        self.authrole = authrole
        self.authextra = authextra
        self.session_roles = session_roles
        self.pending_session = pending_session
        self.resumable = resumable
        self.resume_session = resume_session
        self.resume_token = resume_token

    def __str__(self) -> str:
        return (
            f"HelloDetails(realm=<{self.realm}>, authmethods={self.authmethods}, "
            f"authid=<{self.authid}>, authrole=<{self.authrole}>, authextra={self.authextra}, "
            f"session_roles={self.session_roles}, pending_session={self.pending_session}, "
            f"resumable={self.resumable}, resume_session={self.resume_session}, "
            f"resume_token={self.resume_token})"
        )


class CloseDetails:
    """Why a session left: the close reason URI and a message."""

    REASON_DEFAULT = "wamp.close.normal"
    REASON_TRANSPORT_LOST = "wamp.close.transport_lost"

    __slots__ = ("message", "reason")

    reason: str | None
    message: str | None

    def __init__(self, reason: str | None = None, message: str | None = None) -> None:
        check_opt("CloseDetails", "reason", reason, str, "a str (a close URI)")
        check_opt("CloseDetails", "message", message, str, "a str")
        self.reason = reason
        self.message = message

    def marshal(self) -> dict[str, Any]:
        """A plain dict of reason and message."""
        return {"reason": self.reason, "message": self.message}

    def __str__(self) -> str:
        return f"CloseDetails(reason=<{self.reason}>, message='{self.message}')"
