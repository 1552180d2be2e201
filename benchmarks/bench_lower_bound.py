"""The lower bound of issue 3's targets (lower_bound.py) with pytest-benchmark: orjson.loads + walk.

    pytest benchmarks/bench_lower_bound.py
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_lower_bound.py   # small slices (CI)

``extra_info`` holds min(loads + walk) / min(loads): the least a renderer over the parsed objects costs,
beside which text_repr's ratios (bench_text_repr.py) are to be read. Reported, never asserted.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import orjson
import pytest

import lower_bound
import workloads

ROUNDS = 2 if workloads.QUICK else 5
_compiled_walk = functools.cache(lower_bound.compiled_walk)  # one build per session


def _walker(kind: str) -> Callable[[Any], str]:
    if kind == "python":
        return lower_bound.walk
    fn, why = _compiled_walk()
    if fn is None:
        pytest.skip(f"Cython walk not built: {why}")
    return fn


@pytest.mark.parametrize("kind", ["python", "cython"])
@pytest.mark.parametrize("name", workloads.WORKLOADS)
def test_loads_then_walk(benchmark: Any, big: Path, name: str, kind: str) -> None:
    if name.startswith("corpus_") and not (workloads.CORPUS / name.split("_")[1]).is_dir():
        pytest.skip("../shared corpus missing")
    walk = _walker(kind)
    w = workloads.load(name, "A", big)
    # Both walks produce the same text: the compiled one is the same function, not a shortcut.
    first = orjson.loads(w.floor_units[0])
    assert walk(first) == lower_bound.walk(first)
    floor = workloads.run_units(orjson.loads, w.floor_units)
    bound = workloads.run_units(lambda u: walk(orjson.loads(u)), w.floor_units)
    floor()
    bound()
    t = workloads.Timing()
    benchmark.pedantic(lambda: workloads.Timing.timed(bound, t.impl),
                       setup=lambda: workloads.Timing.timed(floor, t.floor), rounds=ROUNDS, iterations=1)
    s = t.summary()
    benchmark.extra_info.update({k: round(v, 6) for k, v in s.items()})
    assert s["ratio"] > 0
