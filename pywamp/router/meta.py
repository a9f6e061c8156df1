"""The meta API: procedures the router answers itself, and its session events.

Shapes follow ``rfc/text/advanced/meta_api_*.md`` and ``pubsub_testament.md``:
session (count, list, get, kill, kill_by_authid, kill_by_authrole, kill_all, and the
``on_join``/``on_leave`` events), registration and subscription (list, lookup, match,
get, list_callees/list_subscribers, count_*, and Crossbar's remove_callee/remove_subscriber,
which revoke one session's registration or subscription), event history
(``wamp.subscription.get_events``) and testaments (add_testament, flush_testaments).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pywamp._native import is_valid_uri
from pywamp.router import errors
from pywamp.router.dealer import MetaError, MetaProcedure
from pywamp.router.errors import ProtocolViolation
from pywamp.router.filters import PublishOptions
from pywamp.router.history import QueryError
from pywamp.router.outputs import Output

if TYPE_CHECKING:
    from pywamp.router.realm import Realm
    from pywamp.router.session import RouterSession

Answer = tuple[list[Any] | None, dict[str, Any] | None]
Args = list[Any]
Kwargs = dict[str, Any]
Outs = list[Output]
SCOPES = ("detached", "destroyed")
#: Subscriptions on these topics are the router's: the meta API does not revoke them.
PROTECTED = ("wamp.", "crossbar.")


def _arg(args: list[Any], i: int, kind: type | tuple[type, ...], name: str) -> Any:
    if len(args) <= i:
        raise MetaError(errors.INVALID_ARGUMENT, f"missing argument {name}")
    value = args[i]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MetaError(errors.INVALID_ARGUMENT, f"bad argument {name}")
    return value


def _roles(args: list[Any]) -> frozenset[str] | None:
    if not args or args[0] is None:
        return None
    roles = args[0]
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise MetaError(errors.INVALID_ARGUMENT, "filter_authroles must be a list of strings")
    return frozenset(roles)


def _scope(kwargs: dict[str, Any]) -> str:
    scope = kwargs.get("scope", "destroyed")
    if scope not in SCOPES:
        raise MetaError(errors.INVALID_ARGUMENT, "scope must be 'detached' or 'destroyed'")
    return str(scope)


class MetaApi:
    """The meta procedures of one realm."""

    def __init__(self, realm: Realm) -> None:
        self.realm = realm
        dealer, broker = realm.dealer, realm.broker
        self.registrations = _Entries(
            self, "registration", "procedure", "callee", errors.NO_SUCH_REGISTRATION, dealer
        )
        self.subscriptions = _Entries(
            self, "subscription", "topic", "subscriber", errors.NO_SUCH_SUBSCRIPTION, broker
        )

    def procedures(self) -> dict[str, MetaProcedure]:
        """Procedure URI → handler."""
        return {
            "wamp.session.count": self.session_count,
            "wamp.session.list": self.session_list,
            "wamp.session.get": self.session_get,
            "wamp.session.kill": self.session_kill,
            "wamp.session.kill_by_authid": self.session_kill_by_authid,
            "wamp.session.kill_by_authrole": self.session_kill_by_authrole,
            "wamp.session.kill_all": self.session_kill_all,
            "wamp.session.add_testament": self.add_testament,
            "wamp.session.flush_testaments": self.flush_testaments,
            "wamp.registration.match": self.registration_match,
            "wamp.subscription.match": self.subscription_match,
            "wamp.subscription.get_events": self.subscription_get_events,
            **self.registrations.procedures(),
            **self.subscriptions.procedures(),
        }

    # -- sessions --------------------------------------------------------------------

    def _sessions(self, args: list[Any]) -> list[RouterSession]:
        roles = _roles(args)
        sessions = self.realm.sessions.values()
        return [s for s in sessions if roles is None or s.authrole in roles]

    def session_count(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.session.count([filter_authroles]) → count."""
        return [len(self._sessions(args))], None

    def session_list(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.session.list([filter_authroles]) → [session ids]."""
        return [[s.id for s in self._sessions(args)]], None

    def session_get(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.session.get(session) → details."""
        session = self.realm.sessions.get(_arg(args, 0, int, "session"))
        if session is None:
            raise MetaError(errors.NO_SUCH_SESSION)
        return [session.details()], None

    def _close_args(self, kwargs: dict[str, Any]) -> tuple[str, str | None]:
        reason = kwargs.get("reason", errors.CLOSE_NORMAL)  # the spec's default, as Crossbar
        if not isinstance(reason, str) or not is_valid_uri(reason):
            raise MetaError(errors.INVALID_URI, "reason must be a URI")
        message = kwargs.get("message")
        if message is not None and not isinstance(message, str):
            raise MetaError(errors.INVALID_ARGUMENT, "message must be a string")
        return reason, message

    def _kill(
        self,
        caller: RouterSession,
        victims: list[RouterSession],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
        quiet: bool = False,
    ) -> list[int]:
        reason, message = self._close_args(kwargs)
        killed = []
        for victim in victims:
            if victim is not caller:
                killed.append(victim.id)
                self.realm.kill(victim, reason, message, now, out, quiet)
        return killed

    def session_kill(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.session.kill(session, reason=, message=): the caller cannot kill itself."""
        victim = self.realm.sessions.get(_arg(args, 0, int, "session"))
        if victim is None or victim is caller:
            raise MetaError(errors.NO_SUCH_SESSION)
        self._kill(caller, [victim], kwargs, now, out)
        return None, None

    def session_kill_by_authid(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.session.kill_by_authid(authid, reason=, message=) → [killed session ids]."""
        authid = _arg(args, 0, str, "authid")
        victims = [s for s in self.realm.sessions.values() if s.authid == authid]
        return [self._kill(caller, victims, kwargs, now, out)], None

    def session_kill_by_authrole(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.session.kill_by_authrole(authrole, reason=, message=) → count."""
        authrole = _arg(args, 0, str, "authrole")
        victims = [s for s in self.realm.sessions.values() if s.authrole == authrole]
        return [len(self._kill(caller, victims, kwargs, now, out))], None

    def session_kill_all(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.session.kill_all(reason=, message=) → count (no meta or testament events)."""
        victims = list(self.realm.sessions.values())
        return [len(self._kill(caller, victims, kwargs, now, out, quiet=True))], None

    def _member(self, args: list[Any], entry: Any, members: Any, missing: str) -> RouterSession:
        """The session named by args[1], which must be one of ``members`` of ``entry``."""
        session = self.realm.sessions.get(_arg(args, 1, int, "session"))
        if session is None:
            raise MetaError(errors.NO_SUCH_SESSION)
        if entry.uri.startswith(PROTECTED):
            raise MetaError(errors.NOT_AUTHORIZED, f"{entry.uri} is a router URI")
        if session not in members:
            raise MetaError(missing, f"session {session.id} is not on {entry.id}")
        return session

    # -- testaments ------------------------------------------------------------------

    def add_testament(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.session.add_testament(topic, args, kwargs, publish_options=, scope=)."""
        topic = _arg(args, 0, str, "topic")
        if not is_valid_uri(topic, strict=self.realm.config.strict_uris) or topic.startswith(
            "wamp."
        ):
            raise MetaError(errors.INVALID_URI, topic)
        payload = args[1] if len(args) > 1 else None
        keywords = args[2] if len(args) > 2 else None
        if payload is not None and not isinstance(payload, list):
            raise MetaError(errors.INVALID_ARGUMENT, "args must be a list")
        if keywords is not None and not isinstance(keywords, dict):
            raise MetaError(errors.INVALID_ARGUMENT, "kwargs must be a dict")
        options = kwargs.get("publish_options") or {}
        if not isinstance(options, dict):
            raise MetaError(errors.INVALID_ARGUMENT, "publish_options must be a dict")
        try:
            PublishOptions(options)
        except ProtocolViolation as exc:
            raise MetaError(errors.INVALID_ARGUMENT, str(exc)) from None
        authorizer = self.realm.authorizer
        if authorizer is not None and not authorizer.authorize(caller, topic, "publish"):
            raise MetaError(errors.NOT_AUTHORIZED, topic)
        caller.testaments[_scope(kwargs)].append((topic, payload, keywords, options))
        return None, None

    def flush_testaments(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.session.flush_testaments(scope=): forget the testaments of one scope."""
        caller.testaments[_scope(kwargs)].clear()
        return None, None

    def publish_testaments(self, session: RouterSession, now: float, out: list[Output]) -> None:
        """Publish a leaving session's testaments: detached first, then destroyed."""
        deliver = self.realm.broker.deliver
        for scope in SCOPES:
            for topic, arguments, keywords, options in session.testaments[scope]:
                opts = PublishOptions(options)
                disclose = opts.disclose_me or session.disclose_publisher
                ident = session.publisher if disclose else None
                deliver(topic, arguments, keywords, None, None, opts, ident, now, out)
            session.testaments[scope].clear()

    # -- registrations and subscriptions --------------------------------------------

    def registration_match(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.registration.match(procedure) → the id of the winning registration, or None."""
        reg = self.realm.dealer.matcher.best(_arg(args, 0, str, "procedure"))
        return [reg.id if reg is not None else None], None

    def subscription_match(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.subscription.match(topic) → [ids of every matching subscription] or None."""
        subs = self.realm.broker.matcher.match(_arg(args, 0, str, "topic"))
        return [[s.id for s in subs] or None], None

    def subscription_get_events(
        self,
        caller: RouterSession,
        args: list[Any],
        kwargs: dict[str, Any],
        now: float,
        out: list[Output],
    ) -> Answer:
        """wamp.subscription.get_events(subscription, reverse=, limit=, ...) → [events]."""
        sub = self.subscriptions.entry(args)
        if sub.history is None:
            raise MetaError(errors.HISTORY_UNAVAILABLE, "no event history for this subscription")
        authorizer = self.realm.authorizer
        if authorizer is not None and not authorizer.authorize(caller, sub.uri, "subscribe"):
            raise MetaError(errors.NOT_AUTHORIZED, sub.uri)
        try:
            return [sub.history.query(sub.id, caller, kwargs)], None
        except QueryError as exc:
            raise MetaError(exc.uri, str(exc)) from None


class _Entries:
    """The meta calls registrations and subscriptions both have (list, lookup, get, and
    list/count/remove of their callees or subscribers), over the dealer's or the broker's
    table: ``store`` has ``by_id``, ``matcher`` and ``remove_<member>``."""

    def __init__(
        self, meta: MetaApi, noun: str, uri_name: str, member: str, missing: str, store: Any
    ) -> None:
        self.meta = meta
        self.noun = noun
        self.uri_name = uri_name
        self.member = member  # "callee": entries keep them in .callees
        self.missing = missing
        self.store = store

    def procedures(self) -> dict[str, MetaProcedure]:
        """``wamp.<noun>.*`` URI → handler."""
        prefix, member = f"wamp.{self.noun}.", self.member
        return {
            prefix + "list": self.list,
            prefix + "lookup": self.lookup,
            prefix + "get": self.get,
            f"{prefix}list_{member}s": self.list_members,
            f"{prefix}count_{member}s": self.count_members,
            f"{prefix}remove_{member}": self.remove_member,
        }

    def entry(self, args: Args) -> Any:
        """The registration or subscription whose id is args[0]."""
        found = self.store.by_id.get(_arg(args, 0, int, self.noun))
        if found is None:
            raise MetaError(self.missing)
        return found

    def members(self, entry: Any) -> Any:
        return getattr(entry, self.member + "s")

    def list(
        self, caller: RouterSession, args: Args, kwargs: Kwargs, now: float, out: Outs
    ) -> Answer:
        """list() → {exact: [...], prefix: [...], wildcard: [...]}."""
        return [_ids_by_policy(self.store.by_id.values())], None

    def lookup(
        self, caller: RouterSession, args: Args, kwargs: Kwargs, now: float, out: Outs
    ) -> Answer:
        """lookup(uri, options) → id or None."""
        return [_lookup(self.store.matcher, args, self.uri_name)], None

    def get(
        self, caller: RouterSession, args: Args, kwargs: Kwargs, now: float, out: Outs
    ) -> Answer:
        """get(id) → RegistrationDetails / SubscriptionDetails."""
        return [self.entry(args).details()], None

    def list_members(
        self, caller: RouterSession, args: Args, kwargs: Kwargs, now: float, out: Outs
    ) -> Answer:
        """list_callees / list_subscribers(id) → [session ids]."""
        return [[s.id for s in self.members(self.entry(args))]], None

    def count_members(
        self, caller: RouterSession, args: Args, kwargs: Kwargs, now: float, out: Outs
    ) -> Answer:
        """count_callees / count_subscribers(id) → count."""
        return [len(self.members(self.entry(args)))], None

    def remove_member(
        self, caller: RouterSession, args: Args, kwargs: Kwargs, now: float, out: Outs
    ) -> Answer:
        """remove_callee / remove_subscriber(id, session, reason=): revoke it (Crossbar's)."""
        entry = self.entry(args)
        session = self.meta._member(args, entry, self.members(entry), self.missing)
        remove = getattr(self.store, "remove_" + self.member)
        remove(entry, session, _reason(kwargs), now, out)
        return None, None


def _reason(kwargs: dict[str, Any]) -> str | None:
    """The optional ``reason`` of a revocation (free text, as the spec's example)."""
    reason = kwargs.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise MetaError(errors.INVALID_ARGUMENT, "reason must be a string")
    return reason


def _ids_by_policy(entries: Iterable[Any]) -> dict[str, list[int]]:
    """Registration or subscription ids grouped by match policy (the ``list`` meta calls)."""
    lists: dict[str, list[int]] = {"exact": [], "prefix": [], "wildcard": []}
    for entry in entries:
        lists[entry.match].append(entry.id)
    return lists


def _lookup(matcher: Any, args: list[Any], name: str) -> int | None:
    """The id stored under (uri, options.match), for the ``lookup`` meta calls."""
    uri = _arg(args, 0, str, name)
    options = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
    match = options.get("match", "exact")
    if match not in ("exact", "prefix", "wildcard"):
        raise MetaError(errors.INVALID_ARGUMENT, "match")
    entry = matcher.get(uri, match)
    return entry.id if entry is not None else None
