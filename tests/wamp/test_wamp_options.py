"""The options classes against Autobahn's, and pywamp's seed spellings and additions."""

from __future__ import annotations

import copy
import math
import pickle
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
from autobahn.wamp import types as ab
from hypothesis import given
from hypothesis import strategies as st

from pywamp.wamp import types

MATCH = st.sampled_from(["exact", "prefix", "wildcard"])
INVOKE = st.sampled_from(["single", "first", "last", "roundrobin", "random"])
CALLABLE = st.sampled_from([print, len])
ONE_OR_LIST_INT = st.one_of(IDS, st.lists(IDS, max_size=3), st.lists(st.one_of(IDS, JUNK)))
ONE_OR_LIST_STR = st.one_of(TEXT, st.lists(TEXT, max_size=3), st.lists(st.one_of(TEXT, JUNK)))
CORRELATION = {
    "correlation_id": opt(TEXT),
    "correlation_uri": opt(TEXT),
    "correlation_is_anchor": opt(st.booleans()),
    "correlation_is_last": opt(st.booleans()),
}


def check(ours_cls: Any, theirs_cls: Any, kwargs: dict[str, Any]) -> None:
    ours, theirs = assert_same(ours_cls, theirs_cls, attrs=public_slots(theirs_cls), **kwargs)
    if ours is not None:
        assert ours.message_attr() == theirs.message_attr()


@SETTINGS
@given(
    kwargs_of(
        {
            "match": opt(MATCH),
            "details": opt(st.booleans()),
            "details_arg": opt(TEXT),
            "forward_for": opt(FORWARD_FOR),
            "get_retained": opt(st.booleans()),
            **CORRELATION,
        }
    )
)
def test_subscribe_options_like_autobahn(kwargs: dict[str, Any]) -> None:
    check(types.SubscribeOptions, ab.SubscribeOptions, kwargs)


@SETTINGS
@given(
    kwargs_of(
        {
            "acknowledge": opt(st.booleans()),
            "exclude_me": opt(st.booleans()),
            "exclude": opt(ONE_OR_LIST_INT),
            "exclude_authid": opt(ONE_OR_LIST_STR),
            "exclude_authrole": opt(ONE_OR_LIST_STR),
            "eligible": opt(ONE_OR_LIST_INT),
            "eligible_authid": opt(ONE_OR_LIST_STR),
            "eligible_authrole": opt(ONE_OR_LIST_STR),
            "retain": opt(st.booleans()),
            "forward_for": opt(FORWARD_FOR),
            "transaction_hash": opt(TEXT),
            **CORRELATION,
        }
    )
)
def test_publish_options_like_autobahn(kwargs: dict[str, Any]) -> None:
    check(types.PublishOptions, ab.PublishOptions, kwargs)


@SETTINGS
@given(
    kwargs_of(
        {
            "match": opt(MATCH),
            "invoke": opt(INVOKE),
            "concurrency": opt(st.integers(1, 10)),
            "force_reregister": opt(st.booleans()),
            "forward_for": opt(FORWARD_FOR),
            "details": opt(st.booleans()),
            "details_arg": opt(TEXT),
            **CORRELATION,
        }
    )
)
def test_register_options_like_autobahn(kwargs: dict[str, Any]) -> None:
    check(types.RegisterOptions, ab.RegisterOptions, kwargs)


@SETTINGS
@given(
    kwargs_of(
        {
            "on_progress": opt(CALLABLE),
            "timeout": opt(st.one_of(st.integers(1, 10**6), st.floats(1e-3, 1e6))),
            "transaction_hash": opt(TEXT),
            "caller": opt(IDS),
            "caller_authid": opt(TEXT),
            "caller_authrole": opt(TEXT),
            "forward_for": opt(FORWARD_FOR),
            "details": opt(st.booleans()),
            **CORRELATION,
        }
    )
)
def test_call_options_like_autobahn(kwargs: dict[str, Any]) -> None:
    ours, theirs = assert_same(
        types.CallOptions, ab.CallOptions, attrs=public_slots(ab.CallOptions), **kwargs
    )
    if ours is not None:
        expected = theirs.message_attr()
        # Autobahn passes a float timeout through (and then its Call message asserts int);
        # pywamp sends whole seconds, rounded up.
        if isinstance(expected.get("timeout"), float):
            expected["timeout"] = math.ceil(expected["timeout"])
        assert ours.message_attr() == expected
        assert all(type(v) is not float for v in ours.message_attr().values())


