"""A Crossbar.io node in a subprocess, serving a config.json the test writes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def crossbar_node(directory: Path, config: dict[str, Any], port_index: int = 0) -> Iterator[None]:
    """Run Crossbar with ``config`` until the block ends (waits for its first TCP port)."""
    transport = config["workers"][0]["transports"][port_index]
    port = transport["endpoint"]["port"]
    cbdir = directory / ".crossbar"
    cbdir.mkdir(exist_ok=True)
    (cbdir / "config.json").write_text(json.dumps(config))
    executable = ROOT / ".venv-crossbar" / "bin" / "crossbar"
    if not executable.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "setup-crossbar.sh")], check=True)
    log_path = directory / "crossbar.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(executable), "start", "--cbdir", str(cbdir), "--loglevel", "warn"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=directory,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                assert process.poll() is None, log_path.read_text()
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    assert time.monotonic() < deadline, "Crossbar did not listen"
                    time.sleep(0.2)
            yield
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
