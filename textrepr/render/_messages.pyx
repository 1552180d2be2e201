# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``messages.py`` (issue 16): message arrays and output choices → lines (FORMAT.md
§4.5, §4.6, §4.8).

Same functions, same results as the pure module (the readable reference). Every line goes straight
into one list; the options are read once per call (``_Ctx``), and ``common.tr`` is done inline: the
``textrepr.sink`` check once per call (a sink is installed per thread, not in the middle of a
rendering), a text within the buffer appended as is, anything else through the core's ``trunc``.
"""
from threading import get_ident

from cpython.unicode cimport PyUnicode_GET_LENGTH
from cpython.list cimport PyList_GET_SIZE

from ..core import disp, jdump, trunc
from ..sink import SINKS
from . import messages as _pure
from ._content import block_text, content_text, gemini_parts_text, payload_text
from .common import SEP
from .items import call_sig, responses_item_text
from .langchain import lc_message
from ._tools import tool_call_lines, tool_list_lines

__all__ = ["message_lines", "choices_lines", "normalise_choice", "is_responses_item",
           "embedding_input_lines"]

cdef frozenset _PLAIN_TYPES = _pure._PLAIN_TYPES
cdef frozenset _CALL_TYPES = frozenset(("function_call", "custom_tool_call"))
cdef frozenset _OUTPUT_TYPES = frozenset(("function_call_output", "custom_tool_call_output"))
cdef frozenset _LC_TYPES = frozenset((
    "human", "ai", "system", "tool", "function", "chat", "remove",
    "AIMessageChunk", "HumanMessageChunk", "ToolMessageChunk", "SystemMessageChunk",
))
cdef str _SEP = SEP
cdef Py_ssize_t _SSIZE_MAX = <Py_ssize_t>((<size_t>-1) >> 1)


cdef class _Ctx:
    """The options ``tr`` reads, once per public call."""
    cdef object o, sink
    cdef bint fast, truncated, markers
    cdef Py_ssize_t buf

    def __cinit__(self, o):
        self.o = o
        self.sink = SINKS.get(get_ident()) if SINKS else None
        self.truncated = o.truncated
        self.markers = o.include_markers
        b = o.truncate_buffer
        # A buffer that is not a plain non-negative machine int goes through trunc every time.
        self.fast = type(b) is int and 0 <= b <= _SSIZE_MAX
        self.buf = b if self.fast else 0

    cdef int put(self, list out, str s) except -1:
        """``out.extend(tr(s, o))``."""
        if self.sink is not None:
            out.append(self.sink(s))
        elif self.fast and (not self.truncated or PyUnicode_GET_LENGTH(s) <= self.buf):
            out.append(s)
        else:
            out.extend(trunc(s, self.o.truncated, self.o.truncate_buffer, self.o.include_markers))
        return 0


# ---------------------------------------------------------------------------------------------
# Inlined check (langchain.is_lc_message; tests/test_typed_messages.py compares them)


cdef inline bint _lc(dict v):
    if "content" not in v:
        return False
    t = v.get("type")
    if type(t) is not str or t not in _LC_TYPES:
        return False
    return "additional_kwargs" in v or "response_metadata" in v or "usage_metadata" in v


def _is_lc_message(v) -> bool:
    """The inlined ``langchain.is_lc_message`` (for the tests)."""
    return type(v) is dict and _lc(<dict>v)


# ---------------------------------------------------------------------------------------------
# Public entry points


def message_lines(arr, o) -> list:
    """§4.6 lines of a raw message array (input, Responses output, span/trace states)."""
    if type(arr) is not list:
        return _pure.message_lines(arr, o)
    cdef list out = []
    _lines(<list>arr, _Ctx(o), None, False, out)
    return out


def embedding_input_lines(arr, o) -> list:
    """§5.1 D15: an embedding's input array (non-object elements numbered ``[n]`` without a role)."""
    if type(arr) is not list:
        return _pure.embedding_input_lines(arr, o)
    cdef list out = []
    _lines(<list>arr, _Ctx(o), None, True, out)
    return out


