"""The compiled line table of §4.18/§4.19 assembly (``_core._lines_build``: line lengths found 16 bytes at a
time) against the pure twin: long elements of each str kind with newlines at every offset of a block, line
counts past the table's first capacity (elements + 16) and lines longer than a block, numbered and sampled.
"""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import twins

# Runs of one character of each kind; a run length of 0-40 puts newlines at every offset of 8/16-unit blocks.
_CHARS = ["a", "é", "│", "\U0001f600"]
_RUNS = st.lists(st.tuples(st.sampled_from(_CHARS), st.integers(0, 40), st.integers(0, 3)), max_size=40)


def _element(runs: list[tuple[str, int, int]]) -> str:
    return "".join(c * k + "\n" * nl for c, k, nl in runs)


def _same(*args: Any) -> None:
    twins.require_compiled_run()
    got = twins.outcome(twins.compiled.assemble, *args)
    want = twins.outcome(twins.pure.assemble, *args)
    assert got == want, f"assemble{args!r:.300}"


@settings(max_examples=400)
@given(elements=st.lists(_RUNS.map(_element), min_size=1, max_size=6), m=st.integers(0, 3000),
       numbers=st.booleans(), nodes=st.none() | st.lists(st.integers(0, 200), max_size=6))
def test_line_table_matches_pure(elements: list[str], m: int, numbers: bool, nodes: list[int] | None) -> None:
    _same(elements, False, numbers, m, nodes)


def test_line_table_grows() -> None:
    """Far more lines than elements + 16 (the table's first capacity), in UCS1 and UCS2 elements, sampled."""
    for pad in ("", "│"):
        elements = ["head", pad + "\n".join("x" * (i % 37) for i in range(5000)), "\n" * 300 + pad, "tail"]
        for m in (0, 100, 4000, 10**6):
            _same(elements, False, True, m, [0, 2, 4000])
            _same(elements, False, False, m, None)
