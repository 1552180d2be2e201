"""render_segments: lossless, ordered, within budget, global line numbers that resolve against the whole."""
from __future__ import annotations

import json
import re
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies as S
import textrepr
from textrepr import InvalidRequest, refs, segments, tokens
from textrepr.cli import SEGMENT_BREAK, main
from textrepr.core import number_lines

from test_fit import CORPUS_REQUESTS, _agent_trace
from conformance import NO_CORPUS  # tests/conformance.py: the one skip reason

COUNTERS: dict[str, Callable[[str], int]] = {
    "estimate": tokens.estimate, "chars": tokens.counter("chars"), "bytes": tokens.counter("bytes"),
}
FEW = settings(max_examples=max(10, settings().max_examples // 2), deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                      HealthCheck.large_base_example])
_LABEL = re.compile(r"L(\d+): ")


def full_text(req: dict[str, Any]) -> str:
    opts = req.get("options") if type(req.get("options")) is dict else {}
    r = {**req, "options": {**opts, "max_length": 0, "max_tokens": 0, "include_line_numbers": False, "fit": "sample"}}
    return textrepr.text_repr(r)["text"]


def check(req: dict[str, Any], max_length: int | None, max_tokens: int | None,
          counter: Callable[[str], int] | None) -> list[textrepr.Segment]:
    try:
        segs = textrepr.render_segments(req, max_length=max_length, max_tokens=max_tokens, token_counter=counter)
    except ValueError as e:
        assert "budget too small" in str(e)
        return []
    full = full_text(req)
    count = counter or tokens.estimate
    # lossless
    assert segments.join(segs) == full
    numbered = number_lines(full).split("\n")
    width = len(str(len(numbered)))
    n = len(segs)
    expect_next = 1
    for k, s in enumerate(segs, 1):
        assert (s.index, s.count) == (k, n)
        assert s.text == s.header + "\n" + s.body
        assert f"segment {k} of {n}" in s.header.split("\n")[0]
        # within budget
        assert not max_length or len(s.text) <= max_length, (k, len(s.text))
        assert not max_tokens or count(s.text) <= max_tokens, (k, count(s.text))
        # in order, global numbers, padded to the full text's width
        assert s.first_line in (expect_next, expect_next - 1)
        for (num, piece, cont), body_line in zip(s.lines, s.body.split("\n")):
            m = _LABEL.match(body_line)
            assert m is not None and int(m.group(1)) == num and len(m.group(1)) == width
            if not cont:
                assert body_line == numbered[num - 1] or numbered[num - 1].startswith(body_line)
        assert len(s.lines) == s.body.count("\n") + 1 or not s.lines
        expect_next = s.last_line + 1
    assert expect_next == len(numbered) + 1
    return segs


@FEW
@given(req=S.short(S.requests(), "requests").filter(lambda r: S.expected_error(r) is None), data=st.data(),
       counter=st.sampled_from(sorted(COUNTERS)))
def test_segments_properties(req: Any, data: st.DataObject, counter: str) -> None:
    count = COUNTERS[counter]
    full = full_text(req)
    if data.draw(st.booleans(), label="tokens"):
        t = data.draw(st.integers(1, max(2, count(full) // 2 + 60)), label="max_tokens")
        check(req, 0, t, count)
    else:
        m = data.draw(st.integers(1, max(2, len(full) // 2 + 200)), label="max_length")
        check(req, m, 0, None)


@pytest.mark.parametrize("budget", [(300, 0), (1000, 0), (4000, 0), (0, 120), (0, 500), (1500, 400)])
def test_agent_trace_segments(budget: tuple[int, int]) -> None:
    m, t = budget
    req = {**_agent_trace(), "options": {"include_markers": False}}
    segs = check(req, m, t, None)
    assert len(segs) > 1
    # every segment after the first starts inside a node and says which
    assert any(s.path and s.header.split("\n")[1].startswith("in: ") for s in segs[1:])
    # cuts prefer node and message boundaries
    if m >= 4000:  # smaller budgets: most cuts are forced by lines of ~1,000 characters
        starts = [s.lines[0][1] for s in segs[1:] if not s.lines[0][2]]
        good = sum(bool(re.match(r"[│ ]*[├└]─ |[│ ]*\[\d+\] |[│ ]*-{80}$|[│ ]*[A-Z][A-Z ]*:$", x)) for x in starts)
        assert good >= len(starts) // 2, starts


def test_citations_resolve_against_the_whole() -> None:
    req = {**_agent_trace(), "options": {"include_markers": False}}
    segs = textrepr.render_segments(req, max_length=1200)
    whole = number_lines(full_text(req))
    for s in segs[1:4]:
        num, piece, cont = s.lines[len(s.lines) // 2]
        (ref,) = refs.resolve(f"see [L{num}]", whole)
        assert ref.ok and ref.lines[0][1].endswith(piece) or piece in ref.lines[0][1]


def test_a_line_longer_than_the_budget_is_cut_and_marked() -> None:
    req = {"event_type": "$ai_generation", "data": {"id": "e", "properties": {"$ai_input": "w" * 5000}},
           "options": {"include_markers": False, "truncated": False}}
    segs = check(req, 700, 0, None)
    cont = [s for s in segs if s.lines and s.lines[0][2]]
    assert cont and all(segments.CONTINUED in s.body.split("\n")[0] for s in cont)


def test_budget_too_small_is_a_clear_error() -> None:
    req = {**_agent_trace(), "options": {"include_markers": False}}
    with pytest.raises(ValueError, match="budget too small"):
        textrepr.render_segments(req, max_length=20)
    with pytest.raises(InvalidRequest):
        textrepr.render_segments(req, max_length=-1)
    with pytest.raises(InvalidRequest):
        textrepr.render_segments({"event_type": "$ai_log", "data": {}})


def test_no_budget_is_one_segment_and_markers_survive() -> None:
    req = _agent_trace()  # markers on: GEN_EXPANDABLE lines are long single lines
    (seg,) = textrepr.render_segments(req, max_length=0, max_tokens=0)
    assert segments.join([seg]) == full_text(req)
    segs = check(req, 3000, 0, None)
    assert len(segs) > 1


def test_cli_segments(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "t.json"
    p.write_text(json.dumps(_agent_trace()))
    assert main(["segments", str(p), "--no-include-markers", "--max-length", "2000"]) == 0
    out = capsys.readouterr().out
    parts = out[:-1].split("\n" + SEGMENT_BREAK + "\n")
    assert len(parts) > 1 and all(len(x) <= 2000 for x in parts)
    assert main(["segments", str(p), "--no-include-markers", "--max-tokens", "400", "--tokenizer", "bytes", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows and all(len(r["text"].encode()) <= 400 for r in rows) and rows[-1]["index"] == rows[-1]["count"]
    assert main(["segments", str(p), "--max-length", "10"]) == 2


def test_cli_segments_flags_apply_to_every_json(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # A lone-surrogate escape (as JavaScript payloads carry) needs the fallback parser: the flags must still
    # apply (they were dropped when only orjson parsed the file), and the text is the repaired one.
    p = tmp_path / "bare.json"
    p.write_text(json.dumps({"id": "g", "event": "$ai_generation",
                             "properties": {"$ai_input": "ab\ud800" + "word " * 2000}}))
    assert main(["segments", str(p), "--no-include-markers", "--max-length", "1500", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows and all(len(r["text"]) <= 1500 for r in rows)
    text = "".join(r["text"] for r in rows)
    assert "<<<" not in text and "chars truncated" in text and "ab\ufffd" in text
    # A document that is not JSON is the usual invalid request (exit 1), not a crash.
    p.write_bytes(b"{not json")
    assert main(["segments", str(p)]) == 1


@pytest.mark.skipif(not CORPUS_REQUESTS, reason=NO_CORPUS)
@pytest.mark.parametrize("budget", [(1000, 0), (4000, 0), (16000, 0), (0, 500), (0, 2000)])
def test_corpus_segments(budget: tuple[int, int]) -> None:
    m, t = budget
    for name, req in CORPUS_REQUESTS:
        req = {**req, "options": {"include_markers": False}}
        try:
            segs = check(req, m, t, None)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None
        assert segs, name
