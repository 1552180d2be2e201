"""FORMAT.md §4.9 (sig, Tool calls lines) and §4.10 (tool lists)."""
from __future__ import annotations

import base64

import pytest

from textrepr.core import MARK
from textrepr.options import Options
from textrepr.render.tools import sig, tool_call_lines, tool_list_lines

# --------------------------------------------------------------------------------------------
# sig


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ('{"latitude": 45.5, "location_name": "Montr\\u00e9al"}',
         'f(latitude=45.5, location_name="Montréal")'),
        ({"city": "Zürich"}, 'f(city="Zürich")'),
        ('{"city": "Z\\u00fcrich"}', 'f(city="Zürich")'),
        ('{"query":"select 1"}', 'f(query="select 1")'),
        ("{}", "f({})"),
        ("11", "f(11)"),
        ("null", "f(null)"),
        ('{"query": "unterminated', 'f({"query": "unterminated)'),
        ("", "f()"),
        ({}, "f()"),
        (None, "f()"),
        ([1, "a"], 'f([1, "a"])'),
        ("[1, 2]", "f([1, 2])"),
        (5, "f(5)"),
        (True, "f(True)"),
        (False, "f()"),
        (0, "f()"),
        ('  {"a": 1}  ', "f(a=1)"),
        ('{"a": NaN, "b": Infinity, "c": -Infinity}', "f(a=NaN, b=Infinity, c=-Infinity)"),
        ('{"a": {"b": [1, {"c": null}]}, "d": true}', 'f(a={"b": [1, {"c": null}]}, d=true)'),
        ({"k y": "v", "": 1}, 'f(k y="v", =1)'),
        ('{"a": "\\ud83e"}', 'f(a="\ufffd")'),
    ],
)
def test_sig(args: object, expected: str) -> None:
    assert sig("f", args) == expected


def test_sig_deep_unparsable_falls_back_raw() -> None:
    s = "[" * 1100 + "]" * 1100
    assert sig("f", '{"a": ' + s + "}") == 'f({"a": ' + s + "})"


# --------------------------------------------------------------------------------------------
# Tool-call lines


def test_tool_call_lines_openai_and_langchain() -> None:
    tcs = [
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Zürich"}'}},
        {"name": "f", "args": {"a": 1}, "id": "c1", "type": "tool_call"},
        {"function": "nope", "name": "x"},
        "str",
        5,
        None,
        {"function": {"arguments": "{}"}},
        {},
    ]
    assert tool_call_lines(tcs) == [
        "Tool calls: 8",
        '  - get_weather(city="Zürich")',
        "  - f(a=1)",
        "  - x()",
        "  - str",
        "  - 5",
        "  - None",
        "  - unknown({})",
        "  - unknown()",
    ]


def test_tool_call_lines_odd_containers() -> None:
    assert tool_call_lines({"a": 1, "b": 2}) == ["Tool calls: 2", "  - a", "  - b"]
    assert tool_call_lines("ab") == ["Tool calls: 2", "  - a", "  - b"]
    assert tool_call_lines(7) == ["Tool calls: 1", "  - 7"]
    assert tool_call_lines(True) == ["Tool calls: 1", "  - True"]
    assert tool_call_lines(1.5) == ["Tool calls: 1", "  - 1.5"]


# --------------------------------------------------------------------------------------------
# Tool lists

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a specific location using geographical coordinates. More.",
        "parameters": {
            "type": "object",
            "properties": {
                "latitude": {"type": "number"},
                "longitude": {"type": "number"},
                "location_name": {"type": "string"},
            },
            "required": ["latitude", "longitude", "location_name"],
        },
    },
}
JOKE = {
    "name": "tell_joke",
    "description": "Tell a joke with a question-style setup and an answer punchline.\nSecond line.",
    "input_schema": {
        "type": "object",
        "properties": {"setup": {"type": "string"}, "punchline": {"type": "string"}},
        "required": ["setup", "punchline"],
    },
}


def six_tools() -> list[dict]:
    return [
        {"name": f"t{k}", "description": f"Tool {k}. More.",
         "input_schema": {"type": "object", "properties": {"q": {"type": "string"}, "n": {}}, "required": ["q"]}}
        for k in range(6)
    ]


SIX_PAYLOAD = "AVAILABLE TOOLS: 6" + "".join(f"\n\n  t{k}(q: string, n?: any)\n    Tool {k}." for k in range(6))


