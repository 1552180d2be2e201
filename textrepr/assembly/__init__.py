"""Traces from flat events: group ``$ai_*`` events by trace and build the ``{"trace", "hierarchy"}`` a
trace request takes (the rules: RULES.md of the assembly corpus; docs/events.md for users).

``events`` -> ``events.py`` (kinds, properties, trace and event ids) -> ``tree.py`` (trace object, node
table, parents, ordering, iterative build) -> ``render.py`` (one response per trace) and ``spill.py``
(grouping inputs larger than memory, for the command line).
"""
from __future__ import annotations

from typing import Any, Iterable

from ..errors import InvalidRequest
from .events import group_events
from .tree import assemble_group

__all__ = ["assemble_trace", "assemble_traces"]

_MAX_NAMED = 20


def assemble_traces(events: Iterable[Any]) -> tuple[dict[str, dict[str, Any]], list[int]]:
    """Every trace of ``events``: ``({trace_id: {"trace", "hierarchy"}}, unassigned)``.

    Traces are keyed by trace id in order of first appearance; ``unassigned`` lists the input indices of
    ``$ai_*`` events that have no usable ``$ai_trace_id`` (they belong to no trace and are not rendered).
    Raises ``InvalidRequest`` naming the input index for a non-object element, undecodable
    ``properties`` or an event of a trace without ``id``/``uuid``.
    """
    groups, unassigned = group_events(events)
    return {tid: assemble_group(tid, items) for tid, items in groups.items()}, unassigned


def assemble_trace(events: Iterable[Any], trace_id: str | None = None) -> dict[str, Any]:
    """The ``data`` (``{"trace", "hierarchy"}``) of one trace, ready for
    ``text_repr({"event_type": "$ai_trace", "data": ...})``.

    ``trace_id=None`` takes the single trace present (none, or more than one, is an ``InvalidRequest``
    naming the ids found). An unknown ``trace_id`` gives an empty hierarchy.
    """
    if trace_id is None:
        groups, _ = group_events(events)
        if len(groups) != 1:
            ids = list(groups)
            if not ids:
                msg = "no event has a $ai_trace_id; there is no trace to assemble"
            else:
                shown = ", ".join(repr(t) for t in ids[:_MAX_NAMED])
                more = f" and {len(ids) - _MAX_NAMED} more" if len(ids) > _MAX_NAMED else ""
                msg = (f"the events hold {len(ids)} traces ({shown}{more}); pass trace_id=..., "
                       "or use assemble_traces() for all of them")
            raise InvalidRequest({"trace_id": [msg]})
        tid = next(iter(groups))
        return assemble_group(tid, groups[tid])
    if type(trace_id) is not str or not trace_id:
        raise InvalidRequest({"trace_id": [f"must be a non-empty string, not {trace_id!r}"[:200]]})
    groups, _ = group_events(events, only=trace_id)
    return assemble_group(trace_id, groups.get(trace_id, []))
