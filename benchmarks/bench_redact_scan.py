"""Speed of the redaction prefilter's block scan (issue 14), as chars/ns and as a ratio to the orjson.loads floor.

    pytest benchmarks/bench_redact_scan.py -s                          # figures printed by test_summary
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_redact_scan.py      # CI: smaller inputs, fewer rounds

``prefilter`` (compiled) on: ``big``, one clean prose string of 1.4 MB (``big_ucs2``: the same with a curly
apostrophe every 97 characters, so UCS2: narrowed to bytes by the scan); ``clean``, the 600 texts of
bench_redact's clean generation events; ``corpus``, every string of 8 characters or more in the corpus
events (and ``corpus_triggers``: ``triggers`` on the same strings, which scans each whole and hands every
position the byte classes keep to the exact check). Each at block-scan level 2 (AVX-512 VBMI + GFNI) and 1
(AVX2). The floor is ``orjson.loads`` of each string's JSON; rounds interleave floor and scan. Reported,
never asserted: shared machines are noisy.
"""
from __future__ import annotations

from typing import Any, Callable

import orjson
import pytest
from bench_redact import _clean_requests

import twins
import workloads

ROUNDS = 3 if workloads.QUICK else 15
RESULTS: dict[str, dict[str, float]] = {}
FLAGS = 3  # PRE_SECRETS | PRE_PII: the default rule sets


def _clean_texts(n: int) -> list[str]:
    out = []
    for r in _clean_requests(n):
        props = r["data"]["properties"]
        out += [m["content"] for m in props["$ai_input"] + props["$ai_output_choices"]]
    return out


def _corpus_strings() -> list[str]:
    out: list[str] = []
    stack: list[Any] = workloads.corpus_requests("events")
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            if len(x) >= 8:
                out.append(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return out


def _strings(name: str) -> list[str]:
    if name in ("big", "big_ucs2"):
        text = " ".join(_clean_texts(200))
        size = 200_000 if workloads.QUICK else 1_400_000
        big = (text * (size // len(text) + 1))[:size]
        if name == "big_ucs2":
            big = "".join(big[i:i + 96] + "\u2019" for i in range(0, size, 96))[:size]
        return [big]
    if name == "clean":
        return _clean_texts(40 if workloads.QUICK else 200)
    strings = _corpus_strings()
    return strings[::10] if workloads.QUICK else strings


def _no_lone_surrogates(s: str) -> str:
    """``s`` with each lone surrogate as U+FFFD (orjson rejects them; the floor's JSON has one there)."""
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _each(fn: Callable[[str], Any], strings: list[str]) -> Callable[[], None]:
    def go() -> None:
        for s in strings:
            fn(s)
    return go


@pytest.fixture(scope="module")
def scan() -> Any:
    if twins.ACTIVE != "compiled":
        pytest.skip("the block scan is the compiled twin's (this run tests the pure one)")
    return twins.SCANS["compiled"]


@pytest.mark.parametrize("level", [2, 1])
@pytest.mark.parametrize("name", ["big", "big_ucs2", "clean", "corpus", "corpus_triggers"])
def test_prefilter_scan(benchmark: Any, scan: Any, name: str, level: int) -> None:
    if name.startswith("corpus") and not (workloads.CORPUS / "events").is_dir():
        pytest.skip("../shared corpus missing")
    width = scan._set_simd(level)
    try:
        if width != {2: 64, 1: 32}[level]:
            pytest.skip(f"this CPU has no block scan of level {level}")
        strings = _strings(name.removesuffix("_triggers"))
        chars = sum(map(len, strings))
        floor = _each(orjson.loads, [orjson.dumps(_no_lone_surrogates(s)) for s in strings])
        if name.endswith("_triggers"):
            run = _each(lambda s: scan.triggers(s, FLAGS, ()), strings)
        else:
            run = _each(lambda s: scan.prefilter(s, FLAGS), strings)
        floor()
        run()
        t_floor: list[float] = []
        t_run: list[float] = []
        benchmark.pedantic(lambda: workloads.Timing.timed(run, t_run),
                           setup=lambda: workloads.Timing.timed(floor, t_floor), rounds=ROUNDS, iterations=1)
    finally:
        scan._set_simd(2)
    s = {"chars": chars, "scan": min(t_run), "floor": min(t_floor), "chars_per_ns": chars / min(t_run) / 1e9,
         "over_floor": min(t_run) / min(t_floor)}
    RESULTS[f"{name}@{level}"] = s
    benchmark.extra_info.update({k: round(v, 6) for k, v in s.items()})
    benchmark.extra_info.update({"timer": workloads.TIMER.__name__})
    assert s["scan"] > 0 and s["floor"] > 0


def test_summary() -> None:  # runs last in this file: prints the table (pytest -s)
    rows = [f"prefilter block scan (min over {ROUNDS} rounds, {workloads.TIMER.__name__})"]
    for key in sorted(RESULTS):
        s = RESULTS[key]
        rows.append(f"  {key:22s} {s['chars_per_ns']:7.2f} chars/ns   scan/floor {s['over_floor']:6.3f}x"
                    f"   {int(s['chars']):>9d} chars")
    print("\n" + "\n".join(rows))
