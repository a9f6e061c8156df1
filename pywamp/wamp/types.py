"""The option, detail and result types of the drop-in face (``autobahn.wamp.types``).

Constructors, defaults, attribute names and ``str()`` follow Autobahn's classes, so
programs that build or print them behave the same. Bad input raises ``TypeError`` or
``ValueError`` naming the field (Autobahn asserts). The options classes build their wire
dict with ``message_attr()``, which runs on every call/publish: it only tests fields.

pywamp also accepts the spellings of the old "Programming with WAMP" guide:
``CallOptions(onProgress=, runAt=, pkey=, discloseMe=)``, ``PublishOptions(excludeMe=,
discloseMe=)``, ``RegisterOptions(discloseCaller=)`` and the ``Invocation`` marker.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from pywamp.handles import Registration, Subscription
from pywamp.wamp._check import bad_type, check_forward_for, check_opt
from pywamp.wamp._handler_options import RegisterOptions, SubscribeOptions
from pywamp.wamp._hello import (
    Accept,
    Challenge,
    CloseDetails,
    ComponentConfig,
    Deny,
    HelloDetails,
    HelloReturn,
)
from pywamp.wamp._options import CallOptions, PublishOptions
from pywamp.wamp._session_details import SessionDetails, TransportDetails

__all__ = (
    "Accept",
    "CallDetails",
    "CallOptions",
    "CallResult",
    "Challenge",
    "CloseDetails",
    "ComponentConfig",
    "Deny",
    "EncodedPayload",
    "EventDetails",
    "HelloDetails",
    "HelloReturn",
    "Invocation",
    "Publication",
    "PublishOptions",
    "RegisterOptions",
    "Registration",
    "SessionDetails",
    "SessionIdent",
    "SubscribeOptions",
    "Subscription",
    "TransportDetails",
    "invocation_arg",
)


class CallDetails:
    """What an endpoint learns about an invocation: caller, concrete procedure, progress sender.

    ``progress`` is a callable that sends a progressive result when the caller asked for
    them, else None. The seed calls this class ``Invocation``.

    Beyond Autobahn: ``is_progress`` is True for a chunk of a progressive call invocation
    that more chunks follow (INVOCATION.Details.progress); the final chunk has False.
    """

    __slots__ = (
        "caller",
        "caller_authid",
        "caller_authrole",
        "enc_algo",
        "forward_for",
        "is_progress",
        "procedure",
        "progress",
        "registration",
        "transaction_hash",
    )

    registration: Any
    progress: Callable[..., Any] | None
    caller: int | None
    caller_authid: str | None
    caller_authrole: str | None
    procedure: str | None
    transaction_hash: str | None
    enc_algo: str | None
    forward_for: list[dict[str, Any]] | None
    is_progress: bool

    def __init__(
        self,
        registration: Any,
        progress: Callable[..., Any] | None = None,
        caller: int | None = None,
        caller_authid: str | None = None,
        caller_authrole: str | None = None,
        procedure: str | None = None,
        transaction_hash: str | None = None,
        enc_algo: str | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        *,
        is_progress: bool = False,
    ) -> None:
        # built for every invocation: one expression on the valid path
        if not (
            (caller is None or type(caller) is int)
            and (caller_authid is None or type(caller_authid) is str)
            and (caller_authrole is None or type(caller_authrole) is str)
            and (procedure is None or type(procedure) is str)
            and transaction_hash is None
            and enc_algo is None
            and forward_for is None
        ):
            _check_fields(
                "CallDetails",
                [
                    ("caller", caller, int),
                    ("caller_authid", caller_authid, str),
                    ("caller_authrole", caller_authrole, str),
                    ("procedure", procedure, str),
                    ("transaction_hash", transaction_hash, str),
                    ("enc_algo", enc_algo, str),
                ],
                forward_for,
            )
        if progress is not None and not callable(progress):
            raise bad_type("CallDetails", "progress", "a callable", progress)
        self.registration = registration
        self.progress = progress
        self.caller = caller
        self.caller_authid = caller_authid
        self.caller_authrole = caller_authrole
        self.procedure = procedure
        self.transaction_hash = transaction_hash
        self.enc_algo = enc_algo
        self.forward_for = forward_for
        self.is_progress = is_progress

    def __str__(self) -> str:
        return (
            f"CallDetails(registration={self.registration}, progress={self.progress}, "
            f"caller={self.caller}, caller_authid={self.caller_authid}, "
            f"caller_authrole={self.caller_authrole}, procedure=<{self.procedure}>, "
            f"transaction_hash={self.transaction_hash}, enc_algo={self.enc_algo}, "
            f"forward_for={self.forward_for})"
        )


def _check_fields(owner: str, fields: list[tuple[str, Any, type]], forward_for: Any) -> None:
    """Each field None or exactly of its type (a bool is not an int); then forward_for."""
    names = {int: "an int", str: "a str", bool: "a bool"}
    for name, value, typ in fields:
        check_opt(owner, name, value, typ, names[typ])
    if forward_for is not None:
        check_forward_for(owner, forward_for)


Invocation = CallDetails
"""The seed's name: ``def f(x, invocation=Invocation)`` receives the CallDetails there."""


