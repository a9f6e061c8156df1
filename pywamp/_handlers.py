"""Endpoints and event handlers, inspected once when registered or subscribed.

Everything the dispatch needs per message is decided here: whether the callable is a
coroutine function, under which keyword it wants details, which named URI components
it binds (``<name>`` decorator patterns) and how payload arguments land next to them.
No ``inspect`` happens per call or per event.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from pywamp._native import UriPattern

__all__ = ("Endpoint", "Handler", "compile_uri", "type_checked")


def compile_uri(uri: str) -> UriPattern | None:
    """The compiled ``<name>`` pattern of a decorator-style URI, or None for a plain URI."""
    if "<" not in uri:
        return None
    return UriPattern(uri)


def _positional_names(fn: Callable[..., Any]) -> list[str] | None:
    """Names of ``fn``'s positional-or-keyword parameters (None: unknown signature or
    positional-only parameters, where arguments cannot be re-spelled by name)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    names = []
    for param in params:
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            return None
        if param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            names.append(param.name)
    return names


class Target:
    """A callable with what dispatch needs to call it."""

    __slots__ = ("details_arg", "fn", "is_coro", "order", "pattern", "plain")

    def __init__(
        self,
        fn: Callable[..., Any],
        details_arg: str | None = None,
        pattern: UriPattern | None = None,
    ) -> None:
        self.fn = fn
        self.details_arg = details_arg
        # Only patterns that bind names need work per message.
        self.pattern = pattern if pattern is not None and pattern.names else None
        self.is_coro = inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
            getattr(fn, "__call__", None)  # noqa: B004 - callable objects with async __call__
        )
        #: The positional parameters in order, to lay out bound components and payload.
        self.order: list[str] | None = None
        if self.pattern is not None:
            self.order = _positional_names(fn)
        #: No details, no pattern: the fast path calls ``fn(*args, **kwargs)`` directly.
        self.plain = details_arg is None and self.pattern is None

    def arguments(
        self, args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any] | None, uri: str | None
    ) -> tuple[tuple[Any, ...] | list[Any], dict[str, Any]]:
        """Payload plus the components bound from ``uri``.

        The positional parameters are filled in order: a bound component where the
        parameter has its name, else the next payload argument; what is left of the
        payload follows (for ``*args``) and the remaining components go by keyword. So
        the seed's ``on_concert(country, state, city, title, date)`` and
        ``generic_proc(path, *args)`` both receive what they name.
        """
        kw = dict(kwargs) if kwargs else {}
        pattern = self.pattern
        if pattern is None or uri is None:
            return args, kw
        bound = pattern.bind(uri)
        if not bound:
            return args, kw
        order = self.order
        if order is None:
            kw.update(bound)
            return args, kw
        positional: list[Any] = []
        used = 0
        for name in order:
            if name in bound:
                positional.append(bound.pop(name))
            elif used < len(args):
                positional.append(args[used])
                used += 1
            else:
                break
        positional.extend(args[used:])
        kw.update(bound)
        return positional, kw

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self.fn, '__qualname__', self.fn)!r}>"


class Endpoint(Target):
    """A registered procedure's callable."""

    __slots__ = ()


class Handler(Target):
    """A subscribed event handler."""

    __slots__ = ()


def _check_value(name: str, value: Any, hint: Any) -> str | None:
    """A complaint when ``value`` does not fit the type hint (simple hints only)."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        choices = tuple(typing.get_origin(a) or a for a in typing.get_args(hint))
        choices = tuple(type(None) if c is None else c for c in choices)
        if all(isinstance(c, type) for c in choices) and not isinstance(value, choices):
            expected = [getattr(c, "__name__", str(c)) for c in choices]
            return f"'{name}' expected types={expected} got={type(value).__name__}"
        return None
    kind = origin or hint
    if isinstance(kind, type) and not isinstance(value, kind):
        return f"'{name}' expected type={kind.__name__} got={type(value).__name__}"
    return None


def type_checked(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``fn`` so arguments that break its type hints raise ``TypeCheckError``."""
    from pywamp.wamp.exception import TypeCheckError

    signature = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable forward references: check what is plain
        hints = dict(getattr(fn, "__annotations__", {}))
    hints.pop("return", None)

    def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeCheckError(str(e)) from None
        problems = []
        for name, hint in hints.items():
            if name in bound.arguments:
                problem = _check_value(name, bound.arguments[name], hint)
                if problem:
                    problems.append(problem)
        if problems:
            raise TypeCheckError(", ".join(problems))

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def checked_async(*args: Any, **kwargs: Any) -> Any:
            check(args, kwargs)
            return await fn(*args, **kwargs)

        return checked_async

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check(args, kwargs)
        return fn(*args, **kwargs)

    return checked
