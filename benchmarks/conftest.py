"""Benchmark fixtures: make_big workloads in a temporary directory, and the implementations (tests/twins.py).

Everything skips cleanly when ``../shared`` (the corpus and make_big.py) is not beside the checkout.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # twins.py: the implementations and workers

import workloads  # noqa: E402


@pytest.fixture(scope="session")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory holding make_big.py's output (small slices with TEXTREPR_BENCH_QUICK=1)."""
    if not workloads.MAKE_BIG.is_file():
        pytest.skip("../shared/corpus/make_big.py is not beside the checkout")
    return workloads.big_dir(tmp_path_factory.mktemp("big"))


@pytest.fixture(scope="session")
def trace_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory holding make_big.py's trace alone (5,000 nodes; the small slice with TEXTREPR_BENCH_QUICK=1)."""
    if not workloads.MAKE_BIG.is_file():
        pytest.skip("../shared/corpus/make_big.py is not beside the checkout")
    tmp = tmp_path_factory.mktemp("trace")
    workloads.generate(tmp, {"trace-nodes": workloads.SMALL["trace-nodes"] if workloads.QUICK else 5000}, only="trace")
    return tmp
