"""text_repr end to end against its floor, orjson.loads of the same bytes (issue 3), with pytest-benchmark.

    pytest benchmarks/bench_text_repr.py                          # full workloads (make_big: ~1 min to generate)
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_text_repr.py   # small slices (CI: keeps the file from rotting)
    python benchmarks/report.py                                   # the README table (min/median/max, scaling, memory)

Every workload x option set (A, B, E) is one benchmark of the implementation textrepr selected (run again
with ``TEXTREPR_NO_EXTENSIONS=1`` for the pure twin; report.py measures both side by side in worker processes). Each round
times ``orjson.loads`` of the floor bytes, then ``text_repr`` of the request bytes (interleaved, CPU time by
default, see workloads.py); ``extra_info`` holds the ratio text_repr / floor (min / min) and the spread.
The targets (compiled <= 1.5x, pure <= 3x) are reported, never asserted: timings on shared machines are noisy.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import textrepr
import twins
import workloads

ROUNDS = 2 if workloads.QUICK else 5
RESULTS: dict[str, dict[str, float]] = {}


@pytest.mark.parametrize("impl", [twins.ACTIVE])
@pytest.mark.parametrize("option_set", list(workloads.OPTION_SETS))
@pytest.mark.parametrize("name", workloads.WORKLOADS)
def test_text_repr_vs_orjson(benchmark: Any, big: Path, name: str, option_set: str, impl: str) -> None:
    if name.startswith("corpus_") and not (workloads.CORPUS / name.split("_")[1]).is_dir():
        pytest.skip("../shared corpus missing")
    w = workloads.load(name, option_set, big)
    floor = workloads.run_units(__import__("orjson").loads, w.floor_units)
    render = workloads.run_units(textrepr.text_repr, w.units)
    floor()  # warm-up (imports, caches)
    render()
    t = workloads.Timing()
    benchmark.pedantic(lambda: workloads.Timing.timed(render, t.impl),
                       setup=lambda: workloads.Timing.timed(floor, t.floor), rounds=ROUNDS, iterations=1)
    s = t.summary()
    RESULTS[f"{w.name}.{impl}"] = s
    benchmark.extra_info.update({k: round(v, 6) for k, v in s.items()})
    benchmark.extra_info.update({"implementation": impl, "input_bytes": w.input_bytes, "timer": workloads.TIMER.__name__})
    assert s["ratio"] > 0


def test_summary() -> None:  # runs last in this file: prints the ratio table (pytest -s)
    rows = [f"text_repr / orjson.loads (min over {ROUNDS} rounds, {workloads.TIMER.__name__}, quick={workloads.QUICK})"]
    for key in sorted(RESULTS):
        s = RESULTS[key]
        rows.append(f"  {key:34s} {s['ratio']:6.2f}x   text_repr {s['min'] * 1e3:9.1f} ms   floor {s['floor_min'] * 1e3:8.1f} ms")
    print("\n" + "\n".join(rows))
