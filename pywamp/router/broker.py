"""The broker: subscriptions, publications, retained events and event history.

All subscribers of the same (topic, match) share one subscription and its id. A
PUBLISH is matched once; each matching subscription gets one EVENT object addressed to
all its eligible subscribers (``Send(event, recipients)``), so a driver encodes it once
per serializer. ``EVENT.Details.topic`` is set for pattern subscriptions only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pywamp._ids import IdSequence, random_bits
from pywamp._native import (
    Error,
    Matcher,
    Publish,
    Published,
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
    is_valid_uri,
    router_event,
)
from pywamp.exception import InvalidUriError
from pywamp.router import errors
from pywamp.router.features import has_feature
from pywamp.router.filters import DEFAULT_PUBLISH, Filter, PublishOptions, opt_bool
from pywamp.router.history import EventHistory, Retained, uri_details
from pywamp.router.outputs import Output, Send

if TYPE_CHECKING:
    from pywamp._native import MatchPolicy
    from pywamp.router.realm import Realm
    from pywamp.router.session import RouterSession

MATCH_POLICIES: frozenset[str] = frozenset(("exact", "prefix", "wildcard"))
VALID_TOPICS_KEPT = 4096  # topics published to that passed URI validation, remembered
_new = tuple.__new__  # builds a Send without NamedTuple's Python-level __new__ (hot path)

_bits = random_bits
_PUBLISH = Publish.TYPE
_SUBSCRIBE = Subscribe.TYPE
_UNSUBSCRIBE = Unsubscribe.TYPE


class Subscription:
    """One (topic, match) and the sessions subscribed to it."""

    __slots__ = (
        "cached",
        "created",
        "history",
        "id",
        "match",
        "persistent",
        "subscribers",
        "uri",
    )

    def __init__(
        self, sid: int, uri: str, match: MatchPolicy, created: float, history: int = 0
    ) -> None:
        self.id = sid
        self.uri = uri
        self.match = match
        self.created = created
        self.subscribers: dict[RouterSession, None] = {}
        self.cached: tuple[RouterSession, ...] | None = ()
        self.history = EventHistory(history) if history > 0 else None
        self.persistent = history > 0  # history topics outlive their subscribers

    def add(self, session: RouterSession) -> None:
        """Attach a subscriber."""
        self.subscribers[session] = None
        self.cached = None

    def remove(self, session: RouterSession) -> None:
        """Detach a subscriber."""
        del self.subscribers[session]
        self.cached = None

    def recipients(self) -> tuple[RouterSession, ...]:
        """The subscribers as an immutable sequence, rebuilt only after a change."""
        cached = self.cached
        if cached is None:
            cached = self.cached = tuple(self.subscribers)
        return cached

    def details(self) -> dict[str, Any]:
        """SubscriptionDetails of the subscription meta API."""
        return uri_details(self.id, self.created, self.uri, self.match)


def match_policy(options: dict[str, Any], what: str) -> MatchPolicy:
    """``Options.match`` of SUBSCRIBE or REGISTER (``exact`` when absent)."""
    match = options.get("match")
    if match is None or match == "exact":
        return "exact"
    if match == "prefix":
        return "prefix"
    if match == "wildcard":
        return "wildcard"
    raise errors.ProtocolViolation(f"{what}.Options.match {match!r} is not a match policy")


def send_error(
    out: list[Output],
    session: RouterSession,
    request_type: int,
    request_id: int,
    uri: str,
    message: str | None = None,
) -> None:
    """Answer a request with ERROR (``message`` becomes the one positional argument)."""
    args = [message] if message else None
    out.append(Send(Error(request_type, request_id, {}, uri, args), (session,)))


class Broker:
    """Publish/subscribe of one realm."""

    def __init__(self, realm: Realm, now: float) -> None:
        self.realm = realm
        config = realm.config
        self.strict = config.strict_uris
        self.retention = config.retention
        self.matcher: Matcher[Subscription] = Matcher()
        self.by_id: dict[int, Subscription] = {}
        self.ids = IdSequence()
        self.retained: dict[str, Retained] = {}
        self.valid_topics: set[str] = set()
        for topic in config.history:
            if topic.match not in MATCH_POLICIES or topic.limit < 1:
                raise ValueError(f"bad event history config for {topic.uri!r}")
            if not is_valid_uri(topic.uri, strict=self.strict, allow_empty=topic.match != "exact"):
                raise ValueError(f"bad event history URI {topic.uri!r}")
            sub = Subscription(self.ids.next(), topic.uri, topic.match, now, topic.limit)
            self.matcher.add(topic.uri, topic.match, sub)
            self.by_id[sub.id] = sub

    # -- PUBLISH ---------------------------------------------------------------------

    def publish(self, session: RouterSession, msg: Publish, now: float, out: list[Output]) -> None:
        """Handle PUBLISH: one EVENT per matching subscription, PUBLISHED when asked."""
        options = msg.options
        opts = PublishOptions(options) if options else DEFAULT_PUBLISH
        topic = msg.topic
        if topic not in self.valid_topics and not self._check_topic(topic):
            if opts.acknowledge:
                send_error(out, session, _PUBLISH, msg.request_id, errors.INVALID_URI, topic)
            return
        authorizer = self.realm.authorizer
        if authorizer is not None and not authorizer.authorize(session, topic, "publish"):
            if opts.acknowledge:
                send_error(out, session, _PUBLISH, msg.request_id, errors.NOT_AUTHORIZED, topic)
            return
        ident = session.publisher if opts.disclose_me or session.disclose_publisher else None
        publication = self.deliver(
            topic, msg.args, msg.kwargs, msg.payload, session, opts, ident, now, out
        )
        if opts.acknowledge:
            out.append(Send(Published(msg.request_id, publication), (session,)))

    def _check_topic(self, topic: str) -> bool:
        """Validate a topic not seen before; valid ones are remembered (a bounded set)."""
        if not is_valid_uri(topic, strict=self.strict) or topic.startswith("wamp."):
            return False
        valid = self.valid_topics
        if len(valid) >= VALID_TOPICS_KEPT:
            valid.clear()
        valid.add(topic)
        return True

    def deliver(
        self,
        topic: str,
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
        payload: bytes | None,
        publisher: RouterSession | None,
        opts: PublishOptions,
        ident: dict[str, Any] | None,
        now: float,
        out: list[Output],
    ) -> int:
        """Route one publication to every matching subscription; returns its id.

        ``ident`` (the publisher disclosed) and the passthru keys of the options become
        the EVENT details; a transparent ``payload`` is forwarded untouched.
        """
        publication = _bits(53) + 1
        details = ident if ident is not None else {}
        if opts.ppt is not None:
            details = {**details, **opts.ppt}
        filter = opts.filter
        exclude_me = opts.exclude_me and publisher is not None
        for sub in self.matcher.match(topic):
            recipients = sub.cached
            if recipients is None:
                recipients = sub.recipients()
            if filter is not None:
                if exclude_me:
                    recipients = tuple(
                        s for s in recipients if s is not publisher and filter.allows(s)
                    )
                else:
                    recipients = tuple(s for s in recipients if filter.allows(s))
            elif exclude_me and publisher in sub.subscribers:
                recipients = tuple(s for s in recipients if s is not publisher)
            d = details if sub.match == "exact" else {**details, "topic": topic}
            if sub.history is not None and (filter is None or not filter.by_session):
                sub.history.append(now, publication, topic, d, args, kwargs, payload, filter)
            if recipients:
                event = router_event(sub.id, publication, d, args, kwargs, payload)
                out.append(_new(Send, (event, recipients)))
        if opts.retain and self.retention:
            kept = filter
            if exclude_me and publisher is not None:
                kept = (filter or Filter()).excluding(publisher.id)
            retained = Retained(publication, topic, details, args, kwargs, payload, kept)
            self.retained[topic] = retained
        return publication

    def meta_event(
        self,
        topic: str,
        args: list[Any],
        kwargs: dict[str, Any] | None,
        now: float,
        out: list[Output],
    ) -> None:
        """Publish a router-originated event (no publisher, no filters)."""
        self.deliver(topic, args, kwargs, None, None, DEFAULT_PUBLISH, None, now, out)

    # -- SUBSCRIBE / UNSUBSCRIBE -----------------------------------------------------

    def subscribe(
        self, session: RouterSession, msg: Subscribe, now: float, out: list[Output]
    ) -> None:
        """Handle SUBSCRIBE: join or create the (topic, match) subscription."""
        options = msg.options
        match = match_policy(options, "SUBSCRIBE")
        get_retained = opt_bool(options, "get_retained", False, "SUBSCRIBE") if options else False
        topic = msg.topic
        request = msg.request_id
        if not is_valid_uri(topic, strict=self.strict, allow_empty=match != "exact"):
            send_error(out, session, _SUBSCRIBE, request, errors.INVALID_URI, topic)
            return
        authorizer = self.realm.authorizer
        if authorizer is not None and not authorizer.authorize(session, topic, "subscribe"):
            send_error(out, session, _SUBSCRIBE, request, errors.NOT_AUTHORIZED, topic)
            return
        sub = self.matcher.get(topic, match)
        created = sub is None
        if sub is None:
            sub = Subscription(self.ids.next(), topic, match, now)
            try:
                self.matcher.add(topic, match, sub)
            except (InvalidUriError, ValueError) as exc:
                send_error(out, session, _SUBSCRIBE, request, errors.INVALID_URI, str(exc))
                return
            self.by_id[sub.id] = sub
        added = session not in sub.subscribers
        if added:
            sub.add(session)
            session.subscriptions[sub.id] = sub
        out.append(Send(Subscribed(request, sub.id), (session,)))
        if get_retained and self.retained:
            self._send_retained(session, sub, out)
        meta = self.realm.meta_api
        if meta and created:
            self.meta_event(
                "wamp.subscription.on_create", [session.id, sub.details()], None, now, out
            )
        if meta and added:
            self.meta_event("wamp.subscription.on_subscribe", [session.id, sub.id], None, now, out)

    def _send_retained(self, session: RouterSession, sub: Subscription, out: list[Output]) -> None:
        if sub.match == "exact":
            found = self.retained.get(sub.uri)
            candidates = [found] if found is not None else []
        else:
            one: Matcher[bool] = Matcher()
            one.add(sub.uri, sub.match, True)
            candidates = [r for t, r in self.retained.items() if one.match(t)]
        for r in candidates:
            if r.filter is not None and not r.filter.allows(session):
                continue
            details = {**r.details, "retained": True}
            if sub.match != "exact":
                details["topic"] = r.topic
            event = router_event(sub.id, r.publication, details, r.args, r.kwargs, r.payload)
            out.append(Send(event, (session,)))

    def unsubscribe(
        self, session: RouterSession, msg: Unsubscribe, now: float, out: list[Output]
    ) -> None:
        """Handle UNSUBSCRIBE."""
        sub = session.subscriptions.pop(msg.subscription, None)
        if sub is None:
            send_error(out, session, _UNSUBSCRIBE, msg.request_id, errors.NO_SUCH_SUBSCRIPTION)
            return
        sub.remove(session)
        out.append(Send(Unsubscribed(msg.request_id), (session,)))
        self._after_removal(session, sub, now, out)

    def remove_subscriber(
        self,
        sub: Subscription,
        session: RouterSession,
        reason: str | None,
        now: float,
        out: list[Output],
    ) -> None:
        """Revoke one session's subscription (meta API); a subscriber that announced
        ``subscription_revocation`` is told with UNSUBSCRIBED(0, Details)."""
        del session.subscriptions[sub.id]
        sub.remove(session)
        if has_feature(session.roles, "subscriber", "subscription_revocation"):
            details: dict[str, Any] = {"subscription": sub.id}
            if reason is not None:
                details["reason"] = reason
            out.append(Send(Unsubscribed(0, details), (session,)))
        self._after_removal(session, sub, now, out)

    def _after_removal(
        self, session: RouterSession, sub: Subscription, now: float, out: list[Output]
    ) -> None:
        deleted = not sub.subscribers and not sub.persistent
        if deleted:
            self.matcher.remove(sub.uri, sub.match)
            del self.by_id[sub.id]
        if self.realm.meta_api:
            args = [session.id, sub.id]
            self.meta_event("wamp.subscription.on_unsubscribe", args, None, now, out)
            if deleted:
                self.meta_event("wamp.subscription.on_delete", args, None, now, out)

    def remove_session(self, session: RouterSession, now: float, out: list[Output]) -> None:
        """Drop every subscription of a leaving session (it gets none of the meta events)."""
        subs = list(session.subscriptions.values())
        session.subscriptions.clear()
        for sub in subs:
            sub.remove(session)
        for sub in subs:
            self._after_removal(session, sub, now, out)
