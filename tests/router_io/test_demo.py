"""The demo a new user runs (examples/demo.py, started by scripts/demo.sh) works."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from io_harness import wait

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"


async def test_demo_shows_rpc_and_pubsub_and_exits_0() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(DEMO),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await wait(process.communicate(), 30)
    text = out.decode()
    assert process.returncode == 0, (text, err.decode())
    assert "router:   listening on 127.0.0.1:" in text
    assert "frontend: com.example.add2(2, 3) = 5" in text
    for value in (1, 2, 3):
        assert f"backend:  event com.example.oncounter {value} from session" in text
    assert text.rstrip().endswith("router:   stopped")
    assert "Traceback" not in err.decode()
