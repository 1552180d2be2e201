"""Span events (FORMAT.md §4.14): name, error, input and output states."""
from __future__ import annotations

import re
from typing import Any

from ..options import Options
from .common import EQ, SEP, tr
from .content import payload_text
from .langchain import is_lc_array, is_lc_message, lc_keyed_arrays
from .literal import parse_state_string
from .messages import message_lines
from .tools import sig
from .values import disp, jdump2

__all__ = ["render_span", "state_body", "lc_keyed_lines", "AGENT_KEYS"]

# OpenAI Agents span properties shown under DETAILS: (D16).
AGENT_KEYS = ("$ai_handoff_from_agent", "$ai_handoff_to_agent", "$ai_agent_handoffs", "$ai_agent_tools",
              "$ai_agent_output_type", "$ai_span_data")

_LEADING_WS = re.compile(r"[ \t\r\n]*")


def _string_state(s: str, o: Options) -> list[str]:
    # D8: only text that looks like a container is parsed; prose is never handed to the parser.
    i = _LEADING_WS.match(s).end()  # type: ignore[union-attr]  # always matches
    if i < len(s) and (s[i] == "{" or s[i] == "["):
        ok, v = parse_state_string(s)
        if ok and (type(v) is dict or type(v) is list):
            if is_lc_message(v) or is_lc_array(v) or _has_lc_messages(v):
                return state_body(v, o)  # D17: LangChain messages, as in a JSON state
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


def _has_lc_messages(v: Any) -> bool:
    """A parsed state that the object rules show as messages: ``messages`` or every value holding
    LangChain messages (D17)."""
    return type(v) is dict and (is_lc_array(v.get("messages")) or lc_keyed_arrays(v))


def lc_keyed_lines(state: dict, o: Options) -> list[str]:
    """D17: ``{"history": [...], ...}`` — each array's messages under an upper-cased ``<KEY>:`` label."""
    lines: list[str] = []
    for k, msgs in state.items():
        if lines:
            lines.extend(("", SEP, ""))
        lines.append(k.upper() + ":")
        lines.extend(message_lines(msgs, o))
    return lines


def state_body(state: Any, o: Options) -> list[str]:
    """Lines under ``INPUT STATE:`` / ``OUTPUT STATE:`` for a truthy state (§4.14)."""
    t = type(state)
    if t is str:
        return _string_state(state, o)
    if t is list:
        first = state[0] if state else None
        if type(first) is dict and ("role" in first or "content" in first) or is_lc_array(state):
            return message_lines(state, o)
        return tr(jdump2(state), o)
    if t is dict:
        if state.get("__type") == "tool_call_with_context":
            return _tool_call_with_context(state, o)
        msgs = state.get("messages")
        if type(msgs) is list and msgs:
            return message_lines(msgs, o)
        if is_lc_message(state):
            return message_lines([state], o)  # D17: one LangChain message
        if state.get("type") == "tool":
            return _tool_state(state, o)
        if lc_keyed_arrays(state):
            return lc_keyed_lines(state, o)
        return tr(jdump2(state), o)
    return [disp(state)]


def _list_text(v: Any) -> str:
    """An agent list (handoffs, tools: names) as ``a, b``; other values by ``disp``."""
    if type(v) is not list:
        return disp(v)
    return ", ".join([disp(x) for x in v])


def _details_lines(props: dict[str, Any], o: Options) -> list[str]:
    """D16: the OpenAI Agents details of a span (empty when none of its keys is truthy)."""
    lines: list[str] = []
    src = props.get("$ai_handoff_from_agent")
    dst = props.get("$ai_handoff_to_agent")
    if src or dst:
        lines.append(f"handoff: {disp(src) if src else '?'} -> {disp(dst) if dst else '?'}")
    for key, label in (("$ai_agent_handoffs", "handoffs"), ("$ai_agent_tools", "tools"),
                       ("$ai_agent_output_type", "output type")):
        v = props.get(key)
        if v:
            lines.append(f"{label}: {_list_text(v)}")
    data = props.get("$ai_span_data")
    if data:
        if lines:
            lines.append("")
        lines.append("data:")
        lines.extend(state_body(data, o))
    if not lines:
        return lines
    st = props.get("$ai_span_type")
    if st:
        lines.insert(0, f"type: {disp(st)}")
    return [SEP, "", "DETAILS:", "", *lines]


def render_span(props: dict[str, Any], o: Options) -> list[str]:
    """Line list of an ``$ai_span`` event (§4.14)."""
    lines = [disp(props.get("$ai_span_name", "Span")).upper(), EQ]
    err = props.get("$ai_error")
    if err:
        t = type(err)
        body = err if t is str else jdump2(err) if t is dict else disp(err)
        lines.extend((SEP, "", "ERROR:", "", body))
    for key in AGENT_KEYS:
        if key in props:
            lines.extend(_details_lines(props, o))
            break
    for key, title in (("$ai_input_state", "INPUT STATE:"), ("$ai_output_state", "OUTPUT STATE:")):
        state = props.get(key)
        if state:
            lines.extend((SEP, "", title, ""))
            lines.extend(state_body(state, o))
    return lines
