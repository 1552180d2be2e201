"""Flat events in (RULES.md §A): which events take part, their decoded properties, trace ids, event ids."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterable

from ..errors import InvalidRequest
from ..parse import loads_strict
from .values import ID

__all__ = [
    "KINDS", "NODE_KINDS", "Item", "as_event_list", "decode_properties", "event_error", "event_id", "group_events",
    "participant", "trace_of",
]

# The six kinds that take part (rule 2) and the three that become nodes (rule 13).
KINDS = frozenset(("$ai_span", "$ai_generation", "$ai_embedding", "$ai_metric", "$ai_feedback", "$ai_trace"))
NODE_KINDS = frozenset(("$ai_span", "$ai_generation", "$ai_embedding"))

# One event of a trace: (input index, the event object, its kind, its decoded properties).
Item = tuple[int, Mapping[str, Any], str, dict[str, Any]]


def event_error(index: int, message: str) -> InvalidRequest:
    """Rule 5's invalid-input error, naming the 0-based input index."""
    return InvalidRequest({"events": [f"event {index}: {message}"]})


def decode_properties(v: Any, index: int) -> dict[str, Any]:
    """Rule 3: an object as is; a JSON string holding an object parsed; missing/null/"" -> {}."""
    if type(v) is dict:
        return v
    if v is None or v == "":
        return {}
    if isinstance(v, str):
        ok, doc = loads_strict(v)
        if ok and type(doc) is dict:
            return doc
        what = f"a JSON {_json_kind(doc)}" if ok else "not valid JSON"
        raise event_error(index, f"'properties' is a string that must hold a JSON object, but it is {what}")
    if isinstance(v, Mapping):
        return dict(v)
    raise event_error(index, f"'properties' must be an object or a JSON string holding one, not {_json_kind(v)}")


def _json_kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "array"
    if isinstance(v, Mapping):
        return "object"
    return type(v).__name__


def participant(ev: Any, index: int) -> tuple[str, dict[str, Any]] | None:
    """``(kind, decoded properties)`` for an event of the six kinds, None for any other event (rule 2).

    A non-object element is an input error (rule 5)."""
    if type(ev) is not dict and not isinstance(ev, Mapping):
        raise event_error(index, f"an event must be a JSON object, not {_json_kind(ev)}")
    kind = ev.get("event")
    if type(kind) is not str or kind not in KINDS:
        return None
    return kind, decode_properties(ev.get("properties"), index)


def trace_of(props: dict[str, Any]) -> str | None:
    """Rule 4: the event's trace id, or None when it belongs to no trace (no id, or "")."""
    tid = ID(props.get("$ai_trace_id"))
    return tid or None


def event_id(ev: Mapping[str, Any], index: int) -> str:
    """Rule 7: ``ID(id)`` if ``id`` is set, else ``ID(uuid)``; no usable id is an input error (rule 5)."""
    v = ev.get("id")
    key = "id"
    if v is None:
        v = ev.get("uuid")
        key = "uuid"
    eid = ID(v)
    if eid is None:
        if v is None:
            raise event_error(index, "has no id (neither 'id' nor 'uuid' is set)")
        raise event_error(index, f"'{key}' must be a string, number or boolean, not {_json_kind(v)}")
    return eid


def as_event_list(events: Any) -> Iterable[Any]:
    """The caller's events: any iterable of event objects except a string, bytes or a single mapping."""
    if isinstance(events, (str, bytes, bytearray, memoryview, Mapping)) or not hasattr(events, "__iter__"):
        raise InvalidRequest({"events": [f"expected a list of event objects, not {_json_kind(events)}"]})
    return events


def group_events(events: Any, only: str | None = None) -> tuple[dict[str, list[Item]], list[int]]:
    """Rules 4 and 28: the events of the six kinds grouped by trace id in order of first appearance
    (each group in input order), and the indices of those that belong to no trace.

    With ``only``, just that trace's group is kept (the other events are still checked by rule 5)."""
    groups: dict[str, list[Item]] = {}
    unassigned: list[int] = []
    kinds = KINDS
    for i, ev in enumerate(as_event_list(events)):
        # The common shape (an event object with an object of properties and a string trace id) inline;
        # anything else goes through participant() / trace_of(), which hold the rules and the errors.
        if type(ev) is dict:
            kind = ev.get("event")
            if type(kind) is not str or kind not in kinds:
                continue
            props = ev.get("properties")
            if type(props) is not dict:
                props = decode_properties(props, i)
        else:
            p = participant(ev, i)
            if p is None:
                continue
            kind, props = p
        tid = props.get("$ai_trace_id")
        if type(tid) is not str:
            tid = trace_of(props)
        if not tid:
            unassigned.append(i)
            continue
        if only is not None and tid != only:
            continue
        g = groups.get(tid)
        if g is None:
            groups[tid] = g = []
        g.append((i, ev, kind, props))
    return groups, unassigned
