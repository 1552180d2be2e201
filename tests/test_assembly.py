"""Assembly of traces from flat events: the corpus cases (../shared/corpus/assembly), and the project's own
hand-written case for every rule of RULES.md (these run without ../shared)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import textrepr
from textrepr import InvalidRequest, assemble_trace, assemble_traces
from textrepr.assembly.values import same_key
from conformance import NO_CORPUS  # tests/conformance.py: the one skip reason

ASSEMBLY = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "assembly"
CASES = sorted((ASSEMBLY / "cases").glob("*.json")) if ASSEMBLY.is_dir() else []


def ids(h: list[dict[str, Any]]) -> list[Any]:
    """The hierarchy as ``[[event id, [children...]], ...]``."""
    return [[n["event"]["id"], ids(n["children"])] for n in h]


def nid_tree(h: list[dict[str, Any]]) -> list[Any]:
    """The hierarchy as RULES.md's ``hierarchy_ids`` (node ids, rule 14)."""
    out = []
    for n in h:
        p = n["event"]["properties"]
        v = p.get("$ai_generation_id")
        if v is None:
            v = p.get("$ai_span_id")
        out.append([v if type(v) is str else n["event"]["id"], nid_tree(n["children"])])
    return out


# ----------------------------------------------------------------------------------------- corpus


@pytest.mark.skipif(not CASES, reason=NO_CORPUS)
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_corpus_case(path: Path) -> None:
    case = json.loads(path.read_text())
    exp = json.loads((ASSEMBLY / "expected" / path.name).read_text())
    got = assemble_trace(case["events"], case["trace_id"])
    assert got["trace"] == exp["trace"]
    if same_key(got["hierarchy"]) != same_key(exp["hierarchy"]):  # type-strict JSON equality
        assert ids(got["hierarchy"]) == ids(exp["hierarchy"])
        assert got["hierarchy"] == exp["hierarchy"]
        pytest.fail("hierarchies differ in value types (1 vs 1.0, true vs 1)")
    # The assembled data renders as a trace request.
    body = textrepr.text_repr({"event_type": "$ai_trace", "data": got})
    assert body["metadata"]["trace_id"] == case["trace_id"]


@pytest.mark.skipif(not CASES, reason=NO_CORPUS)
def test_corpus_several_traces() -> None:
    case = json.loads((ASSEMBLY / "cases" / "mixed_traces_a.json").read_text())
    traces, unassigned = assemble_traces(case["events"])
    assert list(traces) == ["trace-a", "trace-b"]
    assert unassigned == [5, 6]
    for tid, data in traces.items():
        assert data == assemble_trace(case["events"], tid)


# ------------------------------------------------------------------------- hand-written rule cases

T = "t"
BASE = datetime(2026, 3, 1, 10, 0, 0, tzinfo=timezone.utc)


