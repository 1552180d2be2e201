"""textrepr.markers: parse / expand (FORMAT.md §2.4, §4.17)."""
from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import GOLDEN, NO_CORPUS
from textrepr.markers import Segment, expand, parse

ZW = "\u200b"


def b64(s: str) -> str:
    return base64.b64encode(s.encode("utf-8")).decode("ascii")


def test_parse_kinds_and_fields() -> None:
    text = (
        "ab\n\n<<<TRUNCATED|Y2RlZmdo|6>>>\n\nij\n"
        "<<<TOOLS_EXPANDABLE|AVAILABLE TOOLS: 6|" + b64("AVAILABLE TOOLS: 6\n\n  t0()") + ">>>\n"
        "├─ <<<GEN_EXPANDABLE|g1|[GEN] m (m)|" + b64("hé") + ">>>\n"
        "└─ <<<EVENT_LINK|x1|[EVENT]>>> $custom"
    )
    segs = parse(text)
    assert "".join(s.raw for s in segs) == text
    assert [s.kind for s in segs] == ["text", "truncated", "text", "tools", "text", "gen", "text", "event_link", "text"]
    for s in segs:
        assert text[s.start:s.end] == s.raw
    t = segs[1]
    assert (t.content, t.hidden, t.event_id, t.display) == ("cdefgh", 6, None, None)
    tools = segs[3]
    assert tools.display == "AVAILABLE TOOLS: 6" and tools.content == "AVAILABLE TOOLS: 6\n\n  t0()"
    assert tools.hidden is None and tools.event_id is None
    g = segs[5]
    assert (g.event_id, g.display, g.content) == ("g1", "[GEN] m (m)", "hé")
    e = segs[7]
    assert (e.event_id, e.display, e.content, e.hidden) == ("x1", "[EVENT]", None, None)
    assert segs[0] == Segment("text", "ab\n\n", 0, 4)
    assert segs[0].content is None and segs[0].hidden is None


def test_segment_is_frozen() -> None:
    s = parse("x")[0]
    with pytest.raises(AttributeError):
        s.raw = "y"  # type: ignore[misc]


@pytest.mark.parametrize("payload", ["Y2Rl!", "Y2R", "Y2Rl=", "YQ=", "Y=Rl", "Y2Rl\nY2Rl", "Y2-_"])
def test_invalid_base64_stays_text(payload: str) -> None:
    text = f"a <<<TRUNCATED|{payload}|3>>> b"
    segs = parse(text)
    assert [s.kind for s in segs] == ["text"]
    assert segs[0].raw == text
    assert expand(text) == text


def test_invalid_then_valid_markers() -> None:
    text = "<<<TOOLS_EXPANDABLE|X|@@@@>>><<<EVENT_LINK|i|[EVENT]>>>"
    segs = parse(text)
    assert [s.kind for s in segs] == ["text", "event_link"]
    assert segs[0].raw == "<<<TOOLS_EXPANDABLE|X|@@@@>>>"


def test_padding_forms_and_non_ascii_digits() -> None:
    assert parse("<<<TRUNCATED|YQ==|1>>>")[0].content == "a"
    assert parse("<<<TRUNCATED|YWI=|2>>>")[0].content == "ab"
    # JS \d is ASCII-only: an Arabic-Indic digit count is no marker.
    assert parse("<<<TRUNCATED|YQ==|\u0661>>>")[0].kind == "text"


def test_non_fatal_utf8() -> None:
    payload = base64.b64encode(b"a\xffb\xed\xa0\x80").decode()
    seg = parse(f"<<<TRUNCATED|{payload}|4>>>")[0]
    assert seg.content == "a\ufffdb\ufffd\ufffd\ufffd"


def test_leftmost_first_non_overlapping() -> None:
    inner = "<<<EVENT_LINK|b|[EVENT]>>>"
    text = "<<<EVENT_LINK|a|x" + inner
    segs = parse(text)
    # The first opener matches up to the first ">>>" (its display swallows the second opener).
    assert [s.kind for s in segs] == ["event_link"]
    assert segs[0].display == "x<<<EVENT_LINK|b|[EVENT]"


