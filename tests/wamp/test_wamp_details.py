"""Detail, result and join types against Autobahn's, and the seed's Invocation marker."""

from __future__ import annotations

from typing import Any

import pytest
from _compare import (
    FORWARD_FOR,
    IDS,
    JUNK,
    SETTINGS,
    TEXT,
    assert_same,
    kwargs_of,
    opt,
    public_slots,
)
from autobahn.wamp import request
from autobahn.wamp import types as ab
from hypothesis import event, given
from hypothesis import strategies as st

from pywamp.wamp import types

REGISTRATION = request.Registration(None, 42, "com.myapp.task..delete", print)
SUBSCRIPTION = request.Subscription(7, "com.myapp.topic", None, print)
DICT = st.dictionaries(st.text(max_size=4), st.integers(0, 9), max_size=2)


def attrs(cls: Any) -> tuple[str, ...]:
    return public_slots(cls)


@SETTINGS
@given(
    kwargs_of(
        {
            "progress": opt(st.sampled_from([print, len])),
            "caller": opt(IDS),
            "caller_authid": opt(TEXT),
            "caller_authrole": opt(TEXT),
            "procedure": opt(TEXT),
            "transaction_hash": opt(TEXT),
            "enc_algo": opt(TEXT),
            "forward_for": opt(FORWARD_FOR),
        }
    )
)
def test_call_details_like_autobahn(kwargs: dict[str, Any]) -> None:
    assert_same(
        types.CallDetails, ab.CallDetails, REGISTRATION, attrs=attrs(ab.CallDetails), **kwargs
    )


@SETTINGS
@given(
    opt(IDS),
    kwargs_of(
        {
            "publisher": opt(IDS),
            "publisher_authid": opt(TEXT),
            "publisher_authrole": opt(TEXT),
            "topic": opt(TEXT),
            "retained": opt(st.booleans()),
            "transaction_hash": opt(TEXT),
            "enc_algo": opt(TEXT),
            "forward_for": opt(FORWARD_FOR),
        }
    ),
)
def test_event_details_like_autobahn(publication: Any, kwargs: dict[str, Any]) -> None:
    assert_same(
        types.EventDetails,
        ab.EventDetails,
        SUBSCRIPTION,
        publication,
        attrs=attrs(ab.EventDetails),
        **kwargs,
    )


@SETTINGS
@given(
    st.lists(st.one_of(st.integers(), TEXT, st.none()), max_size=3),
    st.dictionaries(st.sampled_from(["real", "imag", "x"]), st.integers(), max_size=2),
    kwargs_of(
        {
            "enc_algo": opt(TEXT),
            "callee": opt(IDS),
            "callee_authid": opt(TEXT),
            "callee_authrole": opt(TEXT),
            "forward_for": opt(FORWARD_FOR),
        }
    ),
)
def test_call_result_like_autobahn(
    results: list[Any], kwresults: dict[str, Any], meta: dict[str, Any]
) -> None:
    assert_same(
        types.CallResult,
        ab.CallResult,
        *results,
        attrs=attrs(ab.CallResult),
        **kwresults,
        **meta,
    )


def test_call_result_seed_usage() -> None:
    c = types.CallResult(13, 5)
    assert c.results == (13, 5) and c.kwresults == {}
    c = types.CallResult(real=7, imag=11)
    assert c.kwresults == {"real": 7, "imag": 11} and c.results == ()


@SETTINGS
@given(kwargs_of({"reason": opt(TEXT), "message": opt(TEXT)}))
def test_close_details_like_autobahn(kwargs: dict[str, Any]) -> None:
    ours, theirs = assert_same(
        types.CloseDetails, ab.CloseDetails, attrs=attrs(ab.CloseDetails), **kwargs
    )
    if ours is not None:
        assert ours.marshal() == theirs.marshal()
    assert types.CloseDetails.REASON_DEFAULT == ab.CloseDetails.REASON_DEFAULT
    assert types.CloseDetails.REASON_TRANSPORT_LOST == ab.CloseDetails.REASON_TRANSPORT_LOST


