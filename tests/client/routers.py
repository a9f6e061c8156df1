"""Routers the client tests run against, each a real process started from the same
generated Crossbar ``config.json``: a Crossbar.io node and ``pywamp router``."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scram_credentials import scram_credential

ROOT = Path(__file__).resolve().parents[2]
REALM = "realm1"

#: Credentials the authenticated transport accepts.
TICKET_USER = ("alice", "alice-ticket-secret")
WAMPCRA_USER = ("bob", "bob-cra-secret")
#: A fixed ed25519 private key (32 bytes, hex) for WAMP-cryptosign tests.
CRYPTOSIGN_USER = ("carol", "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510")
#: A SCRAM principal (Crossbar's argon2id-13 keys, made as Autobahn makes them).
SCRAM_USER = ("erin", "erin-scram-password")
#: A SCRAM authid SASLprep changes (the ligature becomes "fi"), with "=" and "," that the
#: AuthMessage of Autobahn's dialect leaves unescaped; erin's password and keys.
SCRAM_PREPARED_AUTHID = "\ufb01ona=1,x"
#: ``authentication=`` for each method, as a Component or ``connect`` takes it.
AUTHENTICATION: dict[str, dict[str, str]] = {
    "ticket": {"authid": TICKET_USER[0], "ticket": TICKET_USER[1]},
    "wampcra": {"authid": WAMPCRA_USER[0], "secret": WAMPCRA_USER[1]},
    "cryptosign": {"authid": CRYPTOSIGN_USER[0], "privkey": CRYPTOSIGN_USER[1]},
    "scram": {"authid": SCRAM_USER[0], "password": SCRAM_USER[1]},
}


@dataclass
class Router:
    """A running router and how to reach it."""

    name: str
    ws_url: str  # WebSocket, anonymous
    rs_url: str  # RawSocket over TCP, anonymous (same port as ws_url: universal)
    unix_url: str | None  # RawSocket over a Unix socket, anonymous
    auth_url: str  # WebSocket with ticket / wampcra / cryptosign / scram authentication
    auth_tls_url: str  # the same over TLS (authentication bound to the connection)
    tls_ws_url: str  # WebSocket over TLS, anonymous
    tls_rs_url: str  # RawSocket over TLS, anonymous (same port)
    ca_pem: bytes  # the certificate authority the TLS port's certificate chains to
    realm: str = REALM
    #: The reason of the GOODBYE the router answers a client's GOODBYE with (what onLeave
    #: reports): the spec's ``wamp.close.goodbye_and_out``; Crossbar answers
    #: ``wamp.close.normal``.
    goodbye_reply: str = "wamp.close.goodbye_and_out"

    def client_ssl(self) -> Any:
        """An SSL context that trusts the router's TLS certificate."""
        import ssl

        context = ssl.create_default_context()
        context.load_verify_locations(cadata=self.ca_pem.decode("ascii"))
        return context

    def url(self, kind: str) -> str:
        """The anonymous URL for "websocket", "rawsocket" or "unix"."""
        return {"websocket": self.ws_url, "rawsocket": self.rs_url, "unix": self.unix_url or ""}[
            kind
        ]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Block until ``port`` accepts connections (or fail with the process's output)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"router exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"router did not listen on port {port} within {timeout} seconds")


def cryptosign_public_key(private_hex: str) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _permissions() -> list[dict[str, Any]]:
    return [
        {
            "uri": "",
            "match": "prefix",
            "allow": {"call": True, "register": True, "publish": True, "subscribe": True},
            "disclose": {"caller": True, "publisher": True},
            "cache": True,
        }
    ]


def crossbar_config(
    port: int,
    auth_port: int,
    unix_path: str,
    tls_port: int,
    tls_files: tuple[str, str],
    auth_tls_port: int,
) -> dict[str, Any]:
    """A one-router node: realm1, anonymous and authenticated roles with every permission
    and disclosure on; a universal (RawSocket + WebSocket) port, the same over TLS, a Unix
    RawSocket, and an authenticating WebSocket port, the same over TLS."""
    serializers = ["json", "msgpack", "cbor"]
    rawsocket = {"serializers": serializers, "options": {"max_message_size": 16 * 1024 * 1024}}
    websocket_options = {
        "max_message_size": 16 * 1024 * 1024,
        "max_frame_size": 16 * 1024 * 1024,
        "auto_ping_interval": 0,
    }
    cryptosign_authid, cryptosign_key = CRYPTOSIGN_USER
    tls = {"key": tls_files[0], "certificate": tls_files[1]}

    def endpoint(port: int, **more: Any) -> dict[str, Any]:
        return {"type": "tcp", "port": port, "interface": "127.0.0.1", **more}

    def authenticating(endpoint: dict[str, Any]) -> dict[str, Any]:
        """A WebSocket transport where every method of the tests authenticates."""
        return {
            "type": "websocket",
            "endpoint": endpoint,
            "serializers": serializers,
            "options": websocket_options,
            "auth": {
                "ticket": {
                    "type": "static",
                    "principals": {
                        TICKET_USER[0]: {
                            "ticket": TICKET_USER[1],
                            "role": "authenticated",
                        }
                    },
                },
                "wampcra": {
                    "type": "static",
                    "users": {
                        WAMPCRA_USER[0]: {
                            "secret": WAMPCRA_USER[1],
                            "role": "authenticated",
                        }
                    },
                },
                "cryptosign": {
                    "type": "static",
                    "principals": {
                        cryptosign_authid: {
                            "realm": REALM,
                            "role": "authenticated",
                            "authorized_keys": [cryptosign_public_key(cryptosign_key)],
                        }
                    },
                },
                "scram": {
                    "type": "static",
                    "principals": {
                        authid: {
                            **scram_credential(SCRAM_USER[1], b"erin-salt-16byte"),
                            "role": "authenticated",
                        }
                        for authid in (SCRAM_USER[0], SCRAM_PREPARED_AUTHID)
                    },
                },
            },
        }

    return {
        "version": 2,
        "controller": {},
        "workers": [
            {
                "type": "router",
                "realms": [
                    {
                        "name": REALM,
                        "roles": [
                            {"name": "anonymous", "permissions": _permissions()},
                            {"name": "authenticated", "permissions": _permissions()},
                        ],
                    }
                ],
                "transports": [
                    {
                        "type": "universal",
                        "endpoint": endpoint(port),
                        "rawsocket": rawsocket,
                        "websocket": {
                            "ws": {
                                "type": "websocket",
                                "serializers": serializers,
                                "options": websocket_options,
                            }
                        },
                    },
                    {
                        "type": "universal",
                        "endpoint": endpoint(tls_port, tls=tls),
                        "rawsocket": rawsocket,
                        "websocket": {
                            "ws": {
                                "type": "websocket",
                                "serializers": serializers,
                                "options": websocket_options,
                            }
                        },
                    },
                    {
                        "type": "rawsocket",
                        "endpoint": {"type": "unix", "path": unix_path},
                        **rawsocket,
                    },
                    authenticating(endpoint(auth_port)),
                    authenticating(endpoint(auth_tls_port, tls=tls)),
                ],
            }
        ],
    }


def crossbar_executable() -> Path:
    """Crossbar in its own venv, installed by scripts/setup-crossbar.sh when missing."""
    executable = ROOT / ".venv-crossbar" / "bin" / "crossbar"
    if not executable.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "setup-crossbar.sh")], check=True)
    return executable