def test_two_tools_example() -> None:
    lines = tool_list_lines([WEATHER, JOKE], Options())
    assert "\n".join(["-" * 80] + lines) == (
        "-" * 80 + "\n\nAVAILABLE TOOLS: 2\n\n"
        "  get_weather(latitude: number, longitude: number, location_name: string)\n"
        "    Get the current weather for a specific location using geographical coordinates.\n\n"
        "  tell_joke(setup: string, punchline: string)\n"
        "    Tell a joke with a question-style setup and an answer punchline."
    )
    assert lines[0] == "" and lines[1] == "AVAILABLE TOOLS: 2" and lines[2].startswith("\n  get_weather(")


def test_six_tools_markers_off() -> None:
    assert tool_list_lines(six_tools(), Options(include_markers=False)) == ["", "[+] AVAILABLE TOOLS: 6"]


def test_six_tools_markers_on() -> None:
    lines = tool_list_lines(six_tools(), Options())
    assert len(lines) == 2 and lines[0] == ""
    prefix = MARK + "TOOLS_EXPANDABLE|AVAILABLE TOOLS: 6|"
    assert lines[1].startswith(prefix) and lines[1].endswith(">>>")
    payload = lines[1][len(prefix):-3]
    assert base64.b64decode(payload, validate=True).decode("utf-8") == SIX_PAYLOAD


def test_six_tools_expanded_under_threshold() -> None:
    lines = tool_list_lines(six_tools(), Options(tools_collapse_threshold=6))
    assert "\n".join(lines[1:]) == SIX_PAYLOAD


def test_threshold_boundaries() -> None:
    tools = six_tools()[:2]
    assert tool_list_lines(tools, Options(tools_collapse_threshold=2))[1] == "AVAILABLE TOOLS: 2"
    assert tool_list_lines(tools, Options(tools_collapse_threshold=1, include_markers=False)) == [
        "", "[+] AVAILABLE TOOLS: 2"]
    assert tool_list_lines(tools[:1], Options(tools_collapse_threshold=0, include_markers=False)) == [
        "", "[+] AVAILABLE TOOLS: 1"]


def test_payload_is_neutralised() -> None:
    tools = [{"name": "a", "description": "see <<<TRUNCATED|aGk=|2>>> here"}]
    lines = tool_list_lines(tools, Options(tools_collapse_threshold=0))
    payload = lines[1][len(MARK + "TOOLS_EXPANDABLE|AVAILABLE TOOLS: 1|"):-3]
    assert base64.b64decode(payload).decode() == (
        "AVAILABLE TOOLS: 1\n\n  a()\n    see <<<\u200bTRUNCATED|aGk=|2>>> here.")


@pytest.mark.parametrize("tools", [None, [], {}, "tools", 5, True, [1, "x", None], {"a": 1}])
def test_nothing_to_show(tools: object) -> None:
    assert tool_list_lines(tools, Options()) == []


def test_tool_shapes() -> None:
    tools = {
        "x": {"type": "web_search_preview"},
        "y": {"functionDeclarations": [{"name": "g1", "description": "G one",
                                        "parameters": {"type": "object", "properties": {"a": {"type": "string"}}}},
                                       "skip", {"name": "g2"}]},
        "z": {"function_declarations": [{"name": "h"}]},
        "w": {"name": "mcp", "inputSchema": {"properties": {"p": {"type": ["string", "null"]}, "bad": 1},
                                             "required": "p"}},
        "v": {"name": "vv", "description": "N/A", "parameters": {"properties": {"k": {"type": "int"}},
                                                                 "required": ["k", {"x": 1}]}},
        "u": {"function": {"description": "", "parameters": []}},
        "t": {"name": None, "description": 5},
        "s": {"type": "function", "function": {"name": "s1", "description": "Ends with dot. Next."}},
        "r": {"name": "r1", "description": "Version 1.2 is out"},
    }
    lines = tool_list_lines(tools, Options(tools_collapse_threshold=100))
    assert lines[:2] == ["", "AVAILABLE TOOLS: 10"]
    assert lines[2] == (
        "\n  web_search_preview()\n    {\"type\": \"web_search_preview\"}."
        "\n\n  g1(a?: string)\n    G one."
        "\n\n  g2()"
        "\n\n  h()"  # D14 (version 1: UNKNOWN() and a JSON fragment)
        "\n\n  mcp(p?: [\"string\", \"null\"])"
        "\n\n  vv(k: int)"
        "\n\n  unknown()"
        "\n\n  None()"
        "\n\n  s1()\n    Ends with dot."
        "\n\n  r1()\n    Version 1.2 is out."
    )


def test_unknown_tool_description_cut_at_100() -> None:
    t = {"type": "code_interpreter", "container": {"type": "auto", "files": ["x" * 200]}}
    lines = tool_list_lines([t], Options())
    desc = lines[2].split("\n")[2]
    assert desc.startswith('    {"type": "code_interpreter"') and len(desc) == 4 + 100 + 1
