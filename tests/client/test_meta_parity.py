"""Realm meta API details that pywamp's router and Crossbar answer alike (the spec's
``ap_session_meta_api.md`` fields and defaults, Crossbar's revocation procedures)."""

from __future__ import annotations

import pytest
from helpers import Inbox, eventually
from routers import Router

import pywamp
from pywamp.asyncio.wamp import Session
from pywamp.exception import ApplicationError

SPEC_FIELDS = {"session", "authid", "authrole", "authmethod", "authprovider", "transport"}


async def test_session_get_and_on_join_carry_the_spec_fields(
    router: Router, session: Session, other: Session
) -> None:
    info = await session.call("wamp.session.get", other.session_id)
    assert info.keys() >= SPEC_FIELDS
    assert info["session"] == other.session_id
    assert (info["authid"], info["authrole"], info["authmethod"]) == (
        other.authid,
        other.authrole,
        other.authmethod,
    )
    assert isinstance(info["authprovider"], str) and isinstance(info["transport"], dict)
    joins = Inbox()
    await session.subscribe(joins, "wamp.session.on_join")
    async with pywamp.connect(router.ws_url, router.realm) as newcomer:
        [(args, _)] = await joins.wait(1)
        assert args[0].keys() >= SPEC_FIELDS
        assert args[0]["session"] == newcomer.session_id
    with pytest.raises(ApplicationError) as info_error:
        await session.call("wamp.session.get", 42)
    assert info_error.value.error == "wamp.error.no_such_session"


async def test_kill_without_reason_closes_with_wamp_close_normal(
    router: Router, session: Session
) -> None:
    """``wamp.session.kill``: "if not provided the reason defaults to wamp.close.normal"."""
    victim = await pywamp.connect(router.rs_url, router.realm, serializer="cbor")
    left = Inbox()
    victim.on("leave", lambda s, details: left.put(details.reason))
    await session.call("wamp.session.kill", victim.session_id)
    assert await left.wait(1) == ["wamp.close.normal"]
    await eventually(lambda: not victim.is_connected())


@pytest.mark.needs("remove_callee")
async def test_remove_callee_revokes_a_registration(session: Session, other: Session) -> None:
    registration = await other.register(lambda: "here", "com.parity.proc")
    assert await session.call("com.parity.proc") == "here"
    await session.call(
        "wamp.registration.remove_callee", registration.id, other.session_id, reason="com.x.y"
    )
    await eventually(lambda: not registration.active)
    assert registration.id not in other._peer.registrations
    with pytest.raises(ApplicationError) as info:
        await session.call("com.parity.proc")
    assert info.value.error == "wamp.error.no_such_procedure"
    again = await other.register(lambda: "again", "com.parity.proc")
    assert await session.call("com.parity.proc") == "again"
    await again.unregister()


async def test_revocation_errors(session: Session, other: Session) -> None:
    """Unknown ids: the same error URIs on both routers."""
    sub = await other.subscribe(lambda: None, "com.parity.topic")
    reg = await other.register(lambda: None, "com.parity.errors")
    cases = [
        ("wamp.subscription.remove_subscriber", sub.id, 4242, "wamp.error.no_such_session"),
        (
            "wamp.subscription.remove_subscriber",
            sub.id + 1,
            other.session_id,
            "wamp.error.no_such_subscription",
        ),
        (
            "wamp.subscription.remove_subscriber",
            sub.id,
            session.session_id,
            "wamp.error.no_such_subscription",
        ),
        ("wamp.registration.remove_callee", reg.id, 4242, "wamp.error.no_such_session"),
        (
            "wamp.registration.remove_callee",
            reg.id + 1,
            other.session_id,
            "wamp.error.no_such_registration",
        ),
        (
            "wamp.registration.remove_callee",
            reg.id,
            session.session_id,
            "wamp.error.no_such_registration",
        ),
    ]
    for procedure, first, second, error in cases:
        with pytest.raises(ApplicationError) as info:
            await session.call(procedure, first, second)
        assert info.value.error == error, (procedure, first, second)
    assert sub.active and reg.active
