# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``content.py`` (issue 16): message content → text (FORMAT.md §4.7).

Same functions, same results as the pure module (the readable reference). The pure rules are
generators run on an explicit stack; here each rule is a ``cdef`` function and nesting is C recursion.
``d`` counts the nested content/object evaluations: past ``_MAX_DEPTH`` (far deeper than real content,
shallower than the 1024 levels a parsed input may have) the evaluation is handed to the pure walk, which
has no depth limit, so the C stack stays small and the result is the same.
"""
from cpython.unicode cimport PyUnicode_GET_LENGTH

from ..core import disp, jdump
from ..parse import loads_loose
from . import content as _pure
from ._media import media_placeholder
from .items import call_sig, responses_item_text
from ._tools import sig

__all__ = ["content_text", "block_text", "object_text", "payload_text", "gemini_parts_text"]

# Real content nests a few levels. 64 nested evaluations fit in a 64 KB thread stack (the pure walk, which
# takes over past them, runs in one that small too): no thread's stack is too small for the twin.
cdef int _MAX_DEPTH = 64

cdef frozenset _PLAIN_TYPES = _pure._PLAIN_TYPES
cdef frozenset _SPECIAL_TYPES = _pure._SPECIAL_TYPES
cdef frozenset _MEDIA_TYPES = frozenset((
    "image_url", "input_image", "image", "input_audio", "audio", "file", "input_file", "document",
    "image_generation_call",
))
cdef frozenset _CALL_TYPES = frozenset(("function_call", "custom_tool_call"))
cdef frozenset _OUTPUT_TYPES = frozenset(("function_call_output", "custom_tool_call_output"))


# ---------------------------------------------------------------------------------------------
# Inlined checks (media.is_media, items.is_nested_item; tests/test_typed_messages.py compares them)


cdef inline bint _media(dict b):
    t = b.get("type")
    if type(t) is str and t in _MEDIA_TYPES:
        return True
    return "inlineData" in b or "inline_data" in b or "fileData" in b or "file_data" in b


cdef inline bint _nested_type(object typ):
    if type(typ) is not str:
        return False
    cdef str t = <str>typ
    return (t in _CALL_TYPES or t in _OUTPUT_TYPES or t == "reasoning"
            or t.endswith("_call") or t.endswith("_call_output"))


cdef inline bint _plain_typed(object t):
    return type(t) is str and t in _PLAIN_TYPES


cdef inline str _str_or_none(object v):
    """``v`` when it is a str (JSON values equal a str literal only when they are one)."""
    return <str>v if type(v) is str else None


def _is_media(b) -> bool:
    """The inlined ``media.is_media`` (for the tests)."""
    return _media(b)


def _is_nested_item(typ) -> bool:
    """The inlined ``items.is_nested_item`` (for the tests)."""
    return _nested_type(typ)


# ---------------------------------------------------------------------------------------------
# Public entry points


def content_text(c, lifted=False) -> str:
    """Text of a message's content (§4.7). ``lifted``: the message's ``function`` blocks were lifted
    into its tool calls (§4.5), so they print nothing here."""
    t = type(c)
    if t is str:
        return c
    if c is None:
        return ""
    if t is dict or t is list:
        return _content(c, lifted, 0)
    return disp(c)


def block_text(b, lifted=False) -> str:
    """One object of the special path (§4.7 ``block_text``)."""
    if type(b) is not dict:
        return _pure.block_text(b, lifted)
    return _block(<dict>b, lifted, 0)


def object_text(b) -> str:
    """A content object, or a non-tool block in the special path (§4.7 ``object_text``)."""
    if type(b) is not dict:
        return _pure.object_text(b)
    return _object(<dict>b, 0)


def payload_text(p) -> str:
    """Text of a tool output (§4.7 ``payload_text``)."""
    if p is None:
        return ""
    if type(p) is str:
        return p
    return _payload(p, 0)


def gemini_parts_text(parts) -> str:
    """Gemini ``parts`` → pieces joined with blank lines (§4.7, D4)."""
    if type(parts) is not list:
        return _pure.gemini_parts_text(parts)
    return _parts(<list>parts, 0)


# ---------------------------------------------------------------------------------------------
# Rules


cdef str _content(object c, bint lifted, int d):
    if d > _MAX_DEPTH:
        return _pure._drive(_pure._g_content(c, lifted))
    t = type(c)
    if t is str:
        return <str>c
    if t is dict:
        return _object(<dict>c, d + 1)
    if t is list:
        return _list(<list>c, lifted, d + 1)
    if c is None:
        return ""
    return disp(c)


cdef str _list(list c, bint lifted, int d):
    for e in c:
        if type(e) is dict:
            et = (<dict>e).get("type")
            if type(et) is str and et in _SPECIAL_TYPES:
                return _special(c, lifted, d)
            ec = (<dict>e).get("content")
            if type(ec) is dict and "toolName" in <dict>ec:
                return _special(c, lifted, d)
    return _plain(c, d)


cdef str _plain(list c, int d):
    cdef list parts = []
    cdef dict de
    cdef str s
    for e in c:
        te = type(e)
        if te is str:
            if parts:
                parts.append("")
            parts.append(e)
        elif te is dict:
            de = <dict>e
            # Fast path for the common text block (same result as the table's rows).
            tx = de.get("text")
            typ = de.get("type")
            if type(tx) is str and PyUnicode_GET_LENGTH(tx) > 0 and _plain_typed(typ) and not _media(de):
                if parts:
                    parts.append("")
                parts.append(tx)
                continue
            if _nested_type(typ):
                s = _nested_item(de, d)
                if parts:
                    parts.append("")
                parts.append(s)
                continue
            _plain_object(de, d, parts)
        elif te is list:
            s = _content(e, False, d)
            if parts:
                parts.append("")
            parts.append(s)
        elif e is not None:
            s = disp(e)
            if parts:
                parts.append("")
            parts.append(s)
    if not parts:
        s = jdump(c)
        return s[:500] + "..." if PyUnicode_GET_LENGTH(s) > 500 else s
    return "\n".join(parts)


cdef inline void _add(list parts, str piece):
    if parts:
        parts.append("")
    parts.append(piece)


cdef int _plain_object(dict e, int d, list parts) except -1:
    """The pieces of one object element on the plain path, appended to ``parts`` (after a ``""`` when
    ``parts`` is not empty); nothing when it contributes nothing."""
    cdef str head, pt, vt
    if _media(e):
        _add(parts, media_placeholder(e))
        return 0
    typ = e.get("type")
    ts = _str_or_none(typ)
    if ts == "redacted_thinking":
        _add(parts, "[redacted thinking]")
        return 0
    if ts == "thinking":
        th = e.get("thinking")
        if type(th) is str and PyUnicode_GET_LENGTH(th) > 0:
            _add(parts, "[THINKING]")
            parts.append("")
            parts.append(th)
            return 0
    elif ts == "refusal":
        rf = e.get("refusal")
        if type(rf) is str and PyUnicode_GET_LENGTH(rf) > 0:
            _add(parts, "[REFUSAL]")
            parts.append("")
            parts.append(rf)
            return 0
    elif ts == "tool-result" and ("output" in e or "result" in e):
        p = e["output"] if "output" in e else e["result"]
        head = f"[Tool result: {disp(e.get('toolName') or 'unknown')}]" + _error_mark(e, p)
        pt = <str>p if type(p) is str else _payload(p, d)
        _add(parts, head)
        if pt:
            parts.append("")
            parts.append(pt)
        return 0
    v = e.get("text") or e.get("content")
    err = e.get("is_error") is True  # D21: an Anthropic tool_result reporting a failure
    if v:
        vt = <str>v if type(v) is str else _content(v, False, d)
        if typ and not _plain_typed(typ):
            _add(parts, f"[{disp(typ).upper()}]" + (" (error)" if err else ""))
            parts.append("")
            parts.append(vt)
            return 0
        _add(parts, vt)
        return 0
    if err and typ:
        _add(parts, f"[{disp(typ).upper()}] (error)")
        return 0
    if _plain_typed(typ):
        return 0
    _add(parts, jdump(e))
    return 0


cdef inline bint _no_nested(dict e):
    """No ``content`` object (block_text rules 4–5) and no Gemini ``parts`` (object_text rule 3)."""
    p = e.get("parts")
    return type(e.get("content")) is not dict and not (type(p) is list and p)


cdef str _special(list c, bint lifted, int d):
    cdef list parts = []
    cdef dict de
    cdef str s
    for e in c:
        te = type(e)
        if te is str:
            parts.append(e)
        elif te is dict:
            de = <dict>e
            tx = de.get("text")
            typ = de.get("type")
            if type(tx) is str and _plain_typed(typ) and _no_nested(de) and not _media(de):
                if PyUnicode_GET_LENGTH(tx) > 0:
                    parts.append(tx)
                continue
            if _nested_type(typ):
                parts.append(_nested_item(de, d))
                continue
            s = _block(de, lifted, d)
            if s:
                parts.append(s)
        elif te is list:
            s = _content(e, False, d)
            if s:
                parts.append(s)
        elif e is not None:
            parts.append(disp(e))
    return "\n\n".join(parts)


cdef str _error_mark(dict b, object payload):
    """D21: `` (error)`` for a Vercel tool result that reports a failure, else ``""``."""
    if b.get("isError") is True:
        return " (error)"
    if type(payload) is dict:
        pt = _str_or_none((<dict>payload).get("type"))
        if (pt == "error-text" or pt == "error-json") and "value" in <dict>payload:
            return " (error)"
    return ""


cdef str _reasoning_note(dict b):
    for key in ("providerOptions", "providerMetadata"):
        po = b.get(key)
        if type(po) is dict:
            for v in (<dict>po).values():
                if type(v) is dict and (<dict>v).get("redactedData"):
                    return "[redacted thinking]"
    return "[reasoning summary not recorded]"


cdef str _nested_item(dict e, int d):
    """D13: a Responses item inside a content list (see content._g_nested_item)."""
    cdef str typ = e["type"]
    cdef str t
    if typ in _CALL_TYPES:
        return call_sig(e)
    if typ in _OUTPUT_TYPES:
        p = e.get("output")
        if p is None:
            p = e.get("content")
        t = <str>p if type(p) is str else _payload(p, d)
        return f"[{typ.upper()}]\n\n" + t if t else "[tool output not recorded]"
    if typ == "reasoning":
        p = e.get("summary") or e.get("content")
        t = <str>p if type(p) is str else _payload(p, d)
        if not t:
            tx = e.get("text")  # Vercel AI SDK reasoning part
            t = <str>tx if type(tx) is str else ""
        return "[REASONING]\n\n" + t if t else _reasoning_note(e)
    return responses_item_text(e)


cdef str _tool_result(object name, object payload, str mark, int d):
    cdef str head = f"[Tool result: {disp(name)}]" + mark
    cdef str pt = <str>payload if type(payload) is str else _payload(payload, d)
    return head + "\n\n" + pt if pt else head


cdef str _block(dict b, bint lifted, int d):
    cdef str t, head
    typ = b.get("type")
    ts = _str_or_none(typ)
    if ts == "tool-call":
        f = b.get("function")
        if "toolName" not in b and type(f) is dict:
            # D20: @posthog/ai's OpenAI-style form; shown under "Tool calls:" when lifted.
            return "" if lifted else sig(disp((<dict>f).get("name", "unknown")), (<dict>f).get("arguments", ""))
        a = b.get("input")
        if a is None:
            a = b.get("args")
            if a is None:
                a = {}
        return sig(disp(b.get("toolName", "unknown")), a)
    if ts == "tool_use":
        a = b.get("input", {})
        if not a:
            pj = b.get("partial_json")
            if type(pj) is str:
                ok, v = loads_loose(pj)
                if ok:
                    a = v
        return sig(disp(b.get("name", "unknown")), a)
    if ts == "function":
        f = b.get("function")
        if type(f) is dict:
            if lifted:
                return ""
            return sig(disp((<dict>f).get("name", "unknown")), (<dict>f).get("arguments", ""))
        if "content" in b:
            return _tool_result(b.get("tool_name") or b.get("name") or "unknown", b["content"], "", d)
        return jdump(b)
    bc = b.get("content")
    if type(bc) is dict:
        if "toolName" in <dict>bc:
            return sig(disp((<dict>bc)["toolName"]), (<dict>bc).get("args", ""))
        if "result" in <dict>bc:
            return _tool_result((<dict>bc).get("toolName", "unknown"), (<dict>bc)["result"], "", d)
    if b.get("is_error") is True and typ:
        # D21: an erroring tool result keeps its error mark on the special path too.
        t = _object(b, d)
        head = f"[{disp(typ).upper()}] (error)"
        return head + "\n\n" + t if t else head
    return _object(b, d)


cdef str _object(dict b, int d):
    if d > _MAX_DEPTH:
        return _pure._drive(_pure._g_object(b))
    d += 1
    if _media(b):
        return media_placeholder(b)
    ts = _str_or_none(b.get("type"))
    if ts == "redacted_thinking":
        return "[redacted thinking]"
    if ts == "thinking":
        th = b.get("thinking")
        if type(th) is str and PyUnicode_GET_LENGTH(th) > 0:
            return "[THINKING]\n\n" + <str>th
    elif ts == "refusal":
        rf = b.get("refusal")
        if type(rf) is str and PyUnicode_GET_LENGTH(rf) > 0:
            return "[REFUSAL]\n\n" + <str>rf
    elif ts == "tool-result" and ("output" in b or "result" in b):
        p = b["output"] if "output" in b else b["result"]
        return _tool_result(b.get("toolName") or "unknown", p, _error_mark(b, p), d)
    parts = b.get("parts")
    if type(parts) is list and parts:
        return _parts(<list>parts, d)
    if "text" in b:
        tx = b["text"]
        if type(tx) is str:
            return <str>tx
        if tx is None:
            return "None"
        return _content(tx, False, d)
    if "content" in b:
        return _content(b["content"], False, d)
    return jdump(b)


cdef str _payload(object p, int d):
    if p is None:
        return ""
    t = type(p)
    if t is str:
        return <str>p
    if (t is list or t is dict) and not p:
        return ""
    if t is dict and "value" in <dict>p:
        vt = _str_or_none((<dict>p).get("type"))
        v = (<dict>p)["value"]
        if vt == "text" or vt == "error-text":
            if type(v) is str:
                return <str>v
        elif vt == "json" or vt == "error-json":
            return jdump(v)
        elif vt == "content":
            return _content(v, False, d)
    return _content(p, False, d)


cdef str _parts(list parts, int d):
    cdef list pieces = []
    cdef dict dp
    for part in parts:
        if type(part) is not dict:
            pieces.append(jdump(part))
            continue
        dp = <dict>part
        tx = dp.get("text")
        if type(tx) is str:
            pieces.append("[THINKING]\n\n" + <str>tx if dp.get("thought") is True else tx)
            continue
        fc = dp.get("functionCall", dp.get("function_call"))
        if type(fc) is dict:
            pieces.append(sig(disp((<dict>fc).get("name", "unknown")), (<dict>fc).get("args")))
            continue
        fr = dp.get("functionResponse", dp.get("function_response"))
        if type(fr) is dict:
            pieces.append(_tool_result((<dict>fr).get("name", "unknown"), (<dict>fr).get("response"), "", d))
            continue
        if _media(dp):
            pieces.append(media_placeholder(dp))
            continue
        pieces.append(jdump(part))
    return "\n\n".join(pieces)
