"""The calls the pure pipeline makes to generation, span, tools and event functions on real inputs (issue 16).

Every request of the shared corpus (events, traces, goldens) and of tests/goldens is parsed, validated and
pre-processed exactly as ``textrepr.api`` does, then rendered by the *pure* renderer modules under several
option sets while a profile hook records the arguments of each call to a public function of
``textrepr.render.{generation,span,tools,event}``. tests/test_typed_generation.py replays them against the
typed twins, benchmarks/bench_typed_generation.py times them.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import conformance
from textrepr import InvalidRequest, parse
from textrepr.api import _event_kind, prepare_data
from textrepr.render import event as pure_event
from textrepr.render import generation, span, tools
from textrepr.render import trace as pure_trace
from textrepr.validate import check_event, check_trace, validate_request

ROOT = Path(__file__).resolve().parents[1]
CORPUS = conformance.SHARED / "corpus"

# module -> the functions whose calls are recorded (every name another module or a test imports).
FUNCTIONS: dict[str, tuple[str, ...]] = {
    "generation": ("render_generation", "input_lines", "output_lines", "error_section", "unparsed_lines",
                   "not_recorded"),
    "span": ("render_span", "state_body", "lc_keyed_lines"),
    "tools": ("sig", "tool_call_lines", "tool_list_lines", "gemini_builtin_entry", "_signature"),
    "event": ("event_lines", "event_text"),
}
PURE = {"generation": generation, "span": span, "tools": tools, "event": pure_event}

# Option sets A/B/E of benchmarks/workloads.py, and the options each renderer branches on.
OPTION_SETS: dict[str, dict[str, Any]] = {
    "A": {},
    "B": {"include_markers": False, "truncated": True, "collapsed": True, "include_line_numbers": True},
    "E": {"include_markers": False, "include_line_numbers": True, "max_length": 4000},
    "untruncated": {"truncated": False},
    "small_buffer": {"truncate_buffer": 7},
    "plain_small_buffer": {"include_markers": False, "truncate_buffer": 3},
    "tools_expandable": {"tools_collapse_threshold": 0},
    "no_tools": {"include_tools": False, "tools_collapse_threshold": 1},
}

Call = tuple[str, str, tuple[Any, ...]]  # (module, function, positional arguments)


def documents(goldens: bool = True) -> list[tuple[str, dict[str, Any]]]:
    """(name, request document) of every corpus input and (``goldens``) golden input, with its own
    options (if any)."""
    docs: list[tuple[str, dict[str, Any]]] = []
    for kind in ("events", "traces"):
        for p in sorted((CORPUS / kind).glob("*.json")):
            case = json.loads(p.read_text("utf-8"))  # stdlib json keeps lone surrogates
            docs.append((f"{kind}/{p.stem}", {"event_type": case["event_type"], "data": case["data"]}))
    if not goldens:
        return docs
    for p in sorted((ROOT / "tests" / "goldens" / "requests").glob("*.json")):
        docs.append((f"goldens/{p.stem}", json.loads(p.read_text("utf-8"))))
    for p in conformance.golden_files():
        req = conformance.load_case(p).get("request")
        if type(req) is dict:
            docs.append((f"golden/{conformance.case_id(p)}", req))
    return docs


def _render_pure(doc: dict[str, Any]) -> None:
    """What api.text_repr does before and while rendering, with the pure renderer modules."""
    raw = json.dumps(doc, ensure_ascii=True).encode("ascii")
    try:
        event_type, data, o = validate_request(parse.load_json(raw))
        if event_type == "$ai_trace":
            check_trace(data)
            prepare_data(data, o, None, True)
            pure_trace.render_trace_lines(data["trace"], data["hierarchy"], o)
        else:
            check_event(event_type, data)
            prepare_data(data, o, None, False)
            props = data.get("properties", {})
            pure_event.event_lines(_event_kind(data, event_type), props if type(props) is dict else {}, o)
    except InvalidRequest:
        pass


def _key(call: Call) -> str:
    return f"{call[0]}.{call[1]}{call[2]!r}"


def record(sets: tuple[str, ...] = tuple(OPTION_SETS), goldens: bool = True) -> list[Call]:
    """Every distinct recorded call (in first-seen order): each corpus and tests/goldens document under
    each of ``sets``; with ``goldens``, each shared golden under its own options and
    ``plain_small_buffer`` too (they are many, and small variations of one another)."""
    codes: dict[CodeType, tuple[str, str, int]] = {}
    for mod, names in FUNCTIONS.items():
        for name in names:
            code = getattr(PURE[mod], name).__code__
            codes[code] = (mod, name, code.co_argcount)
    calls: list[Call] = []

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            hit = codes.get(frame.f_code)
            if hit is not None:
                local = frame.f_locals
                calls.append((hit[0], hit[1], tuple(local[v] for v in frame.f_code.co_varnames[:hit[2]])))

    def run() -> None:
        sys.setprofile(hook)
        try:
            for name, doc in documents(goldens):
                own = doc.get("options")
                runs = [own] if type(own) is dict else []
                if name.startswith("golden/"):
                    runs.append(OPTION_SETS["plain_small_buffer"])
                else:
                    runs.extend(OPTION_SETS[s] for s in sets)
                for opts in runs:
                    _render_pure({**doc, "options": opts})
        finally:
            sys.setprofile(None)

    conformance.in_big_stack(run)
    seen: set[str] = set()
    out: list[Call] = []
    for c in calls:
        k = _key(c)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out
