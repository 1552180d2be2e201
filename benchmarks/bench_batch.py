"""Batch throughput (issue 4 targets), with pytest-benchmark.

    pytest benchmarks/bench_batch.py -s                         # the 20k-event workload (~50 MB)
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_batch.py     # make_big's small slice, for CI

Targets: ``batch --workers 1`` >= 80% of a plain ``text_repr`` loop; ``--workers 2`` >= 1.6x
``--workers 1`` (on 2 cores); peak memory independent of the input's length. The workload is
``events_20k.jsonl`` from ``../shared/corpus/make_big.py``, via the session fixture ``big`` of
benchmarks/conftest.py (``TEXTREPR_BENCH_DIR`` reuses a generated directory); everything skips when
../shared is absent.
The ratios and MB/s land in each benchmark's ``extra_info`` and in a table printed at the end
(``-s`` to see it). Targets are reported, not asserted: a shared machine makes timings noisy.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import orjson
import pytest

import textrepr
from textrepr import batch
from textrepr.errors import InvalidRequest
from workloads import MAKE_BIG, QUICK  # benchmarks/workloads.py (on sys.path via conftest.py)

ROUNDS = 3

pytestmark = pytest.mark.skipif(not MAKE_BIG.is_file(), reason="../shared/corpus/make_big.py is not beside the checkout")

RESULTS: dict[str, float] = {}  # name -> best seconds


@pytest.fixture(scope="module")
def workload(big: Path) -> Path:
    """make_big's events JSONL (conftest.py's ``big``: 20k events, ~50 MB; quick mode: 400 events)."""
    return big / "events_20k.jsonl"


@pytest.fixture(scope="module")
def lines(workload: Path) -> list[bytes]:
    return workload.read_bytes().split(b"\n")[:-1]


def _bench(benchmark: Any, name: str, fn: Callable[[], Any], nbytes: int, out: Path | None = None) -> None:
    def fresh_output() -> None:  # truncating last round's output is not part of the work
        if out is not None and out.exists():
            out.unlink()

    benchmark.pedantic(fn, setup=fresh_output, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    best = benchmark.stats.stats.min
    RESULTS[name] = best
    benchmark.extra_info["MB/s"] = round(nbytes / 1e6 / best, 2)
    benchmark.extra_info["bytes"] = nbytes


def test_loop_text_repr(benchmark: Any, lines: list[bytes], workload: Path) -> None:
    """Baseline: text_repr on each line's bytes in a loop, in this process (no output written)."""

    def loop() -> None:
        for line in lines:
            try:
                textrepr.text_repr(line)
            except InvalidRequest:
                pass

    _bench(benchmark, "loop", loop, workload.stat().st_size)


def test_loop_parsed_mapping(benchmark: Any, lines: list[bytes], workload: Path) -> None:
    """The alternative the batch engine does not take: parse with the library, pass the Mapping
    (text_repr then copies and validates it). Compare with test_loop_text_repr."""

    def loop() -> None:
        for line in lines:
            try:
                textrepr.text_repr(textrepr.parse.load_json(line))
            except InvalidRequest:
                pass

    _bench(benchmark, "loop_mapping", loop, workload.stat().st_size)


def _batch(workers: int, workload: Path, out: Path) -> Callable[[], Any]:
    def go() -> batch.BatchResult:
        return batch.batch_file(str(workload), str(out), workers=workers, progress=False)
    return go


def test_batch_workers_1(benchmark: Any, workload: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    _bench(benchmark, "workers1", _batch(1, workload, out), workload.stat().st_size, out)
    if "loop" in RESULTS:
        benchmark.extra_info["vs loop"] = round(RESULTS["loop"] / RESULTS["workers1"], 3)


def test_batch_workers_2(benchmark: Any, workload: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    _bench(benchmark, "workers2", _batch(2, workload, out), workload.stat().st_size, out)
    if "workers1" in RESULTS:
        benchmark.extra_info["vs workers 1"] = round(RESULTS["workers1"] / RESULTS["workers2"], 3)


def _peak_rss_kb(args: list[str]) -> tuple[int, int]:
    """Peak RSS (KiB) of a `textrepr` run: the main process, and the largest worker."""
    code = (
        "import resource, sys\n"
        "from textrepr.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "sys.stderr.write(f'\\nRSS {me} {kids}\\n')\n"
    )
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, timeout=900, check=True)
    me, kids = p.stderr.decode().rsplit("RSS ", 1)[1].split()
    return int(me), int(kids)


def test_peak_memory_independent_of_length(workload: Path, tmp_path: Path) -> None:
    """Peak RSS on the whole workload vs on its first quarter: about the same (streamed input)."""
    data = workload.read_bytes()
    cut = data.rfind(b"\n", 0, len(data) // 4) + 1
    quarter = tmp_path / "quarter.jsonl"
    quarter.write_bytes(data[:cut])
    out = str(tmp_path / "o.jsonl")
    for workers in ("1", "2"):
        small = _peak_rss_kb(["batch", str(quarter), "-o", out, "-q", "--workers", workers])
        big = _peak_rss_kb(["batch", str(workload), "-o", out, "-q", "--workers", workers])
        RESULTS[f"rss_w{workers}_quarter_kb"] = max(small)
        RESULTS[f"rss_w{workers}_full_kb"] = max(big)
        # Loose bound: a whole-file buffer would add ~len(data); allow noise from one big record.
        assert max(big) - max(small) < max(32 * 1024, len(data) // 1024 // 2), (workers, small, big)


def test_measured_work_is_complete(workload: Path, lines: list[bytes], tmp_path: Path) -> None:
    """What was timed answers every line, in order (a fast wrong engine would be no result)."""
    out = tmp_path / "o.jsonl"
    res = batch.batch_file(str(workload), str(out), workers=2, progress=False)
    got = [orjson.loads(x)["line"] for x in out.read_bytes().split(b"\n")[:-1]]
    assert got == list(range(1, len(lines) + 1)) and res.records == len(lines)


def test_report(workload: Path, lines: list[bytes]) -> None:  # last: the others fill RESULTS
    """Print the issue's numbers (run with -s)."""
    size = workload.stat().st_size
    rows = [f"workload: {workload.name}, {len(lines)} lines, {size / 1e6:.1f} MB, quick={QUICK}"]
    for name in ("loop", "loop_mapping", "workers1", "workers2"):
        if name in RESULTS:
            rows.append(f"  {name:13s} {RESULTS[name]:7.3f} s  {size / 1e6 / RESULTS[name]:6.1f} MB/s")
    if "loop" in RESULTS and "workers1" in RESULTS:
        rows.append(f"  workers 1 / loop      = {RESULTS['loop'] / RESULTS['workers1']:.2f}  (target >= 0.80)")
    if "workers1" in RESULTS and "workers2" in RESULTS:
        rows.append(f"  workers 2 / workers 1 = {RESULTS['workers1'] / RESULTS['workers2']:.2f}  (target >= 1.6)")
    if "loop" in RESULTS and "loop_mapping" in RESULTS:
        rows.append(f"  bytes / Mapping time  = {RESULTS['loop'] / RESULTS['loop_mapping']:.2f}  (< 1: bytes faster)")
    for k in sorted(RESULTS):
        if k.startswith("rss"):
            rows.append(f"  {k} = {RESULTS[k] / 1024:.0f} MiB")
    print("\n" + "\n".join(rows))
