"""textrepr.refs: line references of a summary resolved against a line-numbered text."""
from __future__ import annotations


import pytest

from textrepr.refs import number_text, resolve


def numbered(n: int) -> str:
    """A §4.18 numbered text of ``n`` lines ``line <k>`` (padding width = digits of ``n``)."""
    w = len(str(n))
    return "\n".join(f"L{k:0{w}d}: line {k}" for k in range(1, n + 1))


TEXT = numbered(120)  # L001: ... L120:

# FORMAT.md §4.19 example: a sampled numbered text keeps original numbers, gaps and the note.
SAMPLED = """\
L01: --------------------------------------------------------------------------------
L02: 
[SAMPLED VIEW: Showing ~50% of 37 lines. Gaps in line numbers indicate omitted content.]
L03: INPUT:
L04: 
L05: [1] USER
L06: 
L08: 
L10: 
L34: 
L37: message number 6"""


def test_single_reference_bracketed_and_bare():
    refs = resolve("The user asks for help [L45] and the model answers L046.", TEXT)
    assert [(r.raw, r.group, r.first, r.last, r.status) for r in refs] == [
        ("L45", "[L45]", 45, 45, "ok"),
        ("L046", "L046", 46, 46, "ok"),
    ]
    assert refs[0].lines == ((45, "line 45"),)
    assert refs[1].lines == ((46, "line 46"),)


def test_range_and_offsets():
    summary = "Tool loop [L45-52] retried."
    (r,) = resolve(summary, TEXT)
    assert (r.first, r.last, r.status, r.missing) == (45, 52, "ok", 0)
    assert [n for n, _ in r.lines] == list(range(45, 53))
    assert summary[r.start:r.end] == "L45-52"
    assert summary[r.group_start:r.group_start + len(r.group)] == "[L45-52]"


def test_comma_groups_as_the_ui_writes_them():
    refs = resolve("see [L13-19, L100-102] and L1, L3-4 and [L7, 9]", TEXT)
    assert [(r.raw, r.first, r.last) for r in refs] == [
        ("L13-19", 13, 19), ("L100-102", 100, 102), ("L1", 1, 1), ("L3-4", 3, 4), ("L7", 7, 7), ("9", 9, 9),
    ]
    assert refs[0].group == refs[1].group == "[L13-19, L100-102]"
    assert refs[2].group == "L1, L3-4"
    assert all(r.ok for r in refs)


def test_range_spellings():
    refs = resolve("[L10-L12] [L10\u201312] [L10 - 12]", TEXT)
    assert [(r.first, r.last) for r in refs] == [(10, 12)] * 3


def test_zero_padding_compares_numerically():
    text = numbered(1200)  # L0001: ...
    refs = resolve("L3 L003 L0003 [L1200]", text)
    assert [r.lines for r in refs] == [((3, "line 3"),)] * 3 + [((1200, "line 1200"),)]


def test_not_inside_words():
    assert resolve("HTML5 uses XL10 sizes, L45x is not a ref, nor L; but (L7) is", TEXT)[0].raw == "L7"
    assert len(resolve("HTML5 uses XL10 sizes, L45x is not a ref, nor L; but (L7) is", TEXT)) == 1


def test_out_of_range_reported():
    refs = resolve("[L121] [L0] [L118-125]", TEXT)
    assert [r.status for r in refs] == ["out_of_range"] * 3
    assert refs[0].lines == () and refs[0].missing == 1
    assert "L121" in (refs[0].message or "") and "1-120" in (refs[0].message or "")
    # a range crossing the end still shows the lines that exist
    assert [n for n, _ in refs[2].lines] == [118, 119, 120] and refs[2].missing == 5
    assert not refs[2].ok


def test_reversed_range_is_invalid():
    (r,) = resolve("[L52-45]", TEXT)
    assert r.status == "invalid" and r.lines == () and "reversed" in (r.message or "")


def test_sampled_text_gaps_are_omitted_not_out_of_range():
    refs = resolve("[L37] [L7] [L30] [L38] [L5-8]", SAMPLED)
    assert [r.status for r in refs] == ["ok", "omitted", "omitted", "out_of_range", "omitted"]
    assert refs[0].lines == ((37, "message number 6"),)
    assert refs[4].lines == ((5, "[1] USER"), (6, ""), (8, "")) and refs[4].missing == 1
    assert number_text(SAMPLED).total == 37  # from the note, not from the last kept number


def test_empty_numbered_line_keeps_empty_text():
    (r,) = resolve("[L2]", SAMPLED)
    assert r.lines == ((2, ""),)
    # an editor may strip the trailing space of "L02: "
    (r,) = resolve("[L2]", SAMPLED.replace("L02: \n", "L02:\n"))
    assert r.lines == ((2, ""),) and r.ok


def test_unnumbered_text_uses_physical_lines():
    (r,) = resolve("[L2-3]", "alpha\nbeta\ngamma")
    assert r.lines == ((2, "beta"), (3, "gamma")) and r.ok
    (r,) = resolve("[L4]", "alpha\nbeta\ngamma")
    assert r.status == "out_of_range"


def test_line_content_keeps_inner_prefix_lookalikes():
    (r,) = resolve("[L2]", "L1: a\nL2: L9: not a number prefix")
    assert r.lines == ((2, "L9: not a number prefix"),)


def test_structured_summary_json():
    summary = '{"summary_bullets": [{"text": "Main action", "line_refs": "L10"}, {"text": "x", "line_refs": ""}]}'
    (r,) = resolve(summary, TEXT)
    assert r.raw == "L10" and r.lines == ((10, "line 10"),)


def test_no_references():
    assert resolve("nothing cited here", TEXT) == []
    assert resolve("", "") == []


def test_empty_text():
    (r,) = resolve("[L1]", "")  # one empty line, as §4.18 numbers it ("L1: ")
    assert r.status == "ok" and r.lines == ((1, ""),)
    (r,) = resolve("[L2]", "")
    assert r.status == "out_of_range"


def test_huge_range_costs_only_the_text():
    (r,) = resolve("[L1-999999999999]", TEXT)
    assert len(r.lines) == 120 and r.status == "out_of_range" and r.missing == 999999999999 - 120


@pytest.mark.parametrize("summary", ["[L5]", "L5", "[L5-5]"])
def test_to_dict_round_trip_fields(summary):
    (r,) = resolve(summary, TEXT)
    d = r.to_dict()
    assert d["status"] == "ok" and d["lines"] == [{"line": 5, "text": "line 5"}]
    assert d["first"] == d["last"] == 5 and d["message"] is None
