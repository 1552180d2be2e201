"""The viewer page (textrepr.html) against orjson.loads of the same request bytes, with pytest-benchmark.

    pytest benchmarks/bench_html.py -s                         # the ratio table
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_html.py     # CI: keeps the file from rotting

Two costs per workload: ``page`` (render_page of already rendered texts: markers.parse, decoding, escaping) and
``end_to_end`` (items_from_bytes + render_page: parse, render with markers, page). Ratios are reported in
``extra_info``, never asserted. Workloads: the project's own golden trace (always present) repeated as a JSON
array, and the shared corpus's widest trace when it is beside the checkout.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import orjson
import pytest

import workloads
from textrepr.html import items_from_bytes, render_page

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 2 if workloads.QUICK else 7
RESULTS: dict[str, dict[str, float]] = {}


def _workload(name: str) -> bytes:
    if name == "own_trace_x50":
        doc = json.loads((ROOT / "tests" / "goldens" / "requests" / "trace_tree.json").read_bytes())
        return json.dumps([doc] * (5 if workloads.QUICK else 50)).encode()
    path = workloads.CORPUS / "traces" / "t18_wide_300_sibling_generations.json"
    if not path.is_file():
        pytest.skip("../shared corpus missing")
    return path.read_bytes()


@pytest.mark.parametrize("stage", ["page", "end_to_end"])
@pytest.mark.parametrize("name", ["own_trace_x50", "corpus_wide_trace"])
def test_html_vs_orjson(benchmark: Any, name: str, stage: str) -> None:
    raw = _workload(name)
    items = items_from_bytes(name, raw)
    run: Callable[[], Any] = (lambda: render_page(items)) if stage == "page" else (
        lambda: render_page(items_from_bytes(name, raw)))
    floor = lambda: orjson.loads(raw)  # noqa: E731
    floor()
    run()
    t = workloads.Timing()
    benchmark.pedantic(lambda: workloads.Timing.timed(run, t.impl),
                       setup=lambda: workloads.Timing.timed(floor, t.floor), rounds=ROUNDS, iterations=1)
    s = t.summary()
    RESULTS[f"{name}.{stage}"] = s
    benchmark.extra_info.update({k: round(v, 6) for k, v in s.items()})
    benchmark.extra_info.update({"input_bytes": len(raw), "page_bytes": len(render_page(items))})
    assert s["ratio"] > 0


def test_summary() -> None:  # runs last in this file: prints the ratio table (pytest -s)
    rows = [f"viewer page / orjson.loads (min over {ROUNDS} rounds, quick={workloads.QUICK})"]
    for key in sorted(RESULTS):
        s = RESULTS[key]
        rows.append(f"  {key:34s} {s['ratio']:7.2f}x   {s['min'] * 1e3:9.1f} ms   floor {s['floor_min'] * 1e3:8.2f} ms")
    print("\n" + "\n".join(rows))
