"""FORMAT.md §4.5 (normalising choices), §4.6 (message arrays), §4.8 (Responses items), D4/D12."""
from __future__ import annotations

import base64

import pytest

from textrepr.core import MARK
from textrepr.options import Options
from textrepr.render.messages import choices_lines, message_lines, normalise_choice

SEP = "-" * 80
O = Options()


def text(arr: list, o: Options = O) -> str:
    return "\n".join(message_lines(arr, o))


def body(m: object, o: Options = O) -> str:
    """Lines after the ``""``, ``[1] ROLE``, ``""`` header of a one-message array."""
    lines = message_lines([m], o)
    assert lines[0] == "" and lines[2] == ""
    return "\n".join(lines[3:])


# --------------------------------------------------------------------------------------------
# §4.6 basics and D12 quirks


def test_gaps_and_trailing_separator_example() -> None:
    arr = [{"role": "user", "content": "a"}, None, {"role": "assistant", "content": "b"}, None]
    full = "\n".join([SEP, "", "INPUT:"] + message_lines(arr, O))
    assert full == (
        f"{SEP}\n\nINPUT:\n\n[1] USER\n\na\n\n{SEP}\n\n[3] ASSISTANT\n\nb\n\n{SEP}"
    )


def test_first_header_can_be_two() -> None:
    assert text([None, {"role": "user", "content": "x"}]) == "\n[2] USER\n\nx"


def test_empty_body_and_tool_calls_quirks() -> None:
    assert text([{"role": "user", "content": ""}, {"role": "user"}]) == f"\n[1] USER\n\n\n{SEP}\n\n[2] USER\n"
    tc = [{"function": {"name": "f", "arguments": '{"a":1}'}}]
    assert text([{"role": "assistant", "content": None, "tool_calls": tc}]) == (
        "\n[1] ASSISTANT\n\n\nTool calls: 1\n  - f(a=1)")
    assert text([{"role": "assistant", "content": "x", "tool_calls": tc}]) == (
        "\n[1] ASSISTANT\n\nx\n\nTool calls: 1\n  - f(a=1)")


@pytest.mark.parametrize(
    ("m", "header"),
    [
        ({"type": "human", "content": "x"}, "[1] HUMAN"),
        ({"type": "ai", "content": "x"}, "[1] AI"),
        ({"role": 5}, "[1] 5"),
        ({"role": {"a": 1}}, '[1] {"A": 1}'),
        ({"role": "", "type": "", "content": "x"}, "[1] UNKNOWN"),
        ({"role": None, "content": "x"}, "[1] UNKNOWN"),
        ({"role": "straße"}, "[1] STRASSE"),
        ("hello", "[1] UNKNOWN"),
        (3, "[1] UNKNOWN"),
        ([{"type": "text", "text": "x"}], "[1] UNKNOWN"),
    ],
)
def test_headers(m: object, header: str) -> None:
    assert message_lines([m], O)[1] == header


def test_non_object_elements() -> None:
    assert text(["Tell me a joke about bears"]) == "\n[1] UNKNOWN\n\nTell me a joke about bears"
    assert text([0.5, False, ["a", "b"]]) == (
        f"\n[1] UNKNOWN\n\n0.5\n\n{SEP}\n\n[2] UNKNOWN\n\n\n{SEP}\n\n[3] UNKNOWN\n\na\n\nb")


def test_content_fallbacks() -> None:
    assert body({"role": "user", "text": "t"}) == "t"
    assert body({"role": "user", "content": None, "message": "cohere"}) == "cohere"
    assert body({"role": "user", "content": "", "text": "t"}) == ""
    assert body({"role": "user", "parts": [], "text": "t"}) == "t"
    assert body({"role": "user", "parts": [{"text": "Caption this."},
                                           {"inlineData": {"mimeType": "image/png", "data": "[redacted]"}}]}) \
        == "Caption this.\n\n[image: image/png, [redacted]]"
    assert body({"role": "model", "parts": [{"functionCall": {"name": "get_weather",
                                                              "args": {"city": "Paris"}}}]}) \
        == 'get_weather(city="Paris")'


def test_falsy_content_prints_nothing() -> None:
    for c in (0, False, {}, [], ""):
        assert body({"role": "user", "content": c}) == ""
    assert body({"role": "user", "content": 7}) == "7"
    assert body({"role": "user", "content": {"a": 1}}) == '{"a": 1}'


