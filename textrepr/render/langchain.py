"""LangChain serialised messages (FORMAT.md §5.1 D17).

posthog-python's LangChain callback captures ``BaseMessage`` objects as their model dump: ``content``
plus bookkeeping (``additional_kwargs``, ``response_metadata``, ``usage_metadata``, ``id``,
``example``…). Such an object is shown as the message it is — role, name, content, tool calls — and
its bookkeeping is left out.
"""
from __future__ import annotations

from typing import Any

from .values import disp

__all__ = ["is_lc_message", "lc_message", "is_lc_array", "lc_keyed_arrays"]

LC_TYPES = frozenset((
    "human", "ai", "system", "tool", "function", "chat", "remove",
    "AIMessageChunk", "HumanMessageChunk", "ToolMessageChunk", "SystemMessageChunk",
))
_ROLES = {
    "human": "USER", "HumanMessageChunk": "USER", "ai": "ASSISTANT", "AIMessageChunk": "ASSISTANT",
    "system": "SYSTEM", "SystemMessageChunk": "SYSTEM", "tool": "TOOL", "ToolMessageChunk": "TOOL",
    "function": "FUNCTION", "remove": "REMOVE",
}


def is_lc_message(v: Any) -> bool:
    """D17 trigger: an object with ``content``, a LangChain bookkeeping key and a LangChain ``type``."""
    if type(v) is not dict or "content" not in v:
        return False
    t = v.get("type")
    if type(t) is not str or t not in LC_TYPES:
        return False
    return "additional_kwargs" in v or "response_metadata" in v or "usage_metadata" in v


def is_lc_array(v: Any) -> bool:
    """A non-empty array holding at least one LangChain message."""
    if type(v) is not list or not v:
        return False
    for x in v:
        if is_lc_message(x):
            return True
    return False


def lc_keyed_arrays(v: Any) -> bool:
    """An object whose values are all arrays of LangChain messages (``{"history": [...]}``)."""
    if type(v) is not dict or not v:
        return False
    for x in v.values():
        if not is_lc_array(x):
            return False
    return True


def lc_message(m: dict, i: int) -> tuple[str, dict, Any]:
    """(header line, the message as §4.6 renders it, its non-empty ``invalid_tool_calls`` or None)."""
    t = m["type"]
    if t == "chat":
        role = disp(m.get("role") or "chat").upper()
    else:
        role = _ROLES[t]
    head = f"[{i + 1}] {role}"
    name = m.get("name")
    if name:
        head += f" ({disp(name)})"
    tool_calls = m.get("tool_calls")
    if not tool_calls:
        ak = m.get("additional_kwargs")
        # Older OpenAI-backed dumps keep the calls only in additional_kwargs.
        tool_calls = ak.get("tool_calls") if type(ak) is dict else None
    msg = {"role": role, "content": m["content"], "tool_calls": tool_calls or []}
    invalid = m.get("invalid_tool_calls")
    return head, msg, invalid if invalid else None
