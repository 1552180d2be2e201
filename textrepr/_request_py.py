"""The usual request end to end (issue 16); compiled twin: ``textrepr/_request.pyx``.

Most requests are one event with valid options that ask for no filter, token bound or shrink-to-fit, and
for no redaction or for the built-in rules only. ``event_body`` answers exactly those — the same 200 body as
``api.text_repr``'s general path, redacted in place as its ``prepare_data`` does (issue 14) — with the checks of ``validate.validate_request`` and ``validate.check_event`` reduced to what such a request
passes; for anything else (a trace, an error to report, other options) it returns ``None`` and the caller
takes the general path, which gives every answer including the errors. ``parse_request`` puts
``parse.load_json`` in front of it for a request's bytes.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

import orjson

from .core import assemble, has_digit_run
from .options import Options, request_options
from .parse import _WALK_FIRST, _checked, _rejected
from .redact import EVENT_EXEMPT, EVENT_SKIPS, PROPERTY_EXEMPT, Redactor, finish_event
from .redact_scan import PRE_ALL, PRE_PII, raw_clean, walk_event
from .renderers import EVENT_KINDS, event_lines

__all__ = ["event_body", "parse_request"]

# The single-event kinds of validate.EVENT_TYPES (a "$ai_trace" request is never the usual one here).
_EVENT_TYPES = frozenset(("$ai_generation", "$ai_span", "$ai_embedding"))
T = TypeVar("T")
# ``usual(o)``: False (the general path), True (the fast path), or the Redactor of the built-in rules that
# the fast path redacts with (see ``api._usual``).
Usual = Callable[[Options], "bool | Redactor"]
Deep = Callable[[Callable[[], T]], T]
# Options instance -> what ``usual`` answered for it (one question per distinct option set, not per request).
_USUAL: dict[int, tuple[Options, Usual, bool | Redactor]] = {}
# event_body's answer for a document that must go through ``parse._checked`` first (see parse_request).
_RECHECK: Any = object()


def _accepts(o: Options, usual: Usual) -> bool | Redactor:
    seen = _USUAL.get(id(o))
    if seen is not None and seen[0] is o and seen[1] is usual:
        return seen[2]
    if len(_USUAL) >= 64:
        _USUAL.clear()
    how = usual(o)
    how = how if isinstance(how, Redactor) else bool(how)
    _USUAL[id(o)] = (o, usual, how)  # the entry keeps ``o`` alive, so its id is not reused while it is here
    return how


def _raw_clean(r: Redactor, raw: bytes | None) -> int:
    """``redact_scan.raw_clean`` of the request's JSON text ``raw`` for the built-in rules ``r``: 0 (not
    clean, or not known), 1 (clean), 2 (clean, with the pii rules: then it has no run of 7 digits, and so no
    integer that orjson may have made a float)."""
    c = r._compiled
    if raw is None or c.pre_flags & PRE_ALL or not raw_clean(raw, c.trig_flags):
        return 0
    return 2 if c.trig_flags & PRE_PII else 1


def _redacted(data: dict[str, Any], r: Redactor) -> dict[str, int]:
    """``api.prepare_data`` on a single event's ``data`` for the built-in rules ``r`` (no callback, no
    filter; event_body does not call it when the request's text was clean): one compiled walk, which finds
    nothing in a clean event; else ``redact.finish_event``."""
    c = r._compiled
    got = walk_event(data, c.walk_flags, c.known, c.walk_secret_key, EVENT_SKIPS, EVENT_EXEMPT, PROPERTY_EXEMPT)
    return {} if got is None else finish_event(r, got)


def event_body(doc: Any, usual: Usual, deep: Deep | None = None, raw: bytes | None = None,
               checked: bool = True) -> Any:
    """``text_repr``'s body for a parsed request ``doc`` that is the usual one, else ``None``.

    The usual request: an object whose ``event_type`` is a single-event type, whose ``data`` is an object
    with a truthy ``id`` and an object ``properties``, and whose ``options`` (absent or an object) are valid
    and accepted by ``usual`` (asked once per distinct option set; a Redactor: redact ``data`` in place
    with it first). ``deep`` (``api._deep``) reruns a rendering that exhausts the recursion limit on a big
    stack; without it such a request is left to the general path, unless it was redacted already (then
    the RecursionError propagates: the general path must not redact it twice). ``raw``: the JSON text that
    ``orjson.loads`` parsed to ``doc``, if any (a clean one needs no redaction walk); ``checked=False``: it
    has not been looked at for a 19-digit run yet (``parse._checked``), which is done here (one scan can
    rule it out and the walk together), and ``_RECHECK`` is the answer when there is one."""
    if raw is not None and type(raw) is not bytes:
        raise TypeError(f"raw must be bytes, not {type(raw).__name__}")
    if type(doc) is not dict:
        return None
    event_type = doc.get("event_type")
    if type(event_type) is not str or event_type not in _EVENT_TYPES:
        return None
    data = doc.get("data")
    if type(data) is not dict:
        return None
    props = data.get("properties")
    event_id = data.get("id")
    if type(props) is not dict or not event_id:
        return None
    given = doc.get("options", {})
    if type(given) is not dict:
        return None
    o, errors = request_options(given)
    if o is None:
        return None
    how = _accepts(o, usual)
    if how is False:
        return None
    clean = 0 if how is True else _raw_clean(how, raw)
    if not checked and clean != 2 and raw is not None and has_digit_run(raw):
        return _RECHECK
    redactions = None if how is True else {} if clean else _redacted(data, how)
    ev = data.get("event")
    kind = event_type if type(ev) is not str else ev if ev in EVENT_KINDS else "$ai_generation"
    try:
        text, truncated = assemble(event_lines(kind, props, o), o.include_markers, o.include_line_numbers,
                                   o.max_length, None)
    except RecursionError:  # rerun on a big stack, here or (not redacted yet) by the general path
        if deep is None and redactions is None:
            return None
        if deep is None:
            raise
        text, truncated = deep(lambda: assemble(event_lines(kind, props, o), o.include_markers,
                                                o.include_line_numbers, o.max_length, None))
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


def parse_request(raw: bytes, usual: Usual, deep: Deep | None = None) -> tuple[Any, dict[str, Any] | None]:
    """``(parse.load_json(raw), event_body(that document, usual))``, with load_json's usual case inline."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        doc = _rejected(raw)
        return doc, event_body(doc, usual, deep)  # the lenient parse: its strings need not be the text's bytes
    if type(doc) is not dict or len(raw) >= _WALK_FIRST:
        doc = _checked(raw, doc)
        return doc, event_body(doc, usual, deep, raw)
    body = event_body(doc, usual, deep, raw, False)  # looks for a digit run itself (or rules one out)
    if body is _RECHECK:
        doc = _checked(raw, doc)
        body = event_body(doc, usual, deep, raw)
    elif body is None and has_digit_run(raw):  # the general path's document
        doc = _checked(raw, doc)
    return doc, body