def test_neutralised_openers_are_text_and_restored() -> None:
    text = f"see <<<{ZW}TRUNCATED|aGk=|2>>> and <<<{ZW}{ZW}EVENT_LINK|a|b>>> and <<<{ZW}other"
    segs = parse(text)
    assert [s.kind for s in segs] == ["text"]
    assert expand(text) == f"see <<<TRUNCATED|aGk=|2>>> and <<<{ZW}EVENT_LINK|a|b>>> and <<<{ZW}other"


def test_expand_truncated_framing() -> None:
    # Framed by "\n\n" on both sides: the four newlines go.
    assert expand("ab\n\n<<<TRUNCATED|Y2RlZmdo|6>>>\n\nij") == "abcdefghij"
    # Not framed: only the marker is replaced.
    assert expand("ab <<<TRUNCATED|Y2RlZmdo|6>>>\n\nij") == "ab cdefgh\n\nij"
    assert expand("ab\n\n<<<TRUNCATED|Y2RlZmdo|6>>>\nij") == "ab\n\ncdefgh\nij"
    # Buffer 0: empty head and tail.
    assert expand("\n\n<<<TRUNCATED|YWJjZGVmZ2hpag==|10>>>\n\n") == "abcdefghij"


def test_expand_tools_and_event_link() -> None:
    block = "AVAILABLE TOOLS: 6\n\n  t0(q: string)\n    Tool 0."
    text = "x\n\n<<<TOOLS_EXPANDABLE|AVAILABLE TOOLS: 6|" + b64(block) + ">>>"
    assert expand(text) == "x\n\n" + block
    assert expand("└─ <<<EVENT_LINK|x1|[EVENT]>>> $custom") == "└─ [EVENT] $custom"


def test_expand_gen_prefixes() -> None:
    content = "AGENT\n" + "=" * 80
    m = "<<<GEN_EXPANDABLE|s1|[SPAN] agent (2.50s)|" + b64(content) + ">>>"
    assert expand("├─ " + m) == "├─ [+] [SPAN] agent (2.50s)\n│      AGENT\n│      " + "=" * 80
    assert expand("│  └─ " + m) == "│  └─ [+] [SPAN] agent (2.50s)\n│         AGENT\n│         " + "=" * 80
    assert expand(m) == "[+] [SPAN] agent (2.50s)\n    AGENT\n    " + "=" * 80
    # Second line of a text: the prefix starts after the previous "\n".
    assert expand("H\n└─ " + m).startswith("H\n└─ [+] [SPAN] agent (2.50s)\n       AGENT")


def test_expand_recursive() -> None:
    inner = "hi\n\n<<<TRUNCATED|" + b64("dden <<<" + ZW + "TRUNCATED|x|1>>> ") + "|17>>>\n\nthere"
    text = "└─ <<<GEN_EXPANDABLE|g|[GEN] g|" + b64(inner) + ">>>"
    assert expand(text) == "└─ [+] [GEN] g\n       hidden <<<TRUNCATED|x|1>>> there"


def test_expand_plain_is_identity() -> None:
    for t in ["", "a\nb", "<<<", "<<<TRUNCATED", "x <<<GEN_EXPANDABLE||a|b>>>", "\u200b<<<"]:
        assert expand(t) == t


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("<|>\n\u200bTRUNCATED_GEXPAOLSVKYWQ=0123 ")))
def test_parse_covers_text(text: str) -> None:
    segs = parse(text)
    assert "".join(s.raw for s in segs) == text
    pos = 0
    for s in segs:
        assert s.start == pos and s.end == pos + len(s.raw) and s.raw
        pos = s.end
    # Text segments are maximal.
    assert all(not (a.kind == b.kind == "text") for a, b in zip(segs, segs[1:]))
    expand(text)  # total


def test_expand_deep_payload_nesting() -> None:
    t = "core"
    for _ in range(30):
        t = "\n\n<<<TRUNCATED|" + b64(t) + f"|{len(t)}>>>\n\n"
    assert expand(t) == "core"


# --- §2.4 identity through the API -----------------------------------------------------------------

SEP = "-" * 80


def _identity(request: dict, **extra: object) -> tuple[str, str]:
    import textrepr

    o = {**request.get("options", {}), **extra, "max_length": 0, "include_markers": True,
         "include_line_numbers": False}
    o2 = {**o, "include_markers": False, "truncated": False, "tools_collapse_threshold": 2**31 - 1}
    marked = textrepr.text_repr({**request, "options": o})["text"]
    plain = textrepr.text_repr({**request, "options": o2})["text"]
    return expand(marked), plain


