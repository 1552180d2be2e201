"""FORMAT.md §4.14 (span), D1 (dispatch), D8 (state strings) — through the renderer and the API."""
from __future__ import annotations

import base64
import re

from textrepr import text_repr
from textrepr.core import MARK
from textrepr.options import Options
from textrepr.render.span import render_span, state_body

SEP = "-" * 80
EQ = "=" * 80
O = Options()
PLAIN = Options(include_markers=False)


def span_text(props: dict, options: dict | None = None) -> str:
    req: dict = {"event_type": "$ai_span", "data": {"id": "s1", "event": "$ai_span", "properties": props}}
    if options is not None:
        req["options"] = options
    return text_repr(req)["text"]


def body(state: object, o: Options = O) -> str:
    return "\n".join(state_body(state, o))


# --------------------------------------------------------------------------------------------
# The spec example and D1


def test_spec_example_with_error_and_states() -> None:
    props = {
        "$ai_span_name": "retrieve docs",
        "$ai_error": {"code": 500},
        "$ai_input_state": "{'query': 'posthog', 'k': 3}",
        "$ai_output_state": {"type": "tool", "name": "search", "status": "success", "content": "3 docs"},
    }
    assert span_text(props) == "\n".join([
        "RETRIEVE DOCS", EQ, SEP, "", "ERROR:", "", "{", '  "code": 500', "}",
        SEP, "", "INPUT STATE:", "", "{", '  "query": "posthog",', '  "k": 3', "}",
        SEP, "", "OUTPUT STATE:", "", "[TOOL RESULT] search (success)", "", "3 docs",
    ])


def test_d1_span_without_event_key() -> None:
    r = text_repr({"event_type": "$ai_span",
                   "data": {"id": "s1", "properties": {"$ai_span_name": "fetch", "$ai_input_state": "q"}}})
    assert r["text"] == "FETCH\n" + EQ + "\n" + SEP + "\n\nINPUT STATE:\n\nq"


def test_d1_event_key_wins_over_event_type() -> None:
    r = text_repr({"event_type": "$ai_generation",
                   "data": {"id": "s1", "event": "$ai_span", "properties": {"$ai_span_name": "x"}}})
    assert r["text"] == "X\n" + EQ
    assert r["metadata"]["event_type"] == "$ai_generation"


# --------------------------------------------------------------------------------------------
# Name and error


def test_names() -> None:
    assert render_span({}, O) == ["SPAN", EQ]
    assert render_span({"$ai_span_name": ""}, O) == ["", EQ]       # empty first line (D12)
    assert render_span({"$ai_span_name": None}, O) == ["NONE", EQ]
    assert render_span({"$ai_span_name": 42}, O) == ["42", EQ]     # D3
    assert render_span({"$ai_span_name": "straße"}, O) == ["STRASSE", EQ]
    assert render_span({"$ai_span_name": {"a": 1}}, O) == ['{"A": 1}', EQ]


def test_errors() -> None:
    head = ["X", EQ, SEP, "", "ERROR:", ""]
    assert render_span({"$ai_span_name": "x", "$ai_error": "boom\nline 2"}, O) == head + ["boom\nline 2"]
    assert render_span({"$ai_span_name": "x", "$ai_error": {"a": [1]}}, O) == head + [
        '{\n  "a": [\n    1\n  ]\n}']
    assert render_span({"$ai_span_name": "x", "$ai_error": [1, "a"]}, O) == head + ['[1, "a"]']
    assert render_span({"$ai_span_name": "x", "$ai_error": True}, O) == head + ["True"]
    assert render_span({"$ai_span_name": "x", "$ai_error": 0, "$ai_is_error": True}, O) == ["X", EQ]
    # Error strings are shown whole, never truncated.
    long = "e" * 3000
    assert render_span({"$ai_span_name": "x", "$ai_error": long}, O)[-1] == long


# --------------------------------------------------------------------------------------------
# State bodies


def test_string_states() -> None:
    assert body("{'a': 3, 'b': 12}") == '{\n  "a": 3,\n  "b": 12\n}'
    assert body('{"a": true}') == '{\n  "a": true\n}'
    assert body("  \n[1, (2, 3)]\t") == "[\n  1,\n  [\n    2,\n    3\n  ]\n]"
    assert body("{'city': 'Zürich'}") == '{\n  "city": "Zürich"\n}'   # D5
    # Not candidates, parse failures and scalars are shown raw.
    for s in ("(1, 2)", "123", "'abc'", "None", "plain", "{not a literal}", "[1, 2"):
        assert body(s) == s
    assert body("[]") == "[]" and body("{}") == "{}"


def test_string_state_json_literals_via_api() -> None:
    t = span_text({"$ai_input_state": "{\"ok\": true, \"n\": null, \"xs\": [1, 2]}"})
    assert "INPUT STATE:\n\n{\n  \"ok\": true,\n  \"n\": null,\n  \"xs\": [\n    1,\n    2\n  ]\n}" in t


def test_parsed_state_is_truncated() -> None:
    o = Options(truncate_buffer=10)
    lines = state_body("{'k': 'abcdefghijklmnop'}", o)
    assert len(lines) == 5 and lines[0] == '{\n  "' and lines[4] == 'op"\n}'
    assert lines[2].startswith(MARK + "TRUNCATED|")
    middle = base64.b64decode(lines[2].split("|")[1]).decode()
    assert lines[0] + middle + lines[4] == '{\n  "k": "abcdefghijklmnop"\n}'


