"""One trace's events -> its trace object and hierarchy (RULES.md §B–F), iteratively and in O(n log n)."""
from __future__ import annotations

from typing import Any

from ..parse import loads_strict
from .events import NODE_KINDS, Item, event_id
from .values import ID, NAME, instant_us, latency_ms, same_key, timestamp_text

__all__ = ["assemble_group"]

_MISSING = object()


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


def _trace_object(tid: str, ordered: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Rule 12 over the trace's events in event order (kind, properties)."""
    trace_name = any_name = session = None
    states: tuple[Any, Any] | None = None
    for kind, props in ordered:
        if kind == "$ai_trace":
            if states is None:
                states = (_state(props.get("$ai_input_state")), _state(props.get("$ai_output_state")))
            if trace_name is None:
                trace_name = _name(props)
        elif any_name is None:
            any_name = _name(props)
        if session is None:
            session = NAME(props.get("$ai_session_id"))
    out: dict[str, Any] = {"$ai_trace_id": tid}
    name = trace_name if trace_name is not None else any_name
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
        if ts is not None and type(ts) is not str:
            ts = timestamp_text(ts)
        stamps.append(ts)
        instants.append(instant_us(ts))
    # Rule 10: event order = by instant (unparseable = the epoch), stable on input order.
    order = sorted(range(n_items), key=[u or 0 for u in instants].__getitem__)

    trace = _trace_object(tid, [(items[i][2], items[i][3]) for i in order])

    # Rules 11 and 15: exact duplicates dropped, then the node table (later event wins, first position).
    # Events are compared only when their ids collide (rare outside real duplicates): ``seen`` maps an
    # event id to its one kept event, or, after a collision, to the full keys of the kept ones.
    seen: dict[str, Any] = {}
    table: dict[str, int] = {}
    slots: list[int] = []  # node position -> index into items of its retained event
    nids: list[str] = []
    for i in order:
        it = items[i]
        kind = it[2]
        if kind not in NODE_KINDS:
            continue
        props = it[3]
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

    # Rules 16-20: parents, children lists in node order, orphans, sort keys.
    n = len(slots)
    keys: list[tuple[float, float]] = []
    children: dict[str, list[int]] = {}
    orphans: list[int] = []
    for pos in range(n):
        i = slots[pos]
        props = items[i][3]
        x = props.get("$ai_latency", 0)
        lat = (x * 1000 if x > 0 else 0.0) if type(x) is float else latency_ms(x)
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
        lst = children.get(pid)
        if lst is None:
            children[pid] = lst = []
        lst.append(pos)
        if pid != tid and pid not in table:
            orphans.append(pos)

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
            ch = children.get(nids[r])
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
                    ch = children.get(nids[c])
                    if ch:
                        stack.append((sub, iter(sorted(ch, key=key) if len(ch) > 1 else ch)))
                        break
                else:
                    stack.pop()
                    steps += 1

    # Rule 21/23: children of the trace, then orphans, by start; rule 24: the leftovers in node order.
    build(sorted(children.get(tid, []) + orphans, key=key))
    build(sorted((p for p in range(n) if not emitted[p]), key=key))
    if stats is not None:
        stats["nodes"] = n
        stats["steps"] = steps
    return {"trace": trace, "hierarchy": hierarchy}
