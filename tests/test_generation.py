"""FORMAT.md §4.3 (generation), §4.4 (input), §4.5 (output), §4.11 (error bodies)."""
from __future__ import annotations

from textrepr import text_repr
from textrepr.options import Options
from textrepr.render.error_body import error_body_lines
from textrepr.render.generation import input_lines, output_lines, render_generation

SEP = "-" * 80
O = Options()


def gen_text(props: dict, options: dict | None = None) -> str:
    req: dict = {"event_type": "$ai_generation",
                 "data": {"id": "g1", "event": "$ai_generation", "properties": props}}
    if options is not None:
        req["options"] = options
    return text_repr(req)["text"]


def out(props: dict, o: Options = O) -> str:
    return "\n".join(output_lines(props, o))


# --------------------------------------------------------------------------------------------
# §4.3


SPEC_EXAMPLE_PROPS = {
    "$ai_tools": [{"type": "function", "function": {
        "name": "get_weather", "description": "Get weather. Second sentence.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "units": {"type": "string"}},
                       "required": ["city"]}}}],
    "$ai_input": [{"role": "system", "content": "You are helpful."},
                  {"role": "user", "content": "What is the capital of France?"}],
    "$ai_output_choices": [{"role": "assistant", "content": "Paris.", "tool_calls": [
        {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Zürich\"}"}}]}],
}

SPEC_EXAMPLE_TEXT = """\
L01: --------------------------------------------------------------------------------
L02: 
L03: AVAILABLE TOOLS: 1
L04: 
L05:   get_weather(city: string, units?: string)
L06:     Get weather.
L07: 
L08: --------------------------------------------------------------------------------
L09: 
L10: INPUT:
L11: 
L12: [1] SYSTEM
L13: 
L14: You are helpful.
L15: 
L16: --------------------------------------------------------------------------------
L17: 
L18: [2] USER
L19: 
L20: What is the capital of France?
L21: 
L22: --------------------------------------------------------------------------------
L23: 
L24: OUTPUT:
L25: 
L26: [1] ASSISTANT
L27: 
L28: Paris.
L29: 
L30: Tool calls: 1
L31:   - get_weather(city="Zürich")"""


def test_spec_example_tools_input_output() -> None:
    assert gen_text(SPEC_EXAMPLE_PROPS, {"include_line_numbers": True}) == SPEC_EXAMPLE_TEXT


def test_nothing_to_show_is_empty() -> None:
    assert render_generation({}, O) == []
    assert gen_text({}) == ""
    assert gen_text({"$ai_input": [], "$ai_output": "", "$ai_tools": [], "$ai_error": ""}) == ""


def test_error_alone_starts_and_ends_with_newline() -> None:
    t = gen_text({"$ai_is_error": True})
    assert t == "\n" + SEP + "\n\nERROR:\n\nAn error occurred (no details available)\n"
    # Any non-empty string counts, even "false" (D12).
    assert gen_text({"$ai_is_error": "false"}).endswith("An error occurred (no details available)\n")
    assert gen_text({"$ai_is_error": False, "$ai_error": None}) == ""


def test_error_after_output_has_two_empty_lines() -> None:
    t = gen_text({"$ai_output": "ok", "$ai_error": "bad"})
    assert t == SEP + "\n\nOUTPUT:\n\nok\n\n\n" + SEP + "\n\nERROR:\n\nbad\n"


def test_section_order_and_separators() -> None:
    lines = render_generation({"$ai_input": "in", "$ai_output": "out"}, O)
    assert lines == [SEP, "", "INPUT:", "", "in", "", SEP, "", "OUTPUT:", "", "out"]
    lines = render_generation({"$ai_output": "out"}, O)
    assert lines == [SEP, "", "OUTPUT:", "", "out"]


def test_input_truncation_in_context() -> None:
    t = gen_text({"$ai_input": "abcdefghij"}, {"truncate_buffer": 4})
    assert t == SEP + "\n\nINPUT:\n\nab\n\n<<<TRUNCATED|Y2RlZmdo|6>>>\n\nij"
    t = gen_text({"$ai_input": "abcdefghij"}, {"truncate_buffer": 4, "include_markers": False})
    assert t == SEP + "\n\nINPUT:\n\nab\n\n... (6 chars truncated) ...\n\nij"


# --------------------------------------------------------------------------------------------
# §4.4


def test_input_lines() -> None:
    for falsy in (None, "", [], {}, 0, False):
        assert input_lines(falsy, O) == []
    assert input_lines("hi", O) == ["", "INPUT:", "", "hi"]
    assert input_lines([{"role": "user", "content": "a"}], O) == ["", "INPUT:", "", "[1] USER", "", "a"]
    # JSON strings are not parsed.
    assert input_lines('[{"role": "user"}]', O) == ["", "INPUT:", "", '[{"role": "user"}]']


def test_unparsed_input() -> None:
    assert input_lines({"a": "é"}, O) == ["", "INPUT:", "", "[Unparsed input format: dict]", '{"a": "é"}']
    assert input_lines(5, O)[3:] == ["[Unparsed input format: int]", "5"]
    assert input_lines(2.5, O)[3:] == ["[Unparsed input format: float]", "2.5"]
    assert input_lines(True, O)[3:] == ["[Unparsed input format: bool]", "true"]
    big = {"k": "x" * 600}
    line = input_lines(big, O)[4]
    assert line == ('{"k": "' + "x" * 600)[:500] + "..." and len(line) == 503
    exact = {"k": "x" * (500 - 9)}  # json is exactly 500 characters: no ellipsis
    assert input_lines(exact, O)[4] == '{"k": "' + "x" * 491 + '"}'


