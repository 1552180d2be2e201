"""Message content → text (FORMAT.md §4.7): plain and special paths, blocks, payloads, Gemini parts.

Content can nest as deep as the JSON does (1024 levels: arrays in arrays, ``text``/``content`` in
objects, tool results holding blocks). The rules are written as generators that ``yield`` a
sub-generator for each nested evaluation and receive its text back; ``_drive`` runs them on an
explicit stack, so nesting depth never turns into Python recursion. Strings and scalars are
handled inline, so the common shapes create few generators.
"""
from __future__ import annotations

from typing import Any, Generator

from ..parse import loads_loose
from .items import CALL_TYPES, OUTPUT_TYPES, call_sig, is_nested_item, responses_item_text
from .media import is_media, media_placeholder
from .tools import sig
from .values import disp, jdump

__all__ = ["content_text", "block_text", "object_text", "payload_text", "gemini_parts_text"]

_Gen = Generator[Any, str, str]

_PLAIN_TYPES = frozenset(("text", "input_text", "output_text", "summary_text"))
_SPECIAL_TYPES = frozenset(("tool-call", "tool_use", "function"))


def _is_plain_typed(e: dict) -> bool:
    t = e.get("type")
    return type(t) is str and t in _PLAIN_TYPES


def _no_nested(e: dict) -> bool:
    """No ``content`` object (block_text rules 4–5) and no Gemini ``parts`` (object_text rule 3)."""
    p = e.get("parts")
    return type(e.get("content")) is not dict and not (type(p) is list and p)


def _drive(g: _Gen) -> str:
    """Run a rule generator to completion without Python recursion."""
    stack: list[_Gen] = []
    val: Any = None
    while True:
        try:
            sub = g.send(val)
        except StopIteration as e:
            if not stack:
                return e.value
            g = stack.pop()
            val = e.value
            continue
        stack.append(g)
        g = sub
        val = None


# ---------------------------------------------------------------------------------------------
# Public entry points


def content_text(c: Any, lifted: bool = False) -> str:
    """Text of a message's content (§4.7). ``lifted``: the message's ``function`` blocks were lifted
    into its tool calls (§4.5), so they print nothing here."""
    t = type(c)
    if t is str:
        return c
    if c is None:
        return ""
    if t is dict or t is list:
        return _drive(_g_content(c, lifted))
    return disp(c)


def block_text(b: dict, lifted: bool = False) -> str:
    """One object of the special path (§4.7 ``block_text``)."""
    return _drive(_g_block(b, lifted))


def object_text(b: dict) -> str:
    """A content object, or a non-tool block in the special path (§4.7 ``object_text``)."""
    return _drive(_g_object(b))


def payload_text(p: Any) -> str:
    """Text of a tool output (§4.7 ``payload_text``)."""
    if p is None:
        return ""
    if type(p) is str:
        return p
    return _drive(_g_payload(p))


def gemini_parts_text(parts: list) -> str:
    """Gemini ``parts`` → pieces joined with blank lines (§4.7, D4)."""
    return _drive(_g_parts(parts))


# ---------------------------------------------------------------------------------------------
# Rule generators


def _g_content(c: Any, lifted: bool) -> _Gen:
    t = type(c)
    if t is str:
        return c
    if t is dict:
        return (yield _g_object(c))
    if t is list:
        for e in c:
            if type(e) is dict:
                et = e.get("type")
                if type(et) is str and et in _SPECIAL_TYPES:
                    return (yield _g_special(c, lifted))
                ec = e.get("content")
                if type(ec) is dict and "toolName" in ec:
                    return (yield _g_special(c, lifted))
        return (yield _g_plain(c))
    if c is None:
        return ""
    return disp(c)


def _g_plain(c: list) -> _Gen:
    parts: list[str] = []
    for e in c:
        te = type(e)
        if te is str:
            if parts:
                parts.append("")
            parts.append(e)
        elif te is dict:
            # Fast path for the common text block (same result as the table's rows).
            tx = e.get("text")
            if type(tx) is str and tx and _is_plain_typed(e) and not is_media(e):
                if parts:
                    parts.append("")
                parts.append(tx)
                continue
            if is_nested_item(e.get("type")):
                if parts:
                    parts.append("")
                parts.append((yield _g_nested_item(e)))
                continue
            pieces = yield _g_plain_object(e)
            if pieces is not None:
                if parts:
                    parts.append("")
                parts.extend(pieces)
        elif te is list:
            s = yield _g_content(e, False)
            if parts:
                parts.append("")
            parts.append(s)
        elif e is not None:
            if parts:
                parts.append("")
            parts.append(disp(e))
    if not parts:
        s = jdump(c)
        return s[:500] + "..." if len(s) > 500 else s
    return "\n".join(parts)