class _Node:
    """A router process in a temporary directory, serving the config of :func:`crossbar_config`."""

    name = ""
    goodbye_reply = "wamp.close.goodbye_and_out"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.auth_port = free_port()
        self.unix_path = str(workdir / "rawsocket.sock")
        self.tls_port = free_port()
        self.auth_tls_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"{self.name}.log"

    def command(self, cbdir: Path) -> list[str]:
        """The router's command line, given the directory holding ``config.json``."""
        raise NotImplementedError

    def start(self, timeout: float = 120.0) -> Router:
        """Write the config, start the router and wait until every port listens."""
        import trustme

        cbdir = self.workdir / ".crossbar"
        cbdir.mkdir(parents=True, exist_ok=True)
        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1", "localhost")
        key_file, cert_file = cbdir / "server.key", cbdir / "server.crt"
        certificate.private_key_pem.write_to_path(str(key_file))
        certificate.cert_chain_pems[0].write_to_path(str(cert_file))
        config = crossbar_config(
            self.port,
            self.auth_port,
            self.unix_path,
            self.tls_port,
            (str(key_file), str(cert_file)),
            self.auth_tls_port,
        )
        (cbdir / "config.json").write_text(json.dumps(config, indent=2))
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(cbdir),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=env,
                start_new_session=True,
            )
        try:
            wait_for_port(self.port, self.process, timeout)
            wait_for_port(self.auth_port, self.process, timeout)
            wait_for_port(self.tls_port, self.process, timeout)
            wait_for_port(self.auth_tls_port, self.process, timeout)
        except RuntimeError as e:
            self.stop()
            raise RuntimeError(f"{e}\n--- {self.name} log ---\n{self.log.read_text()}") from None
        return Router(
            name=self.name,
            ws_url=f"ws://127.0.0.1:{self.port}/ws",
            rs_url=f"rs://127.0.0.1:{self.port}",
            unix_url=f"unix:{self.unix_path}",
            auth_url=f"ws://127.0.0.1:{self.auth_port}/ws",
            auth_tls_url=f"wss://127.0.0.1:{self.auth_tls_port}/ws",
            tls_ws_url=f"wss://127.0.0.1:{self.tls_port}/ws",
            tls_rs_url=f"rss://127.0.0.1:{self.tls_port}",
            ca_pem=authority.cert_pem.bytes(),
            goodbye_reply=self.goodbye_reply,
        )

    def stop(self) -> None:
        """Stop the router (SIGTERM to its process group, then SIGKILL)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class CrossbarNode(_Node):
    """A Crossbar.io node, run as a subprocess."""

    name = "crossbar"
    goodbye_reply = "wamp.close.normal"

    def command(self, cbdir: Path) -> list[str]:
        return [str(crossbar_executable()), "start", "--cbdir", str(cbdir), "--loglevel", "warn"]


class PywampNode(_Node):
    """``pywamp router`` reading the same Crossbar ``config.json``, run as a subprocess."""

    name = "pywamp"

    def command(self, cbdir: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "pywamp.cli",
            "router",
            "--config",
            str(cbdir / "config.json"),
        ]
