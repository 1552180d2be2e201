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
from .items import CALL_TYPES, OUTPUT_TYPES, call_sig, responses_item_text
from .langchain import is_lc_message, lc_message
from .tools import tool_call_lines, tool_list_lines
from .values import disp, jdump

__all__ = ["message_lines", "choices_lines", "normalise_choice", "is_responses_item",
           "embedding_input_lines"]

_PLAIN_TYPES = frozenset(("text", "input_text", "output_text", "summary_text"))


def message_lines(arr: list, o: Options) -> list[str]:
    """§4.6 lines of a raw message array (input, Responses output, span/trace states)."""
    return _lines(arr, o, None, False)


def embedding_input_lines(arr: list, o: Options) -> list[str]:
    """§5.1 D15: an embedding's input array. Its non-object elements are the embedded texts (or token-id
    lists), numbered ``[n]`` without a role label; objects keep the §4.6 rules."""
    return _lines(arr, o, None, True)


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
    return _lines(msgs, o, flags, False)


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
    if is_responses_item(c) or is_lc_message(c):
        return c, False  # rendered as they are (§4.8; a LangChain message keeps its own role, D17)
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


def _lines(arr: list, o: Options, flags: list[bool] | None, embedding: bool) -> list[str]:
    out: list[str] = []
    n = len(arr)
    last = n - 1
    for i, m in enumerate(arr):
        if m is None:
            continue
        invalid: Any = None
        if type(m) is not dict:
            if embedding:
                _embedded_text_lines(i, m, o, out)
                if i < last:
                    out.append("")
                    out.append(SEP)
                continue
            m = {"role": "unknown", "content": m}
            head = f"[{i + 1}] UNKNOWN"
        elif is_lc_message(m):
            head, m, invalid = lc_message(m, i)
        else:
            role = m.get("role") or m.get("type")
            if not role and embedding:
                head = f"[{i + 1}]"  # D15: an embedded object without a role is not "UNKNOWN"
            else:
                head = f"[{i + 1}] {disp(role or 'unknown').upper()}"
        out.append("")
        out.append(head)
        out.append("")
        if not _item_lines(m, o, out):
            _body_lines(m, o, out, flags[i] if flags is not None else False)
        tool_calls = _tool_calls_of(m)
        if tool_calls:
            out.append("")
            out.extend(tool_call_lines(tool_calls))
        if invalid:
            out.append("")
            tl = tool_call_lines(invalid)
            out.append("Invalid " + tl[0][0].lower() + tl[0][1:])  # "Invalid tool calls: N"
            out.extend(tl[1:])
        if i < last:
            out.append("")
            out.append(SEP)
    return out


def _embedded_text_lines(i: int, v: Any, o: Options, out: list[str]) -> None:
    """D15: ``[n]``, ``""`` and the text (a string as is, a token-id list as JSON, a scalar by disp)."""
    out.append("")
    out.append(f"[{i + 1}]")
    out.append("")
    t = type(v)
    out.extend(tr(v if t is str else jdump(v) if t is list else disp(v), o))


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
        if typ in CALL_TYPES:
            out.extend(tr(call_sig(m), o))
            return True
        if typ in OUTPUT_TYPES:
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
    out.extend(tr(responses_item_text(m), o))
    return True