def _g_plain_object(e: dict) -> Generator[Any, Any, list[str] | None]:
    """Pieces of one object element on the plain path, or None when it contributes nothing."""
    if is_media(e):
        return [media_placeholder(e)]
    typ = e.get("type")
    if typ == "redacted_thinking":
        return ["[redacted thinking]"]
    if typ == "thinking":
        th = e.get("thinking")
        if type(th) is str and th:
            return ["[THINKING]", "", th]
    elif typ == "refusal":
        rf = e.get("refusal")
        if type(rf) is str and rf:
            return ["[REFUSAL]", "", rf]
    elif typ == "tool-result" and ("output" in e or "result" in e):
        p = e["output"] if "output" in e else e["result"]
        head = f"[Tool result: {disp(e.get('toolName') or 'unknown')}]" + _error_mark(e, p)
        pt = p if type(p) is str else (yield _g_payload(p))
        return [head, "", pt] if pt else [head]
    v = e.get("text") or e.get("content")
    err = e.get("is_error") is True  # D21: an Anthropic tool_result reporting a failure
    if v:
        vt = v if type(v) is str else (yield _g_content(v, False))
        if typ and not (type(typ) is str and typ in _PLAIN_TYPES):
            return [f"[{disp(typ).upper()}]" + (" (error)" if err else ""), "", vt]
        return [vt]
    if err and typ:
        return [f"[{disp(typ).upper()}] (error)"]
    if type(typ) is str and typ in _PLAIN_TYPES:
        return None
    return [jdump(e)]


def _g_special(c: list, lifted: bool) -> _Gen:
    parts: list[str] = []
    for e in c:
        te = type(e)
        if te is str:
            parts.append(e)
        elif te is dict:
            tx = e.get("text")
            if type(tx) is str and _is_plain_typed(e) and _no_nested(e) and not is_media(e):
                if tx:
                    parts.append(tx)
                continue
            if is_nested_item(e.get("type")):
                parts.append((yield _g_nested_item(e)))
                continue
            s = yield _g_block(e, lifted)
            if s:
                parts.append(s)
        elif te is list:
            s = yield _g_content(e, False)
            if s:
                parts.append(s)
        elif e is not None:
            parts.append(disp(e))
    return "\n\n".join(parts)


def _error_mark(b: dict, payload: Any) -> str:
    """D21: `` (error)`` for a Vercel tool result that reports a failure (``isError`` or an
    ``error-text``/``error-json`` output), else ``""``."""
    if b.get("isError") is True:
        return " (error)"
    if type(payload) is dict:
        pt = payload.get("type")
        if (pt == "error-text" or pt == "error-json") and "value" in payload:
            return " (error)"
    return ""


def _reasoning_note(b: dict) -> str:
    """A reasoning element without text: Vercel's redacted thinking carries ``redactedData``."""
    for key in ("providerOptions", "providerMetadata"):
        po = b.get(key)
        if type(po) is dict:
            for v in po.values():
                if type(v) is dict and v.get("redactedData"):
                    return "[redacted thinking]"
    return "[reasoning summary not recorded]"


def _g_nested_item(e: dict) -> _Gen:
    """D13: a Responses item inside a content list, as §4.8 shows it (calls by signature, outputs and
    reasoning by their text under a label, other ``*_call`` items as signature + capped extra keys);
    ``encrypted_content`` never shown."""
    typ = e["type"]
    if typ in CALL_TYPES:
        return call_sig(e)
    if typ in OUTPUT_TYPES:
        p = e.get("output")
        if p is None:
            p = e.get("content")
        t = p if type(p) is str else (yield _g_payload(p))
        return f"[{typ.upper()}]\n\n" + t if t else "[tool output not recorded]"
    if typ == "reasoning":
        p = e.get("summary") or e.get("content")
        t = p if type(p) is str else (yield _g_payload(p))
        if not t:
            tx = e.get("text")  # Vercel AI SDK reasoning part
            t = tx if type(tx) is str else ""
        return "[REASONING]\n\n" + t if t else _reasoning_note(e)
    return responses_item_text(e)


