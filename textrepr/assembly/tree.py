"""One trace's events -> its trace object and hierarchy (RULES.md §B–F), iteratively and in O(n log n).

Cost matters (a trace is assembled before every rendering of flat events), so the common case — no two
events share an event id, no two nodes share a node id — is handled with whole-list operations that run in
C (set and dict construction, sorts on float keys), and the per-event Python work is one pass that reads
each value once. Id collisions (duplicates, rule 11; superseded events, rule 15) take the general loop.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..parse import loads_strict
from .events import NODE_KINDS, Item, event_id
from .values import ID, NAME, instant_us, latency_ms, same_key, timestamp_text

__all__ = ["assemble_group"]

_MISSING = object()
_fromisoformat = datetime.fromisoformat
_UTC = timezone.utc
# |seconds since the epoch| below 2**33 (years 1698-2242): distinct microsecond instants are distinct
# doubles (their spacing there is < 1 µs), so ``us / 10**6`` orders events exactly like ``us``.
_EXACT_SECONDS = float(2 ** 33)


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


def _trace_object(tid: str, items: list[Item], order: list[int], trace_events: list[int]) -> dict[str, Any]:
    """Rule 12: the trace object; ``order`` is the event order, ``trace_events`` the ``$ai_trace`` events
    in it. Only the keys whose value is not absent are written."""
    out: dict[str, Any] = {"$ai_trace_id": tid}
    name = session = None
    for i in trace_events:
        name = _name(items[i][3])
        if name is not None:
            break
    if name is None:
        for i in order:
            name = _name(items[i][3])
            if name is not None:
                break
    for i in order:
        v = items[i][3].get("$ai_session_id")
        if v is not None:
            session = NAME(v)
            if session is not None:
                break
    if name is not None:
        out["$ai_span_name"] = name
    if session is not None:
        out["$ai_session_id"] = session
    if trace_events:
        props = items[trace_events[0]][3]
        for key in ("$ai_input_state", "$ai_output_state"):
            state = _state(props.get(key))
            if state is not _MISSING:
                out[key] = state
    return {"id": tid, "properties": out}


def _seconds(ts: Any) -> tuple[Any, float | None]:
    """A timestamp not handled by the inline fast path: (the value the output carries, seconds since the
    epoch or None when unparseable)."""
    if type(ts) is not str and ts is not None:
        ts = timestamp_text(ts)
    us = instant_us(ts)
    return ts, None if us is None else us / 1_000_000


def _node_table(items: list[Item], eids: list[str], stamps: list[Any], nids: list[str], candidates: list[int]
                ) -> tuple[list[int], dict[str, int]]:
    """Rules 11 and 15 when ids collide: exact duplicates dropped (events compared only when their ids
    collide), then the node table (a later event replaces an earlier one with its node id, which keeps its
    position). Returns (node position -> item index, node id -> position)."""
    seen: dict[str, Any] = {}
    table: dict[str, int] = {}
    slots: list[int] = []
    for i in candidates:
        eid = eids[i]
        prior = seen.get(eid)
        if prior is None:
            seen[eid] = i
        else:
            if type(prior) is int:
                prior = {_same(items[prior][2], stamps[prior], items[prior][3])}
                seen[eid] = prior
            full = _same(items[i][2], stamps[i], items[i][3])
            if full in prior:
                continue
            prior.add(full)
        nid = nids[i]
        pos = table.get(nid)
        if pos is None:
            table[nid] = len(slots)
            slots.append(i)
        else:
            slots[pos] = i
    return slots, table


def assemble_group(tid: str, items: list[Item], stats: dict[str, int] | None = None) -> dict[str, Any]:
    """``{"trace", "hierarchy"}`` of trace ``tid`` from its events (in input order, all with that trace id).

    ``stats`` (tests): receives ``nodes`` and ``steps``, the number of tree-walk iterations, which
    must stay within a constant times the number of events.
    """
    # One pass in input order reads everything an event contributes: its event id, timestamp (as given and
    # in seconds), node id, parent id, latency and start.
    eids: list[str] = []
    stamps: list[Any] = []
    secs: list[float] = []  # rule 10's instant in seconds (unparseable = the epoch)
    nids: list[str] = []
    pids: list[str | None] = []
    starts: list[float] = []
    neg_lats: list[float] = []
    events: list[dict[str, Any] | None] = []  # rule 27's output event of a node event
    trace_events: list[int] = []
    has_other = False  # an event of a kind that is not a node
    # Bound appends: this loop runs once per event.
    eid_add, stamp_add, sec_add, event_add = eids.append, stamps.append, secs.append, events.append
    nid_add, pid_add, start_add, lat_add = nids.append, pids.append, starts.append, neg_lats.append
    for idx, ev, kind, props in items:
        v = ev.get("id")
        if v is None:
            v = ev.get("uuid")
        eid = v if type(v) is str else event_id(ev, idx)
        eid_add(eid)
        ts = ev.get("timestamp")
        sec: float | None
        if type(ts) is str:  # the common case, inlined from instant_us
            try:
                dt = _fromisoformat(ts)
            except ValueError:
                ts, sec = _seconds(ts)
            else:
                if dt.tzinfo is None:
                    dt = dt.replace(tzinfo=_UTC)
                sec = dt.timestamp()  # exactly µs / 10**6 for an aware datetime (rule 19)
        else:
            ts, sec = _seconds(ts)
        stamp_add(ts)
        if kind not in NODE_KINDS:
            has_other = True
            if kind == "$ai_trace":
                trace_events.append(len(secs))
            sec_add(0.0 if sec is None else sec)
            event_add(None)
            nid_add("")
            pid_add(None)
            start_add(0.0)
            lat_add(0.0)
            continue
        event_add({"id": eid, "event": kind, "properties": props, "timestamp": ts})
        v = props.get("$ai_generation_id")
        if v is None:
            v = props.get("$ai_span_id")
        if type(v) is str:
            nid_add(v)
        else:
            nid = ID(v)
            nid_add(eid if nid is None else nid)
        v = props.get("$ai_parent_id")
        if v is None:
            v = props["$ai_trace_id"]  # set: the event belongs to the trace
        pid_add(v if type(v) is str else ID(v))
        # Rules 18-19: latency and start, in ms.
        x = props.get("$ai_latency")
        if type(x) is float:
            lat = x * 1000 if x > 0 else 0.0
        else:
            lat = 0.0 if x is None else latency_ms(x)
        lat_add(-lat)
        if sec is None:
            sec_add(0.0)
            start_add(0.0)
        else:
            sec_add(sec)
            src = props.get("$ai_ingestion_source")
            start_add(sec * 1000 if type(src) is str and src == "otel" else sec * 1000 - lat)

    # Rule 10: event order = by instant, stable on input order; exact microseconds where seconds are not.
    if not secs or -_EXACT_SECONDS < min(secs) and max(secs) < _EXACT_SECONDS:
        order = sorted(range(len(items)), key=secs.__getitem__)
    else:
        us = [instant_us(ts) for ts in stamps]
        order = sorted(range(len(items)), key=[u or 0 for u in us].__getitem__)
    if len(trace_events) > 1:
        rank = [0] * len(items)
        for r, i in enumerate(order):
            rank[i] = r
        trace_events.sort(key=rank.__getitem__)
    trace = _trace_object(tid, items, order, trace_events)

    # Rules 11 and 15: the node table. Without a shared event id there is no duplicate, and without a
    # shared node id no replacement: the node order is then the event order of the node events.
    if not has_other:
        candidates = order
    else:
        candidates = [i for i in order if events[i] is not None]
    slots = candidates
    table = dict(zip(map(nids.__getitem__, candidates), range(len(candidates))))
    if len(table) != len(candidates) or len(set(map(eids.__getitem__, candidates))) != len(candidates):
        slots, table = _node_table(items, eids, stamps, nids, candidates)
    n = len(slots)

    # Rule 20: node positions by K = (start, -latency), stable on node order (two stable sorts on float
    # keys: the secondary key first). Walking them in that order fills every children list already sorted.
    start_at = list(map(starts.__getitem__, slots))
    neg_lat_at = list(map(neg_lats.__getitem__, slots))
    if len(set(start_at)) == n:  # no tie on start: the latency cannot matter
        by_k = sorted(range(n), key=start_at.__getitem__)
    else:
        by_k = sorted(range(n), key=neg_lat_at.__getitem__)
        by_k.sort(key=start_at.__getitem__)
    node_events = list(map(events.__getitem__, slots))

    # Rules 16-17: parents, children lists, orphans.
    kids: list[list[int] | None] = [None] * n
    trace_kids: list[int] = []  # children of the trace id (also the children of a node whose id is it)
    at_tid = table.get(tid)
    if at_tid is not None:
        kids[at_tid] = trace_kids
    orphans: list[int] = []
    for pos in by_k:
        pid = pids[slots[pos]]
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

    # Rule 21/23: children of the trace, then orphans, by K (both lists are in K order: a stable merge).
    if orphans:
        roots = trace_kids + orphans
        roots.sort(key=neg_lat_at.__getitem__)  # stable: ties on K keep "children of T, then orphans"
        roots.sort(key=start_at.__getitem__)
    else:
        roots = trace_kids

    # Every node sits in exactly one list (a children list or the roots) or has no parent. Unless a node's id
    # is the trace id (rule 23), the walk of rule 22 then only ever meets new nodes, and when it reaches all
    # of them (no cycle, no parentless node: rule 24 has nothing to do) the lists already are the tree.
    if at_tid is None:
        reached = 0
        todo = [roots]
        for lst in todo:
            reached += len(lst)
            todo.extend(filter(None, map(kids.__getitem__, lst)))
        if reached == n:
            nodes = [{"event": e, "children": [] if ch is None else ch} for e, ch in zip(node_events, kids)]
            node_at = nodes.__getitem__
            for ch in kids:
                if ch:
                    ch[:] = map(node_at, ch)  # positions -> their nodes, in place
            if stats is not None:
                stats["nodes"] = n
                stats["steps"] = reached + len(todo)
            return {"trace": trace, "hierarchy": list(map(node_at, roots))}

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
            top: list[dict[str, Any]] = []
            hierarchy.append({"event": node_events[r], "children": top})
            ch = kids[r]
            if not ch:
                continue
            stack = [(top, iter(ch))]
            while stack:
                out, it = stack[-1]
                for c in it:
                    steps += 1
                    if emitted[c]:
                        continue
                    emitted[c] = 1
                    sub: list[dict[str, Any]] = []
                    out.append({"event": node_events[c], "children": sub})
                    ch = kids[c]
                    if ch:
                        stack.append((sub, iter(ch)))
                        break
                else:
                    stack.pop()
                    steps += 1

    # Rule 22 for the roots; rule 24: the leftovers, in node order stable-sorted by K, i.e. in K order.
    build(roots)
    if emitted.count(0):
        build([p for p in by_k if not emitted[p]])
    if stats is not None:
        stats["nodes"] = n
        stats["steps"] = steps
    return {"trace": trace, "hierarchy": hierarchy}
