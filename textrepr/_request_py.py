"""The usual request end to end (issue 16); compiled twin: ``textrepr/_request.pyx``.

Most requests are one event with valid options that ask for no redaction, filter, token bound or
shrink-to-fit. ``event_body`` answers exactly those — the same 200 body as ``api.text_repr``'s general path —
with the checks of ``validate.validate_request`` and ``validate.check_event`` reduced to what such a request
passes; for anything else (a trace, an error to report, other options) it returns ``None`` and the caller
takes the general path, which gives every answer including the errors. ``parse_request`` puts
``parse.load_json`` in front of it for a request's bytes.
"""
from __future__ import annotations

from typing import Any, Callable

import orjson

from .core import assemble, has_digit_run
from .options import Options, request_options
from .parse import _WALK_FIRST, _checked, _rejected
from .renderers import EVENT_KINDS, event_lines

__all__ = ["event_body", "parse_request"]

# The single-event kinds of validate.EVENT_TYPES (a "$ai_trace" request is never the usual one here).
_EVENT_TYPES = frozenset(("$ai_generation", "$ai_span", "$ai_embedding"))
# Options instance -> whether ``usual`` accepted it (one test per distinct option set, not per request).
_USUAL: dict[int, tuple[Options, Callable[[Options], bool], bool]] = {}


def _accepts(o: Options, usual: Callable[[Options], bool]) -> bool:
    seen = _USUAL.get(id(o))
    if seen is not None and seen[0] is o and seen[1] is usual:
        return seen[2]
    if len(_USUAL) >= 64:
        _USUAL.clear()
    ok = bool(usual(o))
    _USUAL[id(o)] = (o, usual, ok)  # the entry keeps ``o`` alive, so its id is not reused while it is here
    return ok


def event_body(doc: Any, usual: Callable[[Options], bool]) -> dict[str, Any] | None:
    """``text_repr``'s body for a parsed request ``doc`` that is the usual one, else ``None``.

    The usual request: an object whose ``event_type`` is a single-event type, whose ``data`` is an object
    with a truthy ``id`` and an object ``properties``, and whose ``options`` (absent or an object) are valid
    and accepted by ``usual`` (asked once per distinct option set)."""
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
    raw = doc.get("options", {})
    if type(raw) is not dict:
        return None
    o, errors = request_options(raw)
    if o is None or not _accepts(o, usual):
        return None
    ev = data.get("event")
    kind = event_type if type(ev) is not str else ev if ev in EVENT_KINDS else "$ai_generation"
    try:
        text, truncated = assemble(event_lines(kind, props, o), o.include_markers, o.include_line_numbers,
                                   o.max_length, None)
    except RecursionError:  # the general path reruns it on a big stack
        return None
    return {"text": text, "metadata": {
        "event_type": event_type,
        "event_id": event_id,
        "trace_id": props.get("$ai_trace_id") or data.get("trace_id"),
        "rendering": "detailed",
        "char_count": len(text),
        "truncated": truncated,
    }}


def parse_request(raw: bytes, usual: Callable[[Options], bool]) -> tuple[Any, dict[str, Any] | None]:
    """``(parse.load_json(raw), event_body(that document, usual))``, with load_json's usual case inline."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        doc = _rejected(raw)
    else:
        if type(doc) is not dict or len(raw) >= _WALK_FIRST or has_digit_run(raw):
            doc = _checked(raw, doc)
    return doc, event_body(doc, usual)
