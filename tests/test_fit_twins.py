"""Shrink-to-fit's hot loops: ``textrepr._fit`` (compiled) == ``textrepr._fit_py`` (pure), and the pure twin ==
the definitions it replaces (``_Template._cut``'s note, the per-line regular expressions, the filler pattern)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conformance
import twins
from textrepr import Options, _fit_py, fit
from textrepr.fit import _Template, _Text

try:
    from textrepr import _fit as compiled_fit  # type: ignore[attr-defined]
except ImportError:
    compiled_fit = None

needs_compiled = pytest.mark.skipif(compiled_fit is None and not twins.REQUIRE_COMPILED,
                                    reason="compiled textrepr._fit not built")
GOLDEN = conformance.GOLDEN
OPEN, CLOSE = _fit_py.OPEN, _fit_py.CLOSE
RULE, EQ = "-" * 80, "=" * 80

# Pieces of fixed text: filler lines (blank, tree prefix, rules), near misses, and the characters around them.
_FIXED = st.lists(st.sampled_from(["\n", "│", " ", "│  ", RULE, EQ, "-" * 79, "x", "A:", "├─ ", "\t", "é", "😀"]),
                  max_size=12).map("".join)
_PREFIX = st.lists(st.sampled_from(["│", " ", "x"]), max_size=4).map("".join)


def _outcome(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except ValueError as e:
        return ("ValueError", str(e))


@st.composite
def templates(draw: st.DrawFn) -> tuple[str, int]:
    fixed = draw(st.lists(_FIXED, min_size=1, max_size=6))
    parts = [fixed[0]]
    for i, f in enumerate(fixed[1:]):
        parts.append(f"{OPEN}{i}\n{draw(_PREFIX)}{CLOSE}")
        parts.append(f)
    return "".join(parts), len(fixed) - 1


@st.composite
def damaged_templates(draw: st.DrawFn) -> tuple[str, int]:
    """Well-formed templates, a wrong count, or one character changed (a stray OPEN/CLOSE, a digit, a "\\n")."""
    t, count = draw(templates())
    how = draw(st.sampled_from(["count", "edit", "none"]))
    if how == "count":
        count = draw(st.integers(0, count + 2))
    elif how == "edit" and t:
        i = draw(st.integers(0, len(t) - 1))
        t = t[:i] + draw(st.sampled_from([OPEN, CLOSE, "0", "1", "\n", "x", ""])) + t[i + 1:]
    return t, count


def test_scan_template_compacts_as_the_filler_pattern_on_the_joined_text() -> None:
    t = f"a\n\n│ \n{RULE}\nb{OPEN}0\n│ {CLOSE}\n\n{EQ} x\nc"
    fixed, compact, prefixes, newlines, compact_newlines = _fit_py.scan_template(t, 1)
    assert fixed == ["a\n\n│ \n" + RULE + "\nb", "\n\n" + EQ + " x\nc"] and prefixes == ["│ "]
    assert compact == ["a\nb", "\n" + EQ + " x\nc"]  # a rule followed by more text is not a rule line
    assert (newlines, compact_newlines) == (7, 3)


@given(templates())
@settings(max_examples=150)
def test_scan_template_pure_matches_its_definition(case: tuple[str, int]) -> None:
    t, count = case
    fixed, compact, prefixes, newlines, compact_newlines = _fit_py.scan_template(t, count)
    # The definition: the filler lines of the joined template go (a placeholder holds no filler line).
    joined = re.compile("\n[│ ]*+(?:-{80}|={80})?(?=\n)").sub("", t)
    rebuilt = compact[0] + "".join(f"{OPEN}{i}\n{p}{CLOSE}{f}" for i, (p, f) in enumerate(zip(prefixes, compact[1:])))
    assert rebuilt == joined
    assert newlines == sum(f.count("\n") for f in fixed) and compact_newlines == sum(f.count("\n") for f in compact)


@needs_compiled
@given(damaged_templates())
@settings(max_examples=200)
def test_scan_template_compiled_equals_pure(case: tuple[str, int]) -> None:
    assert compiled_fit is not None
    t, count = case
    assert _outcome(compiled_fit.scan_template, t, count) == _outcome(_fit_py.scan_template, t, count)


def _cut_reference(texts: list[str], prefixes: list[int], cap: int, numbered: bool) -> tuple[int, int, int, int]:
    """``cut_chars`` from ``_Template._cut``, text by text (longest first, stopping at the first not longer)."""
    k = chars = newlines = hidden = 0
    for s, p in zip(texts, prefixes):
        if len(s) <= cap:
            break
        k += 1
        h, note = _Template._cut(_Text(s, "", s.count("\n")), cap)
        if note is None:
            nl = s.count("\n")
            chars += len(s) + nl * p
        else:
            kept = s[:h] + s[len(s) - h:] if h else ""
            nl = note.count("\n") + (kept.count("\n") if p or numbered else 0)
            chars += 2 * h + len(note) + nl * p
            hidden += len(s) - 2 * h
        newlines += nl
    return k, chars, newlines, hidden


_TEXTS = st.lists(st.text(st.sampled_from("ab\n é😀"), max_size=200), max_size=8).map(
    lambda xs: sorted(xs, key=len, reverse=True))


@given(_TEXTS, st.integers(0, 220), st.booleans(), st.data())
@settings(max_examples=150)
def test_cut_chars_twins_match_the_cut(texts: list[str], cap: int, numbered: bool, data: st.DataObject) -> None:
    prefixes = data.draw(st.lists(st.integers(0, 9), min_size=len(texts), max_size=len(texts)))
    expected = _cut_reference(texts, prefixes, cap, numbered)
    assert _fit_py.cut_chars(texts, prefixes, cap, numbered) == expected
    if compiled_fit is not None:
        assert compiled_fit.cut_chars(texts, prefixes, cap, numbered) == expected


# Shapes: the possessive patterns the pure twin uses must match exactly what the backtracking ones did.
_OLD_CORE = (r"[│ ]*[├└]─ |(?:\[\+\] )?\[(?:GEN|SPAN|EMBED|EVAL|EVENT)\] "
             r"|[│├└─ ]*(?:\[\d+\] \S|(?:[A-Z][A-Z0-9 _()'/&.-]*|Tool calls|Tool Call|Remaining steps)(?::| \d+|: \d+)$)")
_OLD_LABEL = r"[│├└─ ]*(?:\[\+\] |(?:[A-Z][A-Z0-9 _&/()'.-]*|Error|Tool result)(?::| \d+$))"
_OLD_SHAPE = re.compile(f"(?P<core>{_OLD_CORE})|(?P<label>{_OLD_LABEL})")
_WORDS = ["GEN", "SPAN", "EMBED", "EVAL", "EVENT", "Tool calls", "Tool Call", "Remaining steps", "Error",
          "Tool result", "[+] ", "├─ ", "└─ ", ": ", " 1", "ERROR:", "INPUT:", "[3] USER"]
LINES = st.lists(st.one_of(st.sampled_from(list("│├└─ []+0123456789:ABEGNOPRSTVZ_()'/&.-a٣\u00a0\t") + _WORDS),
                           st.characters(exclude_characters="\n")), max_size=14).map("".join)


def _old_rank(line: str) -> int:
    m = _OLD_SHAPE.match(line)
    return _fit_py.CONTENT if m is None else _fit_py.CORE if m.lastgroup == "core" else _fit_py.LABEL


@given(st.lists(LINES, max_size=6))
@settings(max_examples=200)
def test_line_ranks_twins_match_the_backtracking_patterns(lines: list[str]) -> None:
    expected = list(map(_old_rank, lines))
    assert _fit_py.line_ranks(lines) == expected
    if compiled_fit is not None:
        assert compiled_fit.line_ranks(lines) == expected
    assert [fit.is_skeleton(x) for x in lines] == [r != _fit_py.CONTENT for r in expected]


@pytest.mark.skipif(not GOLDEN.is_dir(), reason=conformance.NO_CORPUS)
def test_line_ranks_on_every_golden_line() -> None:
    lines = sorted({x for p in GOLDEN.rglob("*") if p.is_file() for x in p.read_text("utf-8", "replace").split("\n")})
    expected = list(map(_old_rank, lines))
    assert _fit_py.line_ranks(lines) == expected
    if compiled_fit is not None:
        assert compiled_fit.line_ranks(lines) == expected


@given(st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 10**9))
def test_note_length_without_formatting(cap: int, hidden: int, total: int) -> None:
    t = _Template([""], [_Text("x" * 3, "", 0)], Options(include_markers=False), fit.budget(Options()), 0)
    t.total_chars = total
    assert t.note_len(cap, hidden) == len(t.note(cap, hidden))


@given(st.lists(st.tuples(_FIXED, st.text(st.sampled_from("ab\n é😀"), max_size=120), _PREFIX), max_size=6),
       _FIXED, st.integers(0, 130))
@settings(max_examples=150)
def test_fill_twins_join_the_pieces(items: list[tuple[str, str, str]], last: str, cap: int) -> None:
    fixed = [f for f, _, _ in items] + [last]
    texts, prefixes = [s for _, s, _ in items], [p for _, _, p in items]
    t = _Template(fixed, [_Text(s, p, s.count("\n")) for s, p in zip(texts, prefixes)], Options(include_markers=False),
                  fit.budget(Options()), 0)
    pieces = [t.piece(x, cap) for x in t.texts]
    expected = ("".join(f + s for f, (s, _) in zip(fixed, pieces)) + last, sum(h for _, h in pieces))
    assert _fit_py.fill(fixed, texts, prefixes, cap) == expected
    if compiled_fit is not None:
        assert compiled_fit.fill(fixed, texts, prefixes, cap) == expected
    for o in (Options(include_markers=False, truncate_buffer=cap), Options(include_markers=False, truncated=False)):
        t.o = o  # the usual view: §4.16's trunc (plain), text by text
        pieces = [t.piece(x, None) for x in t.texts]
        usual = ("".join(f + s for f, (s, _) in zip(fixed, pieces)) + last, sum(h for _, h in pieces))
        buffer = cap if o.truncated else 10**9
        assert _fit_py.fill(fixed, texts, prefixes, buffer, True) == usual
        if compiled_fit is not None:
            assert compiled_fit.fill(fixed, texts, prefixes, buffer, True) == usual
    bad = (fixed[:-1], texts, prefixes, cap)  # one fixed part short
    assert _outcome(_fit_py.fill, *bad) == ("ValueError", "one prefix per text, and one fixed part around each")
    if compiled_fit is not None:
        assert _outcome(compiled_fit.fill, *bad) == _outcome(_fit_py.fill, *bad)


_ANY_ORDER = st.lists(st.text(st.sampled_from("ab\n é😀"), max_size=200), max_size=8)


@given(_ANY_ORDER, st.integers(0, 3000), st.integers(0, 400), st.integers(0, 50), st.booleans(), st.data())
@settings(max_examples=150)
def test_largest_cap_twins_agree_with_probing(texts: list[str], budget: int, fixed_chars: int, fixed_newlines: int,
                                              numbered: bool, data: st.DataObject) -> None:
    prefixes = data.draw(st.lists(_PREFIX, min_size=len(texts), max_size=len(texts)))
    top = data.draw(st.integers(0, 250))
    note = (data.draw(st.integers(0, 120)), data.draw(st.integers(0, 120)))
    args = (texts, prefixes, fixed_chars, fixed_newlines, numbered, note, budget, top)
    # The probe, spelled out: texts longest first (ties in template order), the cut ones by the reference,
    # the rest whole with every "\n" followed by the text's prefix.
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    ordered, plens = [texts[i] for i in order], [len(prefixes[i]) for i in order]

    def fits(cap: int) -> bool:
        k, chars, newlines, hidden = _cut_reference(ordered, plens, cap, numbered)
        rest = ordered[k:]
        lines = fixed_newlines + newlines + sum(s.count("\n") for s in rest) + 1
        chars += fixed_chars + sum(len(s) + s.count("\n") * p for s, p in zip(rest, plens[k:]))
        chars += lines * (len(str(lines)) + 3) if numbered else 0
        g = lambda x: len(f"{x:,}")  # noqa: E731
        chars += note[0] + g(cap) + g(cap // 2) + g(hidden) if cap >= 2 else note[1] + g(hidden)
        return chars + 1 <= budget

    expected = -1
    if fits(0):
        lo, hi = 0, top
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if fits(mid) else (lo, mid - 1)
        expected = lo
    assert _fit_py.largest_cap(*args) == expected
    if compiled_fit is not None:
        assert compiled_fit.largest_cap(*args) == expected


# The sampled fallback: which lines are skeleton (shape, then the error texts' first lines and the tool calls
# under a "Tool calls: n" line), and which lines fit (whole ranks first, then an evenly spaced choice).
_VIEW_LINES = st.lists(st.one_of(LINES, st.sampled_from(
    ["ERROR:", "│  TRACE ERROR:", "├─ [SPAN] x", "", "│  ", "  boom", "Tool calls: 2", "│  Tool calls: 1 ", "- f(x)",
     "│  - g()", "-x", "[2] ASSISTANT", "Error: x", "[+] AVAILABLE TOOLS: 3", "plain text"])), max_size=12)


@given(_VIEW_LINES)
@settings(max_examples=200)
def test_skeleton_ranks_twins(lines: list[str]) -> None:
    expected = _fit_py.skeleton_ranks(lines)
    assert expected[:1] == [_fit_py.CORE] * min(1, len(lines))  # the title
    shapes = _fit_py.line_ranks(lines)
    assert all(r >= s for r, s in zip(expected, shapes))  # only ever raised
    if compiled_fit is not None:
        assert compiled_fit.skeleton_ranks(lines) == expected


def test_skeleton_ranks_raise_error_starts_and_tool_calls() -> None:
    lines = ["title", "│  ERROR:", "│  ", "│    ZeroDivisionError", "more", "Tool calls: 2", "- a()", "│  - b()", "x",
             "- c()"]
    C, L, N = _fit_py.CORE, _fit_py.LABEL, _fit_py.CONTENT
    expected = [C, C, N, C, N, C, C, C, N, N]
    assert _fit_py.skeleton_ranks(lines) == expected
    if compiled_fit is not None:
        assert compiled_fit.skeleton_ranks(lines) == expected
    assert L != C


def _pick_reference(costs: list[int], ranks: list[int], avail: int) -> list[int]:
    """Whole ranks, highest first, then §4.19's sel(k) of the next rank with the largest k found by its
    (non-monotone) binary search over sum(costs of sel(k)) <= avail."""
    chosen: list[int] = []
    for rank in (_fit_py.CORE, _fit_py.LABEL, _fit_py.CONTENT):
        pool = [i for i, r in enumerate(ranks) if r == rank]
        c = [costs[i] for i in pool]
        if sum(c) <= avail:
            chosen += pool
            avail -= sum(c)
            continue
        m = len(pool)
        fits = lambda k: sum(c[i] for i in _fit_py.sel(m, k)) <= avail  # noqa: E731
        lo, hi = 0, m
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if fits(mid) else (lo, mid - 1)
        chosen += [pool[i] for i in _fit_py.sel(m, lo)]
        break
    return sorted(chosen)


@given(st.lists(st.tuples(st.integers(1, 60), st.sampled_from([0, 1, 2])), max_size=40), st.integers(0, 800))
@settings(max_examples=200)
def test_pick_lines_twins(lines: list[tuple[int, int]], avail: int) -> None:
    costs, ranks = [c for c, _ in lines], [r for _, r in lines]
    expected = _pick_reference(costs, ranks, avail)
    assert _fit_py.pick_lines(costs, ranks, avail) == expected
    assert _fit_py.pick_many([costs, [1] * len(costs)], ranks, [avail, len(costs)]) == expected
    if compiled_fit is not None:
        assert compiled_fit.pick_lines(costs, ranks, avail) == expected
    bad = (costs + [1], ranks, avail)
    assert _outcome(_fit_py.pick_lines, *bad) == ("ValueError", "one cost per line")
    if compiled_fit is not None:
        assert _outcome(compiled_fit.pick_lines, *bad) == ("ValueError", "one cost per line")
