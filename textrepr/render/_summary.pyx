"""Typed twin of ``textrepr.render.summary`` (FORMAT.md §4.15.4): one-line trace node summaries.

Same names, results and exceptions as the pure module; the summary is built by concatenation instead of
a parts list and ``", ".join``. ``node_tag`` and ``node_summary`` are ``cpdef`` (see ``_summary.pxd``) so
the typed trace walk calls them without a Python call.
"""
from cpython.mem cimport PyMem_Free

from ..core import disp
from . import summary as _pure


cdef extern from "Python.h":
    # What float.__format__ calls for the "f" presentation type (no flags: no "#", "+", " " or "z").
    char* PyOS_double_to_string(double val, char format_code, int precision, int flags, int *ptype) except NULL

__all__ = ["lat", "cost", "node_summary", "node_tag", "EXPANDABLE"]

_TAGS = {
    "$ai_generation": "[GEN]",
    "$ai_span": "[SPAN]",
    "$ai_embedding": "[EMBED]",
    "$ai_evaluation": "[EVAL]",
}
EXPANDABLE = frozenset(_TAGS)


cdef inline str _disp(object v):
    # disp() with its commonest case (a str) inline.
    if type(v) is str:
        return <str>v
    return disp(v)


def _as_float(x):
    """Python ``float(x)``, or None where it raises (containers, bad strings, huge ints)."""
    return _to_float(x)


cdef object _to_float(object x):
    t = type(x)
    if t is float:
        return x
    if t is dict or t is list or x is None:
        return None
    try:
        return float(x)
    except (ValueError, OverflowError, TypeError):
        return None


cdef str _fixed(double v, int precision):
    """``format(v, f".{precision}f")`` without parsing a format spec."""
    cdef char* buf = PyOS_double_to_string(v, b"f", precision, 0, NULL)
    try:
        return buf.decode("ascii")
    finally:
        PyMem_Free(buf)


cpdef str lat(object x):
    """Latency: ``1.23s`` when ``float(x)`` works (``"nan"`` gives ``nans``), else ``disp(x)``."""
    v = x if type(x) is float else _to_float(x)
    if v is None:
        return _disp(x)
    return _fixed(v, 2) + "s"


cpdef str cost(object x):
    """Cost: ``$0.0012`` when ``float(x)`` works, else ``disp(x)``."""
    v = x if type(x) is float else _to_float(x)
    if v is None:
        return _disp(x)
    return "$" + _fixed(v, 4)


cpdef str node_tag(object kind):
    """``[GEN]``, ``[SPAN]``, ``[EMBED]``, ``[EVAL]`` or ``[EVENT]``."""
    if type(kind) is str:
        tag = _TAGS.get(kind)
        if tag is not None:
            return <str>tag
    return "[EVENT]"


cdef inline str _add(str acc, str part):
    # The parts joined with ", " as they come; ``acc`` is None until the first one (a part may be "").
    return part if acc is None else acc + ", " + part


cdef str _gen_summary(dict p, str default, bint ttft, list parts_out):
    """Summary of a generation or embedding node; its parts also go to ``parts_out`` when not None."""
    cdef object acc = None  # str once the first part is added
    name = p.get("$ai_span_name") or p.get("$ai_model") or default
    cdef str sname = _disp(name)
    cdef str part
    v = p.get("$ai_latency")
    if v is not None:
        part = lat(v)
        acc = _add(acc, part)
        if parts_out is not None:
            parts_out.append(part)
    if ttft:
        v = p.get("$ai_time_to_first_token")
        if v is not None:
            part = "TTFT: " + lat(v)
            acc = _add(acc, part)
            if parts_out is not None:
                parts_out.append(part)
    v = p.get("$ai_total_cost_usd")
    if v is not None:
        part = cost(v)
        acc = _add(acc, part)
        if parts_out is not None:
            parts_out.append(part)
    v = p.get("$ai_model")
    if v:
        part = _disp(v)
        acc = _add(acc, part)
        if parts_out is not None:
            parts_out.append(part)
    if p.get("$ai_is_error") or p.get("$ai_error"):
        acc = _add(acc, "ERROR")
        if parts_out is not None:
            parts_out.append("ERROR")
    if acc is None:
        return sname
    return sname + " (" + <str>acc + ")"


def _gen_like(p, default, ttft):
    """(name, parts) of a generation-like node, as the pure ``_gen_like``."""
    if type(p) is not dict or type(default) is not str:
        return _pure._gen_like(p, default, ttft)
    cdef list parts = []
    _gen_summary(<dict>p, <str>default, bool(ttft), parts)
    return _disp(p.get("$ai_span_name") or p.get("$ai_model") or default), parts


cdef str _span_summary(dict p):
    cdef str name = _disp(p.get("$ai_span_name", "span"))
    cdef object acc = None
    v = p.get("$ai_latency")
    if v is not None:
        acc = lat(v)
    if p.get("$ai_is_error"):
        acc = _add(acc, "ERROR")
    if acc is None:
        return name
    return name + " (" + <str>acc + ")"


cdef str _evaluation_summary(dict p):
    cdef str name = _disp(p.get("$ai_evaluation_name", "evaluation"))
    cdef object acc = None
    v = p.get("$ai_evaluation_runtime")
    if v:
        acc = _disp(v)
    applicable = p.get("$ai_evaluation_applicable")
    result = p.get("$ai_evaluation_result")
    # Strict JSON false/true (not 0/1) or the strings, as §4.13.
    if applicable is False or applicable == "false":
        acc = _add(acc, "N/A")
    elif result is True or result == "true":
        acc = _add(acc, "true")
    elif result is False or result == "false":
        acc = _add(acc, "false")
    if acc is None:
        return name
    return name + " (" + <str>acc + ")"


cpdef str node_summary(object kind, object p):
    """Summary of a node whose event type is ``kind`` and properties ``p`` (an object)."""
    if type(kind) is not str:
        return disp(kind)
    if type(p) is not dict:
        return _pure.node_summary(kind, p)  # never from the trace walk: same errors as the pure module
    cdef dict d = <dict>p
    if kind == "$ai_generation":
        return _gen_summary(d, "generation", True, None)
    if kind == "$ai_span":
        return _span_summary(d)
    if kind == "$ai_evaluation":
        return _evaluation_summary(d)
    if kind == "$ai_embedding":
        return _gen_summary(d, "embedding", False, None)
    return <str>kind
