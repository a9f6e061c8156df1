"""pywamp's own router for the Twisted tests: ``pywamp router --config`` in its own
process (as users run it), with the same kinds of listeners as the Crossbar node."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

from routers import CRYPTOSIGN_USER, REALM, Router, cryptosign_public_key, free_port, wait_for_port

#: The realm of the pywamp router where authentication must bind to the TLS connection.
BOUND_REALM = "bound"


def wait_for_socket(path: Path, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Block until the Unix socket at ``path`` exists (or fail with the process's output)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"router exited with {process.returncode} before listening")
        if path.exists():
            return
        time.sleep(0.05)
    raise RuntimeError(f"router did not create {path} within {timeout} seconds")


class PywampNode:
    """``pywamp router`` with a universal port, the same over TLS and a Unix RawSocket.

    The default realm1 discloses callers and publishers, as the seed expects."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.tls_port = free_port()
        self.unix_path = workdir / "rs.sock"
        self.log = workdir / "router.log"
        self.process: subprocess.Popen[bytes] | None = None

    def config(self, cert_file: Path) -> str:
        """The router's TOML configuration."""
        public_key = cryptosign_public_key(CRYPTOSIGN_USER[1])
        return "\n".join(
            [
                "[[listeners]]",
                'kind = "universal"',
                f"port = {self.port}",
                "",
                "[[listeners]]",
                'kind = "universal"',
                f"port = {self.tls_port}",
                f'tls = {{ certificate = "{cert_file}" }}',
                "",
                "[[listeners]]",
                'kind = "rawsocket"',
                f'socket = "{self.unix_path}"',
                "",
                "[[realms]]",
                f'name = "{REALM}"',
                "",
                # a realm whose cryptosign principal must bind to TLS (test_tx_auth.py)
                "[[realms]]",
                f'name = "{BOUND_REALM}"',
                "[[realms.roles]]",
                'name = "user"',
                'permissions = [{ uri = "", match = "prefix", allow = { call = true } }]',
                "[realms.auth.cryptosign]",
                f'principals.{CRYPTOSIGN_USER[0]} = {{ authorized_keys = ["{public_key}"], '
                'role = "user" }',
                "",
            ]
        )

    def start(self, timeout: float = 30.0) -> Router:
        """Write the config, start the router and wait until every listener is up."""
        import trustme

        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1", "localhost")
        cert_file = self.workdir / "server.pem"
        certificate.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
        config = self.workdir / "router.toml"
        config.write_text(self.config(cert_file))
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pywamp.cli", "router", "--config", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for_port(self.port, self.process, timeout)
            wait_for_port(self.tls_port, self.process, timeout)
            wait_for_socket(self.unix_path, self.process, timeout)
        except RuntimeError as e:
            self.stop()
            raise RuntimeError(f"{e}\n--- router log ---\n{self.log.read_text()}") from None
        return Router(
            name="pywamp",
            ws_url=f"ws://127.0.0.1:{self.port}/ws",
            rs_url=f"rs://127.0.0.1:{self.port}",
            unix_url=f"unix:{self.unix_path}",
            auth_url=f"ws://127.0.0.1:{self.port}/ws",  # no authentication configured
            auth_tls_url=f"wss://127.0.0.1:{self.tls_port}/ws",  # none here either
            tls_ws_url=f"wss://127.0.0.1:{self.tls_port}/ws",
            tls_rs_url=f"rss://127.0.0.1:{self.tls_port}",
            ca_pem=authority.cert_pem.bytes(),
        )

    def stop(self) -> None:
        """Stop the router (SIGINT: it says GOODBYE to every session), then SIGKILL."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait(timeout=10)
