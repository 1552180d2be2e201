"""Message arrays and output choices → lines (FORMAT.md §4.5 "Normalising one choice", §4.6, §4.8).

A choice normalised under §4.5 may have had its ``function`` blocks lifted into ``tool_calls``; those
blocks then print nothing in the body (§4.7 ``block_text`` rule 3). That fact travels beside the
normalised message (a parallel list of flags handed to ``_lines``), never inside the message dict, so
the data a message shows is exactly the data it was given.
"""
from __future__ import annotations

from typing import Any

from ..options import Options
from .common import SEP, tr
from .content import block_text, content_text, gemini_parts_text, payload_text
from .media import is_data_url, media_placeholder, string_placeholder
from .tools import sig, tool_call_lines, tool_list_lines
from .values import disp, jdump2

__all__ = ["message_lines", "choices_lines", "normalise_choice", "is_responses_item"]

_PLAIN_TYPES = frozenset(("text", "input_text", "output_text", "summary_text"))
_CALL_TYPES = frozenset(("function_call", "custom_tool_call"))
_OUTPUT_TYPES = frozenset(("function_call_output", "custom_tool_call_output"))
_ITEM_KEYS_HIDDEN = frozenset((
    "type", "id", "call_id", "name", "arguments", "input", "status", "encrypted_content",
))
_CAP = 2000


def message_lines(arr: list, o: Options) -> list[str]:
    """§4.6 lines of a raw message array (input, Responses output, span/trace states)."""
    return _lines(arr, o, None)


def choices_lines(choices: list, o: Options) -> list[str] | None:
    """§4.6 lines of the normalised choices (§4.5), or None when no message results."""
    msgs: list[Any] = []
    flags: list[bool] = []
    for c in choices:
        r = normalise_choice(c)
        if r is not None:
            msgs.append(r[0])
            flags.append(r[1])
    if not msgs:
        return None
    return _lines(msgs, o, flags)


# ---------------------------------------------------------------------------------------------
# Normalisation (§4.5)


def is_responses_item(m: dict) -> bool:
    """Truthy ``type`` other than a plain-text type, and none of ``role``/``content``/``tool_calls``."""
    t = m.get("type")
    if not t or (type(t) is str and t in _PLAIN_TYPES):
        return False
    return "role" not in m and "content" not in m and "tool_calls" not in m


def _otel_tool_calls(m: dict) -> list | None:
    """Regroup OTel-flattened ``tool_calls.<k>.<field>`` keys into OpenAI-shaped entries (D4)."""
    groups: dict[int, dict[str, Any]] = {}
    for key, v in m.items():
        if not key.startswith("tool_calls."):
            continue
        dot = key.find(".", 11)
        if dot < 0:
            continue
        k = key[11:dot]
        if not (k.isascii() and k.isdigit()):
            continue
        groups.setdefault(int(k), {})[key[dot + 1:]] = v
    if not groups:
        return None
    out: list = []
    for k in sorted(groups):
        g = groups[k]
        f: dict[str, Any] = {}
        if "name" in g:
            f["name"] = g["name"]
        elif "function.name" in g:
            f["name"] = g["function.name"]
        if "arguments" in g:
            f["arguments"] = g["arguments"]
        elif "function.arguments" in g:
            f["arguments"] = g["function.arguments"]
        out.append({"function": f})
    return out


def _tool_calls_of(m: dict) -> Any:
    """``get(m, "tool_calls", [])``, or the OTel regrouping when the key is absent (D4)."""
    if "tool_calls" in m:
        return m["tool_calls"]
    return _otel_tool_calls(m) or []


def _text_fallback(m: dict) -> str | None:
    """A message without ``content`` (nor Gemini ``parts``): its non-empty ``text``, else ``message`` (D4)."""
    for key in ("text", "message"):
        v = m.get(key)
        if type(v) is str and v:
            return v
    return None


