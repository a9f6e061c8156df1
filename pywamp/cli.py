"""The ``pywamp`` command: ``pywamp router`` runs the embedded router."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Sequence

from pywamp.busypoll import new_event_loop
from pywamp.router.server import Router
from pywamp.router.settings import ConfigError, ListenerConfig, RouterConfig, load_config

__all__ = ("main",)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pywamp", description="Fast WAMP v2 for Python.")
    commands = parser.add_subparsers(dest="command", required=True)
    router = commands.add_parser(
        "router",
        help="run the router",
        description="Run the router. Without --config: realm1, anonymous full access, "
        "RawSocket and WebSocket (path /ws) on one port, 127.0.0.1:8080.",
    )
    router.add_argument(
        "--config", metavar="FILE", help="a pywamp TOML file or a Crossbar config.json"
    )
    router.add_argument("--host", help="listen on this address (overrides the first listener)")
    router.add_argument(
        "--port", type=int, help="listen on this port (overrides the first listener)"
    )
    router.add_argument("-v", "--verbose", action="store_true", help="log connections and sessions")
    return parser


async def run_router(config: RouterConfig, ready: asyncio.Event | None = None) -> None:
    """Serve until SIGINT/SIGTERM, then say GOODBYE to every session and stop."""
    router = Router(config)
    await router.start()
    for address in router.addresses:
        print(f"pywamp router: listening ({address})", flush=True)
    print(f"pywamp router: realms {', '.join(r.name for r in config.realms)}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        print("pywamp router: shutting down", flush=True)
        await router.stop()


def main(
    argv: Sequence[str] | None = None,
    *,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> int:
    """Entry point of the ``pywamp`` console script; ``loop_factory`` runs the router on
    another event loop (``uvloop.new_event_loop``, say) in place of the default one, which
    polls ``[limits] busy_poll_us`` before it sleeps."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        config = load_config(args.config) if args.config else RouterConfig()
    except ConfigError as exc:
        print(f"pywamp: {exc}", file=sys.stderr)
        return 2
    if args.host is not None or args.port is not None:
        if not config.listeners:
            config.listeners.append(ListenerConfig())
        first = config.listeners[0]
        first.socket_path = None
        first.host = args.host if args.host is not None else first.host or "127.0.0.1"
        first.port = args.port if args.port is not None else first.port
    if loop_factory is None:
        loop = new_event_loop(config.limits.busy_poll_us * 1e-6)
    else:
        loop = loop_factory()
    try:
        loop.run_until_complete(run_router(config))
    except OSError as exc:
        print(f"pywamp: cannot listen: {exc}", file=sys.stderr)
        return 1
    finally:
        _cancel_remaining(loop)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    return 0


def _cancel_remaining(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what still runs once the router stopped (a TLS handshake of an admitted
    connection, say) and let it finish, as ``asyncio.run`` does."""
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


if __name__ == "__main__":
    sys.exit(main())
