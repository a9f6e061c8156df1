"""The options classes of calls, publishes, registrations and subscriptions.

Re-exported by ``pywamp.wamp.types`` (see there). ``message_attr()`` builds the wire
Options dict and runs on every call/publish, so it only tests fields that are set.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pywamp.wamp._check import (
    bad_type,
    bad_value,
    both_spellings,
    check_choice,
    check_forward_for,
    check_one_or_list,
    check_opt,
)

__all__ = ("CallOptions", "PublishOptions", "RegisterOptions", "SubscribeOptions")

MATCH_POLICIES = ("exact", "prefix", "wildcard")
INVOKE_POLICIES = ("single", "first", "last", "roundrobin", "random")
RUN_MODES = ("all", "any", "partition")
CANCEL_MODES = ("skip", "kill", "killnowait")
_NUMBER = (int, float)


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
        check_choice(owner, "match", match, MATCH_POLICIES)
        _check_details(owner, details, details_arg)
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


class PublishOptions:
    """Options of ``session.publish()``: acknowledgement, exclusion and eligibility filters."""

    __slots__ = (
        "acknowledge",
        "correlation_id",
        "correlation_is_anchor",
        "correlation_is_last",
        "correlation_uri",
        "disclose_me",
        "eligible",
        "eligible_authid",
        "eligible_authrole",
        "exclude",
        "exclude_authid",
        "exclude_authrole",
        "exclude_me",
        "forward_for",
        "retain",
        "transaction_hash",
    )

    acknowledge: bool | None
    exclude_me: bool | None
    exclude: int | list[int] | None
    exclude_authid: str | list[str] | None
    exclude_authrole: str | list[str] | None
    eligible: int | list[int] | None
    eligible_authid: str | list[str] | None
    eligible_authrole: str | list[str] | None
    retain: bool | None
    transaction_hash: str | None
    forward_for: list[dict[str, Any]] | None
    disclose_me: bool | None
    correlation_id: Any
    correlation_uri: Any
    correlation_is_anchor: Any
    correlation_is_last: Any

    def __init__(
        self,
        acknowledge: bool | None = None,
        exclude_me: bool | None = None,
        exclude: int | list[int] | None = None,
        exclude_authid: str | list[str] | None = None,
        exclude_authrole: str | list[str] | None = None,
        eligible: int | list[int] | None = None,
        eligible_authid: str | list[str] | None = None,
        eligible_authrole: str | list[str] | None = None,
        retain: bool | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        transaction_hash: str | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
        *,
        disclose_me: bool | None = None,
        excludeMe: bool | None = None,
        discloseMe: bool | None = None,
    ) -> None:
        owner = "PublishOptions"
        if excludeMe is not None:
            if exclude_me is not None:
                raise both_spellings(owner, "exclude_me", "excludeMe")
            exclude_me = excludeMe
        if discloseMe is not None:
            if disclose_me is not None:
                raise both_spellings(owner, "disclose_me", "discloseMe")
            disclose_me = discloseMe
        if acknowledge is not None and type(acknowledge) is not bool:
            raise bad_type(owner, "acknowledge", "a bool", acknowledge)
        if exclude_me is not None and type(exclude_me) is not bool:
            raise bad_type(owner, "exclude_me", "a bool", exclude_me)
        if exclude is not None:
            check_one_or_list(owner, "exclude", exclude, int, "a session id (int)")
        if exclude_authid is not None:
            check_one_or_list(owner, "exclude_authid", exclude_authid, str, "a str")
        if exclude_authrole is not None:
            check_one_or_list(owner, "exclude_authrole", exclude_authrole, str, "a str")
        if eligible is not None:
            check_one_or_list(owner, "eligible", eligible, int, "a session id (int)")
        if eligible_authid is not None:
            check_one_or_list(owner, "eligible_authid", eligible_authid, str, "a str")
        if eligible_authrole is not None:
            check_one_or_list(owner, "eligible_authrole", eligible_authrole, str, "a str")
        if retain is not None and type(retain) is not bool:
            raise bad_type(owner, "retain", "a bool", retain)
        if transaction_hash is not None and type(transaction_hash) is not str:
            raise bad_type(owner, "transaction_hash", "a str", transaction_hash)
        if forward_for is not None:
            check_forward_for(owner, forward_for, authid_optional=False)
        if disclose_me is not None and type(disclose_me) is not bool:
            raise bad_type(owner, "disclose_me", "a bool", disclose_me)
        self.acknowledge = acknowledge
        self.exclude_me = exclude_me
        self.exclude = exclude
        self.exclude_authid = exclude_authid
        self.exclude_authrole = exclude_authrole
        self.eligible = eligible
        self.eligible_authid = eligible_authid
        self.eligible_authrole = eligible_authrole
        self.retain = retain
        self.transaction_hash = transaction_hash
        self.forward_for = forward_for
        self.disclose_me = disclose_me
        self.correlation_id = correlation_id
        self.correlation_uri = correlation_uri
        self.correlation_is_anchor = correlation_is_anchor
        self.correlation_is_last = correlation_is_last

    def message_attr(self) -> dict[str, Any]:
        """The PUBLISH.Options dict (single filter values become one-item lists)."""
        options: dict[str, Any] = {}
        if self.acknowledge is not None:
            options["acknowledge"] = self.acknowledge
        if self.exclude_me is not None:
            options["exclude_me"] = self.exclude_me
        value: Any = self.exclude
        if value is not None:
            options["exclude"] = value if type(value) is list else [value]
        value = self.exclude_authid
        if value is not None:
            options["exclude_authid"] = value if type(value) is list else [value]
        value = self.exclude_authrole
        if value is not None:
            options["exclude_authrole"] = value if type(value) is list else [value]
        value = self.eligible
        if value is not None:
            options["eligible"] = value if type(value) is list else [value]
        value = self.eligible_authid
        if value is not None:
            options["eligible_authid"] = value if type(value) is list else [value]
        value = self.eligible_authrole
        if value is not None:
            options["eligible_authrole"] = value if type(value) is list else [value]
        if self.retain is not None:
            options["retain"] = self.retain
        if self.transaction_hash is not None:
            options["transaction_hash"] = self.transaction_hash
        if self.forward_for is not None:
            options["forward_for"] = self.forward_for
        if self.disclose_me is not None:
            options["disclose_me"] = self.disclose_me
        return options

    def __str__(self) -> str:
        text = (
            f"PublishOptions(acknowledge={self.acknowledge}, exclude_me={self.exclude_me}, "
            f"exclude={self.exclude}, exclude_authid={self.exclude_authid}, "
            f"exclude_authrole={self.exclude_authrole}, eligible={self.eligible}, "
            f"eligible_authid={self.eligible_authid}, "
            f"eligible_authrole={self.eligible_authrole}, retain={self.retain}, "
            f"transaction_hash={self.transaction_hash}, forward_for={self.forward_for}"
        )
        if self.disclose_me is not None:
            text += f", disclose_me={self.disclose_me}"
        return text + ")"


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
        check_choice(owner, "match", match, MATCH_POLICIES)
        check_choice(owner, "invoke", invoke, INVOKE_POLICIES)
        if concurrency is not None:
            if type(concurrency) is not int:
                raise bad_type(owner, "concurrency", "an int", concurrency)
            if concurrency <= 0:
                raise bad_value(owner, "concurrency", "a positive int", concurrency)
        _check_details(owner, details, details_arg)
        # Autobahn tests membership in [None, True, False], so 0 and 1 pass as well.
        if force_reregister not in (None, True, False):
            raise bad_type(owner, "force_reregister", "a bool", force_reregister)
        if forward_for is not None:
            check_forward_for(owner, forward_for)
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


class CallOptions:
    """Options of ``session.call()``.

    ``timeout`` is in seconds (int or float), as in Autobahn. It is enforced locally and
    sent as ``CALL.Options.timeout`` in whole seconds (a float is rounded up), which is
    what Autobahn sends and Crossbar reads; the spec text says milliseconds.

    Beyond Autobahn: ``runmode``/``rkey`` (seed ``runAt``/``pkey``, sharded registrations),
    ``cancel_mode`` (the CANCEL mode used when the call's future is cancelled; not sent in
    CALL), ``progress`` (a progressive call invocation chunk), ``disclose_me``.
    """

    __slots__ = (
        "caller",
        "caller_authid",
        "caller_authrole",
        "cancel_mode",
        "correlation_id",
        "correlation_is_anchor",
        "correlation_is_last",
        "correlation_uri",
        "details",
        "disclose_me",
        "forward_for",
        "on_progress",
        "progress",
        "rkey",
        "runmode",
        "timeout",
        "transaction_hash",
    )

    on_progress: Callable[..., Any] | None
    timeout: int | float | None
    transaction_hash: str | None
    caller: int | None
    caller_authid: str | None
    caller_authrole: str | None
    forward_for: list[dict[str, Any]] | None
    details: bool | None
    runmode: str | None
    rkey: str | int | None
    cancel_mode: str | None
    progress: bool | None
    disclose_me: bool | None
    correlation_id: Any
    correlation_uri: Any
    correlation_is_anchor: Any
    correlation_is_last: Any

    def __init__(
        self,
        on_progress: Callable[..., Any] | None = None,
        timeout: int | float | None = None,
        transaction_hash: str | None = None,
        caller: int | None = None,
        caller_authid: str | None = None,
        caller_authrole: str | None = None,
        forward_for: list[dict[str, Any]] | None = None,
        correlation_id: Any = None,
        correlation_uri: Any = None,
        correlation_is_anchor: Any = None,
        correlation_is_last: Any = None,
        details: bool | None = None,
        *,
        runmode: str | None = None,
        rkey: str | int | None = None,
        cancel_mode: str | None = None,
        progress: bool | None = None,
        disclose_me: bool | None = None,
        onProgress: Callable[..., Any] | None = None,
        runAt: str | None = None,
        pkey: str | int | None = None,
        discloseMe: bool | None = None,
    ) -> None:
        owner = "CallOptions"
        if onProgress is not None:
            if on_progress is not None:
                raise both_spellings(owner, "on_progress", "onProgress")
            on_progress = onProgress
        if on_progress is not None and not callable(on_progress):
            raise bad_type(owner, "on_progress", "a callable", on_progress)
        if timeout is not None:
            if type(timeout) not in _NUMBER:
                raise bad_type(owner, "timeout", "an int or float (seconds)", timeout)
            if not 0 < timeout < math.inf:
                raise bad_value(owner, "timeout", "a positive, finite number of seconds", timeout)
        if transaction_hash is not None and type(transaction_hash) is not str:
            raise bad_type(owner, "transaction_hash", "a str", transaction_hash)
        if details is not None and type(details) is not bool:
            raise bad_type(owner, "details", "a bool", details)
        if caller is not None and type(caller) is not int:
            raise bad_type(owner, "caller", "a session id (int)", caller)
        if caller_authid is not None and type(caller_authid) is not str:
            raise bad_type(owner, "caller_authid", "a str", caller_authid)
        if caller_authrole is not None and type(caller_authrole) is not str:
            raise bad_type(owner, "caller_authrole", "a str", caller_authrole)
        if forward_for is not None:
            check_forward_for(owner, forward_for)
        if runAt is not None:
            if runmode is not None:
                raise both_spellings(owner, "runmode", "runAt")
            runmode = runAt
        if pkey is not None:
            if rkey is not None:
                raise both_spellings(owner, "rkey", "pkey")
            rkey = pkey
        if runmode is not None or rkey is not None:
            _check_sharding(runmode, rkey)
        check_choice(owner, "cancel_mode", cancel_mode, CANCEL_MODES)
        if discloseMe is not None:
            if disclose_me is not None:
                raise both_spellings(owner, "disclose_me", "discloseMe")
            disclose_me = discloseMe
        if progress is not None and type(progress) is not bool:
            raise bad_type(owner, "progress", "a bool", progress)
        if disclose_me is not None and type(disclose_me) is not bool:
            raise bad_type(owner, "disclose_me", "a bool", disclose_me)
        self.on_progress = on_progress
        self.timeout = timeout
        self.transaction_hash = transaction_hash
        self.caller = caller
        self.caller_authid = caller_authid
        self.caller_authrole = caller_authrole
        self.forward_for = forward_for
        self.details = details
        self.runmode = runmode
        self.rkey = rkey
        self.cancel_mode = cancel_mode
        self.progress = progress
        self.disclose_me = disclose_me
        self.correlation_id = correlation_id
        self.correlation_uri = correlation_uri
        self.correlation_is_anchor = correlation_is_anchor
        self.correlation_is_last = correlation_is_last

    def message_attr(self) -> dict[str, Any]:
        """The CALL.Options dict (``on_progress`` becomes ``receive_progress: true``)."""
        options: dict[str, Any] = {}
        timeout = self.timeout
        if timeout is not None:
            options["timeout"] = timeout if type(timeout) is int else math.ceil(timeout)
        if self.on_progress is not None:
            options["receive_progress"] = True
        if self.transaction_hash is not None:
            options["transaction_hash"] = self.transaction_hash
        if self.forward_for is not None:
            options["forward_for"] = self.forward_for
        if self.caller is not None:
            options["caller"] = self.caller
        if self.caller_authid is not None:
            options["caller_authid"] = self.caller_authid
        if self.caller_authrole is not None:
            options["caller_authrole"] = self.caller_authrole
        if self.runmode is not None:
            options["runmode"] = self.runmode
            if self.rkey is not None:
                options["rkey"] = self.rkey
        if self.progress is not None:
            options["progress"] = self.progress
        if self.disclose_me is not None:
            options["disclose_me"] = self.disclose_me
        return options

    def __str__(self) -> str:
        text = (
            f"CallOptions(on_progress={self.on_progress}, timeout={self.timeout}, "
            f"transaction_hash={self.transaction_hash}, caller={self.caller}, "
            f"caller_authid={self.caller_authid}, caller_authrole={self.caller_authrole}, "
            f"forward_for={self.forward_for}, details={self.details}"
        )
        for name in ("runmode", "rkey", "cancel_mode", "progress", "disclose_me"):
            value = getattr(self, name)
            if value is not None:
                text += f", {name}={value}"
        return text + ")"


def _check_sharding(runmode: Any, rkey: Any) -> None:
    """``runmode`` all/any/partition; ``rkey`` (str or int) goes with, and only with, partition."""
    check_choice("CallOptions", "runmode", runmode, RUN_MODES)
    if rkey is not None and type(rkey) not in (str, int):
        raise bad_type("CallOptions", "rkey", "a str or int", rkey)
    if runmode == "partition" and rkey is None:
        raise ValueError("CallOptions: runmode='partition' (runAt) needs rkey= (pkey)")
    if runmode != "partition" and rkey is not None:
        raise ValueError("CallOptions: rkey= (pkey) is only used with runmode='partition'")
