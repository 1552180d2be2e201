"""Properties of the assembly (RULES.md rules 25, 26 and 28; issue 11): every node once, every event accounted
for, shuffle invariance, cycles and deep chains in linear work, assembly + rendering raise only InvalidRequest."""
from __future__ import annotations

import json
import random
from typing import Any

import pytest

import twins

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import strategies as S  # noqa: E402

import textrepr  # noqa: E402
from textrepr import InvalidRequest, assemble_trace, assemble_traces  # noqa: E402
from textrepr.assembly.events import group_events  # noqa: E402
from textrepr.assembly.tree import assemble_group  # noqa: E402

pytestmark = pytest.mark.properties

T = "t"
KINDS = ["$ai_span", "$ai_generation", "$ai_embedding", "$ai_metric", "$ai_feedback", "$ai_trace"]
NODE_KINDS = KINDS[:3]
# Timestamps with their order (unparseable ones are the epoch, before everything else).
STAMPS = [("2026-03-01T10:00:00Z", 3), ("2026-03-01T10:00:00.000000+00:00", 3), ("2026-03-01T12:00:01+02:00", 4),
          ("2026-03-01T10:00:01.5Z", 5), ("2026-03-01T10:00:02", 6), ("2026-03-01", 1), ("garbage", 0),
          (None, 0), (17, 0.5)]  # an epoch number is seconds (converted to ISO text first)
IDS = st.sampled_from(["a", "b", "c", "d", T, "", 1, 1.0, True, "1"])
# Values that exercise rule 6/8: scalars of every type, null, and unusable containers.
ID_VALUES = st.one_of(IDS, st.none(), st.just(["x"]), st.just({"k": 1}))


def _id(v: Any) -> str | None:
    """RULES.md rule 6, written independently of textrepr.assembly."""
    if type(v) is bool:
        return "true" if v else "false"
    if type(v) in (str, int, float):
        return str(v)
    return None


@st.composite
def flat_events(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Events of a few traces with colliding ids, cycles, duplicates and odd values; every base event
    carries its number ``_n`` in its properties (exact duplicates share it)."""
    out: list[dict[str, Any]] = []
    for n in range(draw(st.integers(0, 14))):
        props: dict[str, Any] = {"_n": n, "$ai_trace_id": draw(st.sampled_from([T, T, T, "u", None, "", 7]))}
        for key in ("$ai_span_id", "$ai_generation_id", "$ai_parent_id"):
            if draw(st.booleans()):
                props[key] = draw(ID_VALUES)
        if draw(st.booleans()):
            props["$ai_latency"] = draw(st.sampled_from([0, 0.5, 2, "1.5", True, "nan", None, [1], 10**400]))
        if draw(st.integers(0, 5)) == 0:
            props["$ai_ingestion_source"] = "otel"
        if draw(st.integers(0, 3)) == 0:
            props["$ai_span_name"] = draw(st.sampled_from(["name", "", 3, None]))
        ev: dict[str, Any] = {"event": draw(st.sampled_from(KINDS + ["$ai_evaluation", "$pageview"])),
                              "properties": props}
        ts = draw(st.sampled_from(STAMPS))[0]
        if ts is not None:
            ev["timestamp"] = ts
        ev[draw(st.sampled_from(["id", "uuid"]))] = draw(st.sampled_from(["e1", "e2", f"n{n}", 5]))
        out.append(ev)
        if draw(st.integers(0, 4)) == 0:  # an exact duplicate, sometimes with JSON-string properties
            dup = dict(ev)
            if draw(st.booleans()):
                dup["properties"] = json.dumps(props)
            out.append(dup)
    return draw(st.permutations(out))


def _props(ev: dict[str, Any]) -> dict[str, Any]:
    p = ev["properties"]
    return json.loads(p) if type(p) is str else p


def _walk(h: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out, stack = [], list(reversed(h))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node["children"]))
    return out


@given(flat_events())
@settings(max_examples=150)
def test_every_node_once_and_every_event_accounted_for(events: list[dict[str, Any]]) -> None:
    data = assemble_trace(events, T)
    nodes = _walk(data["hierarchy"])
    # The node ids of the trace's node events, in event order (stable sort by the timestamp's order).
    order = {s: k for s, k in STAMPS if s is not None}
    stamp = lambda ev: order.get(ev.get("timestamp"), 0)  # noqa: E731
    mine = [(k, ev) for k, ev in enumerate(events) if ev["event"] in NODE_KINDS and _id(_props(ev)["$ai_trace_id"]) == T]
    mine.sort(key=lambda kv: stamp(kv[1]))
    last: dict[str, int] = {}
    kept: set[str] = set()
    for _, ev in mine:
        p = _props(ev)
        eid = _id(ev["id"] if ev.get("id") is not None else ev.get("uuid"))
        same = json.dumps([eid, ev["event"], ev.get("timestamp"), p], sort_keys=True)
        if same in kept:
            continue  # an exact duplicate of an earlier kept event is dropped (rule 11)
        kept.add(same)
        v = p.get("$ai_generation_id")
        v = p.get("$ai_span_id") if v is None else v
        nid = _id(v)
        if nid is None:
            nid = eid
        last[nid] = p["_n"]  # a later event with the same node id supersedes (rule 15)
    got = [n["event"]["properties"]["_n"] for n in nodes]
    assert len(got) == len(last)  # every node id exactly once (rule 26)
    assert sorted(got) == sorted(last.values())  # and each node is its node id's latest event
    for n in nodes:
        assert n["event"]["properties"]["$ai_trace_id"] in (T,)


@given(flat_events())
@settings(max_examples=100)
def test_groups_cover_the_input(events: list[dict[str, Any]]) -> None:
    try:
        traces, unassigned = assemble_traces(events)
    except InvalidRequest as e:  # only rule 5: an event of some trace without a usable id
        assert "has no id" in str(e) or "must be a string" in str(e)
        return
    seen = set(unassigned)
    firsts = []
    for k, ev in enumerate(events):
        if ev["event"] not in KINDS:
            continue
        tid = _id(_props(ev)["$ai_trace_id"])
        if not tid:
            assert k in seen
        elif tid not in firsts:
            firsts.append(tid)
    assert list(traces) == firsts  # order of first appearance (rule 28)
    for tid, data in traces.items():
        assert data == assemble_trace(events, tid)


@st.composite
def distinct_events(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A trace whose events have distinct timestamps and distinct node ids (parents may form cycles)."""
    n = draw(st.integers(1, 25))
    secs = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n, unique=True))
    names = [f"s{k}" for k in range(n)]
    out = []
    for k in range(n):
        props: dict[str, Any] = {"$ai_trace_id": T, "$ai_span_id": names[k]}
        parent = draw(st.one_of(st.none(), st.sampled_from(names + [T, "elsewhere"])))
        if parent is not None:
            props["$ai_parent_id"] = parent
        if draw(st.booleans()):
            props["$ai_latency"] = draw(st.sampled_from([0.25, 1, 3, 7.5]))
        out.append({"id": f"e{k}", "event": draw(st.sampled_from(NODE_KINDS + ["$ai_metric"])),
                    "timestamp": f"2026-03-01T10:{secs[k] // 600:02d}:{secs[k] % 600 / 10:04.1f}Z", "properties": props})
    return out


