"""Running the installed `textrepr` console script from tests (shared by test_cli.py and test_batch.py)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import textrepr


# The textrepr this session imports: an installed copy (plain `pytest`, CI) or a checkout (`python -m pytest`).
_IMPORTED = Path(textrepr.__file__).resolve().parent
_INSTALLED = "site-packages" in _IMPORTED.parts or "dist-packages" in _IMPORTED.parts


def _script() -> list[str]:
    """The real console script of this interpreter's environment; ``python -m textrepr`` if missing, or
    when the session tests a checkout (the console script would run whatever copy is installed)."""
    if not _INSTALLED:
        return [sys.executable, "-m", "textrepr"]
    beside = Path(sys.executable).with_name("textrepr")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("textrepr")
    return [found] if found else [sys.executable, "-m", "textrepr"]


TEXTREPR = _script()
ENV: dict[str, str] = dict(os.environ)


@pytest.fixture(autouse=True)
def core_of_the_subprocess(implementation: str) -> None:
    """Run the command line on the same core implementation as the rest of this test session.

    The locale is C (ASCII) on purpose: the command's output must be UTF-8 regardless."""
    env = {k: v for k, v in os.environ.items() if k != "TEXTREPR_NO_EXTENSIONS"}
    if implementation == "pure":
        env["TEXTREPR_NO_EXTENSIONS"] = "1"
    env.update({"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""})
    if not _INSTALLED:  # the subprocess imports the same checkout as this session
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_IMPORTED.parent), env.get("PYTHONPATH")]))
    ENV.clear()
    ENV.update(env)


def run(*args: str, input: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*TEXTREPR, *args], input=input, capture_output=True, timeout=timeout, env=ENV)


def no_traceback(p: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in p.stderr, p.stderr.decode(errors="replace")