@SETTINGS
@given(
    kwargs_of(
        {
            "realm": opt(TEXT),
            "extra": opt(DICT),
            "keyring": opt(TEXT),
            "controller": opt(TEXT),
            "shared": opt(DICT),
            "runner": opt(TEXT),
        }
    )
)
def test_component_config_like_autobahn(kwargs: dict[str, Any]) -> None:
    assert_same(
        types.ComponentConfig, ab.ComponentConfig, attrs=attrs(ab.ComponentConfig), **kwargs
    )


@SETTINGS
@given(
    kwargs_of(
        {
            "realm": opt(TEXT),
            "authid": opt(TEXT),
            "authrole": opt(TEXT),
            "authmethod": opt(TEXT),
            "authprovider": opt(TEXT),
            "authextra": opt(DICT),
        }
    )
)
def test_accept_like_autobahn(kwargs: dict[str, Any]) -> None:
    assert_same(types.Accept, ab.Accept, attrs=attrs(ab.Accept), **kwargs)


@SETTINGS
@given(kwargs_of({"reason": st.one_of(TEXT, JUNK), "message": opt(TEXT)}))
def test_deny_like_autobahn(kwargs: dict[str, Any]) -> None:
    assert_same(types.Deny, ab.Deny, attrs=attrs(ab.Deny), **kwargs)


@SETTINGS
@given(st.one_of(TEXT, JUNK), kwargs_of({"extra": opt(DICT)}))
def test_challenge_like_autobahn(method: Any, kwargs: dict[str, Any]) -> None:
    assert_same(types.Challenge, ab.Challenge, method, attrs=attrs(ab.Challenge), **kwargs)


@SETTINGS
@given(
    kwargs_of(
        {
            "realm": opt(TEXT),
            "authmethods": opt(st.lists(TEXT, max_size=3)),
            "authid": opt(TEXT),
            "authrole": opt(TEXT),
            "authextra": opt(DICT),
            "session_roles": opt(DICT),
            "pending_session": opt(IDS),
            "resumable": opt(st.booleans()),
            "resume_session": opt(IDS),
            "resume_token": opt(TEXT),
        }
    )
)
def test_hello_details_like_autobahn(kwargs: dict[str, Any]) -> None:
    assert_same(types.HelloDetails, ab.HelloDetails, attrs=attrs(ab.HelloDetails), **kwargs)


@SETTINGS
@given(kwargs_of({"session": opt(IDS), "authid": opt(TEXT), "authrole": st.one_of(TEXT, JUNK)}))
def test_session_ident_like_autobahn(kwargs: dict[str, Any]) -> None:
    ours, theirs = assert_same(
        types.SessionIdent, ab.SessionIdent, attrs=attrs(ab.SessionIdent), **kwargs
    )
    if ours is not None:
        assert ours.marshal() == theirs.marshal()


def test_session_ident_from_details() -> None:
    hop = {"session": 9, "authid": "joe", "authrole": "user"}
    for fwd in (None, [hop]):
        ours = types.SessionIdent.from_calldetails(
            types.CallDetails(REGISTRATION, caller=3, caller_authrole="r", forward_for=fwd)
        )
        theirs = ab.SessionIdent.from_calldetails(
            ab.CallDetails(REGISTRATION, caller=3, caller_authrole="r", forward_for=fwd)
        )
        assert str(ours) == str(theirs)
        ours = types.SessionIdent.from_eventdetails(
            types.EventDetails(
                SUBSCRIPTION, 1, publisher=4, publisher_authrole="r", forward_for=fwd
            )
        )
        theirs = ab.SessionIdent.from_eventdetails(
            ab.EventDetails(SUBSCRIPTION, 1, publisher=4, publisher_authrole="r", forward_for=fwd)
        )
        assert str(ours) == str(theirs)
    with pytest.raises(TypeError, match="CallDetails"):
        types.SessionIdent.from_calldetails("details")  # type: ignore[arg-type]