@given(distinct_events(), st.randoms(use_true_random=False))
@settings(max_examples=100)
def test_shuffle_does_not_change_the_result(events: list[dict[str, Any]], rnd: random.Random) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert assemble_trace(shuffled, T) == assemble_trace(events, T)


@given(st.lists(st.one_of(flat_events(), st.lists(S.json_values(), max_size=3)), max_size=2), S.json_values())
@settings(max_examples=100)
def test_assembly_then_rendering_raises_only_invalid_request(parts: list[Any], noise: Any) -> None:
    events = [e for p in parts for e in p]
    if type(noise) is dict:
        events.append({**noise, "event": "$ai_span", "id": "noise"})
    try:
        traces, _ = assemble_traces(events)
    except InvalidRequest:
        return
    for tid, data in traces.items():
        try:
            body = textrepr.text_repr({"event_type": "$ai_trace", "data": data})
        except InvalidRequest:
            continue
        assert body["metadata"]["trace_id"] == tid
        body["text"].encode("utf-8")


# ------------------------------------------------------------------ scale: linear work, no recursion

N = 100_000


def _work(events: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, int]]:
    groups, _ = group_events(events)
    stats: dict[str, int] = {}
    return assemble_group(T, groups.get(T, []), stats), stats


def _ev(k: int, parent: str | None) -> dict[str, Any]:
    p: dict[str, Any] = {"$ai_trace_id": T, "$ai_span_id": f"s{k}"}
    if parent is not None:
        p["$ai_parent_id"] = parent
    return {"id": f"e{k}", "event": "$ai_span", "timestamp": f"2026-03-01T10:00:00.{k:06d}Z", "properties": p}


def _depth(h: list[dict[str, Any]]) -> int:
    depth, stack = 0, [(n, 0) for n in h]
    while stack:
        node, d = stack.pop()
        depth = max(depth, d)
        stack.extend((c, d + 1) for c in node["children"])
    return depth


@pytest.mark.parametrize("shape", ["chain", "reversed_chain", "ring", "star", "self_loops"])
def test_100k_events_linear_work_without_recursion(shape: str) -> None:
    twins.once_per_suite()
    if shape == "chain":
        events = [_ev(k, f"s{k - 1}" if k else None) for k in range(N)]
    elif shape == "reversed_chain":  # the deepest node first in time and input
        events = [_ev(k, f"s{k + 1}" if k < N - 1 else None) for k in range(N)]
    elif shape == "ring":  # one cycle through every node: all leftovers (rule 24)
        events = [_ev(k, f"s{(k - 1) % N}") for k in range(N)]
    elif shape == "star":
        events = [_ev(0, None)] + [_ev(k, "s0") for k in range(1, N)]
    else:
        events = [_ev(k, f"s{k}") for k in range(N)]
    data, stats = _work(events)
    assert stats["nodes"] == N
    assert len(_walk(data["hierarchy"])) == N
    # Work counted, not timed: every node is reached a bounded number of times.
    assert stats["steps"] <= 3 * N + 2
    if shape in ("chain", "ring"):
        assert _depth(data["hierarchy"]) == N - 1  # no depth cut (rule 25)
    if shape == "reversed_chain":
        assert _depth(data["hierarchy"]) == N - 1 and data["hierarchy"][0]["event"]["id"] == f"e{N - 1}"
