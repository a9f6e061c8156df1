"""A realm: its sessions, broker, dealer and meta API, and the join/leave life cycle.

``handlers`` maps each message class a joined session may send to its handler: the
core dispatches with one dict lookup, never an isinstance chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pywamp._ids import session_id
from pywamp._native import (
    Abort,
    Authenticate,
    Call,
    Cancel,
    Error,
    EventReceived,
    Goodbye,
    Hello,
    Publish,
    Register,
    Subscribe,
    Unregister,
    Unsubscribe,
    Welcome,
    Yield,
)
from pywamp.router import errors
from pywamp.router.auth import Accept
from pywamp.router.broker import Broker
from pywamp.router.config import RealmConfig
from pywamp.router.dealer import Dealer
from pywamp.router.errors import ProtocolViolation
from pywamp.router.features import AGENT, router_roles
from pywamp.router.meta import MetaApi
from pywamp.router.outputs import Close, Output, Send, Timer
from pywamp.router.session import CLOSED, CLOSING, ESTABLISHED, NEW, RouterSession
from pywamp.router.timers import Timers

if TYPE_CHECKING:
    from pywamp._native import Message

Handler = Callable[[RouterSession, Any, float, list[Output]], None]


class Realm:
    """One routing realm."""

    def __init__(
        self, config: RealmConfig, timers: Timers, now: float, goodbye_timeout: float = 5.0
    ) -> None:
        self.config = config
        self.name = config.name
        self.timers = timers
        self.goodbye_timeout = goodbye_timeout
        self.authorizer = config.authorizer
        self._forget: Callable[[RouterSession], None] | None = getattr(
            config.authorizer, "forget", None
        )
        self.meta_api = config.meta_api
        self.sessions: dict[int, RouterSession] = {}
        # WELCOME.Details.roles: the same for every session, built once (messages are
        # never mutated once built, see pywamp.router.outputs)
        self._roles = router_roles()
        self.broker = Broker(self, now)
        self.dealer = Dealer(self)
        self.meta = MetaApi(self)
        if config.meta_api:
            self.dealer.meta_procedures = self.meta.procedures()
        broker, dealer = self.broker, self.dealer
        self.handlers: dict[type[Message], Handler] = {
            Publish: broker.publish,
            Subscribe: broker.subscribe,
            Unsubscribe: broker.unsubscribe,
            Call: dealer.call,
            Yield: dealer.yield_,
            Error: dealer.error,
            Cancel: dealer.cancel,
            Register: dealer.register,
            Unregister: dealer.unregister,
            Goodbye: self.goodbye,
            Abort: self.aborted,
            Hello: self._again,
            Authenticate: self._again,
            EventReceived: self._ignore,
        }

    # -- joining ---------------------------------------------------------------------

    def join(
        self,
        session: RouterSession,
        accept: Accept,
        hello: dict[str, Any],
        roles: dict[str, dict[str, Any]],
        now: float,
        out: list[Output],
    ) -> None:
        """Welcome a session into the realm."""
        sid = accept.session if accept.session is not None else session_id()
        while sid in self.sessions:
            sid = session_id()
        session.id = sid
        session.realm = self
        session.state = ESTABLISHED
        session.authid = accept.authid
        session.authrole = accept.authrole
        session.authmethod = accept.authmethod
        session.authprovider = accept.authprovider
        session.authextra = accept.authextra
        agent = hello.get("agent")
        session.agent = agent if isinstance(agent, str) else None
        session.roles = roles
        # has_feature(), unrolled: a join reads these four flags from two dicts
        callee = roles.get("callee")
        if callee:
            get = callee.get
            session.callee_cancel = get("call_canceling") is True or (
                get("call_cancelling") is True
            )
            session.callee_progress = get("progressive_call_results") is True
            session.callee_progressive_calls = get("progressive_call_invocations") is True
        else:
            session.callee_cancel = session.callee_progress = False
            session.callee_progressive_calls = False
        caller = roles.get("caller")
        session.caller_progressive_calls = (
            caller is not None and caller.get("progressive_call_invocations") is True
        )
        config = self.config
        disclosure = config.disclosure(accept.authrole)
        session.disclose_caller = disclosure.caller
        session.disclose_publisher = disclosure.publisher
        session.timeout_scale = config.timeout_scale(session.agent)
        authid, authrole = accept.authid, accept.authrole
        session.caller = {"caller": sid, "caller_authid": authid, "caller_authrole": authrole}
        session.publisher = {
            "publisher": sid,
            "publisher_authid": authid,
            "publisher_authrole": authrole,
        }
        self.sessions[sid] = session
        details: dict[str, Any] = {
            "realm": self.name,
            "authid": accept.authid,
            "authrole": accept.authrole,
            "authmethod": accept.authmethod,
            "authprovider": accept.authprovider,
            "roles": self._roles,
            "agent": AGENT,
        }
        if accept.authextra is not None:
            details["authextra"] = accept.authextra
        out.append(Send(Welcome(sid, details), (session,)))
        if self.meta_api:
            self.broker.meta_event("wamp.session.on_join", [session.details()], None, now, out)

    def leave(
        self, session: RouterSession, now: float, out: list[Output], quiet: bool = False
    ) -> None:
        """Take a session out of the realm: its calls, registrations, subscriptions go."""
        del self.sessions[session.id]
        if self._forget is not None:
            self._forget(session)  # the authorizer's cached decisions for the session
        self.dealer.remove_session(session, now, out)
        self.broker.remove_session(session, now, out)
        if not quiet:
            self.meta.publish_testaments(session, now, out)
            if self.meta_api:
                if self.config.on_leave_args == "crossbar":
                    args: list[Any] = [session.id]
                else:
                    args = [session.id, session.authid, session.authrole]
                self.broker.meta_event("wamp.session.on_leave", args, None, now, out)
        session.reset()
        session.state = NEW

    # -- closing ---------------------------------------------------------------------

    def goodbye(self, session: RouterSession, msg: Goodbye, now: float, out: list[Output]) -> None:
        """The client leaves: answer GOODBYE; the transport stays open for a new HELLO."""
        self.leave(session, now, out)
        out.append(Send(Goodbye({}, errors.CLOSE_GOODBYE_AND_OUT), (session,)))

    def aborted(self, session: RouterSession, msg: Abort, now: float, out: list[Output]) -> None:
        """The client aborted: leave and close."""
        self.leave(session, now, out)
        session.state = CLOSED
        out.append(Close(session, msg.reason))

    def kill(
        self,
        session: RouterSession,
        reason: str,
        message: str | None,
        now: float,
        out: list[Output],
        quiet: bool = False,
    ) -> None:
        """Close a session from the router side: GOODBYE now, transport closed if no answer."""
        details = {"message": message} if message else {}
        out.append(Send(Goodbye(details, reason), (session,)))
        self.leave(session, now, out, quiet)
        session.state = CLOSING
        entry, earliest = self.timers.schedule(
            now + self.goodbye_timeout, _goodbye_expired, session
        )
        session.close_timer = entry
        if earliest:
            out.append(Timer(entry.deadline))

    def _again(self, session: RouterSession, msg: Message, now: float, out: list[Output]) -> None:
        raise ProtocolViolation(f"{type(msg).__name__} after the session was established")

    def _ignore(self, session: RouterSession, msg: Message, now: float, out: list[Output]) -> None:
        """Messages of features the router does not announce (e.g. EVENT_RECEIVED)."""


def _goodbye_expired(session: RouterSession, now: float, out: list[Output]) -> None:
    session.close_timer = None
    if session.state == CLOSING:
        session.state = CLOSED
        out.append(Close(session, errors.CLOSE_KILLED))
