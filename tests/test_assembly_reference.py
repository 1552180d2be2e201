"""The assembly against a plain reference written straight from RULES.md (rules 2-27), on random events.

textrepr.assembly.tree takes shortcuts for speed (one pass per column, collision checks on whole lists, the
K order from two float sorts, children lists filled already sorted, no walk when the lists already are the
tree); the reference below takes none: it sorts every children list with tuple keys, keeps the node table as
a dict and builds the tree recursively (inputs here are small), exactly in the words of the rules.
"""
from __future__ import annotations

from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_assembly_properties import distinct_events, flat_events  # noqa: E402

from textrepr import InvalidRequest, assemble_trace  # noqa: E402
from textrepr.assembly.events import decode_properties  # noqa: E402
from textrepr.assembly.values import ID, NAME, instant_us, latency_ms, same_key, timestamp_text  # noqa: E402
from textrepr.parse import loads_strict  # noqa: E402

pytestmark = pytest.mark.properties

T = "t"
KINDS = ("$ai_span", "$ai_generation", "$ai_embedding", "$ai_metric", "$ai_feedback", "$ai_trace")


def _first(props: dict[str, Any], k1: str, k2: str) -> Any:
    return props[k1] if props.get(k1) is not None else props.get(k2)


def _state(v: Any) -> Any:
    if v is None or v == "":
        return None
    if isinstance(v, str):
        ok, doc = loads_strict(v)
        return doc if ok else v
    return v


def reference(events: list[Any], tid: str) -> dict[str, Any]:
    mine = []  # (eid, kind, props, timestamp) of the events of the trace, in input order
    for ev in events:
        kind = ev.get("event")
        if type(kind) is not str or kind not in KINDS:
            continue
        props = decode_properties(ev.get("properties"), 0)
        if ID(props.get("$ai_trace_id")) != tid:
            continue
        eid = ID(ev["id"]) if ev.get("id") is not None else ID(ev.get("uuid"))
        ts = ev.get("timestamp")
        mine.append((eid, kind, props, None if ts is None else timestamp_text(ts)))
    order = sorted(mine, key=lambda e: instant_us(e[3]) or 0)  # rule 10 (stable)

    # Rule 12.
    def name(p: dict[str, Any]) -> str | None:
        n = NAME(p.get("$ai_span_name"))
        return n if n is not None else NAME(p.get("$ai_trace_name"))

    traces = [e for e in order if e[1] == "$ai_trace"]
    names = [n for e in traces if (n := name(e[2])) is not None] or [n for e in order if (n := name(e[2])) is not None]
    sessions = [s for e in order if (s := NAME(e[2].get("$ai_session_id"))) is not None]
    tprops: dict[str, Any] = {"$ai_trace_id": tid}
    if names:
        tprops["$ai_span_name"] = names[0]
    if sessions:
        tprops["$ai_session_id"] = sessions[0]
    if traces:
        for key in ("$ai_input_state", "$ai_output_state"):
            s = _state(traces[0][2].get(key))
            if s is not None:
                tprops[key] = s

    # Rules 11, 13, 15.
    seen: list[Any] = []
    table: dict[str, tuple[Any, ...]] = {}
    for e in order:
        if e[1] == "$ai_trace":
            continue
        same = (e[0], e[1], e[3] if type(e[3]) is str else same_key(e[3]), same_key(e[2]))
        if same in seen:
            continue
        seen.append(same)
        if e[1] in ("$ai_metric", "$ai_feedback"):
            continue
        nid = ID(_first(e[2], "$ai_generation_id", "$ai_span_id"))
        table[e[0] if nid is None else nid] = e  # a later event replaces, the position stays

    # Rules 16-20.
    def K(nid: str) -> tuple[float, float]:
        e = table[nid]
        lat = latency_ms(e[2].get("$ai_latency"))
        us = instant_us(e[3])
        if us is None:
            return (0.0, -lat)
        end = (us / 1_000_000) * 1000
        src = e[2].get("$ai_ingestion_source")
        return (end if type(src) is str and src == "otel" else end - lat, -lat)

    children: dict[str, list[str]] = {}
    orphans = []
    for nid, e in table.items():
        pid = ID(_first(e[2], "$ai_parent_id", "$ai_trace_id"))
        if pid is None:
            continue
        children.setdefault(pid, []).append(nid)
        if pid != tid and pid not in table:
            orphans.append(nid)

    # Rules 21-24.
    emitted: set[str] = set()

    def build(nid: str) -> dict[str, Any] | None:
        if nid not in table or nid in emitted:
            return None
        emitted.add(nid)
        kids = [r for c in sorted(children.get(nid, []), key=K) if (r := build(c)) is not None]
        e = table[nid]
        return {"event": {"id": e[0], "event": e[1], "properties": e[2], "timestamp": e[3]}, "children": kids}

    roots = [r for c in sorted(children.get(tid, []) + orphans, key=K) if (r := build(c)) is not None]
    leftovers = sorted([nid for nid in table if nid not in emitted], key=K)
    roots += [r for c in leftovers if (r := build(c)) is not None]
    return {"trace": {"id": tid, "properties": tprops}, "hierarchy": roots}


@st.composite
def tree_events(draw: st.DrawFn) -> list[dict[str, Any]]:
    """The regular shape (string ids, ISO timestamps, string span and parent ids) with ties on start and
    latency, otel spans, orphans, parentless nodes, cycles, and sometimes a node whose id is the trace id."""
    n = draw(st.integers(1, 40))
    names = [f"s{k}" for k in range(n)] + ([T] if draw(st.integers(0, 6)) == 0 else [])
    out = []
    for k in range(n):
        props: dict[str, Any] = {"$ai_trace_id": T, "$ai_span_id": names[k] if k < n - 1 else names[-1]}
        parent = draw(st.one_of(st.none(), st.sampled_from(names[: k + 1] + [T, T, "elsewhere"]),
                                st.sampled_from(names)))
        if parent is not None:
            props["$ai_parent_id"] = parent
        if draw(st.booleans()):
            props["$ai_latency"] = draw(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2]))
        if draw(st.integers(0, 5)) == 0:
            props["$ai_ingestion_source"] = "otel"
        sec = draw(st.integers(0, 4))
        frac = draw(st.sampled_from(["", ".5", ".500000", ".25"]))
        zone = draw(st.sampled_from(["Z", "Z", "+00:00", "", "+01:00"]))
        kind = draw(st.sampled_from(["$ai_span", "$ai_span", "$ai_generation", "$ai_embedding", "$ai_trace"]))
        out.append({"uuid": f"u{k}", "event": kind, "timestamp": f"2026-03-01T10:00:0{sec}{frac}{zone}",
                    "properties": props})
    return out


def _check(events: list[dict[str, Any]]) -> None:
    try:
        got = assemble_trace(events, T)
    except InvalidRequest:  # rule 5 errors are covered by test_assembly
        return
    assert got == reference(events, T)


@given(tree_events())
@settings(max_examples=300)
def test_regular_traces_match_the_reference(events: list[dict[str, Any]]) -> None:
    _check(events)


@given(flat_events())
@settings(max_examples=200)
def test_odd_events_match_the_reference(events: list[dict[str, Any]]) -> None:
    _check(events)


@given(distinct_events())
@settings(max_examples=100)
def test_distinct_events_match_the_reference(events: list[dict[str, Any]]) -> None:
    _check(events)
