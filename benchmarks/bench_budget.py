"""Budgets (issue 13): shrink-to-fit against an unbounded rendering, the token estimator's speed, and its
accuracy against real BPE counts.

    pytest benchmarks/bench_budget.py -s                          # full workloads; prints the tables
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_budget.py      # small slices (CI)

- ``test_shrink_vs_unbounded``: ``text_repr`` with ``fit: "shrink"`` and a budget of half or a quarter of
  the full text (so every request is shrunk; at a quarter some fall back to sampling) against the same
  request unbounded (``max_length: 0``), plain mode; both also as a ratio to ``orjson.loads`` of the same
  bytes. Target: shrink <= 2x unbounded.
- ``test_estimator_speed``: ``tokens.estimate`` on ASCII text (the corpus's seed code and docs), MB/s,
  per implementation. Target: >= 200 MB/s compiled.
- ``test_accuracy_table``: the estimator against tiktoken's o200k_base and cl100k_base per script class, and
  the gap between the two encodings (needs tiktoken and ../shared/tokenizers; skipped otherwise).
Timings are reported, never asserted.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import orjson
import pytest

import textrepr
import workloads
from textrepr import _tokens_py, parse, tokens

ROUNDS = 2 if workloads.QUICK else 5
RESULTS: dict[str, str] = {}

try:
    from textrepr import _tokens as _compiled_tokens  # type: ignore[attr-defined]
except ImportError:
    _compiled_tokens = None


def _requests(name: str, big: Path | None) -> list[bytes]:
    """Request documents (JSON bytes) of a workload, plain mode."""
    if name.startswith("corpus_"):
        docs = workloads.corpus_requests(name.split("_")[1])
    else:
        assert big is not None
        doc = parse.load_json((big / workloads.BIG_FILES[name]).read_bytes())
        docs = [doc if "event_type" in doc else {"event_type": "$ai_trace", "data": doc}]
    docs = [parse.from_python(d) for d in docs]  # lone surrogates repaired, as text_repr sees them
    out = []
    for d in docs:
        raw = orjson.dumps({**d, "options": {**(d.get("options") or {}), "include_markers": False}})
        try:
            textrepr.text_repr(raw)
        except textrepr.InvalidRequest:
            continue  # the corpus's deliberately invalid requests
        out.append(raw)
    return out


def _with(raw: bytes, **opts: Any) -> bytes:
    d = orjson.loads(raw)
    return orjson.dumps({**d, "options": {**d["options"], **opts}})


@pytest.mark.parametrize("share", [0.5, 0.25])
@pytest.mark.parametrize("name", ["corpus_traces", "corpus_events", "trace_5000", "message_20mb"])
def test_shrink_vs_unbounded(benchmark: Any, name: str, share: float, request: pytest.FixtureRequest) -> None:
    if name.startswith("corpus_"):
        if not (workloads.CORPUS / name.split("_")[1]).is_dir():
            pytest.skip("../shared corpus missing")
        big = None
    else:
        big = request.getfixturevalue("big")
    raws = _requests(name, big)
    unbounded = [_with(r, max_length=0) for r in raws]
    lengths = [len(textrepr.text_repr(u)["text"]) for u in unbounded]
    shrunk = [_with(r, max_length=max(1, int(n * share)), fit="shrink") for r, n in zip(raws, lengths)]

    def run(units: list[bytes]) -> Callable[[], None]:
        return lambda: [textrepr.text_repr(u) for u in units] and None

    floor = lambda: [orjson.loads(u) for u in unbounded] and None  # noqa: E731
    run(unbounded)()
    t_floor = workloads.min_time(floor, ROUNDS)
    t_plain = workloads.min_time(run(unbounded), ROUNDS)
    t_shrink = benchmark.pedantic(lambda: workloads.min_time(run(shrunk), 1), rounds=ROUNDS, iterations=1)
    t_shrink = min(t_shrink, workloads.min_time(run(shrunk), ROUNDS))
    ratio = t_shrink / t_plain
    benchmark.extra_info.update({"shrink_over_unbounded": round(ratio, 3), "unbounded_over_orjson": round(t_plain / t_floor, 3),
                                 "shrink_over_orjson": round(t_shrink / t_floor, 3), "implementation": textrepr.implementation()})
    heads = ["\n".join(textrepr.text_repr(u)["text"].split("\n", 3)[:3]) for u in shrunk]
    sampled = sum("[SHRUNK VIEW: " in h and " lines shown." in h for h in heads)
    RESULTS[f"shrink {name} budget {share:.0%}"] = (f"{len(shrunk)} requests ({sampled} fell back to sampling): shrink / unbounded = {ratio:.2f}x (unbounded {t_plain / t_floor:.2f}x, shrink "
                                 f"{t_shrink / t_floor:.2f}x orjson.loads; {textrepr.implementation()})")
    assert ratio > 0


def _ascii_text() -> str:
    seed = workloads.CORPUS / "seed"
    parts = [p.read_text(encoding="utf-8") for sub in ("code", "docs") for p in sorted((seed / sub).glob("*"))]
    if not parts:
        parts = [Path(tokens.__file__).read_text(encoding="utf-8")]  # the module's own source, without ../shared
    text = "".join(c for c in "\n".join(parts) if c < "\x80")
    size = 1_000_000 if workloads.QUICK else 20_000_000
    return (text * (size // len(text) + 1))[:size]


@pytest.mark.parametrize("impl", ["compiled", "pure"])
def test_estimator_speed(benchmark: Any, impl: str) -> None:
    if impl == "compiled" and _compiled_tokens is None:
        pytest.skip("textrepr._tokens is not built")
    fn = (_compiled_tokens if impl == "compiled" else _tokens_py).estimate_with
    w = tokens.PROFILES["any"]
    text = _ascii_text() if impl == "compiled" else _ascii_text()[:1_000_000]
    fn(text[:1000], w)
    t = benchmark.pedantic(lambda: workloads.min_time(lambda: fn(text, w), 1), rounds=ROUNDS, iterations=1)
    t = min(t, workloads.min_time(lambda: fn(text, w), ROUNDS))
    mbps = len(text) / t / 1e6
    benchmark.extra_info.update({"MB_per_s": round(mbps, 1)})
    RESULTS[f"estimate {impl}"] = f"{mbps:.0f} MB/s of ASCII text ({len(text) / 1e6:.0f} MB)"
    assert mbps > 0


def test_accuracy_table() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import accuracy
    import bpe

    try:
        encs = bpe.encodings()
    except bpe.Unavailable as e:
        pytest.skip(str(e))
    if not accuracy.CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    table = accuracy.measure(encs)
    rows = ["| profile | class | samples | o200k_base: under >5% | mean over | cl100k_base: under >5% | mean over |",
            "|---|---|---|---|---|---|---|"]
    for profile in tokens.PROFILES:
        for cls in (*accuracy.CLASSES, "rendered"):
            o, c = table[(profile, cls, "o200k_base")], table[(profile, cls, "cl100k_base")]
            rows.append(f"| {profile} | {cls} | {o.samples} | {100 * o.under_share:.1f}% | {100 * o.mean_over:+.1f}% "
                        f"| {100 * c.under_share:.1f}% | {100 * c.mean_over:+.1f}% |")
    # How far apart the encodings are: the wall no single count can pass on CJK and mixed texts.
    rows += ["", "| class | samples | cl100k ÷ o200k: mean | p2 | median | p98 | best count safe for both: mean over o200k |",
             "|---|---|---|---|---|---|---|"]
    for cls, texts in accuracy.samples().items():
        g = accuracy.encoding_gap(texts, encs["o200k_base"], encs["cl100k_base"])
        rows.append(f"| {cls} | {g.samples} | {g.mean:.2f} | {g.p2:.2f} | {g.p50:.2f} | {g.p98:.2f} "
                    f"| {100 * g.floor_over_o200k:+.1f}% |")
    RESULTS["accuracy"] = "\n".join(rows)
    assert len(rows) > 2


def test_summary() -> None:  # runs last in this file: prints the figures (pytest -s)
    print("\n" + "\n".join(f"{k}: {v}" if k != "accuracy" else v for k, v in sorted(RESULTS.items())))
