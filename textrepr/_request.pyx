# cython: language_level=3, boundscheck=False, wraparound=False
"""The usual request end to end, compiled twin of ``textrepr._request_py`` (see there)."""

import orjson

from .core import assemble, has_digit_run
from .options import _DEFAULT, _RECENT, request_options
from .parse import _WALK_FIRST, _checked, _rejected
from .redact import EVENT_EXEMPT, EVENT_SKIPS, PROPERTY_EXEMPT, Redactor, finish_event
from .redact_scan import PRE_ALL, PRE_PII
from textrepr._redact_scan cimport raw_clean_c, walk_event_c  # called from C (this module needs the compiled scan)
from .renderers import EVENT_KINDS, event_lines

__all__ = ["event_body", "parse_request"]

cdef object _loads = orjson.loads
cdef object _JSONDecodeError = orjson.JSONDecodeError
cdef object _has_digit_run = has_digit_run
cdef object _rejected_ = _rejected
cdef object _checked_ = _checked
cdef Py_ssize_t _walk_first = _WALK_FIRST

cdef frozenset _EVENT_TYPES = frozenset(("$ai_generation", "$ai_span", "$ai_embedding"))
cdef dict _USUAL = {}
cdef object _assemble = assemble
cdef object _event_lines = event_lines
cdef object _EVENT_KINDS = EVENT_KINDS
cdef object _request_options = request_options
cdef object _default = _DEFAULT
cdef list _recent = _RECENT  # options' memo (changed in place, never rebound): read here without a call
cdef object _Redactor = Redactor
cdef object _finish_event = finish_event
cdef tuple _skips = EVENT_SKIPS
cdef object _exempt = EVENT_EXEMPT
cdef object _prop_exempt = PROPERTY_EXEMPT
cdef int _pre_pii = PRE_PII
cdef object _RECHECK = object()  # event_body's answer for a document that needs parse._checked first


cdef object _options(dict raw):
    """``request_options(raw)[0]``: the defaults and the memo's hits without the Python call."""
    cdef tuple entry
    if not raw:
        return _default
    for x in _recent:
        entry = <tuple>x
        if entry[0] == raw:
            return entry[1]
    return _request_options(raw)[0]


cdef object _accepts(object o, object usual):
    """What ``usual`` answers for ``o``, asked once per option set (see _request_py._accepts)."""
    cdef object key = id(o)
    cdef tuple seen = _USUAL.get(key)
    if seen is not None and seen[0] is o and seen[1] is usual:
        return seen[2]
    if len(_USUAL) >= 64:
        _USUAL.clear()
    how = usual(o)
    if isinstance(how, _Redactor):  # with what its walk and raw_clean take, read here once (-1: no raw_clean)
        c = how._compiled
        how = (how, c.walk_flags, c.known, c.walk_secret_key, -1 if c.pre_flags & PRE_ALL else c.trig_flags)
    else:
        how = bool(how)
    _USUAL[key] = (o, usual, how)
    return how


cdef int _raw_clean(tuple how, bytes raw) except -1:
    """See _request_py._raw_clean (``how``: the redactor, its walk's flags, cache and secret-key test, and
    the flags of raw_clean or -1)."""
    cdef int raw_flags = how[4]
    if raw is None or raw_flags < 0 or not raw_clean_c(raw, raw_flags):
        return 0
    return 2 if raw_flags & _pre_pii else 1


cdef object _redacted(dict data, tuple how):
    """See _request_py._redacted."""
    got = walk_event_c(data, how[1], how[2], how[3], _skips, _exempt, _prop_exempt)
    return {} if got is None else _finish_event(how[0], got)


cdef tuple _rerun(object deep, object kind, dict props, object o):
    """The rendering rerun by ``deep`` on a big stack (apart: a closure in event_body costs every call)."""
    return deep(lambda: _assemble(_event_lines(kind, props, o), o.include_markers, o.include_line_numbers,
                                  o.max_length, None))


def event_body(doc, usual, deep=None, bytes raw=None, bint checked=True):
    """``text_repr``'s body for a parsed request ``doc`` that is the usual one, else ``None`` (``raw``: the
    JSON text that orjson parsed to ``doc``, if any; ``checked``: see _request_py.event_body)."""
    cdef dict d, data, props, metadata
    cdef object event_type, event_id, o, ev, kind, text, truncated, x, how
    cdef object redactions = None
    cdef int clean = 0
    if type(doc) is not dict:
        return None
    d = <dict>doc
    event_type = d.get("event_type")
    if type(event_type) is not str or event_type not in _EVENT_TYPES:
        return None
    x = d.get("data")
    if type(x) is not dict:
        return None
    data = <dict>x
    x = data.get("properties")
    event_id = data.get("id")
    if type(x) is not dict or not event_id:
        return None
    props = <dict>x
    x = d.get("options")
    if x is None:
        if "options" in d:
            return None
        o = _default
    elif type(x) is not dict:
        return None
    else:
        o = _options(<dict>x)
    if o is None:
        return None
    how = _accepts(o, usual)
    if how is False:
        return None
    if how is not True:
        clean = _raw_clean(<tuple>how, raw)
    if not checked and clean != 2 and raw is not None and _has_digit_run(raw):
        return _RECHECK
    if how is not True:
        redactions = {} if clean else _redacted(data, <tuple>how)
    ev = data.get("event")
    if type(ev) is not str:
        kind = event_type
    elif ev in _EVENT_KINDS:
        kind = ev
    else:
        kind = "$ai_generation"
    try:
        text, truncated = _assemble(_event_lines(kind, props, o), o.include_markers, o.include_line_numbers,
                                    o.max_length, None)
    except RecursionError:
        if deep is None and redactions is None:
            return None
        if deep is None:
            raise
        text, truncated = _rerun(deep, kind, props, o)
    metadata = {
        "event_type": event_type,
        "event_id": event_id,
        "trace_id": props.get("$ai_trace_id") or data.get("trace_id"),
        "rendering": "detailed",
        "char_count": len(text),
        "truncated": truncated,
    }
    if redactions is not None:
        metadata["redactions"] = redactions
    return {"text": text, "metadata": metadata}


def parse_request(bytes raw, usual, deep=None):
    """``(parse.load_json(raw), event_body(that document, usual))``, with load_json's usual case inline."""
    try:
        doc = _loads(raw)
    except _JSONDecodeError:
        doc = _rejected_(raw)
        return doc, event_body(doc, usual, deep)  # the lenient parse: its strings need not be the text's bytes
    if type(doc) is not dict or len(raw) >= _walk_first:
        doc = _checked_(raw, doc)
        return doc, event_body(doc, usual, deep, raw)
    body = event_body(doc, usual, deep, raw, False)  # looks for a digit run itself (or rules one out)
    if body is _RECHECK:
        doc = _checked_(raw, doc)
        body = event_body(doc, usual, deep, raw)
    elif body is None and _has_digit_run(raw):  # the general path's document
        doc = _checked_(raw, doc)
    return doc, body