QUICK_REFERENCE = [
    ({"role": "user", "content": "hi"}, "hi"),
    ({"role": "user", "content": [{"type": "text", "text": "a"},
                                  {"type": "image_url", "image_url": {"url": "https://x.test/y.png"}}]},
     "a\n\n[image: https://x.test/y.png]"),
    ({"role": "assistant", "content": None,
      "tool_calls": [{"function": {"name": "f", "arguments": '{"a":1}'}}]},
     "\nTool calls: 1\n  - f(a=1)"),
    ({"role": "assistant", "content": [{"type": "text", "text": "ok"},
                                       {"type": "tool_use", "name": "w", "input": {"c": "P"}}]},
     'ok\n\nw(c="P")'),
    ({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "36"}]},
     "[TOOL_RESULT]\n\n36"),
    ({"role": "user", "content": [{"type": "function", "function": {"name": "g", "arguments": {"x": 1}}}]},
     "g(x=1)"),
    ({"role": "model", "parts": [{"text": "Sure."}, {"functionCall": {"name": "g", "args": {"x": 1}}}]},
     "Sure.\n\ng(x=1)"),
    ({"type": "ai", "content": "", "tool_calls": [{"name": "f", "args": {"a": 1}, "id": "c1", "type": "tool_call"}]},
     "\nTool calls: 1\n  - f(a=1)"),
    ({"role": "assistant", "content": [{"type": "tool-call", "toolName": "weather", "input": {"location": "SF"}}]},
     'weather(location="SF")'),
    ({"role": "assistant", "content": [{"type": "tool-call", "toolName": "weather", "args": {"location": "SF"}}]},
     'weather(location="SF")'),
    ({"role": "tool", "content": [{"type": "tool-result", "toolName": "weather",
                                   "output": {"type": "text", "value": "72F"}}]},
     "[Tool result: weather]\n\n72F"),
    ({"role": "assistant", "tool_calls.0.name": "get_weather",
      "tool_calls.0.arguments": '{"location":"Paris"}'},
     '\nTool calls: 1\n  - get_weather(location="Paris")'),
]


@pytest.mark.parametrize(("m", "expected"), QUICK_REFERENCE)
def test_provider_quick_reference(m: dict, expected: str) -> None:
    assert body(m) == expected


def test_langchain_dump_header() -> None:
    m = QUICK_REFERENCE[7][0]
    assert message_lines([m], O)[:3] == ["", "[1] AI", ""]


def test_otel_regrouping() -> None:
    m = {
        "role": "assistant",
        "tool_calls.1.function.name": "second",
        "tool_calls.1.function.arguments": '{"b": 2}',
        "tool_calls.0.name": "first",
        "tool_calls.0.function.name": "ignored",
        "tool_calls.0.arguments": "{}",
        "tool_calls.10.id": "x",
        "tool_calls.x.name": "not a call",
        "tool_calls.2": "no field",
    }
    assert body(m) == "\nTool calls: 3\n  - first({})\n  - second(b=2)\n  - unknown()"
    # an explicit tool_calls key wins, even when empty
    assert body({"role": "assistant", "tool_calls": [], "tool_calls.0.name": "f"}) == ""


def test_truncation_of_bodies() -> None:
    o = Options(truncate_buffer=4)
    lines = message_lines([{"role": "user", "content": "abcdefghij"}], o)
    assert lines[3:] == ["ab", "", f"{MARK}TRUNCATED|Y2RlZmdo|6>>>", "", "ij"]
    o = Options(truncate_buffer=4, include_markers=False)
    assert message_lines([{"role": "user", "content": "abcdefghij"}], o)[3:] == [
        "ab\n\n... (6 chars truncated) ...\n\nij"]
    # tool-call lines are never truncated
    tc = [{"function": {"name": "f", "arguments": '{"a": "' + "x" * 50 + '"}'}}]
    lines = message_lines([{"role": "a", "tool_calls": tc}], o)
    assert lines[-1] == '  - f(a="' + "x" * 50 + '")'


# --------------------------------------------------------------------------------------------
# §4.8 Responses items and top-level tool blocks


def test_function_call_items() -> None:
    assert body({"type": "function_call", "name": "execute_sql", "arguments": '{"query":"select 1"}'}) \
        == 'execute_sql(query="select 1")'
    assert body({"type": "function_call", "name": "transfer_to_spanish_agent", "arguments": "{}"}) \
        == "transfer_to_spanish_agent({})"
    assert body({"type": "custom_tool_call", "name": "exec", "input": '{"a": 1}'}) == 'exec({"a": 1})'
    assert body({"type": "custom_tool_call", "input": ""}) == "custom_tool_call()"
    assert body({"type": "function_call", "name": "f", "arguments": None, "input": 5}) == "f(5)"
    assert message_lines([{"type": "function_call", "name": "f"}], O)[1] == "[1] FUNCTION_CALL"