def ts(sec: float) -> str:
    return (BASE + timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def span(eid: Any, sec: float | None, sid: Any = None, parent: Any = None, kind: str = "$ai_span", **props: Any) -> dict:
    p: dict[str, Any] = {"$ai_trace_id": T}
    if sid is not None:
        p["$ai_span_id"] = sid
    if parent is not None:
        p["$ai_parent_id"] = parent
    p.update(props)
    e: dict[str, Any] = {"id": eid, "event": kind, "properties": p}
    if sec is not None:
        e["timestamp"] = ts(sec)
    return e


def tree(events: list[Any], tid: str = T) -> list[Any]:
    return nid_tree(assemble_trace(events, tid)["hierarchy"])


def test_rule1_event_shape_and_other_keys_ignored() -> None:
    e = span("e1", 1, "a", distinct_id="d")
    e["distinct_id"] = "someone"
    h = assemble_trace([e], T)["hierarchy"]
    assert h[0]["event"] == {"id": "e1", "event": "$ai_span", "properties": e["properties"], "timestamp": ts(1)}
    assert h[0]["children"] == []


def test_rule2_other_kinds_ignored_without_validation() -> None:
    evs = [span("e1", 1, "a"), {"event": "$ai_evaluation", "properties": 5, "id": None},
           {"event": "$pageview"}, {"properties": "not json"}, {"event": 7, "properties": []},
           span("e2", 2, "b", kind="$AI_SPAN", **{"$ai_span_name": "ignored name"})]
    data = assemble_trace(evs, T)
    assert nid_tree(data["hierarchy"]) == [["a", []]]
    assert "$ai_span_name" not in data["trace"]["properties"]


def test_rule3_properties_decoding() -> None:
    p = {"$ai_trace_id": T, "$ai_span_id": "a", "n": 1.5}
    e = {"uuid": "u", "event": "$ai_span", "timestamp": ts(1), "properties": " " + json.dumps(p) + "\n"}
    h = assemble_trace([e], T)["hierarchy"]
    assert h[0]["event"]["properties"] == p
    for bad in ("[1]", "NaN", '{"a": NaN}', "nope", 5, ["x"], True, '"{}"'):
        with pytest.raises(InvalidRequest) as ei:
            assemble_trace([span("e0", 0, "z"), {"id": "x", "event": "$ai_metric", "properties": bad}], T)
        assert "event 1" in str(ei.value)
    for empty in (None, ""):
        e = {"id": "x", "event": "$ai_span", "properties": empty}
        assert assemble_traces([e]) == ({}, [0])  # {} -> no trace id
    assert assemble_traces([{"id": "x", "event": "$ai_span"}]) == ({}, [0])


def test_rule4_membership() -> None:
    evs = [span("e1", 1, "a"), {**span("e2", 2, "b"), "properties": {"$ai_trace_id": "other", "$ai_span_id": "b"}},
           {**span("e3", 3, "c"), "properties": {"$ai_trace_id": "", "$ai_span_id": "c", "$ai_parent_id": "a"}},
           {**span("e4", 4, "d"), "properties": {"$ai_trace_id": None, "$ai_span_id": "d"}}]
    assert tree(evs) == [["a", []]]
    traces, unassigned = assemble_traces(evs)
    assert list(traces) == [T, "other"] and unassigned == [2, 3]


def test_rule5_input_errors_name_the_index() -> None:
    with pytest.raises(InvalidRequest, match="event 1"):
        assemble_trace([span("e1", 1, "a"), "not an object"], T)
    with pytest.raises(InvalidRequest, match="event 0: has no id"):
        assemble_trace([{"event": "$ai_span", "properties": {"$ai_trace_id": T}}], T)
    with pytest.raises(InvalidRequest, match="'id' must be"):
        assemble_trace([{"id": ["x"], "uuid": "u", "event": "$ai_span", "properties": {"$ai_trace_id": T}}], T)
    # An event of another trace needs no id; bad timestamps and ids of other fields are no error.
    other = {"event": "$ai_span", "properties": {"$ai_trace_id": "o"}}
    assert tree([other, span("e", "x" and None, {"a": 1}, [1], **{"$ai_latency": "?"})]) == [["e", []]]
    err = pytest.raises(InvalidRequest, assemble_trace, [span("e", 1, "a")], "")
    assert "trace_id" in err.value.body


def test_rule6_id_forms() -> None:
    evs = [span(7, 1, 1.5), span(True, 2, 10**20, parent=1.5), span("e3", 3, "1.0", parent=1.0),
           span("e4", 4, False, parent="1.5")]
    h = assemble_trace(evs, T)["hierarchy"]
    assert ids(h) == [["7", [["true", []], ["e4", []]]], ["e3", []]]
    p = h[0]["children"][1]["event"]["properties"]
    assert p["$ai_span_id"] is False  # values inside properties are left as they are


def test_rule7_id_or_uuid() -> None:
    evs = [{"uuid": "u1", "event": "$ai_span", "timestamp": ts(1), "properties": {"$ai_trace_id": T}},
           {"id": "i2", "uuid": "u2", "event": "$ai_span", "timestamp": ts(2), "properties": {"$ai_trace_id": T}},
           {"id": None, "uuid": 3, "event": "$ai_span", "timestamp": ts(3), "properties": {"$ai_trace_id": T}}]
    assert ids(assemble_trace(evs, T)["hierarchy"]) == [["u1", []], ["i2", []], ["3", []]]


def test_rules8_14_node_id_first_set() -> None:
    evs = [span("e1", 1, "s1", **{"$ai_generation_id": "g1"}), span("e2", 2, "s2", **{"$ai_generation_id": None}),
           span("e3", 3, "s3", **{"$ai_generation_id": ["x"]}), span("e4", 4, parent="g1"),
           span("e5", 5, parent="s2"), span("e6", 6, parent="e3")]
    assert ids(assemble_trace(evs, T)["hierarchy"]) == [["e1", [["e4", []]]], ["e2", [["e5", []]]],
                                                        ["e3", [["e6", []]]]]


def test_rules9_10_timestamps_and_event_order() -> None:
    # +02:00 is two hours earlier than the same clock time in UTC; 7+ fraction digits are truncated.
    evs = [span("late", None, "a", **{"$ai_span_name": "A"}), span("b", 1, "b", **{"$ai_span_name": "B"})]
    evs[0]["timestamp"] = "2026-03-01T11:00:00+02:00"  # 09:00Z: earlier than b
    assert assemble_trace(evs, T)["trace"]["properties"]["$ai_span_name"] == "A"
    assert tree(evs) == [["a", []], ["b", []]]
    evs[0]["timestamp"] = "2026-03-01T10:00:01.0000009Z"  # == b's instant after truncation: input order
    assert tree(evs) == [["a", []], ["b", []]]
    evs[0]["timestamp"] = "2026-03-01T10:00:01.000001"  # naive = UTC, 1 µs later
    assert tree(evs) == [["b", []], ["a", []]]
    evs[0]["timestamp"] = "soon"  # unparseable: the epoch
    assert tree(list(reversed(evs))) == [["a", []], ["b", []]]


def test_rule11_exact_duplicates_type_strict() -> None:
    a = span("e1", 1, "a", x=1)
    same = {**a, "properties": json.dumps(a["properties"])}
    typed = {**a, "properties": {**a["properties"], "x": 1.0}}
    d1 = assemble_trace([a, same], T)
    assert ids(d1["hierarchy"]) == [["e1", []]] and d1["hierarchy"][0]["event"]["properties"]["x"] == 1
    d2 = assemble_trace([a, typed], T)  # not an exact duplicate: the later event wins (rule 15)
    assert type(d2["hierarchy"][0]["event"]["properties"]["x"]) is float
    b = span("e1", 1, "a", x=True)
    assert type(assemble_trace([a, b], T)["hierarchy"][0]["event"]["properties"]["x"]) is bool


def test_rule12_trace_object() -> None:
    evs = [span("g", 1, "a", **{"$ai_span_name": "first span", "$ai_session_id": 42}),
           {"id": "t1", "event": "$ai_trace", "timestamp": ts(2),
            "properties": {"$ai_trace_id": T, "$ai_trace_name": "named", "$ai_input_state": '{"q": 1}',
                           "$ai_output_state": "plain text"}},
           {"id": "t2", "event": "$ai_trace", "timestamp": ts(3),
            "properties": {"$ai_trace_id": T, "$ai_span_name": "later", "$ai_output_state": "x"}},
           {"id": "m", "event": "$ai_metric", "timestamp": ts(0), "properties": {"$ai_trace_id": T, "$ai_span_name": ""}}]
    assert assemble_trace(evs, T)["trace"] == {"id": T, "properties": {
        "$ai_trace_id": T, "$ai_span_name": "named", "$ai_session_id": "42", "$ai_input_state": {"q": 1},
        "$ai_output_state": "plain text"}}
    only = [{"id": "t", "event": "$ai_trace", "timestamp": ts(1),
             "properties": {"$ai_trace_id": T, "$ai_input_state": "null", "$ai_output_state": 0}}]
    assert assemble_trace(only, T) == {"trace": {"id": T, "properties": {"$ai_trace_id": T, "$ai_output_state": 0}},
                                       "hierarchy": []}
    # No $ai_trace event with a name: the earliest event of any kind with one.
    assert assemble_trace(evs[:1] + evs[3:], T)["trace"]["properties"]["$ai_span_name"] == "first span"


def test_rule13_skipped_kinds_make_orphans() -> None:
    evs = [{"id": "m", "event": "$ai_metric", "timestamp": ts(0), "properties": {"$ai_trace_id": T, "$ai_span_id": "m"}},
           {"id": "f", "event": "$ai_feedback", "timestamp": ts(0), "properties": {"$ai_trace_id": T, "$ai_span_id": "f"}},
           span("e", 2, "e", parent="m"), span("r", 1, "r")]
    assert tree(evs) == [["r", []], ["e", []]]


def test_rule15_same_node_id_later_wins_first_position() -> None:
    evs = [span("e1", 1, "a", **{"$ai_span_name": "v1"}), span("e2", 2, "b"),
           span("e3", 3, "a", parent="b", **{"$ai_span_name": "v2"})]
    h = assemble_trace(evs, T)["hierarchy"]
    assert ids(h) == [["e2", [["e3", []]]]]
    evs2 = [span("x1", 0, "p"), span("x2", 1, "q", parent="p"),
            span("x3", 2, "r", parent="p", **{"$ai_latency": 1}), span("x4", 2, "q", parent="p", **{"$ai_latency": 1})]
    # q keeps x2's (first) position, before r, and takes x4's content; x4 and x3 have equal sort keys.
    assert ids(assemble_trace(evs2, T)["hierarchy"]) == [["x1", [["x4", []], ["x3", []]]]]


def test_rule16_parent_fallback_and_no_parent() -> None:
    evs = [span("a", 1, "a"), span("b", 2, "b", parent=None), span("c", 3, "c", parent=["x"]),
           span("d", 4, "d", parent="c")]
    assert tree(evs) == [["a", []], ["b", []], ["c", [["d", []]]]]


def test_rule17_orphans_are_roots_by_start() -> None:
    evs = [span("a", 1, "a"), span("o", 0.5, "o", parent="never-seen"), span("k", 2, "k", parent="o")]
    assert tree(evs) == [["o", [["k", []]]], ["a", []]]


def test_rules18_20_latency_and_sort_key() -> None:
    evs = [span("p", 0, "p"),
           span("a", 10, "a", parent="p", **{"$ai_latency": 2}),  # start 8
           span("b", 9, "b", parent="p", **{"$ai_latency": "0.5"}),  # start 8.5
           span("c", 10, "c", parent="p", **{"$ai_latency": True}),  # start 9
           span("d", 12, "d", parent="p", **{"$ai_latency": 4}),  # start 8, longer: before a
           span("e", 8, "e", parent="p", **{"$ai_latency": "nan"}),  # start 8, latency 0: after a
           span("f", 20, "f", parent="p", **{"$ai_latency": 12, "$ai_ingestion_source": "otel"}),  # start 20
           span("g", 7.5, "g", parent="p", **{"$ai_latency": [1]}),  # start 7.5
           span("h", 10, "h", parent="p", **{"$ai_latency": 10**400})]  # overflow: 0, start 10
    assert tree(evs) == [["p", [["g", []], ["d", []], ["a", []], ["e", []], ["b", []], ["c", []],
                                ["h", []], ["f", []]]]]


def test_rules21_24_roots_cycles_leftovers() -> None:
    evs = [span("r", 5, "r"), span("o", 1, "o", parent="gone"),  # root candidates by start: o, r
           span("a", 3, "a", parent="c"), span("b", 2, "b", parent="a"), span("c", 4, "c", parent="b"),
           span("s", 0, "s", parent="s"), span("n", 6, "n", parent={"x": 1}), span("n2", 7, "n2", parent="n")]
    # Leftovers after all pass-1 roots, by start: s (self-parent), b (cycle c>b>a>... from b), n.
    assert tree(evs) == [["o", []], ["r", []], ["s", []], ["b", [["c", [["a", []]]]]], ["n", [["n2", []]]]]


def test_rule23_node_whose_id_is_the_trace_id() -> None:
    evs = [span("x", 2, "x"), span("tnode", 1, T), span("y", 3, "y")]
    assert tree(evs) == [[T, [["x", []], ["y", []]]]]


def test_rule25_no_depth_limit_and_no_recursion() -> None:
    n = 20_000
    evs = [span(f"e{k}", k / 1000, f"s{k}", parent=f"s{k - 1}" if k else None) for k in range(n)]
    h = assemble_trace(evs, T)["hierarchy"]
    depth, node = 0, h[0]
    while node["children"]:
        node = node["children"][0]
        depth += 1
    assert depth == n - 1


def test_rule27_empty_hierarchy_for_unknown_trace() -> None:
    assert assemble_trace([span("a", 1, "a")], "nope") == {
        "trace": {"id": "nope", "properties": {"$ai_trace_id": "nope"}}, "hierarchy": []}


def test_rule28_several_traces_first_appearance() -> None:
    evs = [{**span("b1", 1, "b"), "properties": {"$ai_trace_id": "B"}}, span("t1", 2, "a"),
           {"id": "x", "event": "$ai_span", "properties": {"$ai_trace_id": []}},
           {**span("b2", 0, "b2"), "properties": {"$ai_trace_id": "B"}}, {"id": "p", "event": "$pageview"}]
    traces, unassigned = assemble_traces(evs)
    assert list(traces) == ["B", T] and unassigned == [2]
    assert ids(traces["B"]["hierarchy"]) == [["b2", []], ["b1", []]]


def test_assemble_trace_single_trace_present() -> None:
    evs = [span("a", 1, "a")]
    assert assemble_trace(evs) == assemble_trace(evs, T)
    with pytest.raises(InvalidRequest, match="2 traces .*'t', 'u'"):
        assemble_trace(evs + [{**span("b", 1, "b"), "properties": {"$ai_trace_id": "u"}}])
    with pytest.raises(InvalidRequest, match="no event has a \\$ai_trace_id"):
        assemble_trace([])
    with pytest.raises(InvalidRequest, match="expected a list"):
        assemble_trace("[]")  # type: ignore[arg-type]


def test_timestamps_from_parquet_columns_are_converted() -> None:
    dt = datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=timezone(timedelta(hours=2)))
    evs = [{"uuid": "a", "event": "$ai_span", "timestamp": dt, "properties": {"$ai_trace_id": T}},
           {"uuid": "b", "event": "$ai_span", "timestamp": datetime(2026, 3, 1, 9, 0), "properties": {"$ai_trace_id": T}},
           {"uuid": "c", "event": "$ai_span", "timestamp": 1772359200, "properties": {"$ai_trace_id": T}},
           {"uuid": "d", "event": "$ai_span", "timestamp": 1772359200500, "properties": {"$ai_trace_id": T}}]
    h = assemble_trace(evs, T)["hierarchy"]
    assert [(n["event"]["id"], n["event"]["timestamp"]) for n in h] == [
        ("b", "2026-03-01T09:00:00.000000Z"), ("c", "2026-03-01T10:00:00.000000Z"),
        ("a", "2026-03-01T10:00:00.250000Z"), ("d", "2026-03-01T10:00:00.500000Z")]


