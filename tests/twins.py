"""The two implementations, as the suite sees them (used by conftest, the twin tests and the benchmarks).

The suite runs once per implementation: plain ``pytest`` tests whichever implementation ``textrepr`` selected
(compiled when the extensions are built), and ``TEXTREPR_NO_EXTENSIONS=1 pytest`` the pure one (.ci/run runs
both). Nothing is rebound at run time. What compares the two twins does it directly:

- the compiled modules and their pure twins are both importable in a compiled run (``pure``/``compiled`` for
  the core, ``SCANS`` for the redaction scan, ``typed(name)`` for a typed renderer), so a test calls both;
- end to end, ``Worker.pure()`` is a subprocess of the same textrepr with ``TEXTREPR_NO_EXTENSIONS=1``: a test
  renders in process (compiled) and in the worker (pure) and compares the outcomes.
"""
from __future__ import annotations

import importlib
import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import textrepr
from textrepr import _core_py as pure
from textrepr import _redact_scan_py as pure_scan

try:
    from textrepr import _core as compiled  # type: ignore[attr-defined]
except ImportError:
    compiled = None  # type: ignore[assignment]

REQUIRE_COMPILED = os.environ.get("TEXTREPR_REQUIRE_EXTENSIONS", "") not in ("", "0")
NO_EXTENSIONS = os.environ.get("TEXTREPR_NO_EXTENSIONS", "") not in ("", "0")
ACTIVE = textrepr.implementation()  # the implementation this run tests

# The core module of the implementation under test.
CORE: ModuleType = compiled if textrepr.core.IMPLEMENTATION == "compiled" else pure  # type: ignore[attr-defined]

# The redaction prefilter and walk of each implementation (issue 14), both importable in a compiled run.
SCANS: dict[str, ModuleType] = {"pure": pure_scan}
try:
    from textrepr import _redact_scan as compiled_scan  # type: ignore[attr-defined]

    SCANS["compiled"] = compiled_scan
except ImportError:
    compiled_scan = None  # type: ignore[assignment]


def require_compiled_run() -> None:
    """Skip a twin comparison outside the compiled run (it compares compiled with pure there, once); fail
    when the compiled build is required but missing."""
    import pytest

    if ACTIVE == "compiled":
        return
    if REQUIRE_COMPILED and not NO_EXTENSIONS:
        pytest.fail("TEXTREPR_REQUIRE_EXTENSIONS is set but the compiled implementation is not selected")
    pytest.skip("twin comparisons run in the compiled run (compiled vs pure, once)")


def once_per_suite() -> None:
    """For heavy checks that do not depend on the implementation (a Ray cluster, 100,000-event shapes,
    subprocesses that pick their own core): they run in the compiled run, and the pure run skips them when
    the compiled build is there to have run them."""
    import pytest

    if NO_EXTENSIONS and compiled is not None:
        pytest.skip("runs once per suite, in the compiled run (it does not depend on the implementation)")


def typed(name: str) -> ModuleType:
    """The typed Cython twin ``textrepr.render._<name>`` (issue 16), for tests that compare it with the pure
    module ``textrepr.render.<name>``: skips when it is not built, fails under TEXTREPR_REQUIRE_EXTENSIONS=1.
    Like every twin comparison it runs in the compiled run only."""
    import pytest

    require_compiled_run()
    try:
        return importlib.import_module(f"textrepr.render._{name}")
    except ImportError as e:
        if REQUIRE_COMPILED:
            pytest.fail(f"TEXTREPR_REQUIRE_EXTENSIONS is set but textrepr.render._{name} is not importable: {e}")
        pytest.skip(f"typed twin textrepr.render._{name} not built (python setup.py build_ext --inplace)")


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """``("ok", result)``, or the exception as ``(type name, body or message)`` — what twins compare."""
    try:
        return "ok", fn(*args, **kwargs)
    except textrepr.InvalidRequest as e:
        return "InvalidRequest", e.body
    except Exception as e:  # noqa: BLE001 - the type and message are what is compared
        return type(e).__name__, str(e)


class Worker:
    """A subprocess running a textrepr: ``call("module:function", *args)`` returns that call's ``outcome``
    there. ``Worker.pure()`` is this textrepr under ``TEXTREPR_NO_EXTENSIONS=1`` (one per session); the
    benchmarks also start the compiled build and other checkouts (``home``) this way."""

    _pure: Worker | None = None

    def __init__(self, no_extensions: bool, home: str | None = None, expect: str | None = None) -> None:
        home = home or str(Path(textrepr.__file__).resolve().parents[1])
        here = Path(__file__).resolve().parent
        env = {**os.environ, "TEXTREPR_NO_EXTENSIONS": "1" if no_extensions else "",
               "TEXTREPR_REQUIRE_EXTENSIONS": "",
               "PYTHONPATH": os.pathsep.join([home, str(here), str(here.parent / "benchmarks")])}
        self.proc = subprocess.Popen([sys.executable, "-c", "import twins; twins._serve()"], cwd=home, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.implementation = self.call("textrepr:implementation")[1]
        if expect is not None and self.implementation != expect:
            raise RuntimeError(f"the worker in {home} runs {self.implementation!r}, not {expect!r}")

    @classmethod
    def pure(cls) -> Worker:
        if cls._pure is None or cls._pure.proc.poll() is not None:
            cls._pure = cls(True, expect="pure")
        return cls._pure

    def call(self, target: str, *args: Any, **kwargs: Any) -> tuple[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        blob = pickle.dumps((target, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.write(struct.pack("<Q", len(blob)) + blob)
        self.proc.stdin.flush()
        head = self.proc.stdout.read(8)
        if len(head) != 8:
            raise RuntimeError("the worker died")
        result: tuple[str, Any] = pickle.loads(self.proc.stdout.read(struct.unpack("<Q", head)[0]))
        return result

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _serve() -> None:
    """The worker's loop (on a thread with a big stack, as conformance.in_big_stack gives the tests)."""
    import threading

    sys.setrecursionlimit(100_000)
    threading.stack_size(512 * 1024 * 1024)
    t = threading.Thread(target=_loop)
    t.start()
    t.join()


def _loop() -> None:
    """Length-prefixed pickles in, ``outcome`` pickles out."""
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = inp.read(8)
        if len(head) != 8:
            return
        target, args, kwargs = pickle.loads(inp.read(struct.unpack("<Q", head)[0]))
        mod, _, attr = target.partition(":")
        fn = getattr(importlib.import_module(mod), attr)
        result = outcome(fn, *args, **kwargs)
        try:
            blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # noqa: BLE001 - an unpicklable result is reported, not fatal
            blob = pickle.dumps(("unpicklable", repr(e)), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack("<Q", len(blob)) + blob)
        out.flush()


def same_as_pure(target: str, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """Call ``target`` here (the compiled run) and in the pure worker; assert equal outcomes; return ours."""
    mod, _, attr = target.partition(":")
    got = outcome(getattr(importlib.import_module(mod), attr), *args, **kwargs)
    want = Worker.pure().call(target, *args, **kwargs)
    assert got == want, f"{target} differs from the pure twin for {args!r:.500}"
    return got