def choices_lines(choices, o):
    """§4.6 lines of the normalised choices (§4.5), or None when no message results."""
    cdef list msgs = []
    cdef list flags = []
    cdef list out
    cdef tuple r
    for c in choices:
        r = _normalise(c)
        if r is not None:
            msgs.append(r[0])
            flags.append(r[1])
    if not msgs:
        return None
    out = []
    _lines(msgs, _Ctx(o), flags, False, out)
    return out


# ---------------------------------------------------------------------------------------------
# Normalisation (§4.5)


def is_responses_item(m) -> bool:
    """Truthy ``type`` other than a plain-text type, and none of ``role``/``content``/``tool_calls``."""
    if type(m) is not dict:
        return _pure.is_responses_item(m)
    return _responses_item(<dict>m)


cdef inline bint _responses_item(dict m):
    t = m.get("type")
    if not t or (type(t) is str and t in _PLAIN_TYPES):
        return False
    return "role" not in m and "content" not in m and "tool_calls" not in m


cdef object _otel(dict m):
    """Regroup OTel-flattened ``tool_calls.<k>.<field>`` keys into OpenAI-shaped entries (D4)."""
    cdef dict groups = None
    cdef dict g, f
    cdef list out
    cdef str sk, k
    cdef Py_ssize_t dot
    for key, v in m.items():
        if type(key) is str:
            sk = <str>key
            # Most keys fail on the first character: no startswith call for them.
            if PyUnicode_GET_LENGTH(sk) < 11 or sk[0] != "t" or not sk.startswith("tool_calls."):
                continue
        elif not key.startswith("tool_calls."):  # the pure module's error for a non-str key
            continue
        else:
            sk = key
        dot = sk.find(".", 11)
        if dot < 0:
            continue
        k = sk[11:dot]
        if not (k.isascii() and k.isdigit()):
            continue
        if groups is None:
            groups = {}
        groups.setdefault(int(k), {})[sk[dot + 1:]] = v
    if not groups:
        return None
    out = []
    for kk in sorted(groups):
        g = groups[kk]
        f = {}
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


def _otel_tool_calls(m):
    """``messages._otel_tool_calls`` (for the tests)."""
    if type(m) is not dict:
        return _pure._otel_tool_calls(m)
    return _otel(<dict>m)


def _tool_calls_of(m):
    """``messages._tool_calls_of`` (for the tests)."""
    if type(m) is not dict:
        return _pure._tool_calls_of(m)
    return _calls_of(<dict>m)


cdef inline object _calls_of(dict m):
    """``get(m, "tool_calls", [])``, or the OTel regrouping when the key is absent (D4)."""
    if "tool_calls" in m:
        return m["tool_calls"]
    return _otel(m) or []


cdef object _text_fallback(dict m):
    """A message without ``content`` (nor Gemini ``parts``): its non-empty ``text``, else ``message``."""
    v = m.get("text")
    if type(v) is str and PyUnicode_GET_LENGTH(v) > 0:
        return v
    v = m.get("message")
    if type(v) is str and PyUnicode_GET_LENGTH(v) > 0:
        return v
    return None


def normalise_choice(c):
    """One choice → (message, lifted) or None when skipped (§4.5). A Responses item stays as is."""
    return _normalise(c)


cdef tuple _normalise(object c):
    cdef dict dc, m
    if c is None:
        return None
    if type(c) is not dict:
        return {"role": "assistant", "content": c}, False
    dc = <dict>c
    if _responses_item(dc) or _lc(dc):
        return c, False  # rendered as they are (§4.8; a LangChain message keeps its own role, D17)
    msg = dc.get("message")
    if msg and type(msg) is dict:
        m = <dict>msg
    elif "role" in dc or "content" in dc:
        m = dc
    else:
        tx = dc.get("text")
        if type(tx) is str and PyUnicode_GET_LENGTH(tx) > 0:
            m = {"role": "assistant", "content": tx}
        else:
            return None
    tool_calls = _calls_of(m)
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
            for b in <list>content
            if type(b) is dict and ((<dict>b).get("type") == "tool-call" or (<dict>b).get("type") == "function")
            and type((<dict>b).get("function")) is dict
        ]
        if lifted_calls:
            tool_calls = lifted_calls
            lifted = True
    return {"role": role, "content": content, "tool_calls": tool_calls}, lifted


