"""Typed twins of the trace walk and node summaries (issue 16): ``textrepr.render._trace`` and
``textrepr.render._summary`` give the pure modules' results and exceptions, call for call.

Two sources of calls: the calls the pure pipeline makes while it renders every trace of the shared corpus
(corpus traces, golden and adversarial trace cases, tests/goldens) under the benchmark option sets A/B/E
and their variations — recorded by wrapping the pure functions — and hypothesis-generated hostile inputs.
"""
from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from threading import get_ident
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conformance
import strategies as S
import textrepr.api
from textrepr import InvalidRequest
from textrepr.options import Options
from textrepr.render import summary as pure_summary
from textrepr.render import trace as pure_trace
from textrepr.sink import SINKS
from twins import typed

GOLDENS = Path(__file__).with_name("goldens") / "requests"
# Option sets A/B/E of benchmarks/workloads.py, each also with markers and truncation flipped and a small buffer.
_BASE = {
    "A": {},
    "B": {"include_markers": False, "truncated": True, "collapsed": True, "include_line_numbers": True},
    "E": {"include_markers": False, "include_line_numbers": True, "max_length": 4000},
}
OPTION_GRID: list[dict[str, Any]] = [
    variant
    for base in _BASE.values()
    for variant in (
        base,
        {**base, "include_markers": not base.get("include_markers", True)},
        {**base, "truncated": not base.get("truncated", True)},
        {**base, "truncate_buffer": 40},
    )
] + [{"include_hierarchy": False}, {"max_depth": 1}, {"max_depth": 0, "include_markers": False},
     {"include_hierarchy": False, "collapsed": True, "max_depth": 2}]