def test_function_call_output_items() -> None:
    assert body({"type": "function_call_output", "call_id": "c", "output": "42"}) == "42"
    assert body({"type": "function_call_output", "output": None, "content": "from content"}) == "from content"
    assert body({"type": "custom_tool_call_output", "output": ""}) == "[tool output not recorded]"
    assert body({"type": "function_call_output"}) == "[tool output not recorded]"
    assert body({"type": "function_call_output", "output": 0}) == "0"
    assert body({"type": "function_call_output", "output": [{"type": "input_text", "text": "t"}]}) == "t"
    o = Options(truncate_buffer=4, include_markers=False)
    assert body({"type": "function_call_output", "output": "abcdefghij"}, o) == (
        "ab\n\n... (6 chars truncated) ...\n\nij")


def test_reasoning_items() -> None:
    assert body({"type": "reasoning", "summary": [{"type": "summary_text", "text": "s1"},
                                                  {"type": "summary_text", "text": "s2"}]}) == "s1\n\ns2"
    assert body({"type": "reasoning", "summary": [], "encrypted_content": "gAAA"}) \
        == "[reasoning summary not recorded]"
    assert body({"type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "c"}]}) \
        == "[REASONING_TEXT]\n\nc"


def test_additional_tools_item() -> None:
    lines = message_lines([{"type": "additional_tools", "tools": [{"name": "a", "description": "A."}]}], O)
    assert lines == ["", "[1] ADDITIONAL_TOOLS", "", "", "AVAILABLE TOOLS: 1", "\n  a()\n    A."]
    assert body({"type": "additional_tools", "tools": []}) == "[tool catalog not recorded]"
    assert body({"type": "additional_tools"}) == "[tool catalog not recorded]"


def test_top_level_tool_blocks() -> None:
    assert body({"type": "tool_use", "name": "w", "input": {"c": "P"}}) == 'w(c="P")'
    assert body({"type": "tool-call", "toolName": "w", "args": {"c": 1}}) == "w(c=1)"
    assert body({"type": "tool_use", "role": "assistant", "name": "w"}) == "w()"


def test_bare_function_item() -> None:
    assert text([{"type": "function", "function": {"name": "g", "arguments": "{}"}}]) == (
        '\n[1] FUNCTION\n\nfunction()\n{\n  "function": {\n    "name": "g",\n    "arguments": "{}"\n  }\n}')


def test_web_search_call_example() -> None:
    item = {"type": "web_search_call", "id": "ws_1", "status": "completed",
            "action": {"type": "search", "query": "q"}}
    assert text([item]) == (
        '\n[1] WEB_SEARCH_CALL\n\nweb_search_call() (completed)\n{\n  "action": {\n    "type": "search",\n'
        '    "query": "q"\n  }\n}')


def test_responses_item_without_extras() -> None:
    assert body({"type": "mcp_list_tools", "id": "x", "status": "ok", "call_id": "c"}) == "mcp_list_tools() (ok)"
    assert body({"type": "computer_call", "name": "click", "arguments": '{"x": 1}', "status": ""}) == "click(x=1)"
    assert body({"type": 5}) == "5()"


def test_responses_item_capping() -> None:
    item = {"type": "file_search_call", "results": [{"text": "y" * 200_000, "short": "z" * 2000},
                                                    {"deep": {"t": "w" * 2001}}]}
    assert body(item, Options(truncated=False)) == (
        'file_search_call()\n{\n  "results": [\n    {\n      "text": "[200,000 chars not shown]",\n'
        '      "short": "' + "z" * 2000 + '"\n    },\n    {\n      "deep": {\n'
        '        "t": "[2,001 chars not shown]"\n      }\n    }\n  ]\n}')


def test_responses_item_media() -> None:
    png = base64.b64encode(bytes(3000)).decode()
    item = {"type": "image_generation_call", "id": "ig", "status": "completed", "result": png,
            "revised_prompt": "a cat"}
    assert body(item) == (
        'image_generation_call() (completed)\n{\n  "result": "[image: 2.9 KB]",\n'
        '  "revised_prompt": "a cat"\n}'.replace("2.9 KB", "3 KB"))
    item2 = {"type": "x_call", "payload": {"u": "data:image/png;base64," + png}}
    assert body(item2) == 'x_call()\n{\n  "payload": {\n    "u": "[image: image/png, 3 KB]"\n  }\n}'


def test_responses_item_deep_extras() -> None:
    v: object = "leaf"
    for _ in range(1100):
        v = {"k": [v]}
    out = body({"type": "deep_call", "x": v}, Options(truncated=False))
    assert out.startswith('deep_call()\n{\n  "x": {') and '"leaf"' in out


def test_plain_typed_objects_take_the_content_path() -> None:
    assert message_lines([{"type": "text", "text": "t"}], O)[1] == "[1] TEXT"
    assert body({"type": "text", "text": "t"}) == "t"
    assert body({"type": "message", "role": "assistant",
                 "content": [{"type": "output_text", "text": "hi"}]}) == "hi"


# --------------------------------------------------------------------------------------------
# §4.5 choices


def test_choices_openai_lifting() -> None:
    choices = [{"role": "assistant", "content": [
        {"type": "function", "id": "call_1", "function": {"name": "get_weather", "arguments": '{"c": "P"}'}}]}]
    assert "\n".join(choices_lines(choices, O) or []) == (
        '\n[1] ASSISTANT\n\n\nTool calls: 1\n  - get_weather(c="P")')


def test_choices_lifting_keeps_text_and_replaces_tool_calls() -> None:
    choices = [{"role": "assistant", "tool_calls": [{"name": "old"}], "content": [
        {"type": "text", "text": "hi"},
        {"type": "tool-call", "toolName": "t", "function": {"name": "a", "arguments": "{}"}},
        {"type": "function", "function": {"name": "b", "arguments": '{"x": 1}'}},
        {"type": "function", "content": "r", "name": "c"}]}]
    assert "\n".join(choices_lines(choices, O) or []) == (
        "\n[1] ASSISTANT\n\nhi\n\nt()\n\n[Tool result: c]\n\nr\n\nTool calls: 2\n  - a({})\n  - b(x=1)")


def test_input_function_blocks_are_not_lifted() -> None:
    arr = [{"role": "assistant", "content": [{"type": "function", "function": {"name": "g", "arguments": "{}"}}]}]
    assert text(arr) == "\n[1] ASSISTANT\n\ng({})"


def test_lifted_flag_not_in_data() -> None:
    c = {"role": "assistant", "content": [{"type": "function", "function": {"name": "g"}}]}
    m, lifted = normalise_choice(c)  # type: ignore[misc]
    assert lifted is True
    assert m == {"role": "assistant", "content": c["content"], "tool_calls": [{"function": {"name": "g"}}]}


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ({"message": {"role": "assistant", "content": "m"}, "finish_reason": "stop"}, "\n[1] ASSISTANT\n\nm"),
        ({"message": {}, "role": "user", "content": "c"}, "\n[1] USER\n\nc"),
        ({"text": "legacy", "index": 0}, "\n[1] ASSISTANT\n\nlegacy"),
        ({"content": "x"}, "\n[1] ASSISTANT\n\nx"),
        ({"role": None, "content": "x"}, "\n[1] UNKNOWN\n\nx"),
        ({"role": "assistant", "content": None, "text": "t"}, "\n[1] ASSISTANT\n\nt"),
        ({"role": "model", "parts": [{"text": "p"}]}, "\n[1] MODEL\n\np"),
        ("Why did the bear…", "\n[1] ASSISTANT\n\nWhy did the bear…"),
        (5, "\n[1] ASSISTANT\n\n5"),
        ([{"type": "text", "text": "a"}], "\n[1] ASSISTANT\n\na"),
        ({"type": "function_call", "name": "f", "arguments": "{}"}, "\n[1] FUNCTION_CALL\n\nf({})"),
        ({"type": "ai", "content": "x"}, "\n[1] ASSISTANT\n\nx"),
        ({"role": "assistant", "tool_calls.0.name": "f"}, "\n[1] ASSISTANT\n\n\nTool calls: 1\n  - f()"),
    ],
)
def test_choice_normalisation(choice: object, expected: str) -> None:
    assert "\n".join(choices_lines([choice], O) or ["<none>"]) == expected


def test_choices_skipped_and_numbered_compactly() -> None:
    choices = [None, {"finish_reason": "stop"}, {"text": ""}, "a", {"message": {"content": "b"}}]
    assert "\n".join(choices_lines(choices, O) or []) == f"\n[1] ASSISTANT\n\na\n\n{SEP}\n\n[2] ASSISTANT\n\nb"


def test_choices_none_when_nothing_results() -> None:
    assert choices_lines([], O) is None
    assert choices_lines([None, {"index": 0}, {"text": ""}], O) is None


def test_choices_content_with_empty_role_text() -> None:
    # an empty string choice is still a message (with an empty body)
    assert choices_lines([""], O) == ["", "[1] ASSISTANT", ""]


# --------------------------------------------------------------------------------------------
# Size


def test_long_conversation() -> None:
    arr = [{"role": "user" if i % 2 else "assistant", "content": f"message {i} " * 20} for i in range(5000)]
    lines = message_lines(arr, O)
    assert lines[1] == "[1] ASSISTANT" and lines[-1].startswith("message 4999")