def test_publication_and_encoded_payload_like_autobahn() -> None:
    assert str(types.Publication(123, False)) == str(request.Publication(123, False))
    assert types.Publication(5, True).id == 5
    ours = types.EncodedPayload(b"\x01", "cryptobox", "cbor", "key")
    theirs = ab.EncodedPayload(b"\x01", "cryptobox", "cbor", "key")
    for name in attrs(ab.EncodedPayload):
        assert getattr(ours, name) == getattr(theirs, name)
    with pytest.raises(TypeError, match=r"EncodedPayload\.payload"):
        types.EncodedPayload("text", "cryptobox")  # type: ignore[arg-type]


# -- session and transport details ----------------------------------------------------------

TRANSPORT_FIELDS = {
    "channel_type": st.integers(0, 9),
    "channel_framing": st.integers(0, 4),
    "channel_serializer": st.integers(0, 6),
    "own": TEXT,
    "peer": TEXT,
    "is_server": st.booleans(),
    "own_pid": IDS,
    "own_tid": IDS,
    "own_fd": IDS,
    "is_secure": st.booleans(),
    "channel_id": st.fixed_dictionaries({"tls-unique": st.binary(min_size=32, max_size=32)}),
    "peer_cert": DICT,
    "websocket_protocol": TEXT,
    "websocket_extensions_in_use": st.lists(TEXT, max_size=2),
    "http_headers_received": DICT,
    "http_headers_sent": DICT,
    "http_cbtid": TEXT,
}