def normalise_choice(c: Any) -> tuple[Any, bool] | None:
    """One choice → (message, lifted) or None when skipped (§4.5). A Responses item stays as is."""
    tc = type(c)
    if c is None:
        return None
    if tc is not dict:
        return {"role": "assistant", "content": c}, False
    if is_responses_item(c):
        return c, False
    msg = c.get("message")
    if msg and type(msg) is dict:
        m = msg
    elif "role" in c or "content" in c:
        m = c
    else:
        tx = c.get("text")
        if type(tx) is str and tx:
            m = {"role": "assistant", "content": tx}
        else:
            return None
    tool_calls = _tool_calls_of(m)
    role = m.get("role", "assistant")
    content = m.get("content")
    if content is None:
        parts = m.get("parts")
        if type(parts) is list and parts:
            return {"role": role, "content": None, "parts": parts, "tool_calls": tool_calls}, False
        content = _text_fallback(m)
        if content is None and "content" not in m:
            content = ""
    lifted = False
    if type(content) is list:
        lifted_calls = [
            {"function": b["function"]}
            for b in content
            if type(b) is dict and (b.get("type") == "tool-call" or b.get("type") == "function")
            and type(b.get("function")) is dict
        ]
        if lifted_calls:
            tool_calls = lifted_calls
            lifted = True
    return {"role": role, "content": content, "tool_calls": tool_calls}, lifted


# ---------------------------------------------------------------------------------------------
# §4.6 / §4.8


def _lines(arr: list, o: Options, flags: list[bool] | None) -> list[str]:
    out: list[str] = []
    n = len(arr)
    last = n - 1
    for i, m in enumerate(arr):
        if m is None:
            continue
        if type(m) is not dict:
            m = {"role": "unknown", "content": m}
        role = m.get("role") or m.get("type") or "unknown"
        out.append("")
        out.append(f"[{i + 1}] {disp(role).upper()}")
        out.append("")
        if not _item_lines(m, o, out):
            _body_lines(m, o, out, flags[i] if flags is not None else False)
        tool_calls = _tool_calls_of(m)
        if tool_calls:
            out.append("")
            out.extend(tool_call_lines(tool_calls))
        if i < last:
            out.append("")
            out.append(SEP)
    return out


def _body_lines(m: dict, o: Options, out: list[str], lifted: bool) -> None:
    """§4.6 step 2, ordinary content path, with the D4 fallbacks for a missing/null ``content``."""
    content = m.get("content")
    if content is None:
        parts = m.get("parts")
        if type(parts) is list and parts:
            t = gemini_parts_text(parts)
            if t:
                out.extend(tr(t, o))
            return
        content = _text_fallback(m)
        if content is None:
            return
    if content:
        t = content_text(content, lifted)
        if t:
            out.extend(tr(t, o))


def _item_lines(m: dict, o: Options, out: list[str]) -> bool:
    """§4.8 rules 1–6: append the lines and return True when ``m`` is handled here."""
    typ = m.get("type")
    if not typ:
        return False
    if type(typ) is str:
        if typ in _CALL_TYPES:
            out.extend(tr(call_sig(m), o))
            return True
        if typ in _OUTPUT_TYPES:
            p = m.get("output")
            t = payload_text(m.get("content") if p is None else p)
            if t:
                out.extend(tr(t, o))
            else:
                out.append("[tool output not recorded]")
            return True
        if typ == "reasoning":
            t = payload_text(m.get("summary") or m.get("content"))
            if t:
                out.extend(tr(t, o))
            else:
                out.append("[reasoning summary not recorded]")
            return True
        if typ == "additional_tools":
            tl = tool_list_lines(m.get("tools"), o)
            if tl:
                out.extend(tl)
            else:
                out.append("[tool catalog not recorded]")
            return True
        if typ == "tool-call" or typ == "tool_use":
            out.extend(tr(block_text(m), o))
            return True
        if typ in _PLAIN_TYPES:
            return False
    if "role" in m or "content" in m or "tool_calls" in m:
        return False
    out.extend(tr(_responses_item_text(m), o))
    return True


def call_sig(m: dict) -> str:
    """§4.8 ``call_sig``: arguments through ``sig``; custom-tool ``input`` verbatim."""
    name = disp(m.get("name") or m.get("type") or "unknown")
    args = m.get("arguments")
    if args is not None:
        return sig(name, args)
    return name + "(" + disp(m.get("input") or "") + ")"


def _responses_item_text(m: dict) -> str:
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
