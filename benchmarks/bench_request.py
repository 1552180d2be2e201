"""The usual request's path (``textrepr.request.event_body``, issue 16) against the general path, same run.

    pytest benchmarks/bench_request.py -s                          # the table at the end
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_request.py      # CI smoke run (small slices)

``text_repr(raw)`` takes the usual path for a single event with plain options; ``text_repr(raw,
token_counter=...)`` sends every request down the general path (validate_request, check_event,
prepare_data, _finish) with the same answers, because a counter only matters with ``max_tokens`` or
``fit: "shrink"``. Both are timed interleaved with the floor (``orjson.loads`` of the same bytes) on the
corpus events and the 20k-event JSONL under sets A, B and E, for the implementation textrepr selected
(``TEXTREPR_NO_EXTENSIONS=1`` for the pure one); the glue's share is the difference of the two ratios.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

import textrepr
import twins
import workloads
from textrepr import fit

ROUNDS = 2 if workloads.QUICK else 7
RESULTS: dict[str, dict[str, float]] = {}


def _general(raw: bytes) -> Any:
    return textrepr.text_repr(raw, token_counter=fit.estimate)


@pytest.mark.parametrize("path", ["usual", "general"])
@pytest.mark.parametrize("option_set", list(workloads.OPTION_SETS))
@pytest.mark.parametrize("name", ["corpus_events", "events_20k"])
def test_request_path(benchmark: Any, big: Path, name: str, option_set: str, path: str) -> None:
    if name == "corpus_events" and not (workloads.CORPUS / "events").is_dir():
        pytest.skip("../shared corpus missing")
    w = workloads.load(name, option_set, big)
    floor = workloads.run_units(orjson.loads, w.floor_units)
    render = workloads.run_units(textrepr.text_repr if path == "usual" else _general, w.units)
    floor()
    render()
    t = workloads.Timing()
    benchmark.pedantic(lambda: workloads.Timing.timed(render, t.impl),
                       setup=lambda: workloads.Timing.timed(floor, t.floor), rounds=ROUNDS, iterations=1)
    RESULTS[f"{w.name}.{path}"] = t.summary()
    benchmark.extra_info.update({"ratio": round(t.ratio, 4), "implementation": twins.ACTIVE, "path": path})
    assert t.ratio > 0


def test_summary() -> None:  # runs last in this file: prints the table (pytest -s)
    rows = [f"text_repr / orjson.loads, usual path vs general path ({twins.ACTIVE}, min over {ROUNDS} rounds, "
            f"quick={workloads.QUICK})"]
    for key in sorted({k.rsplit(".", 1)[0] for k in RESULTS}):
        usual, general = RESULTS.get(f"{key}.usual"), RESULTS.get(f"{key}.general")
        if usual and general:
            rows.append(f"  {key:20s} usual {usual['ratio']:5.2f}x   general {general['ratio']:5.2f}x")
    print("\n" + "\n".join(rows))
