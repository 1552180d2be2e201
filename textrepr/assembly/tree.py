"""One trace's events -> its trace object and hierarchy (RULES.md §B–F), iteratively and in O(n log n)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ..parse import loads_strict
from .events import NODE_KINDS, Item, event_id
from .values import EPOCH, ID, NAME, instant_us, latency_ms, same_key, timestamp_text

__all__ = ["assemble_group"]

_MISSING = object()
_fromisoformat = datetime.fromisoformat
_UTC = timezone.utc
_US = timedelta(microseconds=1)


def _name(props: dict[str, Any]) -> str | None:
    """Rule 12: an event's name."""
    n = NAME(props.get("$ai_span_name"))
    return NAME(props.get("$ai_trace_name")) if n is None else n


def _state(v: Any) -> Any:
    """Rule 12's STATE(v); ``_MISSING`` when absent."""
    if v is None or v == "":
        return _MISSING
    if isinstance(v, str):
        ok, doc = loads_strict(v)
        if not ok:
            return v
        return _MISSING if doc is None else doc
    return v


def _same(kind: str, ts: Any, props: dict[str, Any]) -> tuple[Any, ...]:
    """Rule 11's sameness of two events with the same id: kind, timestamp value, decoded properties."""
    return (kind, ts if type(ts) is str else same_key(ts), same_key(props))


def _trace_object(tid: str, name: str | None, session: str | None, states: tuple[Any, Any] | None) -> dict[str, Any]:
    """Rule 12's shape: only the keys whose value is not absent."""
    out: dict[str, Any] = {"$ai_trace_id": tid}
    if name is not None:
        out["$ai_span_name"] = name
    if session is not None:
        out["$ai_session_id"] = session
    if states is not None:
        if states[0] is not _MISSING:
            out["$ai_input_state"] = states[0]
        if states[1] is not _MISSING:
            out["$ai_output_state"] = states[1]
    return {"id": tid, "properties": out}