def invocation_arg(endpoint: Callable[..., Any]) -> str | None:
    """The name of the parameter whose default is the ``Invocation`` class, if any.

    Looked up once when an endpoint is registered, never per call.
    """
    try:
        params = inspect.signature(endpoint).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature
        return None
    for param in params:
        if param.default is Invocation:
            return param.name
    return None


class EventDetails:
    """What an event handler learns about an event: publication, publisher, concrete topic."""

    __slots__ = (
        "enc_algo",
        "forward_for",
        "publication",
        "publisher",
        "publisher_authid",
        "publisher_authrole",
        "retained",
        "subscription",
        "topic",
        "transaction_hash",
    )

    subscription: Any
    publication: int
    publisher: int | None
    publisher_authid: str | None
    publisher_authrole: str | None
    topic: str | None
    retained: bool | None
    transaction_hash: str | None
    enc_algo: str | None
    forward_for: list[dict[str, Any]] | None

    def __init__(
        self,
        subscription: Any,
        publication: int,
        publisher: int | None = None,
        publisher_authid: str | None = None,
        publisher_authrole: str | None = None,
        topic: str | None = None,
        retained: bool | None = None,
        transaction_hash: str | None = None,
        enc_algo: str | None = None,
        forward_for: list[dict[str, Any]] | None = None,
    ) -> None:
        # built for every event delivered with details: one expression on the valid path
        if not (
            type(publication) is int
            and (publisher is None or type(publisher) is int)
            and (publisher_authid is None or type(publisher_authid) is str)
            and (publisher_authrole is None or type(publisher_authrole) is str)
            and (topic is None or type(topic) is str)
            and (retained is None or type(retained) is bool)
            and transaction_hash is None
            and enc_algo is None
            and forward_for is None
        ):
            if type(publication) is not int:
                raise bad_type("EventDetails", "publication", "an int", publication)
            _check_fields(
                "EventDetails",
                [
                    ("publisher", publisher, int),
                    ("publisher_authid", publisher_authid, str),
                    ("publisher_authrole", publisher_authrole, str),
                    ("topic", topic, str),
                    ("retained", retained, bool),
                    ("transaction_hash", transaction_hash, str),
                    ("enc_algo", enc_algo, str),
                ],
                forward_for,
            )
        self.subscription = subscription
        self.publication = publication
        self.publisher = publisher
        self.publisher_authid = publisher_authid
        self.publisher_authrole = publisher_authrole
        self.topic = topic
        self.retained = retained
        self.transaction_hash = transaction_hash
        self.enc_algo = enc_algo
        self.forward_for = forward_for

    def __str__(self) -> str:
        return (
            f"EventDetails(subscription={self.subscription}, publication={self.publication}, "
            f"publisher={self.publisher}, publisher_authid={self.publisher_authid}, "
            f"publisher_authrole={self.publisher_authrole}, topic=<{self.topic}>, "
            f"retained={self.retained}, transaction_hash={self.transaction_hash}, "
            f"enc_algo={self.enc_algo}, forward_for={self.forward_for})"
        )


_CALL_RESULT_META = frozenset(
    ("enc_algo", "callee", "callee_authid", "callee_authrole", "forward_for")
)


class CallResult:
    """Several positional and/or keyword results of one call (a Python function has one)."""

    __slots__ = (
        "callee",
        "callee_authid",
        "callee_authrole",
        "enc_algo",
        "forward_for",
        "kwresults",
        "results",
    )

    results: tuple[Any, ...]
    kwresults: dict[str, Any]
    enc_algo: str | None
    callee: int | None
    callee_authid: str | None
    callee_authrole: str | None
    forward_for: list[dict[str, Any]] | None

    def __init__(self, *results: Any, **kwresults: Any) -> None:
        self.results = results
        self.kwresults = kwresults
        if not kwresults or _CALL_RESULT_META.isdisjoint(kwresults):
            self.enc_algo = self.callee = self.callee_authid = None
            self.callee_authrole = None
            self.forward_for = None
            return
        enc_algo = kwresults.pop("enc_algo", None)
        callee = kwresults.pop("callee", None)
        callee_authid = kwresults.pop("callee_authid", None)
        callee_authrole = kwresults.pop("callee_authrole", None)
        forward_for = kwresults.pop("forward_for", None)
        _check_fields(
            "CallResult",
            [
                ("enc_algo", enc_algo, str),
                ("callee", callee, int),
                ("callee_authid", callee_authid, str),
                ("callee_authrole", callee_authrole, str),
            ],
            forward_for,
        )
        self.enc_algo = enc_algo
        self.callee = callee
        self.callee_authid = callee_authid
        self.callee_authrole = callee_authrole
        self.forward_for = forward_for

    def __str__(self) -> str:
        return (
            f"CallResult(results={self.results}, kwresults={self.kwresults}, "
            f"enc_algo={self.enc_algo}, callee={self.callee}, "
            f"callee_authid={self.callee_authid}, callee_authrole={self.callee_authrole}, "
            f"forward_for={self.forward_for})"
        )


