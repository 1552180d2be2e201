"""FORMAT.md §5.1 (D13–D18, D20) and textrepr's own D21–D23: what today's SDKs send, rendered as text.

Exact text forms, as docs/format.md documents them.
"""
from __future__ import annotations

import pytest

from textrepr import render_event, render_trace, text_repr
from textrepr.options import Options
from textrepr.render.content import content_text
from textrepr.render.error_body import error_body_lines
from textrepr.render.messages import choices_lines, message_lines
from textrepr.render.span import render_span, state_body
from textrepr.render.tools import tool_list_lines

SEP = "-" * 80
EQ = "=" * 80
O = Options()
BIG = Options(tools_collapse_threshold=100)


def gen(props: dict, **opts: object) -> str:
    return render_event({"event": "$ai_generation", "properties": props}, opts or None).text


# ---------------------------------------------------------------------------------------------- D13


def test_d13_reasoning_item_inside_content() -> None:
    c = [{"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "**Finding** it"}]},
         {"type": "output_text", "text": "The order shipped."}]
    assert content_text(c) == "[REASONING]\n\n**Finding** it\n\nThe order shipped."


def test_d13_encrypted_reasoning_shows_no_blob() -> None:
    blob = "gAAAA" + "x" * 3000
    c = [{"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": blob},
         {"type": "output_text", "text": "Answer first."}]
    t = content_text(c)
    assert t == "[reasoning summary not recorded]\n\nAnswer first."
    # The answer's start survives middle truncation.
    text = gen({"$ai_output_choices": [{"role": "assistant", "content": c}]}, truncate_buffer=40)
    assert "Answer first." in text and "gAAAA" not in text


def test_d13_call_items_inside_content() -> None:
    c = [{"type": "web_search_call", "id": "ws_1", "status": "completed",
          "action": {"type": "search", "query": "q"}},
         {"type": "function_call", "name": "execute_sql", "arguments": "{\"query\": \"select 1\"}", "call_id": "c"},
         {"type": "function_call_output", "call_id": "c", "output": "1 row"},
         {"type": "custom_tool_call_output", "call_id": "d", "output": ""},
         "tail"]
    assert content_text(c) == (
        'web_search_call() (completed)\n{\n  "action": {\n    "type": "search",\n    "query": "q"\n  }\n}'
        '\n\nexecute_sql(query="select 1")'
        "\n\n[FUNCTION_CALL_OUTPUT]\n\n1 row"
        "\n\n[tool output not recorded]"
        "\n\ntail")


def test_d13_on_the_special_path_and_vercel_reasoning() -> None:
    c = [{"type": "reasoning", "text": "why"}, {"type": "text", "text": "ok"},
         {"type": "tool_use", "name": "f", "input": {"a": 1}}]
    assert content_text(c) == "[REASONING]\n\nwhy\n\nok\n\nf(a=1)"
    # An empty Vercel reasoning part: a note, or Anthropic's redacted thinking when it says so.
    assert content_text([{"type": "reasoning", "text": ""}]) == "[reasoning summary not recorded]"
    red = {"type": "reasoning", "text": "", "providerOptions": {"anthropic": {"redactedData": "abc"}}}
    assert content_text([red, {"type": "text", "text": "hi"}]) == "[redacted thinking]\n\nhi"


def test_d13_image_generation_call_in_content() -> None:
    c = [{"type": "image_generation_call", "result": "iVBORw0KGgo" + "A" * 200, "status": "completed"}]
    t = content_text(c)
    assert t.startswith("image_generation_call() (completed)\n{\n  \"result\": \"[image: ")
    assert "AAAA" not in t


# ---------------------------------------------------------------------------------------------- D14


def test_d14_snake_case_declarations_and_builtin_kinds() -> None:
    tools = [{"function_declarations": [{"name": "get_weather", "description": "Weather. More.",
                                         "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}},
                                                        "required": ["city"]}}],
              "google_search": None, "code_execution": None},
             {"google_search": {}, "url_context": {}, "retrieval": None},
             {"googleSearch": {}}]
    assert tool_list_lines(tools, BIG) == ["", "AVAILABLE TOOLS: 4",
                                           "\n  get_weather(city: STRING)\n    Weather."
                                           "\n\n  google_search()\n\n  url_context()\n\n  googleSearch()"]


