"""Span events (FORMAT.md §4.14): name, error, input and output states."""
from __future__ import annotations

import re
from typing import Any

from ..options import Options
from .common import EQ, SEP, tr
from .content import payload_text
from .literal import parse_state_string
from .messages import message_lines
from .tools import sig
from .values import disp, jdump2

__all__ = ["render_span", "state_body"]

_LEADING_WS = re.compile(r"[ \t\r\n]*")


def _string_state(s: str, o: Options) -> list[str]:
    # D8: only text that looks like a container is parsed; prose is never handed to the parser.
    i = _LEADING_WS.match(s).end()  # type: ignore[union-attr]  # always matches
    if i < len(s) and (s[i] == "{" or s[i] == "["):
        ok, v = parse_state_string(s)
        if ok and (type(v) is dict or type(v) is list):
            return tr(jdump2(v), o)
    return tr(s, o)


def _tool_call_with_context(state: dict, o: Options) -> list[str]:
    lines: list[str] = []
    st = state.get("state", {})
    tc = state.get("tool_call", {})
    if type(st) is dict:
        msgs = st.get("messages")
        if type(msgs) is list and msgs:
            lines.extend(message_lines(msgs, o))
        steps = st.get("remaining_steps")
        if steps is not None:
            lines.extend(("", f"Remaining steps: {disp(steps)}"))
    if type(tc) is dict and tc:
        lines.extend(("", "Tool Call:", "  " + sig(disp(tc.get("name", "unknown")), tc.get("args", {}))))
    return lines


def _tool_state(state: dict, o: Options) -> list[str]:
    head = "[TOOL RESULT]"
    name = state.get("name")
    if name:
        head += " " + disp(name)
    status = state.get("status")
    if status:
        head += f" ({disp(status)})"
    t = payload_text(state.get("content", ""))
    return [head, "", *(tr(t, o) if t else ("[tool output not recorded]",))]


def state_body(state: Any, o: Options) -> list[str]:
    """Lines under ``INPUT STATE:`` / ``OUTPUT STATE:`` for a truthy state (§4.14)."""
    t = type(state)
    if t is str:
        return _string_state(state, o)
    if t is list:
        first = state[0] if state else None
        if type(first) is dict and ("role" in first or "content" in first):
            return message_lines(state, o)
        return tr(jdump2(state), o)
    if t is dict:
        if state.get("__type") == "tool_call_with_context":
            return _tool_call_with_context(state, o)
        msgs = state.get("messages")
        if type(msgs) is list and msgs:
            return message_lines(msgs, o)
        if state.get("type") == "tool":
            return _tool_state(state, o)
        return tr(jdump2(state), o)
    return [disp(state)]


def render_span(props: dict[str, Any], o: Options) -> list[str]:
    """Line list of an ``$ai_span`` event (§4.14)."""
    lines = [disp(props.get("$ai_span_name", "Span")).upper(), EQ]
    err = props.get("$ai_error")
    if err:
        t = type(err)
        body = err if t is str else jdump2(err) if t is dict else disp(err)
        lines.extend((SEP, "", "ERROR:", "", body))
    for key, title in (("$ai_input_state", "INPUT STATE:"), ("$ai_output_state", "OUTPUT STATE:")):
        state = props.get(key)
        if state:
            lines.extend((SEP, "", title, ""))
            lines.extend(state_body(state, o))
    return lines