def test_message_attr_skips_unset_fields_and_returns_a_fresh_dict() -> None:
    opts = types.CallOptions()
    assert opts.message_attr() == {}
    opts.message_attr()["timeout"] = 1
    assert opts.message_attr() == {}
    opts.timeout = 3  # attributes stay writable, as in Autobahn
    assert opts.message_attr() == {"timeout": 3}


@pytest.mark.parametrize(
    ("cls", "name", "value", "wire"),
    [
        (types.CallOptions, "caller", 5, 5),
        (types.CallOptions, "forward_for", [], []),
        (types.CallOptions, "transaction_hash", "h", "h"),
        (types.PublishOptions, "eligible_authrole", "admin", ["admin"]),
        (types.PublishOptions, "disclose_me", True, True),
        (types.PublishOptions, "exclude_me", False, False),
    ],
)
def test_fields_set_after_construction_go_on_the_wire(
    cls: Any, name: str, value: Any, wire: Any
) -> None:
    opts = cls()
    setattr(opts, name, value)
    assert getattr(opts, name) == value
    assert opts.message_attr() == {name: wire}
    assert f"{name}={value}" in str(opts)
    # copies are independent
    other = copy.copy(opts)
    setattr(other, name, None)
    assert other.message_attr() == {} and opts.message_attr() == {name: wire}
    assert pickle.loads(pickle.dumps(opts)).message_attr() == {name: wire}


@pytest.mark.parametrize("timeout", [math.inf, -math.inf, math.nan, 0, -1, 0.0])
def test_timeout_must_be_positive_and_finite(timeout: float) -> None:
    with pytest.raises(ValueError, match=r"CallOptions\.timeout"):
        types.CallOptions(timeout=timeout)


@pytest.mark.parametrize(
    ("cls", "kwargs", "exc", "words"),
    [
        (types.CallOptions, {"timeout": "10"}, TypeError, "CallOptions.timeout"),
        (types.CallOptions, {"timeout": True}, TypeError, "CallOptions.timeout"),
        (types.CallOptions, {"on_progress": 3}, TypeError, "CallOptions.on_progress"),
        (types.CallOptions, {"caller": True}, TypeError, "CallOptions.caller"),
        (types.RegisterOptions, {"invoke": "all"}, ValueError, "RegisterOptions.invoke"),
        (types.RegisterOptions, {"concurrency": 0}, ValueError, "RegisterOptions.concurrency"),
        (types.RegisterOptions, {"details": True, "details_arg": "d"}, ValueError, "details"),
        (types.SubscribeOptions, {"match": "regex"}, ValueError, "SubscribeOptions.match"),
        (types.SubscribeOptions, {"match": 1}, TypeError, "SubscribeOptions.match"),
        (types.PublishOptions, {"exclude": ["1"]}, TypeError, "PublishOptions.exclude"),
        (
            types.PublishOptions,
            {"forward_for": [{"session": 1, "authid": None, "authrole": "r"}]},
            TypeError,
            "forward_for[0]['authid']",
        ),
        (types.CallOptions, {"forward_for": [{"session": 1}]}, ValueError, "'authid'"),
        (types.CallOptions, {"onprogress": print}, TypeError, "keyword argument 'onprogress'"),
        (types.PublishOptions, {"exclude_Me": True}, TypeError, "keyword argument 'exclude_Me'"),
        (types.PublishOptions, {"discloseMe": 1}, TypeError, "PublishOptions.disclose_me"),
    ],
)
def test_errors_name_the_option(cls: Any, kwargs: dict[str, Any], exc: type, words: str) -> None:
    with pytest.raises(exc) as info:
        cls(**kwargs)
    assert words in str(info.value)


# -- the seed's spellings and pywamp's additions -------------------------------------------


