"""Lazy TRUNCATED markers sized without reading the middle, and the one-pass payload length (issue 16).

``trunc`` registers a huge middle with a lower bound of its marker's length (one UTF-8 byte per character,
no look-alike); ``assemble`` makes the size exact unless ``max_length`` is below the bound. These tests pin
that the output is the eager path's for every ``max_length`` around the bound and the exact length, and
(compiled == pure, hypothesis) that the payload length — UTF-8 length and look-alike count fused into one
vectorised pass over 4096-character blocks — agrees with the pure twin across block edges, surrogates
(errors included) and every string kind.
"""
from __future__ import annotations

import base64
import re
import sys
from types import ModuleType
from typing import Any, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import twins
from test_core import eager  # trunc with every marker built eagerly

ZW = "\u200b"
HEAD = ["TITLE", "", "INPUT:", ""]


@pytest.fixture(scope="session")
def core(implementation: str) -> ModuleType:
    return twins.CORE


def _lazy(core: ModuleType, n: int) -> Any:
    """Context: middles of n+ characters are lazy in ``core``; the registry is emptied afterwards."""
    class Ctx:
        def __enter__(self) -> ModuleType:
            self.old = core._set_lazy_min(n)
            return core

        def __exit__(self, *exc: object) -> None:
            core._set_lazy_min(self.old)
            core.assemble([], True, False, 0, None)

    return Ctx()


@pytest.fixture
def lazy_small(core: ModuleType) -> Iterator[ModuleType]:
    with _lazy(core, 5) as c:
        yield c


# A middle whose marker is longer than the bound: 2-, 3- and 4-byte characters and look-alikes.
WIDE = "a" * 6 + ("é€😀 <<<TRUNCATED|x|1>>> <<<\u200bEVENT_LINK|e|d>>> " * 12) + "z" * 6