def assemble_group(tid: str, items: list[Item], stats: dict[str, int] | None = None) -> dict[str, Any]:
    """``{"trace", "hierarchy"}`` of trace ``tid`` from its events (in input order, all with that trace id).

    ``stats`` (tests): receives ``nodes`` and ``steps``, the number of tree-walk iterations, which
    must stay within a constant times the number of events.
    """
    n_items = len(items)
    eids: list[str] = []
    stamps: list[Any] = []
    instants: list[int | None] = []
    for idx, ev, _kind, _props in items:
        v = ev.get("id")
        eids.append(v if type(v) is str else event_id(ev, idx))
        ts = ev.get("timestamp")
        if type(ts) is str:  # the common case, inlined from instant_us
            try:
                dt = _fromisoformat(ts)
            except ValueError:
                instants.append(instant_us(ts))
            else:
                if dt.tzinfo is None:
                    dt = dt.replace(tzinfo=_UTC)
                instants.append((dt - EPOCH) // _US)
        else:
            if ts is not None:
                ts = timestamp_text(ts)
            instants.append(instant_us(ts))
        stamps.append(ts)
    # Rule 10: event order = by instant (unparseable = the epoch), stable on input order.
    order = sorted(range(n_items), key=[u or 0 for u in instants].__getitem__)

    # Rules 11 and 15: exact duplicates dropped, then the node table (later event wins, first position).
    # Events are compared only when their ids collide (rare outside real duplicates): ``seen`` maps an
    # event id to its one kept event, or, after a collision, to the full keys of the kept ones.
    seen: dict[str, Any] = {}
    table: dict[str, int] = {}
    slots: list[int] = []  # node position -> index into items of its retained event
    nids: list[str] = []
    # Rule 12 in the same pass: the trace's name, session and states, first in event order.
    trace_name = any_name = session = None
    states: tuple[Any, Any] | None = None
    for i in order:
        it = items[i]
        kind = it[2]
        props = it[3]
        if kind == "$ai_trace":
            if states is None:
                states = (_state(props.get("$ai_input_state")), _state(props.get("$ai_output_state")))
            if trace_name is None:
                trace_name = _name(props)
        elif any_name is None:
            any_name = _name(props)
        if session is None:
            session = NAME(props.get("$ai_session_id"))
        if kind not in NODE_KINDS:
            continue
        eid = eids[i]
        prior = seen.get(eid)
        if prior is None:
            seen[eid] = i
        else:
            if type(prior) is int:
                prior = {_same(items[prior][2], stamps[prior], items[prior][3])}
                seen[eid] = prior
            full = _same(kind, stamps[i], props)
            if full in prior:
                continue
            prior.add(full)
        v = props.get("$ai_generation_id")
        if v is None:
            v = props.get("$ai_span_id")
        nid = v if type(v) is str else ID(v)
        if nid is None:
            nid = eid
        pos = table.get(nid)
        if pos is None:
            table[nid] = len(slots)
            slots.append(i)
            nids.append(nid)
        else:
            slots[pos] = i

    trace = _trace_object(tid, trace_name if trace_name is not None else any_name, session, states)

    # Rules 16-20: parents, children lists in node order (by position), orphans, sort keys.
    n = len(slots)
    keys: list[tuple[float, float]] = []
    kids: list[list[int] | None] = [None] * n
    trace_kids: list[int] = []  # children of the trace id (also the children of a node whose id is it)
    at_tid = table.get(tid)
    if at_tid is not None:
        kids[at_tid] = trace_kids
    orphans: list[int] = []
    for pos in range(n):
        i = slots[pos]
        props = items[i][3]
        x = props.get("$ai_latency")
        if type(x) is float:
            lat = x * 1000 if x > 0 else 0.0
        else:
            lat = 0.0 if x is None else latency_ms(x)
        us = instants[i]
        if us is None:
            start = 0.0
        else:
            end = (us / 1_000_000) * 1000
            src = props.get("$ai_ingestion_source")
            start = end if type(src) is str and src == "otel" else end - lat
        keys.append((start, -lat))
        v = props.get("$ai_parent_id")
        if v is None:
            v = props["$ai_trace_id"]  # set: the event belongs to the trace
        pid = v if type(v) is str else ID(v)
        if pid is None:
            continue
        if pid == tid:
            trace_kids.append(pos)
            continue
        p = table.get(pid)
        if p is None:
            orphans.append(pos)
            continue
        lst = kids[p]
        if lst is None:
            kids[p] = [pos]
        else:
            lst.append(pos)

    key = keys.__getitem__
    emitted = bytearray(n)
    steps = 0
    hierarchy: list[dict[str, Any]] = []

    def build(roots: list[int]) -> None:
        # Rule 22 without host recursion: a stack of (output children list, iterator over the sorted
        # children); a childless node needs no frame.
        nonlocal steps
        for r in roots:
            steps += 1
            if emitted[r]:
                continue
            emitted[r] = 1
            i = slots[r]
            e = items[i]
            top: list[dict[str, Any]] = []
            hierarchy.append({"event": {"id": eids[i], "event": e[2], "properties": e[3], "timestamp": stamps[i]},
                              "children": top})
            ch = kids[r]
            if not ch:
                continue
            stack = [(top, iter(sorted(ch, key=key) if len(ch) > 1 else ch))]
            while stack:
                out, it = stack[-1]
                for c in it:
                    steps += 1
                    if emitted[c]:
                        continue
                    emitted[c] = 1
                    i = slots[c]
                    e = items[i]
                    sub: list[dict[str, Any]] = []
                    out.append({"event": {"id": eids[i], "event": e[2], "properties": e[3], "timestamp": stamps[i]},
                                "children": sub})
                    ch = kids[c]
                    if ch:
                        stack.append((sub, iter(sorted(ch, key=key) if len(ch) > 1 else ch)))
                        break
                else:
                    stack.pop()
                    steps += 1

    # Rule 21/23: children of the trace, then orphans, by start; rule 24: the leftovers in node order.
    build(sorted(trace_kids + orphans, key=key))
    build(sorted((p for p in range(n) if not emitted[p]), key=key))
    if stats is not None:
        stats["nodes"] = n
        stats["steps"] = steps
    return {"trace": trace, "hierarchy": hierarchy}