def test_on_progress_seed_spelling() -> None:
    seed = types.CallOptions(onProgress=print)
    assert seed.on_progress is print
    assert str(seed) == str(types.CallOptions(on_progress=print))
    assert seed.message_attr() == {"receive_progress": True}
    with pytest.raises(TypeError, match="onProgress"):
        types.CallOptions(on_progress=print, onProgress=print)
    with pytest.raises(TypeError, match="on_progress"):
        types.CallOptions(onProgress="not callable")


@pytest.mark.parametrize("mode", ["all", "any"])
def test_run_at_maps_to_runmode(mode: str) -> None:
    seed = types.CallOptions(runAt=mode)
    assert seed.runmode == mode and seed.rkey is None
    assert seed.message_attr() == {"runmode": mode}
    assert str(seed).endswith(f", details=None, runmode={mode})")


@SETTINGS
@given(st.one_of(st.integers(0, 2**53), st.text(min_size=1, max_size=8)))
def test_partition_carries_the_key(key: int | str) -> None:
    seed = types.CallOptions(runAt="partition", pkey=key)
    assert (seed.runmode, seed.rkey) == ("partition", key)
    assert seed.message_attr() == {"runmode": "partition", "rkey": key}
    assert types.CallOptions(runmode="partition", rkey=key).message_attr() == seed.message_attr()


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"runAt": "partition"}, ValueError),
        ({"pkey": 5}, ValueError),
        ({"runAt": "all", "pkey": 5}, ValueError),
        ({"runAt": "everywhere"}, ValueError),
        ({"runAt": "partition", "pkey": 1.5}, TypeError),
        ({"runAt": "all", "runmode": "all"}, TypeError),
        ({"rkey": 1, "pkey": 1, "runmode": "partition"}, TypeError),
    ],
)
def test_bad_sharding_options(kwargs: dict[str, Any], exc: type) -> None:
    with pytest.raises(exc, match="CallOptions"):
        types.CallOptions(**kwargs)


@pytest.mark.parametrize("mode", ["skip", "kill", "killnowait"])
def test_cancel_mode_is_kept_but_not_sent_in_call(mode: str) -> None:
    opts = types.CallOptions(cancel_mode=mode)
    assert opts.cancel_mode == mode
    assert opts.message_attr() == {}
    assert f"cancel_mode={mode}" in str(opts)


def test_bad_cancel_mode() -> None:
    with pytest.raises(ValueError, match="cancel_mode"):
        types.CallOptions(cancel_mode="abort")


@pytest.mark.parametrize("flag", [True, False])
def test_progressive_call_invocation_flag(flag: bool) -> None:
    assert types.CallOptions(progress=flag).message_attr() == {"progress": flag}
    with pytest.raises(TypeError, match="progress"):
        types.CallOptions(progress=1)


def test_timeout_goes_on_the_wire_in_whole_seconds() -> None:
    assert types.CallOptions(timeout=10).message_attr() == {"timeout": 10}
    assert types.CallOptions(timeout=0.25).message_attr() == {"timeout": 1}
    assert types.CallOptions(timeout=2.5).timeout == 2.5  # the local timer keeps the float


def test_disclose_me_old_spellings() -> None:
    assert types.CallOptions(discloseMe=True).message_attr() == {"disclose_me": True}
    pub = types.PublishOptions(excludeMe=False, discloseMe=True)
    assert (pub.exclude_me, pub.disclose_me) == (False, True)
    assert pub.message_attr() == {"exclude_me": False, "disclose_me": True}
    assert str(pub).endswith("forward_for=None, disclose_me=True)")
    with pytest.raises(TypeError, match="excludeMe"):
        types.PublishOptions(exclude_me=True, excludeMe=True)


def test_disclose_caller_old_spelling() -> None:
    reg = types.RegisterOptions(discloseCaller=True, details_arg="invocation")
    assert reg.disclose_caller is True and reg.details_arg == "invocation"
    assert reg.message_attr() == {"disclose_caller": True}
    assert "disclose_caller=True" in str(reg)
    with pytest.raises(TypeError, match="disclose_caller"):
        types.RegisterOptions(discloseCaller="yes")


def test_seed_publish_exclude_single_session() -> None:
    # PublishOptions(exclude=[invocation.caller]) and the single-value form
    assert types.PublishOptions(exclude=[7]).message_attr() == {"exclude": [7]}
    assert types.PublishOptions(exclude=7).message_attr() == {"exclude": [7]}