def test_d14_leaves_other_shapes_alone() -> None:
    # camelCase declarations: version 1's unwrap only; an unknown-keyed entry stays a JSON fragment.
    tools = [{"functionDeclarations": [{"name": "g"}], "googleSearch": {}}, {"foo": {}}]
    assert tool_list_lines(tools, BIG)[2] == "\n  g()\n\n  UNKNOWN()\n    {\"foo\": {}}."
    # All built-in members null: nothing to show.
    assert tool_list_lines([{"google_search": None}], BIG)[1] == "AVAILABLE TOOLS: 1"
    assert tool_list_lines([{"function_declarations": [], "google_search": None}], BIG) == []


# ---------------------------------------------------------------------------------------------- D15


def test_d15_embedding_inputs() -> None:
    r = render_event({"event": "$ai_embedding", "properties": {"$ai_input": ["a", None, 3, [1, 2],
                                                                            {"role": "user", "content": "m"},
                                                                            {"text": "t"}]}})
    assert r.text.split("\n" + SEP + "\n\nOUTPUT:")[0] == "\n".join([
        SEP, "", "INPUT:", "", "[1]", "", "a", "", SEP, "",
        "[3]", "", "3", "", SEP, "", "[4]", "", "[1, 2]", "", SEP, "",
        "[5] USER", "", "m", "", SEP, "", "[6]", "", "t", ""])


def test_d15_token_ids_are_one_input() -> None:
    r = render_event({"event": "$ai_embedding", "properties": {"$ai_input": [101, 2023, 102]}})
    assert r.text.startswith("\n".join([SEP, "", "INPUT:", "", "[1]", "", "[101, 2023, 102]", "", SEP]))
    # A generation's input array is unchanged (D15 is for embeddings only).
    assert "[1] UNKNOWN" in gen({"$ai_input": ["a"]})


# ---------------------------------------------------------------------------------------------- D16


def test_d16_handoff_span() -> None:
    props = {"$ai_span_name": "Triage agent -> Spanish agent", "$ai_span_type": "handoff",
             "$ai_handoff_from_agent": "Triage agent", "$ai_handoff_to_agent": "Spanish agent"}
    assert render_span(props, O) == ["TRIAGE AGENT -> SPANISH AGENT", EQ, SEP, "", "DETAILS:", "",
                                     "type: handoff", "handoff: Triage agent -> Spanish agent"]


def test_d16_agent_span_details_and_span_data() -> None:
    props = {"$ai_span_name": "Triage", "$ai_span_type": "agent", "$ai_error": "boom",
             "$ai_agent_handoffs": ["Spanish agent", "English agent"], "$ai_agent_tools": ["lookup"],
             "$ai_agent_output_type": "str", "$ai_span_data": "{'k': 'v'}", "$ai_input_state": "q"}
    assert render_span(props, O) == [
        "TRIAGE", EQ, SEP, "", "ERROR:", "", "boom",
        SEP, "", "DETAILS:", "", "type: agent", "handoffs: Spanish agent, English agent", "tools: lookup",
        "output type: str", "", "data:", '{\n  "k": "v"\n}',
        SEP, "", "INPUT STATE:", "", "q"]
    # Only a handoff target; falsy values are left out; no section when nothing is truthy.
    assert render_span({"$ai_handoff_to_agent": "B", "$ai_agent_tools": []}, O)[-1] == "handoff: ? -> B"
    assert render_span({"$ai_agent_tools": [], "$ai_span_type": "agent"}, O) == ["SPAN", EQ]


# ---------------------------------------------------------------------------------------------- D17

HUMAN = {"content": "What is 3 * 12?", "additional_kwargs": {}, "response_metadata": {}, "type": "human",
         "name": None, "id": "h1", "example": False}