class Publication:
    """The answer to an acknowledged publish: the publication id."""

    __slots__ = ("id", "was_encrypted")

    id: int
    was_encrypted: bool

    def __init__(self, publication_id: int, was_encrypted: bool) -> None:
        self.id = publication_id
        self.was_encrypted = was_encrypted

    def __str__(self) -> str:
        return f"Publication(id={self.id}, was_encrypted={self.was_encrypted})"


class EncodedPayload:
    """An application payload already encoded for payload passthru (``enc_algo``)."""

    __slots__ = ("enc_algo", "enc_key", "enc_serializer", "payload")

    payload: bytes
    enc_algo: str
    enc_serializer: str | None
    enc_key: str | None

    def __init__(
        self,
        payload: bytes,
        enc_algo: str,
        enc_serializer: str | None = None,
        enc_key: str | None = None,
    ) -> None:
        owner = "EncodedPayload"
        if type(payload) is not bytes:
            raise bad_type(owner, "payload", "bytes", payload)
        if type(enc_algo) is not str:
            raise bad_type(owner, "enc_algo", "a str", enc_algo)
        check_opt(owner, "enc_serializer", enc_serializer, str, "a str")
        check_opt(owner, "enc_key", enc_key, str, "a str")
        self.payload = payload
        self.enc_algo = enc_algo
        self.enc_serializer = enc_serializer
        self.enc_key = enc_key


class SessionIdent:
    """Who a session is: session id, authid and (required) authrole."""

    __slots__ = ("authid", "authrole", "session")

    session: int | None
    authid: str | None
    authrole: str

    def __init__(
        self, session: int | None = None, authid: str | None = None, authrole: Any = None
    ) -> None:
        check_opt("SessionIdent", "session", session, int, "a session id (int)")
        check_opt("SessionIdent", "authid", authid, str, "a str")
        if type(authrole) is not str:
            raise bad_type("SessionIdent", "authrole", "a str", authrole)
        self.session = session
        self.authid = authid
        self.authrole = authrole

    def __str__(self) -> str:
        return (
            f"SessionIdent(session={self.session}, authid={self.authid}, authrole={self.authrole})"
        )

    def marshal(self) -> dict[str, Any]:
        """A plain dict of the three fields."""
        return {"session": self.session, "authid": self.authid, "authrole": self.authrole}

    @staticmethod
    def from_calldetails(call_details: CallDetails) -> SessionIdent:
        """The original caller of an invocation (the first forward_for hop if forwarded)."""
        if not isinstance(call_details, CallDetails):
            raise bad_type(
                "SessionIdent.from_calldetails", "call_details", "CallDetails", call_details
            )
        if call_details.forward_for:
            hop = call_details.forward_for[0]
            return SessionIdent(hop["session"], hop["authid"], hop["authrole"])
        return SessionIdent(
            call_details.caller, call_details.caller_authid, call_details.caller_authrole
        )

    @staticmethod
    def from_eventdetails(event_details: EventDetails) -> SessionIdent:
        """The original publisher of an event (the first forward_for hop if forwarded)."""
        if not isinstance(event_details, EventDetails):
            raise bad_type(
                "SessionIdent.from_eventdetails", "event_details", "EventDetails", event_details
            )
        if event_details.forward_for:
            hop = event_details.forward_for[0]
            return SessionIdent(hop["session"], hop["authid"], hop["authrole"])
        return SessionIdent(
            event_details.publisher,
            event_details.publisher_authid,
            event_details.publisher_authrole,
        )


# The classes defined in private modules print and pickle as pywamp.wamp.types.<name>.
for _cls in (
    Accept,
    CallOptions,
    Challenge,
    CloseDetails,
    ComponentConfig,
    Deny,
    HelloDetails,
    HelloReturn,
    PublishOptions,
    RegisterOptions,
    SessionDetails,
    SubscribeOptions,
    TransportDetails,
):
    _cls.__module__ = __name__