def valid(fields: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return kwargs_of({name: st.one_of(st.none(), s) for name, s in fields.items()})


@SETTINGS
@given(valid(TRANSPORT_FIELDS))
def test_transport_details_like_autobahn(kwargs: dict[str, Any]) -> None:
    ours, theirs = assert_same(
        types.TransportDetails, ab.TransportDetails, attrs=attrs(ab.TransportDetails), **kwargs
    )
    assert ours.marshal() == theirs.marshal()
    known = (ours.channel_type or 0) < 8 and (ours.channel_framing or 0) < 4
    if known and (ours.channel_serializer or 0) < 6:
        assert ours.channel_typeid == theirs.channel_typeid
    assert ours == types.TransportDetails(**kwargs)
    assert ours != types.TransportDetails(own_pid=-1)


@SETTINGS
@given(st.sampled_from(sorted(TRANSPORT_FIELDS)), JUNK)
def test_transport_details_refuses_wrong_types(name: str, value: Any) -> None:
    # Autobahn takes anything here and fails later when printing; pywamp names the field.
    expected = types.TransportDetails._TYPES[name]
    if isinstance(value, expected) and not (expected is int and type(value) is bool):
        return
    with pytest.raises(TypeError, match=rf"TransportDetails\.{name} "):
        types.TransportDetails(**{name: value})
    with pytest.raises(TypeError, match=r"SessionDetails\.transport"):
        types.SessionDetails(transport={"own": "x"})  # type: ignore[arg-type]


WIRE_TRANSPORT = {
    "channel_type": opt(st.sampled_from(["null", "tcp", "tls", "memory", "bogus"])),
    "channel_framing": opt(st.sampled_from(["null", "websocket", "rawsocket", "native", "x"])),
    "channel_serializer": opt(st.sampled_from(["json", "msgpack", "cbor", "ubjson", "y"])),
    "own": opt(TEXT),
    "peer": opt(TEXT),
    "is_server": opt(st.booleans()),
    "own_pid": opt(IDS),
    "is_secure": opt(st.booleans()),
    "channel_id": opt(
        st.fixed_dictionaries({"tls-unique": st.sampled_from(["ab" * 32, "ab" * 16, "zz"])})
    ),
    "websocket_protocol": opt(TEXT),
    "websocket_extensions_in_use": opt(st.lists(TEXT, max_size=2)),
    "http_headers_received": opt(DICT),
    "http_cbtid": opt(TEXT),
}


def parse_both(ours_cls: Any, theirs_cls: Any, data: dict[str, Any]) -> tuple[Any, Any]:
    try:
        theirs = theirs_cls.parse(data)
    except (ValueError, AssertionError, TypeError):
        event("autobahn refuses")
        with pytest.raises((ValueError, TypeError)):
            ours_cls.parse(data)
        return None, None
    event("autobahn accepts")
    return ours_cls.parse(data), theirs


@SETTINGS
@given(kwargs_of(WIRE_TRANSPORT))
def test_transport_details_parse_like_autobahn(data: dict[str, Any]) -> None:
    ours, theirs = parse_both(types.TransportDetails, ab.TransportDetails, data)
    if ours is not None:
        assert ours.marshal() == theirs.marshal() and str(ours) == str(theirs)


@SETTINGS
@given(
    kwargs_of(
        {
            "realm": opt(TEXT),
            "session": opt(IDS),
            "authid": opt(TEXT),
            "authrole": opt(TEXT),
            "authmethod": opt(TEXT),
            "authprovider": opt(TEXT),
            "authextra": opt(st.dictionaries(st.one_of(TEXT, IDS), st.integers(), max_size=2)),
            "serializer": opt(TEXT),
            "transport": opt(kwargs_of(WIRE_TRANSPORT)),
            "resumed": opt(st.booleans()),
            "resumable": opt(st.booleans()),
            "resume_token": opt(TEXT),
        }
    )
)
def test_session_details_parse_and_print_like_autobahn(data: dict[str, Any]) -> None:
    ours, theirs = parse_both(types.SessionDetails, ab.SessionDetails, data)
    if ours is None:
        return
    assert str(ours) == str(theirs) and ours.marshal() == theirs.marshal()
    for name in attrs(ab.SessionDetails):
        if name != "transport":
            assert getattr(ours, name) == getattr(theirs, name)
    assert ours == types.SessionDetails.parse(data)
    assert ours != types.SessionDetails(realm="other-realm-\x00")


def test_session_details_constructor_like_autobahn() -> None:
    transport = dict(channel_type=4, channel_framing=3, channel_serializer=2, peer="tcp4:x:1")
    ours = types.SessionDetails(
        "realm1", 123, "joe", "user", transport=types.TransportDetails(**transport)
    )
    theirs = ab.SessionDetails(
        "realm1", 123, "joe", "user", transport=ab.TransportDetails(**transport)
    )
    assert str(ours) == str(theirs)
    assert ours.transport is not None and ours.transport.channel_typeid == "tcp-rawsocket-msgpack"


def test_transport_details_parse_accepts_tls_exporter() -> None:
    parsed = types.TransportDetails.parse({"channel_id": {"tls-exporter": "01" * 32}})
    assert parsed.channel_id == {"tls-exporter": bytes([1]) * 32}
    with pytest.raises(ValueError, match="binding"):
        types.TransportDetails.parse({"channel_id": {"tls-server-end-point": "01" * 32}})


# -- the seed's Invocation ------------------------------------------------------------------


def test_invocation_is_the_call_details_type() -> None:
    details = types.CallDetails(REGISTRATION, progress=print, caller=5, procedure="com.x")
    assert isinstance(details, types.Invocation)
    assert (details.caller, details.progress, details.procedure) == (5, print, "com.x")


def test_invocation_arg_finds_the_marker_parameter() -> None:
    Invocation = types.Invocation

    def delete_task(task_id: str, invocation: Any = Invocation) -> None: ...

    def longop(n: int, details: Any = None) -> None: ...

    class Calc:
        def square(self, x: int, inv: Any = Invocation) -> int:
            return x * x

    assert types.invocation_arg(delete_task) == "invocation"
    assert types.invocation_arg(longop) is None
    assert types.invocation_arg(Calc().square) == "inv"
    assert types.invocation_arg(print) is None