def outcome(f: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """("ok", result) or ("error", (exception type, message))."""
    try:
        return "ok", f(*args)
    except Exception as e:  # compared, never swallowed: the twin must raise the same
        return "error", (type(e), str(e))


def same(name: str, typed_mod: Any, pure_mod: Any, *args: Any) -> None:
    got = outcome(getattr(typed_mod, name), *args)
    want = outcome(getattr(pure_mod, name), *args)
    if got != want:
        with S.IntDigits():  # the arguments may hold ints of thousands of digits
            if type(got[1]) is float and repr(got) == repr(want):
                return  # NaN: equal representations, unequal values
            pytest.fail(f"{name}{args!r:.300}: typed {got!r:.300} != pure {want!r:.300}")


@pytest.fixture(scope="module")
def ttrace() -> Any:
    return typed("trace")


@pytest.fixture(scope="module")
def tsummary() -> Any:
    return typed("summary")


# ---------------------------------------------------------------- exports


def _public(mod: Any, constants: set[str]) -> set[str]:
    """Every function the module defines, its ``__all__`` and the given module constants."""
    own = {n for n, v in vars(mod).items() if callable(v) and getattr(v, "__module__", None) == mod.__name__}
    return own | set(mod.__all__) | constants


def test_exports(ttrace: Any, tsummary: Any) -> None:
    for pure, twin, constants in ((pure_trace, ttrace, {"_DEPTH_LINE"}),
                                  (pure_summary, tsummary, {"EXPANDABLE", "_TAGS"})):
        assert constants <= set(vars(pure))
        missing = sorted(n for n in _public(pure, constants) if not hasattr(twin, n))
        assert not missing, f"{twin.__name__} lacks {missing}"
        assert twin.__all__ == pure.__all__
    assert tsummary.EXPANDABLE == pure_summary.EXPANDABLE
    assert ttrace._DEPTH_LINE == pure_trace._DEPTH_LINE
    # What other modules import from the pure trace and summary modules.
    assert callable(ttrace.render_trace_lines) and callable(ttrace._walk)
    for n in ("lat", "cost", "node_summary", "node_tag", "_gen_like", "_as_float"):
        assert callable(getattr(tsummary, n))


# ---------------------------------------------------------------- calls recorded from the pure pipeline


def _trace_requests() -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(request, option sets) of every trace the corpus and tests/goldens hold, deduplicated."""
    out: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    seen: set[str] = set()

    def add(req: Any, grid: list[dict[str, Any]]) -> None:
        if type(req) is not dict or req.get("event_type") != "$ai_trace":
            return
        key = hashlib.sha256(conformance.request_bytes(req)).hexdigest()
        if key not in seen:
            seen.add(key)
            own = req.get("options")
            out.append((req, ([own] if type(own) is dict else []) + grid))

    for p in sorted((conformance.SHARED / "corpus" / "traces").glob("*.json")):
        case = json.loads(p.read_text("utf-8"))  # stdlib json keeps lone surrogates
        add({"event_type": case["event_type"], "data": case["data"]}, OPTION_GRID)
    for p in sorted(GOLDENS.glob("*.json")):
        add(json.loads(p.read_text("utf-8")), OPTION_GRID)
    for p in sorted(conformance.GOLDEN.glob("traces/*.json")) + conformance.adversarial_files():
        add(conformance.load_case(p).get("request"), [_BASE["A"], _BASE["B"], _BASE["E"]])
    return out


def _corpus_events() -> list[tuple[str, dict[str, Any]]]:
    """(event kind, properties) of every corpus and golden event: node summaries of each."""
    out = []
    paths = sorted((conformance.SHARED / "corpus" / "events").glob("*.json"))
    for p in paths:
        case = json.loads(p.read_text("utf-8"))
        data = case["data"]
        out.append((data.get("event", case["event_type"]), data.get("properties", {})))
    for p in sorted(conformance.GOLDEN.glob("events/*.json")):
        req = conformance.load_case(p).get("request")
        if type(req) is dict and type(req.get("data")) is dict:
            data = req["data"]
            out.append((data.get("event", req.get("event_type")), data.get("properties", {})))
    return out


@functools.cache
def recorded() -> dict[str, list[tuple[Any, ...]]]:
    """The calls of render_trace_lines, _walk, _state_lines, node_summary and node_tag made while the pure
    pipeline renders every corpus trace under every option set of its grid."""
    calls: dict[str, list[tuple[Any, ...]]] = {k: [] for k in ("render_trace_lines", "_walk", "_state_lines",
                                                                "node_summary", "node_tag")}

    def recorder(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any) -> Any:
            # _walk appends to the lists it is given: keep them as they were at the call.
            calls[name].append(tuple(list(a) if type(a) is list and name == "_walk" else a for a in args))
            return f(*args)
        return wrapped

    targets = [(textrepr.api, "render_trace_lines", pure_trace.render_trace_lines)]
    targets += [(pure_trace, n, getattr(pure_trace, n)) for n in ("_walk", "_state_lines", "node_summary", "node_tag")]
    saved = [(mod, n, getattr(mod, n)) for mod, n, _ in targets]
    for mod, n, f in targets:
        setattr(mod, n, recorder(n, f))
    try:
        for req, grid in _trace_requests():
            for opts in grid:
                try:
                    conformance.call({**req, "options": opts})
                except InvalidRequest:
                    pass
    finally:
        for mod, n, f in saved:
            setattr(mod, n, f)
    return calls


@pytest.fixture(scope="module")
def calls() -> dict[str, list[tuple[Any, ...]]]:
    if not conformance.HAVE_CORPUS:
        pytest.skip(conformance.NO_CORPUS)
    return recorded()


def test_recorded_render_trace_lines(ttrace: Any, calls: dict[str, list[tuple[Any, ...]]]) -> None:
    assert len(calls["render_trace_lines"]) > 300
    for args in calls["render_trace_lines"]:
        same("render_trace_lines", ttrace, pure_trace, *args)


def test_recorded_walk(ttrace: Any, calls: dict[str, list[tuple[Any, ...]]]) -> None:
    assert len(calls["_walk"]) > 300
    for hierarchy, o, lines, node_lines, line_no in calls["_walk"]:
        a = (list(lines), list(node_lines))
        b = (list(lines), list(node_lines))
        assert outcome(ttrace._walk, hierarchy, o, *a, line_no) == outcome(pure_trace._walk, hierarchy, o, *b, line_no)
        assert a == b and len(a[0]) > len(lines)


def test_recorded_state_lines(ttrace: Any, calls: dict[str, list[tuple[Any, ...]]]) -> None:
    assert len(calls["_state_lines"]) > 600
    assert any(outcome(pure_trace._state_lines, *args)[1] for args in calls["_state_lines"])
    for args in calls["_state_lines"]:
        same("_state_lines", ttrace, pure_trace, *args)


def test_recorded_summaries(tsummary: Any, calls: dict[str, list[tuple[Any, ...]]]) -> None:
    assert len(calls["node_summary"]) > 1000
    for name in ("node_summary", "node_tag"):
        for args in calls[name]:
            same(name, tsummary, pure_summary, *args)
    events = _corpus_events()
    assert len(events) > 500
    for kind, props in events:
        same("node_tag", tsummary, pure_summary, kind)
        same("node_summary", tsummary, pure_summary, kind, props)
        for k in pure_summary.EXPANDABLE:
            same("node_summary", tsummary, pure_summary, k, props)
        if type(props) is dict:
            for default, ttft in (("generation", True), ("embedding", False)):
                same("_gen_like", tsummary, pure_summary, props, default, ttft)
            for v in props.values():
                same("lat", tsummary, pure_summary, v)
                same("cost", tsummary, pure_summary, v)


# ---------------------------------------------------------------- hypothesis: hostile values


@functools.cache  # renderers never mutate their input: one instance per depth
def _nest(depth: int) -> Any:
    v: Any = "deep"
    for i in range(depth):
        v = [v] if i % 2 else {"a": v}
    return v


# A fixed pool of awkward values (drawn cheaply), plus generated numbers and short texts.
POOL: list[Any] = [
    None, True, False, 0, 1, -1, 2**53 + 1, 2**63, -(2**63) - 1, 10**400, 0.0, -0.0, 0.125, 0.375,
    1.2345, 1e308, 5e-324, float("nan"), float("inf"), float("-inf"),
    "", "nan", "-inf", "Infinity", " 1_0 ", "1__0", "\u0661\u0662", "+3.5e1", "1e400", "0x10", "false", "true",
    "False", "N/A", "\ud800", "a\udfffb", "a|b", "x\ny", "\n", "<<<EVENT_LINK|x|y>>>", "<<<\u200bTRUNCATED|a|1>>>",
    "<<<GEN_EXPANDABLE|", "\u00a6", "é€😀", "gpt-4o", "$ai_generation",
    [], {}, [1], ["a", None], {"a": 1}, {"a": [1, {"b": "\ud800"}]}, [[[]]], {"": {"": {}}}, [True, 1.5],
    [[[]]],
]
SCALARS = S.short(st.one_of(st.sampled_from(POOL), st.sampled_from(POOL), st.integers(), st.floats(), st.text(max_size=6),
                    # Built by map so that hypothesis never reprs them: a 5000-digit int, deep nesting.
                    st.just(5000).map(lambda n: -(10**n)), st.sampled_from([30, 200, 1100]).map(_nest)), "scalars")
HOSTILE = S.short(st.one_of(SCALARS, st.lists(SCALARS, max_size=2),
                            st.dictionaries(st.text(max_size=3), SCALARS, max_size=2)), "hostile")
SUMMARY_KEYS = ("$ai_span_name", "$ai_model", "$ai_latency", "$ai_time_to_first_token", "$ai_total_cost_usd",
                "$ai_is_error", "$ai_error", "$ai_evaluation_name", "$ai_evaluation_runtime",
                "$ai_evaluation_applicable", "$ai_evaluation_result")
KINDS = st.one_of(st.sampled_from(["$ai_generation", "$ai_span", "$ai_embedding", "$ai_evaluation"]),
                  st.sampled_from(["$custom", "", "$ai_trace", "unknown", "$AI_SPAN"]), HOSTILE)
SUMMARY_PROPS = st.fixed_dictionaries({}, optional={k: HOSTILE for k in SUMMARY_KEYS})


@settings(max_examples=2500)
@given(kind=KINDS, p=st.one_of(SUMMARY_PROPS, SUMMARY_PROPS, HOSTILE))
def test_node_summary_hostile(tsummary: Any, kind: Any, p: Any) -> None:
    same("node_summary", tsummary, pure_summary, kind, p)
    same("node_tag", tsummary, pure_summary, kind)


@settings(max_examples=1800)
@given(x=HOSTILE)
def test_lat_cost_hostile(tsummary: Any, x: Any) -> None:
    for name in ("lat", "cost", "_as_float"):
        same(name, tsummary, pure_summary, x)


@settings(max_examples=400)
@given(p=st.one_of(SUMMARY_PROPS, HOSTILE), default=st.one_of(st.sampled_from(["generation", "embedding"]), HOSTILE),
       ttft=st.one_of(st.booleans(), HOSTILE))
def test_gen_like_hostile(tsummary: Any, p: Any, default: Any, ttft: Any) -> None:
    same("_gen_like", tsummary, pure_summary, p, default, ttft)


@settings(max_examples=800)
@given(s=st.one_of(SCALARS, HOSTILE))
def test_field_and_message_array_hostile(ttrace: Any, s: Any) -> None:
    same("_field", ttrace, pure_trace, s)
    same("_is_message_array", ttrace, pure_trace, s)
    same("_is_message_array", ttrace, pure_trace, [s])


OPTIONS = st.builds(
    Options,
    truncated=st.booleans(), truncate_buffer=st.sampled_from([0, 1, 3, 20, 1000]), include_markers=st.booleans(),
    collapsed=st.booleans(), include_hierarchy=st.booleans(),
    max_depth=st.one_of(st.none(), st.integers(0, 4), st.sampled_from([10**6, 2**63, 10**30])),
    tools_collapse_threshold=st.sampled_from([0, 5]), include_reasoning=st.booleans(), include_system=st.booleans(),
    include_tools=st.booleans(),
)


@settings(max_examples=300)
@given(state=st.one_of(S.trace_states(), HOSTILE), output=st.one_of(st.booleans(), SCALARS), o=OPTIONS)
def test_state_lines_hostile(ttrace: Any, state: Any, output: Any, o: Options) -> None:
    same("_state_lines", ttrace, pure_trace, S.repair_value(state), output, o)


@settings(max_examples=250)
@given(data=S.traces(), o=OPTIONS, repaired=st.booleans())
def test_render_trace_lines_generated(ttrace: Any, data: dict[str, Any], o: Options, repaired: bool) -> None:
    # As the pipeline passes it (lone surrogates repaired), and raw (b64 of a lone surrogate raises alike).
    if repaired:
        data = S.repair_value(data)
    same("render_trace_lines", ttrace, pure_trace, data["trace"], data["hierarchy"], o)


# Nodes of hostile shape: kinds, ids and properties of any JSON value, children of any type.
NODE_EVENTS = S.short(st.fixed_dictionaries({}, optional={"id": HOSTILE, "event": KINDS,
                                                          "properties": st.one_of(SUMMARY_PROPS, HOSTILE)}),
                      "node_events")


def _hostile_node(ev: Any, bare: bool, children: Any, how: int) -> Any:
    node: dict[str, Any] = dict(ev) if bare else {"event": ev if how != 3 else [ev]}
    if how == 1:
        node["children"] = children
    elif how == 2 and children:
        node["children"] = children[0]  # D3: an object (or anything) as children
    elif how == 4:
        node["children"] = "not a list"
    return node


HOSTILE_NODES = st.recursive(
    st.one_of(st.builds(_hostile_node, NODE_EVENTS, st.booleans(), st.none(), st.just(0)), SCALARS),
    lambda c: st.builds(_hostile_node, NODE_EVENTS, st.booleans(), st.lists(c, max_size=3), st.integers(0, 4)),
    max_leaves=8,
)


@settings(max_examples=1000)
@given(trace=st.one_of(st.fixed_dictionaries({}, optional={"name": HOSTILE, "properties": HOSTILE}), S.trace_objects()),
       hierarchy=st.one_of(st.lists(HOSTILE_NODES, max_size=4), S.chains(60), st.just([])), o=OPTIONS)
def test_render_trace_lines_hostile(ttrace: Any, trace: dict[str, Any], hierarchy: list[Any], o: Options) -> None:
    same("render_trace_lines", ttrace, pure_trace, S.repair_value(trace), S.repair_value(hierarchy), o)


# ---------------------------------------------------------------- behaviour kept: sinks, depth, width, errors


def test_sink_placeholders_reach_the_twin(ttrace: Any) -> None:
    """textrepr.fit's template recording (issue 13): the twin's truncatable texts go through the sink too."""
    trace = {"id": "t", "inputState": "question " * 50, "outputState": {"answer": "x" * 400}}
    hierarchy = [{"event": {"id": "g", "event": "$ai_generation", "properties": {"$ai_input": "hi " * 400}}}]
    SINKS[get_ident()] = lambda s: f"[{len(s)} chars]"
    try:
        for o in (Options(), Options(include_markers=False), Options(collapsed=True)):
            got = ttrace.render_trace_lines(trace, hierarchy, o)
            assert got == pure_trace.render_trace_lines(trace, hierarchy, o)
            assert "[450 chars]" in got[0]
    finally:
        del SINKS[get_ident()]


def _chain(depth: int, kind: str) -> list[Any]:
    root: dict[str, Any] = {"event": {"id": "n0", "event": kind, "properties": {"$ai_span_name": "n0"}}}
    node = root
    for i in range(1, depth):
        node["children"] = [{"event": {"id": f"n{i}", "event": kind, "properties": {"$ai_span_name": f"n\n{i}"}}}]
        node = node["children"][0]
    return [root]


@pytest.mark.parametrize("kind", ["$ai_span", "$custom"])
def test_deep_chain_low_recursion_limit(ttrace: Any, kind: str) -> None:
    h = _chain(1500, kind)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(120)
    try:
        got = [ttrace.render_trace_lines({"id": "t"}, h, o) for o in
               (Options(collapsed=True), Options(), Options(include_markers=False, max_depth=700),
                Options(include_hierarchy=False))]
    finally:
        sys.setrecursionlimit(old)
    want = [pure_trace.render_trace_lines({"id": "t"}, h, o) for o in
            (Options(collapsed=True), Options(), Options(include_markers=False, max_depth=700),
             Options(include_hierarchy=False))]
    assert got == want
    assert len(got[0][1]) == 1500 and len(got[2][1]) == 701


def test_wide_trace(ttrace: Any) -> None:
    h = [{"event": {"id": f"g{i}", "event": "$ai_generation" if i % 3 else "$x",
                    "properties": {"$ai_model": "m", "$ai_input": "hello\n" * 3, "$ai_output": "ok"}},
          "children": [i] if i % 5 == 0 else []} for i in range(3000)]
    for o in (Options(), Options(include_markers=False), Options(collapsed=True, max_depth=0)):
        got = ttrace.render_trace_lines({"id": "t"}, h, o)
        assert got == pure_trace.render_trace_lines({"id": "t"}, h, o)
        assert len(got[1]) == 3000 + (600 if o.max_depth is None else 0)


def test_errors_match(ttrace: Any) -> None:
    o = Options()
    for trace, hierarchy in (([], []), ("t", [1]), ({"id": "t"}, {"a": 1}), ({"id": "t"}, 5), (None, [])):
        same("render_trace_lines", ttrace, pure_trace, trace, hierarchy, o)
    # A non-list hierarchy and a duck-typed options object fall back to the pure walk's exact behaviour.
    same("render_trace_lines", ttrace, pure_trace, {"id": "t"}, ({"event": {"event": "$x"}},), o)
    same("_walk", ttrace, pure_trace, [{"event": {"event": "$x"}}], o, [], [], 10**30)
    same("_walk", ttrace, pure_trace, [{"event": {"event": "$x"}}, 1], None, [], [], 0)
    assert outcome(ttrace.render_trace_lines, [], [], o)[1][0] is AttributeError


# ---------------------------------------------------------------- plain-mode node content (prefixed in one pass)

# Texts of every str kind (ASCII, Latin-1, BMP, astral), with newlines inside, empty ones included.
_KIND_TEXT = st.text(st.sampled_from(["a", "\n", "é", "│", "\U0001f600", " ", "\r"]), max_size=12)
PLAIN_NODE = st.builds(
    lambda kind, name, inp, out, err: {"event": {"id": "n", "event": kind, "properties": {
        "$ai_span_name": name, "$ai_input_state": inp, "$ai_output_state": out, "$ai_input": inp,
        "$ai_output_choices": out, **({"$ai_error": err, "$ai_is_error": True} if err is not None else {})}}},
    st.sampled_from(["$ai_span", "$ai_generation", "$ai_embedding"]), _KIND_TEXT,
    st.one_of(_KIND_TEXT, st.lists(_KIND_TEXT, max_size=3), st.dictionaries(_KIND_TEXT, _KIND_TEXT, max_size=2)),
    st.one_of(_KIND_TEXT, st.none(), st.lists(st.fixed_dictionaries({"role": st.just("assistant"),
                                                                     "content": _KIND_TEXT}), max_size=2)),
    st.one_of(st.none(), _KIND_TEXT),
)
PLAIN_TREES = st.recursive(st.builds(lambda n: [n], PLAIN_NODE),
                           lambda c: st.builds(lambda n, ch: [{**n, "children": ch}, *ch], PLAIN_NODE, c),
                           max_leaves=5)


@settings(max_examples=300)
@given(hierarchy=PLAIN_TREES, name=_KIND_TEXT, hier=st.booleans())
def test_plain_content_prefixed(ttrace: Any, hierarchy: list[Any], name: str, hier: bool) -> None:
    """Every content line behind its prefix, whatever the kinds of head, prefix and content (the typed
    walk writes a node's element in one pass, sized beforehand: a wrong size fails loudly)."""
    o = Options(include_markers=False, include_hierarchy=hier)
    same("render_trace_lines", ttrace, pure_trace, {"id": "t", "name": name}, hierarchy, o)
