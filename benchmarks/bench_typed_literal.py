"""Issue 16 (trace_5000): the typed state-string parser and error bodies (``textrepr.render._literal``,
``_error_body``) and the core's lone-surrogate repair (``patch_escapes``) against their pure twins, on the
inputs of the 5,000-node trace (250 in quick mode) and the corpus traces, in the same run.

    pytest benchmarks/bench_typed_literal.py -s                          # the pure/typed table at the end
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_typed_literal.py      # CI smoke run

Inputs: every span state string that D8 hands to the parser (it starts with ``{`` or ``[``), every
``$ai_error`` of a generation or embedding, and the request bytes of the trace (``patch_escapes`` runs on
them before orjson: make_big's documents hold lone-surrogate escapes). Times: min over ROUNDS rounds of one
pass, pure and typed alternating within each round; the floor is ``orjson.loads`` of the request bytes.
"""
from __future__ import annotations

import gc
import importlib
from pathlib import Path
from typing import Any, Callable

import orjson
import pytest

import twins
import workloads
from textrepr.render import error_body, literal

ROUNDS = 3 if workloads.QUICK else 15
RESULTS: dict[str, dict[str, float]] = {}
STATE_KEYS = ("$ai_input_state", "$ai_output_state")


def _typed(name: str) -> Any:
    try:
        return importlib.import_module(f"textrepr.render._{name}")
    except ImportError:
        pytest.skip(f"typed twin textrepr.render._{name} not built")


def _inputs(w: workloads.Workload) -> tuple[list[str], list[Any]]:
    """(state strings D8 parses, error values) of every node of the workload's traces."""
    states: list[str] = []
    errors: list[Any] = []
    for u in w.floor_units:
        data = orjson.loads(u).get("data", {})
        stack = list(data.get("hierarchy") or []) if type(data) is dict else []
        while stack:
            node = stack.pop()
            if type(node) is not dict:
                continue
            stack.extend(c for c in (node.get("children") or []) if type(c) is dict)
            ev = node.get("event")
            props = ev.get("properties") if type(ev) is dict else None
            if type(props) is not dict:
                continue
            states += [v for k in STATE_KEYS if type(v := props.get(k)) is str and v.lstrip()[:1] in ("{", "[")]
            if props.get("$ai_error"):
                errors.append(props["$ai_error"])
    return states, errors


def _floor(w: workloads.Workload) -> float:
    return workloads.min_time(workloads.run_units(orjson.loads, w.floor_units), ROUNDS)


def _compare(key: str, w: workloads.Workload, args: list[Any], pure: Callable[[Any], Any],
             typed: Callable[[Any], Any]) -> None:
    assert args, "no inputs"
    assert [repr(typed(a)) for a in args] == [repr(pure(a)) for a in args]  # same answers on these inputs
    best = {"pure": float("inf"), "typed": float("inf")}
    for _ in range(ROUNDS):
        for side, f in (("pure", pure), ("typed", typed)):
            gc.collect()
            t = workloads.TIMER()
            for a in args:
                f(a)
            best[side] = min(best[side], workloads.TIMER() - t)
    RESULTS[key] = {"calls": float(len(args)), "floor": _floor(w), **best}


def _workloads(trace_dir: Path) -> list[tuple[str, workloads.Workload]]:
    out = [("trace_5000", workloads.load("trace_5000", "E", trace_dir))]
    if workloads.CORPUS.is_dir():
        out.append(("corpus_traces", workloads.load("corpus_traces", "E", None)))
    return out


def test_state_strings(trace_dir: Path) -> None:
    typed = _typed("literal")
    for name, w in _workloads(trace_dir):
        states, _ = _inputs(w)
        _compare(f"parse_state_string {name}", w, states, literal.parse_state_string, typed.parse_state_string)


def test_error_bodies(trace_dir: Path) -> None:
    typed = _typed("error_body")
    for name, w in _workloads(trace_dir):
        _, errors = _inputs(w)
        if errors:
            _compare(f"error_body_lines {name}", w, errors, error_body.error_body_lines, typed.error_body_lines)


def test_patch_escapes(trace_dir: Path) -> None:
    if twins.compiled is None:
        pytest.skip("the compiled core is not built")
    w = workloads.load("trace_5000", "E", trace_dir)
    _compare("patch_escapes trace_5000 bytes", w, w.units, twins.pure.patch_escapes, twins.compiled.patch_escapes)


def test_summary() -> None:  # runs last in this file: prints the pure/typed table (pytest -s)
    rows = [f"min over {ROUNDS} rounds of one pass, pure and typed alternating (quick={workloads.QUICK}); "
            "x = ratio to orjson.loads of the same request bytes"]
    for key, r in RESULTS.items():
        p, t, f = r["pure"], r["typed"], r["floor"]
        rows.append(f"  {key:34s} {int(r['calls']):6d} calls  pure {p * 1e3:8.2f} ms ({p / f:5.3f}x)"
                    f"  typed {t * 1e3:8.2f} ms ({t / f:5.3f}x)  speed-up {p / t:5.2f}x")
    print("\n" + "\n".join(rows))
    assert all(r["typed"] > 0 for r in RESULTS.values())
