"""Fuzz a router process through its sockets for a bounded time.

Each input is a valid RawSocket or WebSocket session (handshake, HELLO, a few WAMP
messages) mutated at random: bit flips, truncation, forged length fields, random WAMP
message shapes, spliced bytes. After every batch a healthy session must still get a
RESULT; at the end the router must be alive and stop cleanly. Prints the figures.

    .venv/bin/python scripts/fuzz_router.py --seconds 25      # CI
    .venv/bin/python scripts/fuzz_router.py --seconds 3600    # a longer run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "router_io"))

from drill_harness import (
    HELLO,
    RS_HELLO,
    WS_UPGRADE,
    Client,
    RouterProcess,
    attack,
    rs_frame,
    url_of,
    ws_frame,
)

from pywamp import _native

SHAPES = [
    [1, "realm1", {}],
    [32, 1, {}, "com.topic"],
    [48, 2, {}, "wamp.session.count", [1, "x"], {"k": None}],
    [64, 3, {}, "com.proc"],
    [16, 4, {"acknowledge": True}, "com.topic", [1.5]],
    [70, 5, {}, [], {}],
    [6, {}, "wamp.close.normal"],
    [3, {}, "wamp.error.x"],
]


def random_value(rng: random.Random, depth: int = 0) -> object:
    pick = rng.randrange(8 if depth < 4 else 5)
    if pick == 0:
        return rng.randrange(-(2**63), 2**64)
    if pick == 1:
        return rng.choice(["", "wamp.session.get", "com.x", "\udcff"[:0] + "é" * rng.randrange(9)])
    if pick == 2:
        return rng.random() * 10 ** rng.randrange(-5, 300)
    if pick == 3:
        return rng.choice([None, True, False])
    if pick == 4:
        return rng.randrange(0, 2**53)
    if pick == 5:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {str(random_value(rng, depth + 1)): random_value(rng, depth + 1) for _ in range(3)}


def message(rng: random.Random) -> bytes:
    """A WAMP message of a known shape with fields replaced, or a random shape."""
    shape = list(rng.choice(SHAPES))
    if rng.random() < 0.5 and shape:
        shape[rng.randrange(len(shape))] = random_value(rng)
    if rng.random() < 0.2:
        shape = [rng.randrange(0, 300), *(random_value(rng) for _ in range(rng.randrange(6)))]
    return json.dumps(shape, ensure_ascii=False).encode("utf-8", "surrogatepass")


def session(rng: random.Random, wire: str) -> bytes:
    frame = rs_frame if wire == "rawsocket" else ws_frame
    data = (RS_HELLO if wire == "rawsocket" else WS_UPGRADE) + frame(HELLO)
    for _ in range(rng.randrange(1, 6)):
        data += frame(message(rng))
    return data


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(5)
        if op == 0 and out:  # bit flips
            for _ in range(rng.randrange(1, 8)):
                out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        elif op == 1 and out:  # truncation
            del out[rng.randrange(len(out)) :]
        elif op == 2 and len(out) > 8:  # a forged length field somewhere
            at = rng.randrange(len(out) - 4)
            out[at : at + 4] = rng.choice(
                [b"\x00\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\x00\x01\x00"]
            )
        elif op == 3:  # spliced random bytes
            at = rng.randrange(len(out) + 1)
            out[at:at] = rng.randbytes(rng.randrange(1, 64))
        # op 4: leave it valid
    return bytes(out)


async def run(seconds: float, seed: int) -> int:
    router = RouterProcess(limits={"handshake_timeout": 1.0, "idle_timeout": 2.0}).start()
    rng = random.Random(seed)
    inputs = crashes = checks = 0
    try:
        healthy = await Client.join(url_of(router, "rawsocket"))
        targets = {
            "rawsocket": ("rawsocket", router.port("rawsocket")),
            "websocket": ("websocket", router.port("websocket")),
            "universal": (None, router.port("universal")),
        }
        stop = time.monotonic() + seconds

        async def worker(n: int) -> None:
            nonlocal inputs
            local = random.Random(seed * 1000 + n)
            while time.monotonic() < stop:
                name = local.choice(list(targets))
                wire, port = targets[name]
                wire = wire or local.choice(["rawsocket", "websocket"])
                data = mutate(local, session(local, wire))

                def open_connection(port: int = port) -> object:
                    return asyncio.open_connection("127.0.0.1", port)

                await attack(open_connection, [data], read_timeout=0.05)
                inputs += 1

        async def checker() -> None:
            nonlocal crashes, checks
            while time.monotonic() < stop and router.alive():
                await asyncio.sleep(1.0)
                answer = await asyncio.wait_for(healthy.call("wamp.session.count"), 10)
                assert type(answer) is _native.Result, answer
                checks += 1
            crashes += not router.alive()

        await asyncio.gather(checker(), *(worker(n + rng.randrange(10**6)) for n in range(8)))
        alive = router.alive()
    finally:
        status = router.stop()
    print(
        f"router fuzz: {inputs} inputs in {seconds:.0f} s (seed {seed}), "
        f"healthy-session checks {checks}, crashes {crashes}, router alive {alive}, "
        f"exit status {status}"
    )
    return 0 if crashes == 0 and alive and status == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    return asyncio.run(run(args.seconds, args.seed))


if __name__ == "__main__":
    raise SystemExit(main())