AI = {"content": "", "additional_kwargs": {"refusal": None}, "response_metadata": {"model_name": "m"},
      "type": "ai", "name": None, "id": "run-1", "example": False,
      "tool_calls": [{"name": "multiply", "args": {"a": 3, "b": 12}, "id": "c1", "type": "tool_call"}],
      "invalid_tool_calls": [], "usage_metadata": {"input_tokens": 1}}
TOOL = {"content": "36", "additional_kwargs": {}, "response_metadata": {}, "type": "tool", "name": "multiply",
        "id": "t1", "tool_call_id": "c1", "artifact": None, "status": "success"}


def test_d17_messages_in_inputs_and_outputs() -> None:
    assert "\n".join(message_lines([HUMAN, AI, TOOL], O)) == "\n".join([
        "", "[1] USER", "", "What is 3 * 12?", "", SEP,
        "", "[2] ASSISTANT", "", "", "Tool calls: 1", "  - multiply(a=3, b=12)", "", SEP,
        "", "[3] TOOL (multiply)", "", "36"])
    assert choices_lines([AI], O) == ["", "[1] ASSISTANT", "", "", "Tool calls: 1", "  - multiply(a=3, b=12)"]
    # A single message object as input or output.
    text = gen({"$ai_input": HUMAN, "$ai_output_choices": dict(AI, content="36")})
    assert text == "\n".join([SEP, "", "INPUT:", "", "[1] USER", "", "What is 3 * 12?", "", SEP, "", "OUTPUT:",
                              "", "[1] ASSISTANT", "", "36", "", "Tool calls: 1", "  - multiply(a=3, b=12)"])


def test_d17_states() -> None:
    assert state_body(dict(AI, content="done", tool_calls=[]), O) == ["", "[1] ASSISTANT", "", "done"]
    # Python-literal state strings (D8) holding messages, keyed message arrays, chat roles, chunks.
    lit = "{'history': [{'content': 'hi', 'type': 'human', 'additional_kwargs': {}}]}"
    assert state_body(lit, O) == ["HISTORY:", "", "[1] USER", "", "hi"]
    two = {"a": [HUMAN], "b": [dict(HUMAN, type="chat", role="critic", content="no")]}
    assert state_body(two, O) == ["A:", "", "[1] USER", "", "What is 3 * 12?", "", SEP, "",
                                  "B:", "", "[1] CRITIC", "", "no"]
    chunk = dict(AI, type="AIMessageChunk", tool_calls=[], content="x",
                 invalid_tool_calls=[{"name": "bad", "args": "{oops", "id": "i", "error": "e"}])
    assert message_lines([chunk], O) == ["", "[1] ASSISTANT", "", "x", "", "Invalid tool calls: 1",
                                         "  - bad({oops)"]


def test_d17_requires_the_langchain_shape() -> None:
    # Without bookkeeping keys a `type` is still the role, as in version 1.
    assert message_lines([{"type": "human", "content": "q"}], O)[1] == "[1] HUMAN"
    # A dict state that merely has such a key but no LangChain type is dumped.
    assert state_body({"content": "x", "additional_kwargs": {}, "type": "other"}, O)[0].startswith("{")


def test_d17_trace_state() -> None:
    r = render_trace({"id": "t", "properties": {"$ai_output_state": dict(AI, content="final", tool_calls=[])}}, [],
                     {"include_markers": False})
    assert r.text == "\n".join(["TRACE", EQ, "", SEP, "", "OUTPUT:", "", "[1] ASSISTANT", "", "final"])
    assert "additional_kwargs" not in r.text


# ---------------------------------------------------------------------------------------------- D18


def test_d18_trace_states_beside_the_hierarchy() -> None:
    trace = {"id": "t", "properties": {"$ai_input_state": [{"role": "user", "content": "question?"}],
                                       "$ai_output_state": "answer."}}
    h = [{"event": {"id": "g", "event": "$ai_generation", "properties": {"$ai_model": "m"}}}]
    for opts in ({"collapsed": True}, {"include_markers": False}):
        text = render_trace(trace, h, opts).text
        head, tree = text.split("TRACE HIERARCHY:")
        assert head == "\n".join(["TRACE", EQ, "", SEP, "", "INPUT:", "", "[1] USER", "", "question?", "", SEP,
                                  "", "TRACE OUTPUT:", "", "answer.", "", SEP, "", ""])
        assert "[GEN] m (m)" in tree