HAND_MADE = [
    {"event_type": "$ai_generation", "data": {"id": "g", "properties": {
        "$ai_input": [{"role": "user", "content": "q" * 40 + "<<<TRUNCATED|aGk=|2>>>" + "r" * 40},
                      {"role": "assistant", "content": [{"type": "text", "text": "a" * 50},
                                                        {"type": "tool_use", "name": "f", "input": {"x": 1}}]}],
        "$ai_output": "o" * 45,
        "$ai_tools": [{"name": f"t{i}", "description": f"<<<EVENT_LINK|x|y>>> tool {i}. More."}
                      for i in range(3)]}}},
    {"event_type": "$ai_span", "data": {"id": "s", "properties": {
        "$ai_span_name": "s", "$ai_input_state": "{'a': '" + "z" * 60 + "'}",
        "$ai_output_state": {"type": "tool", "name": "n", "content": "w" * 70}}}},
    {"event_type": "$ai_trace", "data": {"trace": {"id": "t", "properties": {"$ai_input_state": "i" * 50}},
                                         "hierarchy": []}},
    {"event_type": "$ai_trace", "data": {"trace": {"id": "t"}, "hierarchy": [
        {"event": {"id": "g1", "event": "$ai_generation", "properties": {
            "$ai_input": "<<<\u200bGEN_EXPANDABLE|" + "p" * 60, "$ai_output": "x\n\ny" * 20,
            "$ai_tools": [{"name": f"t{i}"} for i in range(3)]}},
         "children": [{"event": {"id": "s1", "event": "$ai_span", "properties": {"$ai_input_state": "k" * 99}},
                       "children": [{"event": {"id": "e1", "event": "$ai_evaluation",
                                               "properties": {"$ai_evaluation_name": "n"}}}, "odd"]},
                      {"event": {"id": "x", "event": "$ai_embedding", "properties": {"$ai_input": "e" * 30}}}]},
        {"event": {"id": "c", "event": "$custom"}}]}},
]


@pytest.mark.parametrize("request_", HAND_MADE, ids=["generation", "span", "trace-states", "trace-tree"])
@pytest.mark.parametrize("extra", [{}, {"truncate_buffer": 10}, {"truncate_buffer": 0},
                                   {"tools_collapse_threshold": 1}, {"include_hierarchy": False},
                                   {"max_depth": 1}], ids=["default", "b10", "b0", "tools1", "flat", "depth1"])
def test_identity_hand_made(request_: dict, extra: dict) -> None:
    got, want = _identity(request_, **extra)
    assert got == want


def test_identity_exercises_markers() -> None:
    import textrepr

    req = HAND_MADE[3]
    text = textrepr.text_repr({**req, "options": {"truncate_buffer": 10, "tools_collapse_threshold": 1}})["text"]
    kinds = {s.kind for s in parse(text)}
    assert kinds == {"text", "gen", "event_link"}
    payload_kinds = {s.kind for seg in parse(text) if seg.kind == "gen" for s in parse(seg.content or "")}
    assert {"truncated", "tools"} <= payload_kinds


def _corpus_requests() -> list[tuple[str, dict]]:
    import json

    root = GOLDEN
    out = []
    for kind in ("events", "traces"):
        for p in sorted((root / kind).glob("*.A.json")):
            g = json.loads(p.read_text("utf-8"))
            if g["status"] == 200:
                out.append((p.name, g["request"]))
    return out


@pytest.mark.parametrize("extra", [{}, {"truncate_buffer": 11}, {"tools_collapse_threshold": 0}],
                         ids=["default", "b11", "tools0"])
def test_identity_corpus(extra: dict) -> None:
    cases = _corpus_requests()
    if not cases:
        pytest.skip(NO_CORPUS)
    checked = 0
    for name, req in cases:
        got, want = _identity(req, **extra)
        if "|>>>" in got or "||" in got:
            continue  # §2.4 condition (b): empty id or empty content, matched by no pattern
        assert got == want, name
        checked += 1
    assert checked > 50


def test_huge_hidden_count() -> None:
    digits = "7" * 9000
    seg = parse(f"<<<TRUNCATED|YQ==|{digits}>>>")[0]
    assert seg.kind == "truncated" and seg.hidden is not None and seg.hidden % 10**5 == 77777
    assert seg.hidden.bit_length() > 29000
