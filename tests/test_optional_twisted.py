"""Twisted is optional: the package and the asyncio face must not import it."""

from __future__ import annotations

import subprocess
import sys


def _imports_twisted(code: str) -> bool:
    check = "any(m == 'twisted' or m.startswith('twisted.') for m in sys.modules)"
    probe = f"{code}\nimport sys\nprint({check})"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.strip() == "True"


def test_pywamp_and_the_asyncio_face_never_import_twisted() -> None:
    code = (
        "import pywamp, pywamp.asyncio, pywamp.asyncio.wamp, pywamp.asyncio.component, "
        "pywamp.wamp, pywamp.session, pywamp.router\n"
        "pywamp.connect"
    )
    assert not _imports_twisted(code)


def test_the_twisted_face_does_import_twisted() -> None:
    """The probe itself can tell: importing the Twisted face shows up."""
    assert _imports_twisted("import pywamp.twisted.wamp")