def _bound(hidden: int) -> int:
    return 13 + 4 * ((hidden + 2) // 3) + 1 + len(str(hidden)) + 3


def test_registered_size_is_the_bound_and_the_middle_unread(lazy_small: ModuleType) -> None:
    core = lazy_small
    lines = core.trunc(WIDE, True, 10, True)
    hidden = len(WIDE) - 10
    (entry,) = core._local.reg.values()
    assert entry[1:] == (5, hidden, _bound(hidden))
    exact = len(core.finalise("\n".join(eager(core, WIDE, 10)), True).split("\n")[2])
    assert _bound(hidden) < exact  # the case that needs the exact size
    assert lines[2] in core._local.reg


@pytest.mark.parametrize("numbers", [False, True])
@pytest.mark.parametrize("where", ["head", "body", "last"])
def test_lazy_equals_eager_for_every_max_length_near_the_sizes(lazy_small: ModuleType, numbers: bool,
                                                               where: str) -> None:
    """``max_length`` just below, at and above the bound, the exact marker length and the whole text."""
    core = lazy_small
    hidden = len(WIDE) - 10
    exact = len(core.finalise("\n".join(eager(core, WIDE, 10)), True).split("\n")[2])
    body = ["x" * 7] * 8

    def elements(lines: list[str]) -> list[str]:
        if where == "head":
            return [*lines, *body]
        if where == "body":
            return [*HEAD, *body[:4], *lines, *body[4:]]
        return [*HEAD, *body, *lines]

    full = len(core.assemble(elements(eager(core, WIDE, 10)), True, numbers, 0, None)[0])
    ms = {0, 1, 2, 40}
    for x in (_bound(hidden), exact, full):
        ms |= {x - 2, x - 1, x, x + 1, x + 2}
    for m in sorted(ms):
        want = core.assemble(elements(eager(core, WIDE, 10)), True, numbers, m, None)
        got = core.assemble(elements(core.trunc(WIDE, True, 10, True)), True, numbers, m, None)
        assert got == want, (m, numbers, where)


def test_surrogate_middle_raises_only_when_built(lazy_small: ModuleType) -> None:
    """A middle with a surrogate (never in repaired event text) is no longer refused by ``trunc``: building
    its marker raises what the eager path raises; a sampled view that drops it renders."""
    core = lazy_small
    s = "abcde" + "é<<<TRUNCATED|y" * 3 + "\ud800 tail" + "vwxyz"
    with pytest.raises(UnicodeEncodeError) as ref:
        eager(core, s, 10)
    lines = core.trunc(s, True, 10, True)
    with pytest.raises(UnicodeEncodeError) as e:
        core.assemble([*HEAD, *lines], True, False, 0, None)
    assert str(e.value) == str(ref.value)
    lines = core.trunc(s, True, 10, True)
    with pytest.raises(UnicodeEncodeError) as e:
        core.finalise("\n".join(lines), True)
    assert str(e.value) == str(ref.value)
    core.assemble([], True, False, 0, None)
    lines = core.trunc(s, True, 10, True)
    out, cut = core.assemble([*HEAD, "x" * 30, *lines, *["y"] * 20], True, False, 60, None)
    assert cut and "TRUNCATED" not in out


@pytest.mark.parametrize("n", [4094, 4095, 4096, 4097, 8190, 8191, 8192])
@pytest.mark.parametrize("fill", ["a", "ÿ", "日", "😀"])
def test_lookalike_across_block_edges(core: ModuleType, n: int, fill: str) -> None:
    """A look-alike (or a plain "<<<") starting just before a 4096-character block edge of the payload."""
    for tail in ["<<<TRUNCATED|q", "<<<" + ZW + ZW + "EVENT_LINK|", "<<<x", "<<", "<<<"]:
        middle = fill * n + tail + fill * 9
        s = "HEAD_" + middle + "_TAIL"
        for buffer in (10, 11):
            lines = core.trunc(s, True, buffer, True)
            payload = re.fullmatch("<<<\ud800TRUNCATED\\|([A-Za-z0-9+/=]*)\\|([0-9]+)>>>", lines[2])
            assert payload is not None
            m = s[buffer // 2:len(s) - buffer // 2]
            assert base64.b64decode(payload.group(1)).decode() == core.neutralise(m)


# ------------------------------------------------------------------------------------ compiled == pure

_PIECES = ["a", "é", "ÿ", "€", "😀", "<", "<<<", "TRUNCATED|", "GEN_EXPANDABLE|", "EVENT_LINK|", ZW, "\n", "|",
           "\ud800", "\udfff"]


def _long_texts() -> st.SearchStrategy[str]:
    """Texts of up to ~13k characters: long runs of one character (any kind) with pieces placed near
    4096-character block edges."""
    run = st.tuples(st.sampled_from(["a", "é", "日", "😀"]), st.integers(0, 4200)).map(lambda t: t[0] * t[1])
    return st.lists(st.one_of(run, st.sampled_from(_PIECES)), max_size=12).map("".join)


@given(_long_texts(), st.integers(0, 40))
def test_trunc_eager_twins(s: str, buffer: int) -> None:
    twins.require_compiled_run()
    got = twins.outcome(lambda: eager(twins.compiled, s, buffer))
    want = twins.outcome(lambda: eager(twins.pure, s, buffer))
    assert got == want


@given(st.lists(_long_texts(), min_size=1, max_size=3), st.integers(0, 30), st.booleans(),
       st.sampled_from([0, 1, 50, 500, 4000, 6000, 9000, 20000]) | st.integers(0, 30000))
def test_lazy_assemble_twins(texts: list[str], buffer: int, numbers: bool, m: int) -> None:
    """Lazy markers over long texts, sized exactly or by their bound, give the same text (or error) in both
    twins, and the same as the eager path."""
    twins.require_compiled_run()
    results = []
    for impl in (twins.compiled, twins.pure):
        for lazy_min in (3, sys.maxsize):
            def run() -> tuple[str, bool]:
                elements = list(HEAD)
                for t in texts:
                    elements += [*impl.trunc(t, True, buffer, True), ""]  # eager: may raise here
                return impl.assemble(elements, True, numbers, m, None)

            with _lazy(impl, lazy_min):
                results.append(twins.outcome(run))
    assert results[0] == results[2]  # lazy: compiled == pure
    assert results[1] == results[3]  # eager: compiled == pure
    if results[1][0] == "ok":
        assert results[0] == results[1]  # lazy == eager whenever the eager path renders


def test_placeholders_same_for_equal_texts_distinct_otherwise(lazy_small: ModuleType) -> None:
    """A placeholder depends on the text and the cut only: two renders of equal texts give equal lines (the
    typed and pure renderers are compared that way); texts of the same length get their own markers."""
    core = lazy_small
    a = "".join(["abc", "é" * 40, "xyz"])
    a2 = "".join(["ab", "c", "é" * 40, "xyz"])  # equal, another object
    b = "abc" + "ü" * 40 + "xyz"  # same length, other text
    assert a == a2 and a is not a2
    la, la2, lb = (core.trunc(x, True, 6, True) for x in (a, a2, b))
    assert la == la2 and la[2] != lb[2]
    assert len(core._local.reg) == 2
    out, _ = core.assemble([*HEAD, *la, "", *la2, "", *lb], True, False, 0, None)
    want, _ = core.assemble([*HEAD, *eager(core, a, 6), "", *eager(core, a2, 6), "", *eager(core, b, 6)], True,
                            False, 0, None)
    assert out == want
