"""The TRUNCATED marker of one long text, alone, against ``orjson.loads`` of that text as a JSON string.

    pytest benchmarks/bench_lazy_markers.py -s                          # 20 MB texts
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_lazy_markers.py -s   # 1 MB texts (CI)

What the 20 MB rows of set A pay beyond their parse (issue 16): ``trunc`` of the text (buffer 1000, markers
on) and ``assemble`` of a short event around it, with the default ``max_length`` (2,000,000: sampling drops
the marker, whose size is then never computed) and with none (``0``: the marker is built — base64 of the
UTF-8 middle). One text per string kind: ASCII, Latin-1, UCS2 and UCS4 (a few emoji, like make_big's
documents), each with a few ``<`` runs. Ratios (min / min, CPU time, interleaved rounds) are reported in
``extra_info`` and printed by ``test_summary``, never asserted.
"""
from __future__ import annotations

from typing import Any

import orjson
import pytest

import twins
import workloads

SIZE = (1 if workloads.QUICK else 20) << 20
ROUNDS = 3 if workloads.QUICK else 9
LINE = "    if x < limit and y > 0:  # compare <value> first ; {fill}\n"
FILLS = {"ascii": "plain", "latin1": "café", "ucs2": "€ 20", "ucs4": "👍 ok"}
RESULTS: dict[str, dict[str, float]] = {}


def _text(kind: str) -> str:
    line = LINE.format(fill=FILLS[kind])
    return (line * (SIZE // len(line) + 1))[:SIZE]


@pytest.mark.parametrize("max_length", [2_000_000, 0])
@pytest.mark.parametrize("kind", list(FILLS))
def test_marker_vs_orjson(benchmark: Any, kind: str, max_length: int) -> None:
    core = twins.CORE
    raw = orjson.dumps(_text(kind))
    s = orjson.loads(raw)
    head = ["TITLE", "=" * 80, "", "-" * 80, "", "INPUT:", "", "[1] USER", ""]

    def floor() -> None:
        orjson.loads(raw)

    def marker() -> None:
        core.assemble([*head, *core.trunc(s, True, 1000, True), "", "end"], True, False, max_length, None)

    floor()
    marker()
    t = workloads.Timing()
    benchmark.pedantic(lambda: workloads.Timing.timed(marker, t.impl),
                       setup=lambda: workloads.Timing.timed(floor, t.floor), rounds=ROUNDS, iterations=1)
    summary = t.summary()
    RESULTS[f"{kind}.max_length={max_length}.{twins.ACTIVE}"] = summary
    benchmark.extra_info.update({k: round(v, 6) for k, v in summary.items()})
    benchmark.extra_info.update({"implementation": twins.ACTIVE, "chars": len(s), "timer": workloads.TIMER.__name__})
    assert summary["ratio"] > 0


def test_summary() -> None:  # runs last in this file (pytest -s prints the table)
    rows = [f"trunc + assemble / orjson.loads of the text (min over {ROUNDS} rounds, {SIZE >> 20} MB)"]
    for key in sorted(RESULTS):
        r = RESULTS[key]
        rows.append(f"  {key:36s} {r['ratio']:7.3f}x   marker {r['min'] * 1e3:8.2f} ms   floor {r['floor_min'] * 1e3:7.2f} ms")
    print("\n" + "\n".join(rows))
