"""One response per assembled trace: ``text_repr`` of the trace request, and the records the command
line and the Arrow kernel write."""
from __future__ import annotations

from typing import Any, Callable, Mapping

import orjson

from ..api import _render_trace, text_repr
from ..errors import InvalidRequest
from ..options import Options
from ..parse import load_json
from ..redact import Redactor
from .events import participant
from .tree import assemble_group

__all__ = ["assemble_raw", "render_data", "render_group", "unwrap"]

# Types orjson would turn into strings silently; they must reach text_repr's own "no JSON form" check.
_DUMPS_OPTS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def render_data(data: dict[str, Any], options: Mapping[str, Any] | Options | None = None, *,
                plain: bool = False, token_counter: Callable[[str], int] | None = None,
                redactor: Redactor | None = None) -> dict[str, Any]:
    """``text_repr({"event_type": "$ai_trace", "data": data, "options": options})``: the 200 body or
    InvalidRequest.

    ``plain``: every value in ``data`` is already what ``textrepr.parse`` produces (plain, repaired JSON:
    the events were parsed by ``load_json``), so the request need not be copied or re-parsed and goes
    straight to the trace renderer; the result is the same. Otherwise the request goes through the
    JSON-bytes path when it encodes (cheaper than copying the Python objects), else through the Mapping
    path, which rejects values without a JSON form.
    """
    if plain:
        o = options if isinstance(options, Options) else Options.from_mapping(options or {})
        r = _render_trace(data, o, token_counter, redactor)
        return {"text": r.text, "metadata": r.metadata}
    doc: dict[str, Any] = {"event_type": "$ai_trace", "data": data}
    if isinstance(options, Options):
        options = {k: v for k, v in options.to_dict().items() if v is not None}
    if options:
        doc["options"] = dict(options)
    try:
        raw = orjson.dumps(doc, option=_DUMPS_OPTS)
    except (orjson.JSONEncodeError, TypeError):  # >64-bit ints, deep nesting, non-JSON values
        return text_repr(doc, token_counter=token_counter, redactor=redactor)
    return text_repr(raw, token_counter=token_counter, redactor=redactor)


def unwrap(doc: Any) -> Any:
    """A request-shaped record (``{"event_type", "data": {...}}``, as make_big and ``batch`` inputs hold)
    stands for its ``data``; anything else is the event itself."""
    if type(doc) is dict and "event" not in doc and "event_type" in doc and type(doc.get("data")) is dict:
        return doc["data"]
    return doc


def assemble_raw(tid: str, group: list[tuple[int, Any]]) -> dict[str, Any]:
    """Assemble one trace from ``(input index, event)`` pairs, an event given as JSON bytes or as an
    object; raises InvalidRequest (rule 5) for the trace."""
    items = []
    for i, ev in group:
        if type(ev) is bytes:
            ev = unwrap(load_json(ev))
        p = participant(ev, i)
        if p is not None:  # always, for events the grouping kept
            items.append((i, ev, p[0], p[1]))
    return assemble_group(tid, items)


def render_group(tid: str, group: list[tuple[int, Any]], options: Mapping[str, Any] | Options | None, *,
                 token_counter: Callable[[str], int] | None = None, redactor: Redactor | None = None
                 ) -> tuple[dict[str, Any], int]:
    """One trace's record (``{"trace_id", "text", "metadata"}`` or ``{"trace_id", "error"}``) and its
    number of nodes (0 when it failed). Events given as JSON bytes are parsed here, and then need no
    second parse for rendering."""
    try:
        data = assemble_raw(tid, group)
        body = render_data(data, options, plain=all(type(ev) is bytes for _, ev in group),
                           token_counter=token_counter, redactor=redactor)
    except InvalidRequest as e:
        return {"trace_id": tid, "error": {"status": e.status, "body": e.body}}, 0
    nodes = _count_nodes(data["hierarchy"])
    return {"trace_id": tid, "text": body["text"], "metadata": body["metadata"]}, nodes


def _count_nodes(hierarchy: list[dict[str, Any]]) -> int:
    n = 0
    stack = [hierarchy]
    while stack:
        sibs = stack.pop()
        n += len(sibs)
        stack.extend(node["children"] for node in sibs if node["children"])
    return n
