"""One matcher workload (keys and lookup URIs from a fixed seed) and a plain Python
reference matcher, shared by the pytest bench and the Crossbar comparison."""

from __future__ import annotations

import random
from typing import Any

POLICIES = ("exact", "prefix", "wildcard")


def make_keys(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """`n` distinct (uri, match) keys, a third of each policy, sharing components."""
    rng = random.Random(seed)
    keys = []
    for i in range(n):
        app, svc = f"app{rng.randrange(100)}", f"svc{rng.randrange(1000)}"
        match = POLICIES[i % 3]
        if match == "exact":
            uri = f"com.{app}.{svc}.proc{i}"
        elif match == "prefix":
            # Half end at a dot, half part way into a component (prefixes are by characters).
            uri = f"com.{app}.{svc}.p{i}" + ("." if i % 2 else "")
        else:
            uri = rng.choice(
                [f"com.{app}..proc{i}", f"com..{svc}.ev{i}", f"com.{app}.{svc}..ev{i}"]
            )
        keys.append((uri, match))
    return keys


def make_uris(keys: list[tuple[str, str]], count: int, seed: int = 2) -> list[str]:
    """Concrete URIs: half made to hit a random key, half that most likely hit nothing."""
    rng = random.Random(seed)
    uris = []
    for j in range(count):
        uri, match = rng.choice(keys)
        if j % 2:
            uri = uri.replace("com.", "org.", 1)
        if match == "prefix":
            uri += rng.choice(["", "7", ".x", "0.y.z"]) if not uri.endswith(".") else "x.y"
        elif match == "wildcard":
            uri = ".".join(part or f"w{rng.randrange(50)}" for part in uri.split("."))
        uris.append(uri)
    return uris


class ReferenceMatcher:
    """The straightforward matcher: a dict for exact keys and a scan for the rest."""

    def __init__(self) -> None:
        self.exact: dict[str, Any] = {}
        self.prefix: dict[str, Any] = {}
        self.wildcard: dict[str, tuple[list[str], Any]] = {}

    def add(self, uri: str, match: str, value: Any) -> None:
        """Store a value under (uri, match)."""
        if match == "exact":
            self.exact[uri] = value
        elif match == "prefix":
            self.prefix[uri] = value
        else:
            self.wildcard[uri] = (uri.split("."), value)

    def _wildcards(self, uri: str) -> list[tuple[list[bool], Any]]:
        parts = uri.split(".")
        found = []
        for pattern, value in self.wildcard.values():
            if len(pattern) == len(parts) and all(
                (u != "") if p == "" else (p == u) for p, u in zip(pattern, parts, strict=True)
            ):
                found.append(([p != "" for p in pattern], value))
        found.sort(key=lambda item: item[0], reverse=True)
        return found

    def match(self, uri: str) -> list[Any]:
        """Every matching value: exact, prefix (longest first), wildcard (most specific first)."""
        out = [self.exact[uri]] if uri in self.exact else []
        prefixes = sorted(
            ((len(k), v) for k, v in self.prefix.items() if uri.startswith(k)),
            key=lambda item: item[0],
            reverse=True,
        )
        out += [v for _, v in prefixes]
        out += [v for _, v in self._wildcards(uri)]
        return out

    def best(self, uri: str) -> Any:
        """The value that wins by the registration precedence, or None."""
        if uri in self.exact:
            return self.exact[uri]
        longest = max((k for k in self.prefix if uri.startswith(k)), key=len, default=None)
        if longest is not None:
            return self.prefix[longest]
        found = self._wildcards(uri)
        return found[0][1] if found else None
