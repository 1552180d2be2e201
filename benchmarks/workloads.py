"""Benchmark workloads for ``text_repr`` and their floor (``orjson.loads`` of the same bytes).

Workloads (issue 3): the corpus events and traces of ``../shared/corpus``, and what
``../shared/corpus/make_big.py`` generates into a directory — the 5,000-node trace, the 20 MB multi-line
message, the 20 MB single-line tool output and the 20k-event JSONL — each under option sets A (defaults),
B (``llm_summary`` + line numbers, FORMAT.md §6.1) and E (plain, line numbers, ``max_length`` 4000).

The floor is ``orjson.loads`` of the same bytes. make_big's documents hold lone-surrogate escapes
(``"\\ud83e"`` without its pair), on which ``orjson.loads`` itself fails while textrepr repairs them
(FORMAT.md §1.1, D6); for such a document the floor is ``orjson.loads`` of the same bytes with every
lone-surrogate escape replaced by ``\\ufffd`` — the document textrepr actually renders.

Times are CPU time of this process (``time.process_time``) by default, because the machines this runs on
are shared; ``TEXTREPR_BENCH_TIMER=perf_counter`` switches to wall-clock time.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import orjson

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTREPR_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
MAKE_BIG = CORPUS / "make_big.py"
QUICK = os.environ.get("TEXTREPR_BENCH_QUICK", "") not in ("", "0")
TIMER: Callable[[], float] = getattr(time, os.environ.get("TEXTREPR_BENCH_TIMER", "process_time"))

OPTION_SETS: dict[str, dict[str, Any]] = {
    "A": {},
    "B": {"include_markers": False, "truncated": True, "collapsed": True, "include_line_numbers": True},
    "E": {"include_markers": False, "include_line_numbers": True, "max_length": 4000},
}

# make_big.py parameters: full size, and the small slices of quick mode.
FULL = {"trace-nodes": 5000, "message-mb": 20, "events": 20000, "events-mb": 50}
SMALL = {"trace-nodes": 250, "message-mb": 1, "events": 400, "events-mb": 1}

BIG_FILES = {
    "trace_5000": "trace_5000_nodes.json",
    "message_20mb": "generation_20mb_message.json",
    "single_line_20mb": "generation_20mb_single_line.json",
    "events_20k": "events_20k.jsonl",
}
WORKLOADS = ["corpus_events", "corpus_traces", *BIG_FILES]

_ESCAPE = re.compile(rb"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def repaired(raw: bytes) -> bytes:
    """``raw`` with every lone-surrogate escape replaced by ``\\ufffd`` (escaped backslashes skipped)."""
    if b"\\u" not in raw:
        return raw

    def fix(m: re.Match[bytes]) -> bytes:
        s = m.group(0)
        return s if s == b"\\\\" or len(s) == 12 else b"\\ufffd"

    return _ESCAPE.sub(fix, raw)


def generate(out: Path, sizes: Mapping[str, int | float], only: str = "events,trace,message") -> None:
    """Run make_big.py into ``out`` (deterministic: the same parameters give the same bytes)."""
    args = [sys.executable, str(MAKE_BIG), "--out", str(out), "--only", only]
    for k, v in sizes.items():
        args += [f"--{k}", str(v)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, timeout=1200)


def big_dir(tmp: Path, quick: bool = QUICK) -> Path:
    """The make_big output: ``TEXTREPR_BENCH_DIR`` if it holds every file (full mode), else generated."""
    given = os.environ.get("TEXTREPR_BENCH_DIR")
    if given and not quick and all((Path(given) / f).is_file() for f in BIG_FILES.values()):
        return Path(given)
    generate(tmp, SMALL if quick else FULL)
    return tmp


def _with_options(doc: Any, options: dict[str, Any]) -> bytes:
    return json.dumps({**doc, "options": options}, ensure_ascii=True).encode("ascii")


@dataclass
class Workload:
    """The request bytes of one workload under one option set, and the floor documents."""

    name: str
    units: list[bytes]  # one text_repr call each
    floor_units: list[bytes]  # one orjson.loads each
    input_bytes: int = field(default=0)

    def __post_init__(self) -> None:
        self.input_bytes = sum(map(len, self.units))


def corpus_requests(kind: str) -> list[dict[str, Any]]:
    out = []
    for p in sorted((CORPUS / kind).glob("*.json")):
        case = json.loads(p.read_text("utf-8"))  # stdlib json keeps lone surrogates
        out.append({"event_type": case["event_type"], "data": case["data"]})
    return out


def load(name: str, option_set: str, directory: Path | None) -> Workload:
    """Workload ``name`` under option set ``option_set`` (``directory``: the make_big output)."""
    opts = OPTION_SETS[option_set]
    if name in ("corpus_events", "corpus_traces"):
        units = [_with_options(r, opts) for r in corpus_requests(name.split("_")[1])]
    elif name == "events_20k":
        assert directory is not None
        head = b'{"options":' + orjson.dumps(opts) + b","
        units = [head + line[1:] for line in (directory / BIG_FILES[name]).read_bytes().split(b"\n") if line]
    else:
        assert directory is not None
        raw = (directory / BIG_FILES[name]).read_bytes()
        units = [b'{"options":' + orjson.dumps(opts) + b"," + raw.strip()[1:]]
    return Workload(f"{name}.{option_set}", units, [repaired(u) for u in units])


def min_time(fn: Callable[[], Any], rounds: int) -> float:
    """The least ``TIMER`` time of ``rounds`` calls of ``fn``."""
    best = float("inf")
    for _ in range(rounds):
        t = TIMER()
        fn()
        best = min(best, TIMER() - t)
    return best


def run_units(fn: Callable[[bytes], Any], units: list[bytes]) -> Callable[[], None]:
    """A callable that applies ``fn`` to every unit; a rejected request (400) is a normal result."""
    from textrepr import InvalidRequest

    def go() -> None:
        for u in units:
            try:
                fn(u)
            except InvalidRequest:
                pass

    return go


@dataclass
class Timing:
    """Interleaved rounds: floor, then text_repr, each timed with ``TIMER``."""

    floor: list[float] = field(default_factory=list)
    impl: list[float] = field(default_factory=list)

    @staticmethod
    def timed(fn: Callable[[], Any], into: list[float]) -> None:
        t = TIMER()
        fn()
        into.append(TIMER() - t)

    @property
    def ratio(self) -> float:
        return min(self.impl) / min(self.floor) if self.floor and min(self.floor) > 0 else float("nan")

    def summary(self) -> dict[str, float]:
        return {
            "floor_min": min(self.floor), "floor_median": statistics.median(self.floor), "floor_max": max(self.floor),
            "min": min(self.impl), "median": statistics.median(self.impl), "max": max(self.impl), "ratio": self.ratio,
        }


def measure(workload: Workload, rounds: int, text_repr: Callable[[bytes], Any]) -> Timing:
    """``rounds`` interleaved floor/text_repr rounds after one warm-up of each."""
    floor = run_units(orjson.loads, workload.floor_units)
    impl = run_units(text_repr, workload.units)
    floor()
    impl()
    t = Timing()
    for _ in range(rounds):
        Timing.timed(floor, t.floor)
        Timing.timed(impl, t.impl)
    return t


# ---------------------------------------------------------------- run inside an implementation's worker
# report.py measures each implementation in its own process (tests/twins.py Worker: the compiled build, the
# pure twin under TEXTREPR_NO_EXTENSIONS=1, or another checkout), interleaving the rounds from the parent.
_LOADED: dict[tuple[str, str, str, bool], Callable[[], None]] = {}


def time_pass(name: str, option_set: str, directory: str | None, floor: bool = False) -> float:
    """CPU time of one ``text_repr`` pass over workload ``name`` under ``option_set`` in this process (or,
    ``floor``, of ``orjson.loads`` of the same bytes: a ratio compares two passes of the same process, whose
    heap state decides much of what parsing a 20 MB document costs)."""
    import textrepr

    key = (name, option_set, str(directory), floor)
    go = _LOADED.get(key)
    if go is None:
        w = load(name, option_set, Path(directory) if directory else None)
        go = run_units(orjson.loads, w.floor_units) if floor else run_units(textrepr.text_repr, w.units)
        _LOADED[key] = go
        go()  # warm-up
    t = TIMER()
    go()
    return TIMER() - t


def traced_peak(fn: Callable[[], Any]) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    del result
    return peak


def peak_memory(name: str, option_set: str, directory: str, eager: bool = False) -> tuple[int, int, int]:
    """(peak of text_repr(bytes), peak of its stages after parsing, output characters) for one call in this
    process; ``eager``: lazy TRUNCATED markers off (what building the payload costs)."""
    import textrepr
    from textrepr import api

    core = importlib.import_module("textrepr._core" if textrepr.core.IMPLEMENTATION == "compiled"  # type: ignore[attr-defined]
                                   else "textrepr._core_py")
    old = core._set_lazy_min(sys.maxsize) if eager else None
    try:
        (unit,) = load(name, option_set, Path(directory)).units
        out_chars = len(textrepr.text_repr(unit)["text"])
        whole = traced_peak(lambda: textrepr.text_repr(unit))
        doc = api._as_document(unit)
        parse = api._as_document
        api._as_document = lambda request: doc  # type: ignore[assignment]  # everything but the parse
        try:
            render = traced_peak(lambda: textrepr.text_repr(unit))
        finally:
            api._as_document = parse  # type: ignore[assignment]
    finally:
        if old is not None:
            core._set_lazy_min(old)
    return whole, render, out_chars