# ---------------------------------------------------------------------------------------------
# §4.6 / §4.8


cdef int _lines(list arr, _Ctx x, list flags, bint embedding, list out) except -1:
    cdef Py_ssize_t i, n = PyList_GET_SIZE(arr), last = n - 1
    cdef dict dm
    cdef str head
    cdef list tl
    for i in range(n):
        m = arr[i]
        if m is None:
            continue
        invalid = None
        if type(m) is not dict:
            if embedding:
                _embedded_text_lines(i, m, x, out)
                if i < last:
                    out.append("")
                    out.append(_SEP)
                continue
            dm = {"role": "unknown", "content": m}
            head = f"[{i + 1}] UNKNOWN"
        elif _lc(<dict>m):
            head, dm, invalid = lc_message(m, i)
        else:
            dm = <dict>m
            role = dm.get("role") or dm.get("type")
            if not role and embedding:
                head = f"[{i + 1}]"  # D15: an embedded object without a role is not "UNKNOWN"
            elif type(role) is str and PyUnicode_GET_LENGTH(role) > 0:
                head = f"[{i + 1}] {(<str>role).upper()}"
            else:
                head = f"[{i + 1}] {disp(role or 'unknown').upper()}"
        out.append("")
        out.append(head)
        out.append("")
        if not _item_lines(dm, x, out):
            _body_lines(dm, x, out, flags[i] if flags is not None else False)
        tool_calls = _calls_of(dm)
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
            out.append(_SEP)
    return 0


cdef int _embedded_text_lines(Py_ssize_t i, object v, _Ctx x, list out) except -1:
    """D15: ``[n]``, ``""`` and the text (a string as is, a token-id list as JSON, a scalar by disp)."""
    out.append("")
    out.append(f"[{i + 1}]")
    out.append("")
    t = type(v)
    x.put(out, v if t is str else jdump(v) if t is list else disp(v))
    return 0


cdef int _body_lines(dict m, _Ctx x, list out, bint lifted) except -1:
    """§4.6 step 2, ordinary content path, with the D4 fallbacks for a missing/null ``content``."""
    cdef str t
    content = m.get("content")
    if content is None:
        parts = m.get("parts")
        if type(parts) is list and parts:
            t = gemini_parts_text(parts)
            if t:
                x.put(out, t)
            return 0
        content = _text_fallback(m)
        if content is None:
            return 0
    if type(content) is str:
        if PyUnicode_GET_LENGTH(content) > 0:
            x.put(out, <str>content)
    elif content:
        t = content_text(content, lifted)
        if t:
            x.put(out, t)
    return 0


cdef bint _item_lines(dict m, _Ctx x, list out) except -1:
    """§4.8 rules 1–6: append the lines and return True when ``m`` is handled here."""
    cdef str t, typ
    cdef list tl
    tp = m.get("type")
    if not tp:
        return False
    if type(tp) is str:
        typ = <str>tp
        if typ in _CALL_TYPES:
            x.put(out, call_sig(m))
            return True
        if typ in _OUTPUT_TYPES:
            p = m.get("output")
            t = payload_text(m.get("content") if p is None else p)
            if t:
                x.put(out, t)
            else:
                out.append("[tool output not recorded]")
            return True
        if typ == "reasoning":
            t = payload_text(m.get("summary") or m.get("content"))
            if t:
                x.put(out, t)
            else:
                out.append("[reasoning summary not recorded]")
            return True
        if typ == "additional_tools":
            tl = tool_list_lines(m.get("tools"), x.o)
            if tl:
                out.extend(tl)
            else:
                out.append("[tool catalog not recorded]")
            return True
        if typ == "tool-call" or typ == "tool_use":
            x.put(out, block_text(m))
            return True
        if typ in _PLAIN_TYPES:
            return False
    if "role" in m or "content" in m or "tool_calls" in m:
        return False
    x.put(out, responses_item_text(m))
    return True
