"""OpenAI Responses items as text (FORMAT.md §4.8 rules 1 and 6, ``call_sig``; §5.1 D13).

Shared by the message-array renderer (an item as a message) and the content renderer (an item nested
inside a message's ``content`` list, D13), so both show the same text for the same object.
"""
from __future__ import annotations

from typing import Any

from .media import is_data_url, media_placeholder, string_placeholder
from .tools import sig
from .values import disp, jdump2

__all__ = ["call_sig", "responses_item_text", "is_nested_item", "CALL_TYPES", "OUTPUT_TYPES"]

CALL_TYPES = frozenset(("function_call", "custom_tool_call"))
OUTPUT_TYPES = frozenset(("function_call_output", "custom_tool_call_output"))
_ITEM_KEYS_HIDDEN = frozenset((
    "type", "id", "call_id", "name", "arguments", "input", "status", "encrypted_content",
))
_CAP = 2000


def is_nested_item(typ: Any) -> bool:
    """D13 trigger: a content element ``type`` naming a Responses item (calls, call outputs, reasoning)."""
    if type(typ) is not str:
        return False
    return (typ in CALL_TYPES or typ in OUTPUT_TYPES or typ == "reasoning"
            or typ.endswith("_call") or typ.endswith("_call_output"))


def call_sig(m: dict) -> str:
    """§4.8 ``call_sig``: arguments through ``sig``; custom-tool ``input`` verbatim."""
    name = disp(m.get("name") or m.get("type") or "unknown")
    args = m.get("arguments")
    if args is not None:
        return sig(name, args)
    return name + "(" + disp(m.get("input") or "") + ")"


def responses_item_text(m: dict) -> str:
    """§4.8 rule 6: ``call_sig`` (+ status), then the capped ``json2`` of the other keys."""
    first = call_sig(m)
    status = m.get("status")
    if status:
        first += f" ({disp(status)})"
    extra = {k: v for k, v in m.items() if k not in _ITEM_KEYS_HIDDEN}
    if not extra:
        return first
    if m.get("type") == "image_generation_call":
        r = extra.get("result")
        if type(r) is str:
            extra["result"] = media_placeholder(m)
    return first + "\n" + jdump2(_capped(extra))


def _cap_str(s: str) -> str:
    if is_data_url(s):
        return string_placeholder(s)
    if len(s) > _CAP:
        return f"[{len(s):,} chars not shown]"
    return s


def _capped(v: dict) -> dict:
    """Copy of ``v`` with data: URLs → placeholders and long strings → ``[N chars not shown]``, at any
    depth; iterative, since the item can nest 1024 levels."""
    root: dict = {}
    stack: list[tuple[Any, Any]] = [(v, root)]
    while stack:
        src, dst = stack.pop()
        if type(src) is dict:
            for k, x in src.items():
                tx = type(x)
                if tx is str:
                    dst[k] = _cap_str(x)
                elif tx is dict:
                    d: dict = {}
                    dst[k] = d
                    stack.append((x, d))
                elif tx is list:
                    lst: list = []
                    dst[k] = lst
                    stack.append((x, lst))
                else:
                    dst[k] = x
        else:
            for x in src:
                tx = type(x)
                if tx is str:
                    dst.append(_cap_str(x))
                elif tx is dict:
                    d = {}
                    dst.append(d)
                    stack.append((x, d))
                elif tx is list:
                    lst = []
                    dst.append(lst)
                    stack.append((x, lst))
                else:
                    dst.append(x)
    return root
