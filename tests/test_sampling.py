"""max_length sampling (FORMAT.md §4.19, D10)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textrepr.core import number_lines, sample

SEP = "-" * 80
NOTE_RE = re.compile(r"^\[SAMPLED VIEW: Showing ~\d+% of [\d,]+ lines\. Gaps in line numbers indicate omitted content\.\]$")


def six_messages_text() -> str:
    lines = [SEP, "", "INPUT:"]
    for i in range(1, 7):
        lines += ["", f"[{i}] USER", "", f"message number {i}"]
        if i < 6:
            lines += ["", SEP]
    return number_lines("\n".join(lines))


def naive_sample(text: str, m: int, node_lines: list[int] | None) -> tuple[str, bool]:
    """Literal transcription of §4.19, rebuilding texts freely (test oracle)."""
    if m == 0 or len(text) <= m:
        return text, False
    L = text.split("\n")
    T = len(L)
    H, B = L[:5], L[5:]
    n = len(B)
    c = [len(x) + 1 for x in B]

    def note(k: int) -> str:
        return (f"[SAMPLED VIEW: Showing ~{format(100 * k / n, '.0f')}% of {T:,} lines. "
                "Gaps in line numbers indicate omitted content.]")

    avail = -1
    if n > 0:
        avail = m - len("\n".join(H[:2] + [note(n)] + H[2:]))
    if n == 0 or avail < 0:
        if len(L[0]) > m:
            return L[0][:m], True
        best = 1
        for k in range(1, T + 1):
            if len("\n".join(L[:k])) <= m:
                best = k
        return "\n".join(L[:best]), True

    def sel(k: int) -> list[int]:
        if k == 0:
            return []
        if k == 1:
            return [n - 1]
        return [(i * (n - 1)) // (k - 1) for i in range(k)]  # exact floor(i*(n-1)/(k-1))

    def search(av: int) -> list[int]:
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if sum(c[j] for j in sel(mid)) <= av:
                lo = mid
            else:
                hi = mid - 1
        return sel(lo)

    S = search(avail)
    if node_lines is not None:
        body_nodes = [j - 5 for j in node_lines if j >= 5]
        if body_nodes and not set(S) & set(body_nodes):
            fitting = [j for j in body_nodes if c[j] <= avail]
            if fitting:
                js = max(fitting)
                S = sorted(set(search(avail - c[js])) | {js})
    if not S and avail >= 2:
        kept = [B[n - 1][:avail - 1]]
    else:
        kept = [B[j] for j in S]
    return "\n".join(H[:2] + [note(len(kept))] + H[2:] + kept), True


def test_spec_example_exact() -> None:
    text = six_messages_text()
    assert len(text.split("\n")) == 37 and len(text) == 851
    out, truncated = sample(text, 400, None)
    assert truncated
    expected_nums = [6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34]
    expected = "\n".join(
        [f"L01: {SEP}", "L02: ",
         "[SAMPLED VIEW: Showing ~50% of 37 lines. Gaps in line numbers indicate omitted content.]",
         "L03: INPUT:", "L04: ", "L05: [1] USER"]
        + [f"L{k:02d}: " for k in expected_nums] + ["L37: message number 6"]
    )
    assert out == expected
    assert len(out) == 324


def test_unchanged_when_short_or_unbounded() -> None:
    text = six_messages_text()
    assert sample(text, 0, None) == (text, False)
    assert sample(text, len(text), None) == (text, False)
    assert sample("", 5, None) == ("", False)


def test_prefix_mode_few_lines() -> None:
    # n == 0 (five lines or fewer): whole leading lines that fit, no note.
    assert sample("aaa\nbbb\nccc", 8, None) == ("aaa\nbbb", True)
    assert sample("aaa\nbbb\nccc", 7, None) == ("aaa\nbbb", True)
    assert sample("aaa\nbbb\nccc", 6, None) == ("aaa", True)
    # Even the first line is too long: it is cut.
    assert sample("abcdefgh\nb", 3, None) == ("abc", True)
    assert sample("x" * 50, 1, None) == ("x", True)


def test_prefix_mode_header_does_not_fit() -> None:
    # n > 0 but avail < 0: the header with the note does not fit.
    text = "\n".join(["h1", "h2", "h3", "h4", "h5", "b1", "b2"])
    out, truncated = sample(text, 12, None)
    assert truncated and out == "h1\nh2\nh3\nh4"
    assert "SAMPLED" not in out


def test_step7_cuts_last_line() -> None:
    lines = ["a", "b", "c", "d", "e", "x" * 500]
    text = "\n".join(lines)
    out, truncated = sample(text, 150, None)
    assert truncated
    base = "\n".join(["a", "b", "[SAMPLED VIEW: Showing ~100% of 6 lines. Gaps in line numbers indicate omitted content.]", "c", "d", "e"])
    avail = 150 - len(base)
    assert out == base + "\n" + "x" * (avail - 1)
    assert len(out) == 150


def test_step7_not_below_two() -> None:
    lines = ["a", "b", "c", "d", "e", "x" * 500]
    text = "\n".join(lines)
    note0 = "[SAMPLED VIEW: Showing ~0% of 6 lines. Gaps in line numbers indicate omitted content.]"
    note1 = note0.replace("~0%", "~100%")
    m = len("a\nb\n" + note1 + "\nc\nd\ne") + 1  # avail == 1
    out, _ = sample(text, m, None)
    assert out == "a\nb\n" + note0 + "\nc\nd\ne"


def test_trace_node_guarantee() -> None:
    # Body: a node line early, then long content lines; the last line is short and alone fits.
    header = ["TRACE", "=" * 80, "", "-" * 80, ""]
    body = ["TRACE HIERARCHY:", "", "└─ [+] [GEN] m (m)"] + ["       " + "x" * 300] * 20 + ["       end"]
    text = "\n".join(header + body)
    node_idx = [5 + 2]
    plain, _ = sample(text, 600, None)
    assert "[GEN]" not in plain
    out, truncated = sample(text, 600, node_idx)
    assert truncated and len(out) <= 600
    assert "└─ [+] [GEN] m (m)" in out.split("\n")
    assert out.split("\n")[-1] == "       end"
    assert out == naive_sample(text, 600, node_idx)[0]


def test_node_guarantee_ignores_header_nodes_and_uses_last_fitting() -> None:
    header = ["a", "b", "c", "d", "NODE0"]
    body = ["p", "n1", "y" * 400, "n2", "y" * 400, "z" * 900, "last"]
    text = "\n".join(header + body)
    note = "[SAMPLED VIEW: Showing ~100% of 12 lines. Gaps in line numbers indicate omitted content.]"
    m = len("a\nb\n" + note + "\nc\nd\nNODE0") + 9  # avail 9: plain selection is ["p", "last"]
    assert sample(text, m, None)[0].split("\n")[6:] == ["p", "last"]
    out, _ = sample(text, m, [4, 6, 8])
    assert out.split("\n")[6:] == ["n2", "last"]
    assert out.split("\n")[2] == note.replace("100%", "29%")


strategies_line = st.text(alphabet=st.sampled_from("ab─│ \u00e9x"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(strategies_line, min_size=1, max_size=60), st.integers(min_value=0, max_value=1500),
       st.none() | st.lists(st.integers(min_value=0, max_value=70), max_size=8, unique=True))
def test_properties(lines: list[str], m: int, nodes: list[int] | None) -> None:
    text = "\n".join(lines)
    if nodes is not None:
        nodes = sorted(j for j in nodes if j < len(lines))
    out, truncated = sample(text, m, nodes)
    # Determinism and agreement with the literal transcription of the spec.
    assert (out, truncated) == sample(text, m, nodes)
    assert (out, truncated) == naive_sample(text, m, nodes)
    if m == 0 or len(text) <= m:
        assert (out, truncated) == (text, False)
        return
    assert truncated and len(out) <= m
    got = out.split("\n")
    notes = [i for i, x in enumerate(got) if NOTE_RE.match(x)]
    if notes:
        assert notes[0] == 2
        del got[2]
    # In-order subsequence; only the first (prefix mode) or last (step 7) line may be cut.
    pos = 0
    for idx, g in enumerate(got):
        while pos < len(lines) and lines[pos] != g:
            if g and lines[pos].startswith(g) and (idx == 0 or idx == len(got) - 1) and \
                    (idx == 0 and pos == 0 or pos == len(lines) - 1):
                break
            pos += 1
        assert pos < len(lines), (got, lines)
        pos += 1


def test_large_linear() -> None:
    text = "\n".join(f"line {i} " + "x" * (i % 50) for i in range(200_000))
    out, truncated = sample(text, 100_000, None)
    assert truncated and len(out) <= 100_000
    assert out.split("\n")[-1] == text.split("\n")[-1]


@pytest.mark.parametrize("m", [1, 2, 5, 50, 130, 131, 132, 200])
def test_small_bounds(m: int) -> None:
    text = six_messages_text()
    out, truncated = sample(text, m, None)
    assert truncated and len(out) <= m
    assert (out, truncated) == naive_sample(text, m, None)
