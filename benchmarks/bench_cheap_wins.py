"""Issue 16's cheap wins, each against the code it replaced, in the same run (pytest-benchmark).

    pytest benchmarks/bench_cheap_wins.py -s                          # the before/after table at the end
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_cheap_wins.py      # CI smoke run

The "before" functions are the reference oracles of tests/test_cheap_wins.py (the previous logic, kept
verbatim). Each benchmark times one pass over its inputs: the data URLs and tool-call arguments found in
the corpus (when ``../shared`` is there) plus fixed synthetic ones, and the option values of sets A/B/E.
``extra_info`` and the summary give min(before) / min(after).
"""
from __future__ import annotations

import base64
from typing import Any, Callable

import pytest

import workloads
from test_cheap_wins import old_coerce_int, old_detail, old_loads_str
from textrepr import options, parse
from textrepr.render import media

ROUNDS = 3 if workloads.QUICK else 15
RESULTS: dict[str, tuple[float, float]] = {}


def _walk(v: Any, into: dict[str, list[str]]) -> None:
    if type(v) is dict:
        for k, x in v.items():
            if k in ("arguments", "args", "input") and type(x) is str:
                into["args"].append(x)
            _walk(x, into)
    elif type(v) is list:
        for x in v:
            _walk(x, into)
    elif type(v) is str and v[:5].lower() == "data:":
        into["urls"].append(v)


def _inputs() -> dict[str, list[Any]]:
    found: dict[str, list[str]] = {"args": [], "urls": []}
    for kind in ("events", "traces"):
        if (workloads.CORPUS / kind).is_dir():
            for r in workloads.corpus_requests(kind):
                _walk(r, found)
    png = base64.b64encode(bytes(range(256)) * (64 if workloads.QUICK else 4096)).decode()
    urls = found["urls"] + [
        "data:image/png;base64," + png,  # a clean payload with its padding
        "data:image/jpeg;base64," + "\n".join(png[i:i + 76] for i in range(0, len(png), 76)),  # MIME-wrapped
        "data:image/png;base64," + png[:4000],
    ]
    args = found["args"] + [
        '{"city": "Paris", "units": "metric"}', '{"query": "weather in Par',  # a cut-off stream
        "{'city': 'Paris'}", "[1, 2, 3", "search the web for cats", "42 apples", "null",
    ]
    ints = [v for o in workloads.OPTION_SETS.values() for k, v in o.items() if k in options._INT_FIELDS]
    ints += [4000, 1000, 0, 3, "12", 8192]
    json_args = [s for s in args if old_loads_str(s, True)[0]]
    return {"detail": urls, "args_json": json_args, "args_not_json": [s for s in args if s not in json_args],
            "coerce_int": ints}


INPUTS = _inputs()
PAIRS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "detail": (old_detail, media._detail),
    "args_json": (lambda s: old_loads_str(s, True), lambda s: parse._loads_str(s, True)),
    "args_not_json": (lambda s: old_loads_str(s, True), lambda s: parse._loads_str(s, True)),
    "coerce_int": (old_coerce_int, options._coerce_int),
}


def _loop(fn: Callable[[Any], Any], xs: list[Any]) -> Callable[[], None]:
    def go() -> None:
        for x in xs:
            fn(x)
    return go


@pytest.mark.parametrize("which", ["before", "after"])
@pytest.mark.parametrize("name", list(PAIRS))
def test_cheap_win(benchmark: Any, name: str, which: str) -> None:
    old, new = PAIRS[name]
    xs = INPUTS[name]
    assert [repr(old(x)) for x in xs] == [repr(new(x)) for x in xs]  # same answers on the benchmark inputs
    fn = _loop(old if which == "before" else new, xs)
    iterations = 1 if name == "detail" else 200
    benchmark.pedantic(fn, rounds=ROUNDS, iterations=iterations, warmup_rounds=1)
    best = benchmark.stats.stats.min  # per iteration: one pass over the inputs
    prev = RESULTS.get(name, (0.0, 0.0))
    RESULTS[name] = (best, prev[1]) if which == "before" else (prev[0], best)
    benchmark.extra_info.update({"inputs": len(xs), "which": which})


def test_summary() -> None:  # runs last in this file: prints the before/after table (pytest -s)
    rows = [f"cheap wins: min over {ROUNDS} rounds per pass over the inputs (quick={workloads.QUICK})"]
    for name, (before, after) in RESULTS.items():
        if not (before and after):
            continue
        rows.append(f"  {name:14s} {len(INPUTS[name]):4d} inputs  before {before * 1e6:10.1f} us  "
                    f"after {after * 1e6:10.1f} us  speed-up {before / after if after else 0:6.1f}x")
    print("\n" + "\n".join(rows))
    assert all(a > 0 and b > 0 for b, a in RESULTS.values() if a and b)  # pairs cut by -k are skipped

