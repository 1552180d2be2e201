"""Cost of ``redact: true`` on top of an unredacted rendering, as a ratio to the orjson.loads floor (issue 14).

    pytest benchmarks/bench_redact.py -s                          # ratios printed by test_summary
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_redact.py      # CI: fewer rounds

Workloads: the corpus events and traces (option set A, markers on), and ``clean``: generation events whose
texts hold nothing to redact and no trigger of any rule (the prefilter's fast path). Each round times, in
turn, ``orjson.loads`` of the request bytes (the floor), ``text_repr`` without redaction and ``text_repr``
with ``redact: true``; the reported figure is ``(min redacted - min plain) / min floor``. Targets (issue 14):
<= 1.0 on the corpus (compiled), <= 0.1 on ``clean``. Reported, never asserted: shared machines are noisy.
"""
from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

import textrepr
import twins
import workloads

ROUNDS = 3 if workloads.QUICK else 9
RESULTS: dict[str, dict[str, float]] = {}

_CLEAN_WORDS = ("the quick brown fox jumps over the lazy dog while a calm river runs under old stone "
                "bridges and children play in green fields near the quiet village ").split()


def _clean_requests(n: int = 200) -> list[dict[str, Any]]:
    """Generation events of clean prose: no digit, '@', '://', ':' or trigger word anywhere."""
    out = []
    for i in range(n):
        words = [_CLEAN_WORDS[(i * 7 + j * 3) % len(_CLEAN_WORDS)] for j in range(40 + (i % 5) * 200)]
        text = " ".join(words)
        out.append({"event_type": "$ai_generation", "data": {"id": "gen-" + "abcdefghij"[i % 10], "properties": {
            "$ai_model": "model", "$ai_input": [{"role": "user", "content": text},
                                                {"role": "assistant", "content": text[::-1]}],
            "$ai_output_choices": [{"role": "assistant", "content": text.upper()}]}}})
    return out


def _units(name: str) -> list[dict[str, Any]]:
    if name == "clean":
        return _clean_requests(40 if workloads.QUICK else 200)
    return workloads.corpus_requests(name.split("_")[1])


def _encode(req: dict[str, Any], redact: bool) -> bytes:
    opts = {"redact": True} if redact else {}
    return json.dumps({**req, "options": opts}).encode()  # stdlib json keeps lone surrogates as escapes


@pytest.mark.parametrize("impl", [twins.ACTIVE])  # TEXTREPR_NO_EXTENSIONS=1 for the pure twin
@pytest.mark.parametrize("name", ["corpus_events", "corpus_traces", "clean"])
def test_redact_cost(benchmark: Any, name: str, impl: str) -> None:
    if name.startswith("corpus_") and not (workloads.CORPUS / name.split("_")[1]).is_dir():
        pytest.skip("../shared corpus missing")
    reqs = _units(name)
    plain_units = [_encode(r, False) for r in reqs]
    red_units = [_encode(r, True) for r in reqs]
    floor = workloads.run_units(orjson.loads, [workloads.repaired(u) for u in plain_units])
    plain = workloads.run_units(textrepr.text_repr, plain_units)
    red = workloads.run_units(textrepr.text_repr, red_units)
    for f in (floor, plain, red):
        f()  # warm-up (imports, compiled patterns, caches)
    t_floor: list[float] = []
    t_plain: list[float] = []
    t_red: list[float] = []

    def setup() -> None:
        workloads.Timing.timed(floor, t_floor)
        workloads.Timing.timed(plain, t_plain)

    benchmark.pedantic(lambda: workloads.Timing.timed(red, t_red), setup=setup, rounds=ROUNDS, iterations=1)
    s = {"floor": min(t_floor), "plain": min(t_plain), "redacted": min(t_red),
         "extra_over_floor": (min(t_red) - min(t_plain)) / min(t_floor),
         "plain_over_floor": min(t_plain) / min(t_floor)}
    RESULTS[f"{name}.{impl}"] = s
    benchmark.extra_info.update({k: round(v, 6) for k, v in s.items()})
    benchmark.extra_info.update({"implementation": impl, "timer": workloads.TIMER.__name__})
    assert s["floor"] > 0


def test_summary() -> None:  # runs last in this file: prints the table (pytest -s)
    rows = [f"redact: true cost over the orjson.loads floor (min over {ROUNDS} rounds, {workloads.TIMER.__name__})"]
    for key in sorted(RESULTS):
        s = RESULTS[key]
        rows.append(f"  {key:28s} extra/floor {s['extra_over_floor']:7.2f}x   plain/floor {s['plain_over_floor']:6.2f}x"
                    f"   floor {1000 * s['floor']:8.2f} ms")
    print("\n" + "\n".join(rows))