def _tool_result(name: Any, payload: Any, mark: str = "") -> _Gen:
    """``[Tool result: <name>]`` plus the payload text after a blank line when non-empty."""
    head = f"[Tool result: {disp(name)}]" + mark
    pt = payload if type(payload) is str else (yield _g_payload(payload))
    return head + "\n\n" + pt if pt else head


def _g_block(b: dict, lifted: bool) -> _Gen:
    typ = b.get("type")
    if typ == "tool-call":
        f = b.get("function")
        if "toolName" not in b and type(f) is dict:
            # D20: @posthog/ai's OpenAI-style form; shown under "Tool calls:" when lifted.
            return "" if lifted else sig(disp(f.get("name", "unknown")), f.get("arguments", ""))
        a = b.get("input")
        if a is None:
            a = b.get("args")
            if a is None:
                a = {}
        return sig(disp(b.get("toolName", "unknown")), a)
    if typ == "tool_use":
        a = b.get("input", {})
        if not a:
            pj = b.get("partial_json")
            if type(pj) is str:
                ok, v = loads_loose(pj)
                if ok:
                    a = v
        return sig(disp(b.get("name", "unknown")), a)
    if typ == "function":
        f = b.get("function")
        if type(f) is dict:
            if lifted:
                return ""
            return sig(disp(f.get("name", "unknown")), f.get("arguments", ""))
        if "content" in b:
            return (yield _tool_result(b.get("tool_name") or b.get("name") or "unknown", b["content"]))
        return jdump(b)
    bc = b.get("content")
    if type(bc) is dict:
        if "toolName" in bc:
            return sig(disp(bc["toolName"]), bc.get("args", ""))
        if "result" in bc:
            return (yield _tool_result(bc.get("toolName", "unknown"), bc["result"]))
    if b.get("is_error") is True and typ:
        # D21: an erroring tool result keeps its error mark on the special path too.
        t = yield _g_object(b)
        head = f"[{disp(typ).upper()}] (error)"
        return head + "\n\n" + t if t else head
    return (yield _g_object(b))


def _g_object(b: dict) -> _Gen:
    if is_media(b):
        return media_placeholder(b)
    typ = b.get("type")
    if typ == "redacted_thinking":
        return "[redacted thinking]"
    if typ == "thinking":
        th = b.get("thinking")
        if type(th) is str and th:
            return "[THINKING]\n\n" + th
    elif typ == "refusal":
        rf = b.get("refusal")
        if type(rf) is str and rf:
            return "[REFUSAL]\n\n" + rf
    elif typ == "tool-result" and ("output" in b or "result" in b):
        p = b["output"] if "output" in b else b["result"]
        return (yield _tool_result(b.get("toolName") or "unknown", p, _error_mark(b, p)))
    parts = b.get("parts")
    if type(parts) is list and parts:
        return (yield _g_parts(parts))
    if "text" in b:
        tx = b["text"]
        if type(tx) is str:
            return tx
        if tx is None:
            return "None"
        return (yield _g_content(tx, False))
    if "content" in b:
        return (yield _g_content(b["content"], False))
    return jdump(b)


def _g_payload(p: Any) -> _Gen:
    if p is None:
        return ""
    t = type(p)
    if t is str:
        return p
    if (t is list or t is dict) and not p:
        return ""
    if t is dict and "value" in p:
        vt = p.get("type")
        v = p["value"]
        if vt == "text" or vt == "error-text":
            if type(v) is str:
                return v
        elif vt == "json" or vt == "error-json":
            return jdump(v)
        elif vt == "content":
            return (yield _g_content(v, False))
    return (yield _g_content(p, False))


def _g_parts(parts: list) -> _Gen:
    pieces: list[str] = []
    for part in parts:
        if type(part) is not dict:
            pieces.append(jdump(part))
            continue
        tx = part.get("text")
        if type(tx) is str:
            pieces.append("[THINKING]\n\n" + tx if part.get("thought") is True else tx)
            continue
        fc = part.get("functionCall", part.get("function_call"))
        if type(fc) is dict:
            pieces.append(sig(disp(fc.get("name", "unknown")), fc.get("args")))
            continue
        fr = part.get("functionResponse", part.get("function_response"))
        if type(fr) is dict:
            pieces.append((yield _tool_result(fr.get("name", "unknown"), fr.get("response"))))
            continue
        if is_media(part):
            pieces.append(media_placeholder(part))
            continue
        pieces.append(jdump(part))
    return "\n\n".join(pieces)
