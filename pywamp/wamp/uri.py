"""URI decorators: ``@register``/``@subscribe``/``@error`` record a ``Pattern`` on the target.

The decorators only record (in the target's ``_wampuris`` list, as Autobahn does); the
session registers or subscribes them later. A pattern such as
``com.myapp.task.<task_id:int>.delete`` is compiled by the native core on first use:
its named components go on the wire as empty (wildcard) components, ``<rest:suffix>``
at the end as a prefix, and ``bind()`` turns a concrete URI back into the keyword
arguments. The seed's names ``procedure`` and ``topic`` are the same decorators.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pywamp.wamp.types import RegisterOptions, SubscribeOptions

if TYPE_CHECKING:
    from pywamp._native import UriPattern

__all__ = (
    "Pattern",
    "convert_starred_uri",
    "decorated",
    "error",
    "procedure",
    "register",
    "subscribe",
    "topic",
)

F = TypeVar("F", bound=Callable[..., Any])
E = TypeVar("E", bound=type)


def convert_starred_uri(uri: str) -> tuple[str, str]:
    """A starred URI as (wire URI, match policy): ``a.b.*`` is prefix ``a.b.``; other stars
    become empty wildcard components; no star is exact."""
    if type(uri) is not str:
        raise TypeError(f"convert_starred_uri: uri must be a str, got {type(uri).__name__}")
    stars = uri.count("*")
    if stars == 0:
        return uri, "exact"
    if stars == 1 and uri[-1] == "*":
        return uri[:-1], "prefix"
    return uri.replace("*", ""), "wildcard"


class Pattern:
    """A URI (pattern) recorded by a decorator, with its kind, options and type checking flag."""

    URI_TARGET_ENDPOINT = 1
    URI_TARGET_HANDLER = 2
    URI_TARGET_EXCEPTION = 3

    URI_TYPE_EXACT = 1
    URI_TYPE_PREFIX = 2
    URI_TYPE_WILDCARD = 3

    _KINDS: ClassVar[dict[int, str]] = {1: "endpoint", 2: "handler", 3: "exception"}
    _URI_TYPES: ClassVar[dict[str, int]] = {"exact": 1, "prefix": 2, "wildcard": 3}

    __slots__ = ("_check_types", "_compiled", "_options", "_pattern", "_target")

    _pattern: str
    _target: int
    _options: RegisterOptions | SubscribeOptions | None
    _check_types: bool | None
    _compiled: UriPattern | None

    def __init__(
        self,
        uri: str,
        target: int,
        options: RegisterOptions | SubscribeOptions | None = None,
        check_types: bool | None = None,
    ) -> None:
        if type(uri) is not str:
            raise TypeError(f"Pattern: uri must be a str, got {type(uri).__name__}")
        if not uri:
            raise ValueError("Pattern: uri must not be empty")
        if target not in self._KINDS:
            raise ValueError(f"Pattern: target must be 1, 2 or 3 (URI_TARGET_*), got {target!r}")
        _check_args(target, options, check_types)
        self._pattern = uri
        self._target = target
        self._options = None if target == self.URI_TARGET_EXCEPTION else options
        self._check_types = check_types
        self._compiled = None

    def __repr__(self) -> str:
        return f"Pattern({self._pattern!r}, kind={self.kind!r})"

    # -- what was recorded ---------------------------------------------------------------

    @property
    def pattern(self) -> str:
        """The pattern text as written in the decorator."""
        return self._pattern

    def uri(self) -> str:
        """The pattern text as written (Autobahn's accessor; ``wire_uri`` is what is sent)."""
        return self._pattern

    @property
    def kind(self) -> str:
        """``"endpoint"``, ``"handler"`` or ``"exception"``."""
        return self._KINDS[self._target]

    @property
    def target(self) -> int:
        """One of the ``URI_TARGET_*`` constants."""
        return self._target

    @property
    def options(self) -> RegisterOptions | SubscribeOptions | None:
        """The options given to the decorator, if any."""
        return self._options

    @property
    def check_types(self) -> bool | None:
        """Whether calls are checked against the target's type hints."""
        return self._check_types

    def is_endpoint(self) -> bool:
        """Recorded by ``@register`` / ``@procedure``."""
        return self._target == self.URI_TARGET_ENDPOINT

    def is_handler(self) -> bool:
        """Recorded by ``@subscribe`` / ``@topic``."""
        return self._target == self.URI_TARGET_HANDLER

    def is_exception(self) -> bool:
        """Recorded by ``@error``."""
        return self._target == self.URI_TARGET_EXCEPTION

    # -- compiled by the native core -----------------------------------------------------

    def compile(self) -> UriPattern:
        """The native compiled pattern (built once; ``InvalidUri`` for a malformed pattern)."""
        compiled = self._compiled
        if compiled is None:
            from pywamp._native import UriPattern

            compiled = self._compiled = UriPattern(self._pattern)
        return compiled

    @property
    def wire_uri(self) -> str:
        """The URI to register/subscribe: named components emptied, a suffix dropped."""
        return self.compile().uri

    @property
    def match_policy(self) -> str:
        """``"exact"``, ``"prefix"`` or ``"wildcard"``, as implied by the pattern."""
        return self.compile().match

    @property
    def names(self) -> list[str]:
        """The names bound from the concrete URI, in order."""
        return self.compile().names

    @property
    def uri_type(self) -> int:
        """One of the ``URI_TYPE_*`` constants."""
        return self._URI_TYPES[self.compile().match]

    def bind(self, uri: str) -> dict[str, str | int] | None:
        """The named components of a concrete URI (``:int`` converted), None if it does not fit."""
        return self.compile().bind(uri)

    def match(self, uri: str) -> tuple[list[Any], dict[str, Any]]:
        """Autobahn's form of ``bind``: ``([], kwargs)``, ValueError when the URI does not fit.

        A pattern without names matches whatever the router delivered to it (its
        registration may be prefix/wildcard through options).
        """
        compiled = self.compile()
        if not compiled.names:
            return [], {}
        kwargs = compiled.bind(uri)
        if kwargs is None:
            raise ValueError(f"URI {uri!r} does not match the pattern {self._pattern!r}")
        return [], dict(kwargs)

    def wire_options(
        self, options: RegisterOptions | SubscribeOptions | None = None
    ) -> dict[str, Any]:
        """The REGISTER/SUBSCRIBE.Options to send: the decorator's options (else ``options``).

        Named components fix ``match`` (ValueError if the options ask for another
        policy); a pattern without names keeps an explicit ``match`` of the options, as
        Autobahn sends it, and otherwise gets the policy its empty components imply.
        """
        chosen = self._options or options
        attr = chosen.message_attr() if chosen is not None else {}
        compiled = self.compile()
        policy, given = compiled.match, attr.get("match")
        if compiled.names:
            if given is not None and given != policy:
                raise ValueError(
                    f"URI pattern {self._pattern!r} is matched by {policy!r}, "
                    f"but its options ask for match={given!r}"
                )
            attr["match"] = policy
        elif given is None and policy != "exact":
            attr["match"] = policy
        return attr


def _check_args(target: int, options: Any, check_types: Any) -> None:
    """Options of the right class for the kind of target, check_types a bool or None."""
    if options is not None:
        if target == Pattern.URI_TARGET_ENDPOINT and not isinstance(options, RegisterOptions):
            raise TypeError(
                f"register: options must be RegisterOptions, got {type(options).__name__}"
            )
        if target == Pattern.URI_TARGET_HANDLER and not isinstance(options, SubscribeOptions):
            raise TypeError(
                f"subscribe: options must be SubscribeOptions, got {type(options).__name__}"
            )
    if check_types is not None and type(check_types) is not bool:
        raise TypeError(f"check_types must be a bool, got {type(check_types).__name__}")


def _record(target: Any, pattern: Pattern) -> None:
    """Append to the target's own ``_wampuris`` (never to one inherited from a base class)."""
    own = vars(target).get("_wampuris") if hasattr(target, "__dict__") else None
    if own is None:
        own = []
        try:
            target._wampuris = own
        except (AttributeError, TypeError):
            raise TypeError(f"cannot record a WAMP URI on {target!r}") from None
    own.append(pattern)


def _check_uri_arg(decorator: str, uri: Any, optional: bool) -> None:
    """Catch ``@register`` without parentheses and other non-str URIs at decoration time."""
    if uri is None and optional:
        return
    if type(uri) is not str:
        expected = "a str or None" if optional else "a str"
        raise TypeError(
            f"wamp.{decorator}(uri): uri must be {expected}, got {type(uri).__name__} "
            f"(write @wamp.{decorator}('com.example.name'))"
        )
    if not uri:
        raise ValueError(f"wamp.{decorator}(uri): uri must not be empty")


def register(
    uri: str | None = None,
    options: RegisterOptions | None = None,
    check_types: bool | None = None,
) -> Callable[[F], F]:
    """Mark a function or method as a procedure endpoint; ``uri=None`` uses its name."""
    _check_uri_arg("register", uri, optional=True)
    _check_args(Pattern.URI_TARGET_ENDPOINT, options, check_types)

    def decorate(f: F) -> F:
        if not callable(f):
            raise TypeError(f"wamp.register decorates callables, not {type(f).__name__}")
        real_uri = uri
        if real_uri is None:
            real_uri = getattr(f, "__name__", None)
            if type(real_uri) is not str:
                raise TypeError(f"wamp.register: {f!r} has no __name__, give the URI")
        _record(f, Pattern(real_uri, Pattern.URI_TARGET_ENDPOINT, options, check_types))
        return f

    return decorate


def subscribe(
    uri: str,
    options: SubscribeOptions | None = None,
    check_types: bool | None = None,
) -> Callable[[F], F]:
    """Mark a function or method as an event handler for a topic (pattern)."""
    _check_uri_arg("subscribe", uri, optional=False)
    _check_args(Pattern.URI_TARGET_HANDLER, options, check_types)

    def decorate(f: F) -> F:
        if not callable(f):
            raise TypeError(f"wamp.subscribe decorates callables, not {type(f).__name__}")
        _record(f, Pattern(uri, Pattern.URI_TARGET_HANDLER, options, check_types))
        return f

    return decorate


def error(uri: str) -> Callable[[E], E]:
    """Mark an exception class as the one raised for (and raising) an error URI."""
    _check_uri_arg("error", uri, optional=False)

    def decorate(cls: E) -> E:
        if not (isinstance(cls, type) and issubclass(cls, Exception)):
            raise TypeError(f"wamp.error decorates Exception subclasses, not {cls!r}")
        _record(cls, Pattern(uri, Pattern.URI_TARGET_EXCEPTION))
        return cls

    return decorate


procedure = register
"""The seed's name for ``register``."""

topic = subscribe
"""The seed's name for ``subscribe``."""


def decorated(obj: Any) -> list[tuple[Callable[..., Any], Pattern]]:
    """Every (callable, pattern) recorded on ``obj``: a decorated function itself, or the
    decorated methods of an object's class, bound to the object."""
    if not isinstance(obj, type) and callable(obj):
        own = getattr(obj, "_wampuris", None)
        if own:
            return [(obj, pat) for pat in own]
    found: list[tuple[Callable[..., Any], Pattern]] = []
    for name, member in inspect.getmembers(type(obj)):
        pats = getattr(member, "__dict__", {}).get("_wampuris")
        if pats:
            bound = getattr(obj, name)
            found.extend((bound, pat) for pat in pats)
    return found
