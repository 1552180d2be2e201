"""Content filters (issue 14): include_reasoning, include_system, include_tools drop exactly what they name."""
from __future__ import annotations

from typing import Any

import pytest

import textrepr
from textrepr import InvalidRequest, Options

THINK = "Let me think about the refund policy. " * 20
SYSTEM = "You are a support agent for Acme. Be brief."
TOOLS = [{"type": "function", "function": {"name": f"tool_{i}", "description": f"Does thing {i}.",
                                            "parameters": {"type": "object", "properties": {"x": {"type": "string"}}}}}
         for i in range(7)]


def event() -> dict[str, Any]:
    return {"id": "g", "properties": {
        "$ai_tools": TOOLS,
        "$ai_input": [
            {"role": "system", "content": SYSTEM},
            {"role": "developer", "content": [{"type": "text", "text": "Use tools."}]},
            {"role": "user", "content": "Where is my refund?"},
            {"role": "assistant", "content": [{"type": "thinking", "thinking": THINK, "signature": "s"},
                                              {"type": "redacted_thinking", "data": "ENCRYPTED"},
                                              {"type": "text", "text": "Checking."}]},
        ],
        "$ai_output_choices": {"object": "response", "output": [
            {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Plan: look up."}]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Found it."}]},
            {"type": "additional_tools", "tools": TOOLS[:2]},
        ]},
    }}


def render(**opts: Any) -> str:
    return textrepr.render_event(event(), {"include_markers": False, "max_length": 0, **opts}).text


def test_defaults_keep_everything() -> None:
    text = render()
    assert text == render(include_reasoning=True, include_system=True, include_tools=True)
    for s in ("[THINKING]", "[redacted thinking]", "Plan: look up.", SYSTEM, "Use tools.", "AVAILABLE TOOLS: 7"):
        assert s in text
    assert "omitted" not in text


def test_reasoning_filter() -> None:
    text = render(include_reasoning=False)
    assert "[THINKING]" not in text and "refund policy" not in text and "Plan: look up." not in text
    assert f"[reasoning omitted: {len(THINK):,} chars]" in text
    assert "[reasoning omitted: 9 chars]" in text  # redacted_thinking: its (encrypted) data
    assert "[reasoning omitted: 14 chars]" in text  # the Responses reasoning item's summary text
    # everything else is untouched
    full = render()
    for keep in (SYSTEM, "Use tools.", "Where is my refund?", "Checking.", "Found it.", "AVAILABLE TOOLS: 7"):
        assert keep in text and keep in full


def test_system_filter() -> None:
    text = render(include_system=False)
    assert SYSTEM not in text and "Use tools." not in text
    assert f"[system message omitted: {len(SYSTEM)} chars]" in text
    assert "[system message omitted: 10 chars]" in text
    assert "[1] SYSTEM" in text and "[2] DEVELOPER" in text  # the messages keep their place
    assert "[THINKING]" in text and "Where is my refund?" in text and "AVAILABLE TOOLS: 7" in text


def test_tools_filter() -> None:
    text = render(include_tools=False)
    assert "AVAILABLE TOOLS" not in text and "tool_3" not in text
    full = textrepr.render_event(event(), {"include_markers": False, "max_length": 0,
                                           "tools_collapse_threshold": 100}).text
    block = full[full.index("AVAILABLE TOOLS: 7"):full.index("\n\n" + "-" * 80)]
    assert f"[tools omitted: 7 tools, {len(block):,} chars]" in text
    assert "[tools omitted: 2 tools," in text  # additional_tools items too
    assert SYSTEM in text and "[THINKING]" in text


def test_filters_with_markers_and_in_traces() -> None:
    hier = [{"event": {"id": "g", "event": "$ai_generation", "properties": event()["properties"]}}]
    r = textrepr.render_trace({"id": "t"}, hier, {"include_reasoning": False, "include_system": False,
                                                  "include_tools": False, "max_length": 0})
    full = textrepr.markers.expand(r.text)
    assert "refund policy" not in full and SYSTEM not in full and "tool_3" not in full
    assert "[reasoning omitted:" in full and "[system message omitted:" in full and "[tools omitted:" in full


def test_gemini_thought_parts_and_span_states() -> None:
    ev = {"id": "s", "event": "$ai_span", "properties": {"$ai_input_state": {"messages": [
        {"role": "system", "content": "sys prompt"},
        {"role": "model", "parts": [{"text": "inner thought", "thought": True}, {"text": "answer"}]}]}}}
    text = textrepr.render_event(ev, {"include_reasoning": False, "include_system": False}).text
    assert "inner thought" not in text and "sys prompt" not in text and "answer" in text
    assert "[reasoning omitted: 13 chars]" in text and "[system message omitted: 10 chars]" in text


@pytest.mark.parametrize("name", ["include_reasoning", "include_system", "include_tools"])
def test_filter_options_are_validated(name: str) -> None:
    assert getattr(Options.from_mapping({name: "no"}), name) is False
    with pytest.raises(InvalidRequest) as e:
        Options.from_mapping({name: "maybe"})
    assert e.value.body == {"options": {name: ["Must be a valid boolean."]}}
    with pytest.raises(InvalidRequest) as e:
        Options.from_mapping({name: None})
    assert e.value.body == {"options": {name: ["This field may not be null."]}}