def test_d8_prose_state_is_truncated() -> None:
    prose = "[note] " + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 400
    lines = state_body(prose, O)
    assert len(lines) == 5 and lines[0] == prose[:500] and lines[4] == prose[-500:]
    plain = state_body(prose, PLAIN)
    assert plain == [prose[:500] + f"\n\n... ({len(prose) - 1000} chars truncated) ...\n\n" + prose[-500:]]


def test_d8_big_literal_state_via_api() -> None:
    lit = "[" + ", ".join(f"'item-{i}'" for i in range(100_000)) + "]"
    text = span_text({"$ai_input_state": lit}, {"max_length": 0, "truncated": False})
    assert text.startswith("SPAN\n" + EQ + "\n" + SEP + "\n\nINPUT STATE:\n\n[\n  \"item-0\",\n")
    assert text.endswith('  "item-99999"\n]')


def test_message_array_states() -> None:
    msgs = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]
    assert state_body(msgs, O)[:4] == ["", "[1] USER", "", "hi"]
    t = span_text({"$ai_span_name": "s", "$ai_input_state": msgs})
    assert t.startswith("S\n" + EQ + "\n" + SEP + "\n\nINPUT STATE:\n\n\n[1] USER\n\nhi\n\n" + SEP)
    # Only a first element with role/content makes it a message array.
    assert body([{"x": 1}, {"role": "user"}]) == '[\n  {\n    "x": 1\n  },\n  {\n    "role": "user"\n  }\n]'
    assert body([1, 2]) == "[\n  1,\n  2\n]"
    assert body([{"content": "c"}])[:12] == "\n[1] UNKNOWN"


def test_messages_key_state() -> None:
    st = {"messages": [{"role": "user", "content": "q"}], "other": 1}
    assert state_body(st, O) == ["", "[1] USER", "", "q"]
    assert body({"messages": [], "x": 1}) == '{\n  "messages": [],\n  "x": 1\n}'
    assert body({"messages": "text"}) == '{\n  "messages": "text"\n}'


def test_tool_call_with_context() -> None:
    st = {
        "__type": "tool_call_with_context",
        "state": {"messages": [{"role": "user", "content": "q"}], "remaining_steps": 24},
        "tool_call": {"name": "search", "args": {"q": "x"}, "id": "c1"},
    }
    assert state_body(st, O) == ["", "[1] USER", "", "q", "", "Remaining steps: 24", "",
                                 "Tool Call:", '  search(q="x")']
    assert state_body({"__type": "tool_call_with_context"}, O) == []
    assert state_body({"__type": "tool_call_with_context", "state": {"remaining_steps": 0},
                       "tool_call": {}}, O) == ["", "Remaining steps: 0"]
    assert state_body({"__type": "tool_call_with_context", "state": {"remaining_steps": None},
                       "tool_call": {"args": "{}"}}, O) == ["", "Tool Call:", "  unknown({})"]
    assert state_body({"__type": "tool_call_with_context", "state": "s", "tool_call": "t"}, O) == []
    # An empty body leaves the header's trailing empty line as the end of the text.
    assert span_text({"$ai_input_state": {"__type": "tool_call_with_context"}}).endswith("INPUT STATE:\n")


def test_tool_result_state() -> None:
    assert state_body({"type": "tool", "content": "r"}, O) == ["[TOOL RESULT]", "", "r"]
    assert state_body({"type": "tool", "name": "n", "status": "ok"}, O) == [
        "[TOOL RESULT] n (ok)", "", "[tool output not recorded]"]
    assert state_body({"type": "tool", "content": 0}, O) == ["[TOOL RESULT]", "", "0"]
    assert state_body({"type": "tool", "content": [{"type": "text", "text": "a"}]}, O) == [
        "[TOOL RESULT]", "", "a"]
    assert state_body({"type": "tool", "content": {}}, O) == ["[TOOL RESULT]", "", "[tool output not recorded]"]
    long = state_body({"type": "tool", "content": "z" * 2000}, PLAIN)
    assert long[2].startswith("z" * 500 + "\n\n... (1000 chars truncated)")


def test_scalar_states() -> None:
    assert state_body(0.873, O) == ["0.873"]
    assert state_body(True, O) == ["True"]
    assert state_body(7, O) == ["7"]
    assert span_text({"$ai_input_state": 0, "$ai_output_state": False}) == "SPAN\n" + EQ


def test_other_objects_dump_as_json2() -> None:
    assert body({"a": {"b": "é"}}) == '{\n  "a": {\n    "b": "é"\n  }\n}'
    assert body({"type": "other", "x": None}) == '{\n  "type": "other",\n  "x": null\n}'


def test_output_state_after_input_state() -> None:
    t = span_text({"$ai_span_name": "s", "$ai_input_state": "a", "$ai_output_state": "b"})
    assert t == "\n".join(["S", EQ, SEP, "", "INPUT STATE:", "", "a", SEP, "", "OUTPUT STATE:", "", "b"])


def test_markers_in_state_are_neutralised() -> None:
    t = span_text({"$ai_input_state": "see <<<TRUNCATED|aGk=|2>>>"})
    assert t.endswith("see <<<\u200bTRUNCATED|aGk=|2>>>")
    assert not re.search("<<<TRUNCATED", t)