# ---------------------------------------------------------------------------------------------- D20


def test_d20_vercel_tool_call_function_form() -> None:
    block = {"type": "tool-call", "id": "t1", "function": {"name": "weather", "arguments": "{\"location\":\"SF\"}"}}
    # In an input message: its signature, not unknown().
    assert content_text([block]) == 'weather(location="SF")'
    # In an output: shown once, under Tool calls:.
    assert choices_lines([{"role": "assistant", "content": [{"type": "text", "text": "Checking."}, block]}], O) == [
        "", "[1] ASSISTANT", "", "Checking.", "", "Tool calls: 1", '  - weather(location="SF")']
    # toolName still wins (Vercel's own form).
    assert content_text([dict(block, toolName="w2", input={})]) == "w2()"


# ---------------------------------------------------------------------------------------------- D21


def test_d21_erroring_tool_results() -> None:
    c = [{"type": "tool_result", "tool_use_id": "t", "content": "36"},
         {"type": "tool_result", "tool_use_id": "u", "content": "timed out", "is_error": True},
         {"type": "tool_result", "tool_use_id": "v", "content": "", "is_error": True}]
    assert content_text(c) == "[TOOL_RESULT]\n\n36\n\n[TOOL_RESULT] (error)\n\ntimed out\n\n[TOOL_RESULT] (error)"
    # On the special path (a tool_use beside it) the error keeps its mark.
    c2 = [{"type": "tool_use", "name": "f"}, {"type": "tool_result", "content": "bad", "is_error": True}]
    assert content_text(c2) == "f()\n\n[TOOL_RESULT] (error)\n\nbad"
    # Vercel: isError, or an error-text / error-json output.
    v = [{"type": "tool-result", "toolName": "w", "output": {"type": "error-json", "value": {"code": 1}}},
         {"type": "tool-result", "toolName": "x", "result": "nope", "isError": True}]
    assert content_text(v) == '[Tool result: w] (error)\n\n{"code": 1}\n\n[Tool result: x] (error)\n\nnope'


# ------------------------------------------------------------------------------------- D22 (not adopted)


def test_error_objects_keep_the_reference_spellings() -> None:
    # JavaScript error objects keep §4.11's Python spellings: unflagged goldens stay byte-exact.
    err = {"name": "AI_APICallError", "isRetryable": True, "data": {"error": {"param": None}}}
    assert error_body_lines(err) == ["name: AI_APICallError", "isRetryable: True", "data:", "  error:",
                                     "    param: None"]


# ---------------------------------------------------------------------------------------------- D23


@pytest.mark.parametrize("props", [
    {"$ai_input": None, "$ai_output_choices": None},
    {"$ai_input": None, "$ai_output": None, "$ai_model": "m"},
])
def test_d23_input_and_output_not_recorded(props: dict) -> None:
    assert gen(props) == "[input and output not recorded]"


def test_d23_only_when_nothing_else_shows() -> None:
    assert gen({}) == ""  # nothing captured at all: still empty (D12)
    assert gen({"$ai_input": None}) == ""
    assert "not recorded" not in gen({"$ai_input": None, "$ai_output_choices": None, "$ai_is_error": True})
    # In a trace, the node's expandable content is the note instead of an empty payload.
    r = text_repr({"event_type": "$ai_trace", "data": {"trace": {"id": "t"}, "hierarchy": [
        {"event": {"id": "g", "event": "$ai_generation", "properties": {"$ai_input": None,
                                                                         "$ai_output_choices": None}}}]},
        "options": {"include_markers": False}})
    assert r["text"].endswith("└─ [+] [GEN] generation\n       [input and output not recorded]")
