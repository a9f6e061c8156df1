"""The options of registering endpoints and subscribing handlers.

Re-exported by ``pywamp.wamp.types`` (see there). They are built once per registration
or subscription, so they keep Autobahn's plain layout.
"""

from __future__ import annotations

from typing import Any

from pywamp.wamp._check import (
    bad_type,
    bad_value,
    both_spellings,
    check_choice,
    check_forward_for,
    check_opt,
)

__all__ = ("RegisterOptions", "SubscribeOptions")

MATCH_POLICIES = ("exact", "prefix", "wildcard")
INVOKE_POLICIES = ("single", "first", "last", "roundrobin", "random")


def _check_details(owner: str, details: Any, details_arg: Any) -> None:
    """``details=True`` (current) and ``details_arg="name"`` (older) ask for one thing."""
    if details is not None:
        if type(details) is not bool:
            raise bad_type(owner, "details", "a bool", details)
        if details_arg is not None:
            raise ValueError(f"{owner}: give details=True or details_arg='name', not both")
    check_opt(owner, "details_arg", details_arg, str, "a str (a keyword argument name)")


class SubscribeOptions:
    """Options of ``session.subscribe()``; ``match`` and ``get_retained`` go on the wire."""

    __slots__ = (
        "correlation_id",
        "correlation_is_anchor",
        "correlation_is_last",
        "correlation_uri",
        "details",
        "details_arg",
        "forward_for",
        "get_retained",
        "match",
    )

    match: str | None
    details: bool | None
    details_arg: str | None
    get_retained: bool | None
    forward_for: list[dict[str, Any]] | None
    correlation_id: Any
    correlation_uri: Any
    correlation_is_anchor: Any
    correlation_is_last: Any

    def __init__(
        self,
        match: str | None = None,
        details: bool | None = None,
        details_arg: str | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        get_retained: bool | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
    ) -> None:
        owner = "SubscribeOptions"
        if match is not None and (type(match) is not str or match not in MATCH_POLICIES):
            check_choice(owner, "match", match, MATCH_POLICIES)
        if details_arg is not None or (details is not None and type(details) is not bool):
            _check_details(owner, details, details_arg)
        if get_retained is not None:
            check_opt(owner, "get_retained", get_retained, bool, "a bool")
        if forward_for is not None:
            check_forward_for(owner, forward_for)
        self.match = match
        self.details = details
        self.details_arg = "details" if details else details_arg
        self.get_retained = get_retained
        self.forward_for = forward_for
        self.correlation_id = correlation_id
        self.correlation_uri = correlation_uri
        self.correlation_is_anchor = correlation_is_anchor
        self.correlation_is_last = correlation_is_last

    def message_attr(self) -> dict[str, Any]:
        """The SUBSCRIBE.Options dict."""
        options: dict[str, Any] = {}
        if self.match is not None:
            options["match"] = self.match
        if self.get_retained is not None:
            options["get_retained"] = self.get_retained
        if self.forward_for is not None:
            options["forward_for"] = self.forward_for
        return options

    def __str__(self) -> str:
        return (
            f"SubscribeOptions(match={self.match}, details={self.details}, "
            f"details_arg={self.details_arg}, get_retained={self.get_retained}, "
            f"forward_for={self.forward_for})"
        )


class RegisterOptions:
    """Options of ``session.register()``: match and invocation policy, concurrency, details."""

    __slots__ = (
        "concurrency",
        "correlation_id",
        "correlation_is_anchor",
        "correlation_is_last",
        "correlation_uri",
        "details",
        "details_arg",
        "disclose_caller",
        "force_reregister",
        "forward_for",
        "invoke",
        "match",
    )

    match: str | None
    invoke: str | None
    concurrency: int | None
    force_reregister: bool | None
    forward_for: list[dict[str, Any]] | None
    details: bool | None
    details_arg: str | None
    disclose_caller: bool | None
    correlation_id: Any
    correlation_uri: Any
    correlation_is_anchor: Any
    correlation_is_last: Any

    def __init__(
        self,
        match: str | None = None,
        invoke: str | None = None,
        concurrency: int | None = None,
        force_reregister: bool | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        details: bool | None = None,
        details_arg: str | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
        *,
        disclose_caller: bool | None = None,
        discloseCaller: bool | None = None,
    ) -> None:
        owner = "RegisterOptions"
        if discloseCaller is not None:
            if disclose_caller is not None:
                raise both_spellings(owner, "disclose_caller", "discloseCaller")
            disclose_caller = discloseCaller
        if match is not None and (type(match) is not str or match not in MATCH_POLICIES):
            check_choice(owner, "match", match, MATCH_POLICIES)
        if invoke is not None and (type(invoke) is not str or invoke not in INVOKE_POLICIES):
            check_choice(owner, "invoke", invoke, INVOKE_POLICIES)
        if concurrency is not None:
            if type(concurrency) is not int:
                raise bad_type(owner, "concurrency", "an int", concurrency)
            if concurrency <= 0:
                raise bad_value(owner, "concurrency", "a positive int", concurrency)
        if details_arg is not None or (details is not None and type(details) is not bool):
            _check_details(owner, details, details_arg)
        # Autobahn tests membership in [None, True, False], so 0 and 1 pass as well.
        if force_reregister not in (None, True, False):
            raise bad_type(owner, "force_reregister", "a bool", force_reregister)
        if forward_for is not None:
            check_forward_for(owner, forward_for)
        if disclose_caller is not None:
            check_opt(owner, "disclose_caller", disclose_caller, bool, "a bool")
        self.match = match
        self.invoke = invoke
        self.concurrency = concurrency
        self.force_reregister = force_reregister
        self.forward_for = forward_for
        self.details = details
        self.details_arg = "details" if details else details_arg
        self.disclose_caller = disclose_caller
        self.correlation_id = correlation_id
        self.correlation_uri = correlation_uri
        self.correlation_is_anchor = correlation_is_anchor
        self.correlation_is_last = correlation_is_last

    def message_attr(self) -> dict[str, Any]:
        """The REGISTER.Options dict."""
        options: dict[str, Any] = {}
        if self.match is not None:
            options["match"] = self.match
        if self.invoke is not None:
            options["invoke"] = self.invoke
        if self.concurrency is not None:
            options["concurrency"] = self.concurrency
        if self.force_reregister is not None:
            options["force_reregister"] = self.force_reregister
        if self.forward_for is not None:
            options["forward_for"] = self.forward_for
        if self.disclose_caller is not None:
            options["disclose_caller"] = self.disclose_caller
        return options

    def __str__(self) -> str:
        text = (
            f"RegisterOptions(match={self.match}, invoke={self.invoke}, "
            f"concurrency={self.concurrency}, details={self.details}, "
            f"details_arg={self.details_arg}, force_reregister={self.force_reregister}, "
            f"forward_for={self.forward_for}"
        )
        if self.disclose_caller is not None:
            text += f", disclose_caller={self.disclose_caller}"
        return text + ")"
