"""The publisher and subscriber roles: ``publish()``, ``subscribe()``/``unsubscribe()``
and EVENT dispatch.

``publish()`` without ``acknowledge`` creates no future; a plain synchronous handler is
called inline for each EVENT.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pywamp import _native
from pywamp._callee import _wire
from pywamp._caller import _valid_uris, bad_uri, valid_uri
from pywamp._handlers import Handler, type_checked
from pywamp._session_base import SessionBase
from pywamp.exception import Error, ProtocolError
from pywamp.handles import FutureList, Subscription
from pywamp.protocol import MAX_ID, PendingRequest, Phase
from pywamp.wamp.types import EventDetails, Publication, PublishOptions, SubscribeOptions
from pywamp.wamp.uri import Pattern, decorated

__all__ = ("PubSubMixin",)

_Publish: Any = _native.Publish  # takes any sequence as ``args``
_ESTABLISHED = Phase.ESTABLISHED
_SIMPLE = frozenset({type(None), bool, int, float, str, bytes, list, dict, tuple})


class PubSubMixin(SessionBase):
    """``publish``/``subscribe``/``unsubscribe`` and the handling of EVENT."""

    def publish(
        self, topic: str, *args: Any, options: PublishOptions | None = None, **kwargs: Any
    ) -> Any:
        """Publish an event; None, or a future of a ``Publication`` with ``acknowledge=True``.

        The seed's ``publish(topic, arg, PublishOptions(...))`` (options as the last
        positional argument) works too.
        """
        peer = self._peer
        if peer.phase is not _ESTABLISHED:
            raise self._not_ready("publish")
        if type(topic) is not str or (topic not in _valid_uris and not valid_uri(topic)):
            raise bad_uri("publish()", topic)
        if options is None:
            if args and type(args[-1]) is PublishOptions:
                options = args[-1]
                args = args[:-1]
            else:
                request_id = peer._next_id  # peer.next_id(), inlined: the hot path
                peer._next_id = request_id + 1 if request_id < MAX_ID else 1
                self._transport.send(_Publish(request_id, {}, topic, args or None, kwargs or None))
                return None
        elif not isinstance(options, PublishOptions):
            raise TypeError(
                f"publish(): options must be PublishOptions, got {type(options).__name__}"
            )
        request_id = peer.next_id()
        message = _Publish(request_id, options.message_attr(), topic, args or None, kwargs or None)
        if not options.acknowledge:
            self._transport.send(message)
            return None
        future = self._adapter.create_future()
        peer.publishes[request_id] = PendingRequest(request_id, future, topic)
        try:
            self._transport.send(message)
        except BaseException:
            peer.publishes.pop(request_id, None)
            raise
        return future

    def subscribe(
        self,
        handler: Any,
        topic: Any = None,
        options: SubscribeOptions | None = None,
        check_types: bool | None = None,
    ) -> Any:
        """Subscribe a handler to ``topic`` (also the seed's ``subscribe(topic, handler)``),
        a ``@wamp.subscribe``-decorated function, or every decorated method of an object.

        Returns a future of the :class:`Subscription`, or for an object a
        :class:`FutureList` (iterate for the futures, await for the list).
        """
        if isinstance(handler, str) and topic is not None and callable(topic):
            handler, topic = topic, handler
        if self._peer.phase is not _ESTABLISHED:
            raise self._not_ready("subscribe")
        if options is not None and not isinstance(options, SubscribeOptions):
            raise TypeError(
                f"subscribe(): options must be SubscribeOptions, got {type(options).__name__}"
            )
        if topic is not None:
            if not callable(handler):
                raise TypeError(f"subscribe(): handler must be callable, got {handler!r}")
            if type(topic) is not str:
                raise TypeError(f"subscribe(): topic must be a str, got {type(topic).__name__}")
            return self._subscribe_one(handler, topic, options, check_types)
        found = [(fn, pat) for fn, pat in decorated(handler) if pat.is_handler()]
        single = callable(handler) and getattr(handler, "_wampuris", None)
        if single and len(found) == 1:
            fn, pat = found[0]
            return self._subscribe_pattern(fn, pat, options, check_types)
        if not found and callable(handler) and not single:
            raise TypeError(
                f"subscribe(): {handler!r} has no @wamp.subscribe URI; "
                "give the topic: subscribe(handler, 'com.example.topic')"
            )
        futures = [self._subscribe_pattern(fn, pat, options, check_types) for fn, pat in found]
        return FutureList(futures, self._adapter.gather)

    def _subscribe_pattern(
        self,
        fn: Callable[..., Any],
        pattern: Pattern,
        options: SubscribeOptions | None,
        check_types: bool | None,
    ) -> Any:
        chosen = pattern.options or options
        checked = pattern.check_types if pattern.check_types is not None else check_types
        return self._subscribe_one(fn, pattern.uri(), chosen, checked)  # type: ignore[arg-type]

    def _subscribe_one(
        self,
        fn: Callable[..., Any],
        topic: str,
        options: SubscribeOptions | None,
        check_types: bool | None,
    ) -> Any:
        wire, opts, pattern = _wire(topic, options, "subscribe()")
        details_arg = options.details_arg if options is not None else None
        if check_types:
            fn = type_checked(fn)
        handler = Handler(fn, details_arg, pattern)
        peer = self._peer
        request_id = peer.next_id()
        future = self._adapter.create_future()
        peer.subscribes[request_id] = PendingRequest(request_id, future, wire, handler)
        try:
            self._transport.send(_native.Subscribe(request_id, opts, wire))
        except BaseException:
            peer.subscribes.pop(request_id, None)
            raise
        return future

    def unsubscribe(self, subscription: Subscription) -> Any:
        """Detach a handler (same as ``subscription.unsubscribe()``)."""
        if not isinstance(subscription, Subscription):
            raise TypeError(
                f"unsubscribe() takes a Subscription, got {type(subscription).__name__}"
            )
        return subscription.unsubscribe()

    def _unsubscribe(self, subscription: Subscription) -> Any:
        peer = self._peer
        if peer.phase is not _ESTABLISHED:
            raise self._not_ready("unsubscribe")
        handlers = peer.subscriptions.get(subscription.id)
        if not handlers or subscription not in handlers:
            raise Error(f"subscription {subscription.id} does not belong to this session")
        subscription.active = False
        remaining = tuple(h for h in handlers if h is not subscription)
        if remaining:
            peer.subscriptions[subscription.id] = remaining
            return self._adapter.succeed(len(remaining))
        del peer.subscriptions[subscription.id]
        request_id = peer.next_id()
        future = self._adapter.create_future()
        peer.unsubscribes[request_id] = PendingRequest(request_id, future, subscription.id)
        self._transport.send(_native.Unsubscribe(request_id, subscription.id))
        return future

    # -- answers ---------------------------------------------------------------------------

    def _on_published(self, message: _native.Published) -> None:
        pending = self._peer.publishes.pop(message.request_id, None)
        if pending is None:
            raise ProtocolError(
                f"PUBLISHED received for non-pending request ID {message.request_id}"
            )
        self._resolve(pending.future, Publication(message.publication, False))

    def _on_subscribed(self, message: _native.Subscribed) -> None:
        peer = self._peer
        pending = peer.subscribes.pop(message.request_id, None)
        if pending is None:
            raise ProtocolError(
                f"SUBSCRIBED received for non-pending request ID {message.request_id}"
            )
        subscription = Subscription(message.subscription, pending.subject, self, pending.target)  # type: ignore[arg-type]
        handlers = peer.subscriptions.get(message.subscription)
        peer.subscriptions[message.subscription] = (
            (*handlers, subscription) if handlers else (subscription,)
        )
        self._resolve(pending.future, subscription)

    def _on_unsubscribed(self, message: _native.Unsubscribed) -> None:
        peer = self._peer
        details = message.details
        if details and "subscription" in details:  # revoked by the router
            handlers = peer.subscriptions.pop(details["subscription"], ())
            for handle in handlers:
                handle.active = False
            if handlers:
                self.log.info(
                    "router revoked subscription {id} ({reason})",
                    id=details["subscription"],
                    reason=details.get("reason"),
                )
            if message.request_id not in peer.unsubscribes:
                return
        pending = peer.unsubscribes.pop(message.request_id, None)
        if pending is None:
            raise ProtocolError(
                f"UNSUBSCRIBED received for non-pending request ID {message.request_id}"
            )
        self._resolve(pending.future, 0)

    # -- EVENT -------------------------------------------------------------------------------

    def _on_event(self, message: _native.Event) -> None:
        handlers = self._peer.subscriptions.get(message.subscription)
        if handlers is None:
            return  # unsubscribed here while the event was in flight
        args = message.args or ()
        kwargs = message.kwargs
        for subscription in handlers:
            handler = subscription.handler
            try:
                if handler.plain:
                    result = handler.fn(*args, **kwargs) if kwargs else handler.fn(*args)
                else:
                    result = self._call_handler(subscription, handler, message, args, kwargs)
            except Exception as e:
                self._handler_failed(e, handler, message.subscription)
                continue
            if result is not None and (
                handler.is_coro or (type(result) not in _SIMPLE and self._is_awaitable(result))
            ):
                self._spawn(self._await_handler(result, handler, message.subscription))

    def _call_handler(
        self,
        subscription: Subscription,
        handler: Handler,
        message: _native.Event,
        args: Any,
        kwargs: dict[str, Any] | None,
    ) -> Any:
        """Call a handler that wants details or binds topic components."""
        details = message.details
        topic = details.get("topic")
        args, kw = handler.arguments(args, kwargs, topic)
        if handler.details_arg is not None:
            kw[handler.details_arg] = EventDetails(
                subscription,
                message.publication,
                publisher=details.get("publisher"),
                publisher_authid=details.get("publisher_authid"),
                publisher_authrole=details.get("publisher_authrole"),
                topic=topic or subscription.topic,
                retained=details.get("retained"),
                transaction_hash=details.get("transaction_hash"),
                forward_for=details.get("forward_for"),
            )
        return handler.fn(*args, **kw)

    async def _await_handler(self, awaitable: Any, handler: Handler, subscription_id: int) -> None:
        try:
            await awaitable
        except Exception as e:
            self._handler_failed(e, handler, subscription_id)

    def _handler_failed(self, error: Exception, handler: Handler, subscription_id: int) -> None:
        self._user_error(error, f"While firing {handler.fn} subscribed under {subscription_id}.")