# ------------------------------------------------------------------------------------------ D19


def test_d19_uuid_is_the_id_of_a_single_event() -> None:
    data = {"uuid": "0190-abc", "event": "$ai_generation", "properties": {"$ai_model": "m"}}
    body = textrepr.text_repr({"event_type": "$ai_generation", "data": data})
    assert body["metadata"]["event_id"] == "0190-abc"
    assert textrepr.render_event(data).metadata["event_id"] == "0190-abc"
    for bad in ({"uuid": ""}, {"uuid": 5}, {"id": None, "uuid": "u"}, {"id": "", "uuid": "u"}):
        with pytest.raises(InvalidRequest, match="require an 'id' field"):
            textrepr.text_repr({"event_type": "$ai_span", "data": {**bad, "properties": {}}})
    both = textrepr.text_repr({"event_type": "$ai_span", "data": {"id": "i", "uuid": "u", "properties": {}}})
    assert both["metadata"]["event_id"] == "i"


def test_d19_trace_name_in_the_name_chain() -> None:
    def head(props: dict[str, Any], **trace: Any) -> str:
        t = textrepr.render_trace({"properties": props, **trace}, [])
        return t.text.split("\n", 1)[0]

    assert head({"$ai_trace_name": "checkout flow"}, traceName="x") == "CHECKOUT FLOW"
    assert head({"$ai_span_name": "span name", "$ai_trace_name": "trace name"}) == "SPAN NAME"
    assert head({"$ai_trace_name": ""}, traceName="x") == "X"