# --------------------------------------------------------------------------------------------
# §4.5


RESPONSE = {"object": "response", "output": [
    {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "hi"}]}]}


def test_step1_responses_object_in_either_property() -> None:
    expected = "\nOUTPUT:\n\n[1] ASSISTANT\n\nhi"
    assert out({"$ai_output_choices": RESPONSE}) == expected
    assert out({"$ai_output": RESPONSE}) == expected
    # A truthy $ai_output_choices of another shape does not hide it.
    assert out({"$ai_output_choices": [{"foo": 1}], "$ai_output": RESPONSE}) == expected
    # It wins over a string output.
    assert out({"$ai_output_choices": RESPONSE, "$ai_output": "s"}) == expected
    # An empty output array falls through.
    assert out({"$ai_output": {"object": "response", "output": []}}) == (
        '\nOUTPUT:\n\n[Unparsed output format: dict]\n{"object": "response", "output": []}')


def test_step2_string_output() -> None:
    assert out({"$ai_output": "s", "$ai_output_choices": [{"role": "assistant", "content": "c"}]}) == (
        "\nOUTPUT:\n\ns")


def test_step3_choices() -> None:
    choice = {"message": {"role": "assistant", "content": "c"}}
    expected = "\nOUTPUT:\n\n[1] ASSISTANT\n\nc"
    assert out({"$ai_output_choices": [choice]}) == expected
    assert out({"$ai_output_choices": {"choices": [choice]}}) == expected
    # No message results: the output is empty, even if $ai_output holds something.
    assert out({"$ai_output_choices": [None, {"foo": 1}], "$ai_output": ["x"]}) == ""


def test_step4_string_choices() -> None:
    expected = "\nOUTPUT:\n\n[1] ASSISTANT\n\nc"
    assert out({"$ai_output_choices": '[{"role": "assistant", "content": "c"}]'}) == expected
    assert out({"$ai_output_choices": '{"choices": [{"role": "assistant", "content": "c"}]}'}) == expected
    assert out({"$ai_output_choices": "just text"}) == "\nOUTPUT:\n\njust text"
    assert out({"$ai_output_choices": '{"a": 1}'}) == '\nOUTPUT:\n\n{"a": 1}'
    assert out({"$ai_output_choices": "[null]"}) == ""   # parsed choices, none results: stop
    # D4: ["Why did the bear…"] as choices.
    assert out({"$ai_output_choices": ["Why did the bear"]}) == "\nOUTPUT:\n\n[1] ASSISTANT\n\nWhy did the bear"


def test_step4_array_and_legacy_output() -> None:
    expected = "\nOUTPUT:\n\n[1] ASSISTANT\n\nc"
    assert out({"$ai_output": [{"role": "assistant", "content": "c"}]}) == expected
    assert out({"$ai_output": {"choices": [{"text": "c"}]}}) == expected
    assert out({"$ai_output": ["c"]}) == expected


def test_step4_unparsed_and_none() -> None:
    assert out({"$ai_output": {"a": 1}}) == '\nOUTPUT:\n\n[Unparsed output format: dict]\n{"a": 1}'
    assert out({"$ai_output": 3.5}) == "\nOUTPUT:\n\n[Unparsed output format: float]\n3.5"
    assert out({"$ai_output": False, "$ai_output_choices": {"x": True}}) == (
        '\nOUTPUT:\n\n[Unparsed output format: dict]\n{"x": true}')
    assert out({"$ai_output": 0}) == ""
    assert out({}) == ""


# --------------------------------------------------------------------------------------------
# §4.11


def test_error_body_spec_example() -> None:
    err = {"a": {"b": [1, [2, 3], {"c": None}]}, "d": True}
    expected = ["a:", "  b:", "    - 1", "    -", "      - 2", "      - 3", "    -", "      c: None", "d: True"]
    assert error_body_lines(err) == expected
    # A string holding a JSON object renders the same.
    assert error_body_lines('{"a": {"b": [1, [2, 3], {"c": null}]}, "d": true}') == expected


def test_error_body_other_values() -> None:
    assert error_body_lines(None) == ["An error occurred (no details available)"]
    assert error_body_lines({}) == ["An error occurred (no details available)"]
    assert error_body_lines("plain") == ["plain"]
    assert error_body_lines("[1, 2]") == ["[1, 2]"]      # JSON of an array: as-is
    assert error_body_lines("{}") == ["{}"]
    assert error_body_lines("multi\nline") == ["multi\nline"]
    assert error_body_lines(404) == ["404"]
    assert error_body_lines([1, "a"]) == ['[1, "a"]']
    assert error_body_lines(True) == ["True"]
    # Python json.loads semantics: NaN accepted.
    assert error_body_lines('{"x": NaN, "y": 1.5}') == ["x: nan", "y: 1.5"]


def test_error_body_details() -> None:
    err = {"empty_obj": {}, "empty_list": [], "items": [{}, []], "s": "two\nlines", "f": 0.1, "n": None}
    assert error_body_lines(err) == [
        "empty_obj:", "empty_list:", "items:", "  -", "  -", "s: two\nlines", "f: 0.1", "n: None"]


def test_error_body_deep_nesting_is_iterative() -> None:
    err: dict = {"leaf": 1}
    for _ in range(1023):
        err = {"k": err}
    lines = error_body_lines(err)
    assert len(lines) == 1024
    assert lines[-1] == "  " * 1023 + "leaf: 1"


def test_error_section_via_api() -> None:
    t = gen_text({"$ai_error": {"message": "rate limited", "code": 429}})
    assert t == "\n" + SEP + "\n\nERROR:\n\nmessage: rate limited\ncode: 429\n"
