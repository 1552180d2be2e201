"""Typed twins of generation, span, tools and event (issue 16) against the pure modules, in the same run.

    pytest benchmarks/bench_typed_generation.py -s                          # the pure/typed table at the end
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_typed_generation.py      # CI smoke run

The inputs are the calls the pure pipeline makes to each public function while rendering the corpus events
and traces under option sets A, B and E (tests/recorded_gen_calls.py records them). Each benchmark times
one pass over the recorded calls of one function; ``extra_info`` and the summary give min(pure) / min(typed).
The typed renderers still call the pure message and content walks until those twins are merged, so the
event-level figures here are a lower bound of the final speed-up.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

import pytest

import recorded_gen_calls
import workloads

ROUNDS = 3 if workloads.QUICK else 15
FUNCTIONS = ("event_lines", "event_text", "render_generation", "render_span", "input_lines", "output_lines",
             "state_body", "tool_list_lines", "tool_call_lines", "sig")
RESULTS: dict[str, tuple[float, float]] = {}
_CALLS: list[recorded_gen_calls.Call] = []


def _calls() -> list[recorded_gen_calls.Call]:
    if not _CALLS:
        if not (workloads.CORPUS / "events").is_dir():
            pytest.skip("../shared/corpus is not beside the checkout")
        _CALLS.extend(recorded_gen_calls.record(("A", "B", "E"), goldens=False))
    return _CALLS


def _typed(mod: str) -> Any:
    try:
        return importlib.import_module(f"textrepr.render._{mod}")
    except ImportError:
        pytest.skip(f"textrepr.render._{mod} is not built")


def _loop(f: Callable[..., Any], calls: list[tuple[Any, ...]]) -> Callable[[], None]:
    def go() -> None:
        for args in calls:
            f(*args)
    return go


@pytest.mark.parametrize("which", ["pure", "typed"])
@pytest.mark.parametrize("name", FUNCTIONS)
def test_typed_generation(benchmark: Any, name: str, which: str) -> None:
    mod = next(m for m, fs in recorded_gen_calls.FUNCTIONS.items() if name in fs)
    calls = [args for m, f, args in _calls() if m == mod and f == name]
    if not calls:
        pytest.skip(f"no recorded call of {mod}.{name}")
    f = getattr(recorded_gen_calls.PURE[mod] if which == "pure" else _typed(mod), name)
    benchmark.pedantic(_loop(f, calls), rounds=ROUNDS, iterations=1, warmup_rounds=1)
    best = benchmark.stats.stats.min  # one pass over the recorded calls
    prev = RESULTS.get(name, (0.0, 0.0))
    RESULTS[name] = (best, prev[1]) if which == "pure" else (prev[0], best)
    benchmark.extra_info.update({"calls": len(calls), "which": which})


def test_summary() -> None:  # runs last in this file: prints the pure/typed table (pytest -s)
    rows = [f"typed generation/span/tools/event: min over {ROUNDS} rounds per pass (quick={workloads.QUICK})"]
    for name, (pure, typed) in RESULTS.items():
        if not (pure and typed):
            continue
        rows.append(f"  {name:18s} pure {pure * 1e3:9.2f} ms  typed {typed * 1e3:9.2f} ms  "
                    f"speed-up {pure / typed:5.2f}x")
    print("\n" + "\n".join(rows))
    assert all(p > 0 and t > 0 for p, t in RESULTS.values() if p and t)  # pairs cut by -k are skipped
