"""Issue 16: the typed trace walk and node summaries (``textrepr.render._trace``, ``_summary``) against the
pure modules, on the calls the pure pipeline makes, in the same run (pytest-benchmark).

    pytest benchmarks/bench_typed_trace.py -s                          # the pure/typed table at the end
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_typed_trace.py      # CI smoke run

Workloads: the corpus traces and make_big's trace (5,000 nodes; 250 in quick mode) under option sets
A/B/E; each pass calls ``render_trace_lines`` once per trace with the arguments the pipeline passed it
(parsed, validated, filtered). ``node_summary`` is timed on every call the set-A renderings made. The
floor is ``orjson.loads`` of the same request bytes, timed in the same run. The summary's speed-up comes
from rounds in which pure and typed alternate (pytest-benchmark's own table times each side alone). Until the sibling twins are
merged the typed trace still calls the pure event renderers (``event_text``, states), so sets A and E
show the walk's share only; set B (collapsed) is the walk and summaries alone.
"""
from __future__ import annotations

import functools
import gc
import importlib
from pathlib import Path
from typing import Any, Callable

import orjson
import pytest

import textrepr.api
import workloads
from textrepr import InvalidRequest
from textrepr.render import summary as pure_summary
from textrepr.render import trace as pure_trace

ROUNDS = 3 if workloads.QUICK else 15
SETS = ("A", "B", "E")
RESULTS: dict[str, dict[str, float]] = {}


def _typed(name: str) -> Any:
    try:
        return importlib.import_module(f"textrepr.render._{name}")
    except ImportError:
        pytest.skip(f"typed twin textrepr.render._{name} not built")


def _record(units: list[bytes]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(render_trace_lines calls, node_summary calls) of the pure pipeline on ``units``."""
    renders: list[tuple[Any, ...]] = []
    summaries: list[tuple[Any, ...]] = []
    api_render, node_summary = textrepr.api.render_trace_lines, pure_trace.node_summary

    def rec_render(*args: Any) -> Any:
        renders.append(args)
        return pure_trace.render_trace_lines(*args)

    def rec_summary(*args: Any) -> Any:
        summaries.append(args)
        return node_summary(*args)

    textrepr.api.render_trace_lines, pure_trace.node_summary = rec_render, rec_summary  # type: ignore[assignment]
    try:
        for u in units:
            try:
                textrepr.text_repr(u)
            except InvalidRequest:
                pass
    finally:
        textrepr.api.render_trace_lines, pure_trace.node_summary = api_render, node_summary  # type: ignore[assignment]
    return renders, summaries


@functools.cache
def _workload(name: str, option_set: str, directory: Path | None) -> tuple[workloads.Workload, list[tuple[Any, ...]],
                                                                            list[tuple[Any, ...]]]:
    w = workloads.load(name, option_set, directory)
    renders, summaries = _record(w.units)
    gc.collect()
    gc.freeze()  # the recorded inputs stay alive all session: keep them out of every later collection
    return w, renders, summaries


def _timed(benchmark: Any, fn: Callable[[], Any]) -> float:
    benchmark.pedantic(fn, setup=gc.collect, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    return float(benchmark.stats.stats.min)


def _floor(w: workloads.Workload) -> float:
    return workloads.min_time(workloads.run_units(orjson.loads, w.floor_units), ROUNDS)


def _interleaved(fns: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Min over ROUNDS rounds of each function, the functions alternating within every round (a shared
    machine's load then weighs on both alike), each from a collected heap."""
    best = {k: float("inf") for k in fns}
    for _ in range(ROUNDS):
        for k, fn in fns.items():
            gc.collect()
            t = workloads.TIMER()
            fn()
            best[k] = min(best[k], workloads.TIMER() - t)
    return best


def _run(benchmark: Any, key: str, which: str, w: workloads.Workload, calls: list[tuple[Any, ...]],
         fn: Callable[..., Any], ref: Callable[..., Any], other: Callable[..., Any]) -> None:
    """Benchmark ``fn`` (the ``which`` side) on ``calls``; the typed side also times both sides interleaved
    (``other`` is the pure function then) for the summary's speed-up."""
    assert calls, "nothing recorded"
    assert [fn(*a) for a in calls] == [ref(*a) for a in calls]  # same answers on the benchmark inputs

    def loop(f: Callable[..., Any]) -> Callable[[], None]:
        def go() -> None:
            for a in calls:
                f(*a)
        return go

    best = _timed(benchmark, loop(fn))
    row = RESULTS.setdefault(key, {"calls": float(len(calls))})
    row[which] = best
    if which == "typed":
        both = _interleaved({"pure": loop(other), "typed": loop(fn)})
        row["pure_i"], row["typed_i"] = both["pure"], both["typed"]
    if "floor" not in row:
        row["floor"] = _floor(w)
    benchmark.extra_info.update({"calls": len(calls), "which": which, "ratio_to_loads": best / row["floor"]})


@pytest.mark.parametrize("which", ["pure", "typed"])
@pytest.mark.parametrize("option_set", SETS)
def test_corpus_traces(benchmark: Any, option_set: str, which: str) -> None:
    if not workloads.CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    typed = _typed("trace")
    w, renders, _ = _workload("corpus_traces", option_set, None)
    fn = pure_trace.render_trace_lines if which == "pure" else typed.render_trace_lines
    _run(benchmark, f"corpus_traces.{option_set}", which, w, renders, fn, pure_trace.render_trace_lines,
         pure_trace.render_trace_lines)


@pytest.mark.parametrize("which", ["pure", "typed"])
@pytest.mark.parametrize("option_set", SETS)
def test_trace_5000(benchmark: Any, trace_dir: Path, option_set: str, which: str) -> None:
    typed = _typed("trace")
    w, renders, _ = _workload("trace_5000", option_set, trace_dir)
    fn = pure_trace.render_trace_lines if which == "pure" else typed.render_trace_lines
    _run(benchmark, f"trace_5000.{option_set}", which, w, renders, fn, pure_trace.render_trace_lines,
         pure_trace.render_trace_lines)


@pytest.mark.parametrize("which", ["pure", "typed"])
def test_node_summary(benchmark: Any, trace_dir: Path, which: str) -> None:
    typed = _typed("summary")
    w, _, summaries = _workload("trace_5000", "A", trace_dir)
    if workloads.CORPUS.is_dir():
        summaries = summaries + _workload("corpus_traces", "A", None)[2]
    fn = pure_summary.node_summary if which == "pure" else typed.node_summary
    _run(benchmark, "node_summary (set A calls)", which, w, summaries, fn, pure_summary.node_summary,
         pure_summary.node_summary)


def test_summary() -> None:  # runs last in this file: prints the pure/typed table (pytest -s)
    rows = [f"typed trace: one pass over the recorded calls, min over {ROUNDS} rounds, pure and typed alternating "
            f"(quick={workloads.QUICK}); x = ratio to orjson.loads of the same request bytes"]
    for key, r in RESULTS.items():
        if "pure_i" in r:
            p, t, f = r["pure_i"], r["typed_i"], r["floor"]
            rows.append(f"  {key:28s} {int(r['calls']):6d} calls  pure {p * 1e3:9.2f} ms ({p / f:5.2f}x)"
                        f"  typed {t * 1e3:9.2f} ms ({t / f:5.2f}x)  speed-up {p / t:5.2f}x")
    print("\n" + "\n".join(rows))
    assert all(r["typed_i"] > 0 for r in RESULTS.values() if "typed_i" in r)
