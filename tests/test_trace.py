"""Trace rendering (FORMAT.md §4.15), node summaries (§4.15.4), D2 and D9."""
from __future__ import annotations

import base64
import sys
from typing import Any

import pytest

import textrepr
from textrepr.markers import expand, parse
from textrepr.options import Options
from textrepr.render.summary import cost, lat, node_summary
from textrepr.render.trace import render_trace_lines

SEP = "-" * 80
EQ = "=" * 80
HEAD = ["CHAT TURN", EQ, "", SEP, "", "TRACE HIERARCHY:", ""]


def example() -> tuple[dict[str, Any], list[Any]]:
    trace = {"id": "t1", "properties": {"$ai_trace_id": "t1", "$ai_span_name": "chat turn"}}
    hierarchy = [
        {"event": {"id": "s1", "event": "$ai_span", "properties": {"$ai_span_name": "agent", "$ai_latency": 2.5}},
         "children": [
             {"event": {"id": "g1", "event": "$ai_generation", "properties": {
                 "$ai_model": "gpt-4o", "$ai_latency": 1.2345, "$ai_time_to_first_token": 0.2,
                 "$ai_total_cost_usd": 0.00123, "$ai_input": "hi", "$ai_output": "hello"}}},
             {"event": {"id": "e1", "event": "$ai_evaluation", "properties": {
                 "$ai_evaluation_name": "helpful", "$ai_evaluation_result": True}}},
         ]},
        {"event": {"id": "x1", "event": "$custom"}},
    ]
    return trace, hierarchy


def text_of(trace: dict[str, Any], hierarchy: list[Any], **opts: Any) -> str:
    return textrepr.render_trace(trace, hierarchy, {"max_length": 0, **opts}).text


# --- §4.15.4 summaries ---------------------------------------------------------------------------


LAT_CASES: list[tuple[Any, str]] = [
    (2.5, "2.50s"), (1.2345, "1.23s"), (0, "0.00s"), (True, "1.00s"), (False, "0.00s"),
    (" 1_0 ", "10.00s"), ("nan", "nans"), ("-inf", "-infs"), ("Infinity", "infs"),
    ("\u0661\u0662", "12.00s"), ("+3.5e1", "35.00s"), (-0.0, "-0.00s"), (0.125, "0.12s"), (0.375, "0.38s"),
    ("fast", "fast"), ("", ""), ("1__0", "1__0"), ([1], "[1]"), ({"a": 1}, '{"a": 1}'),
    (10**400, "1" + "0" * 400), (10**5000, "1" + "0" * 5000), (2**53 + 1, "9007199254740992.00s"),
]


@pytest.mark.parametrize(("x", "want"), LAT_CASES, ids=[str(i) for i in range(len(LAT_CASES))])
def test_lat(x: Any, want: str) -> None:
    assert lat(x) == want


def test_cost() -> None:
    assert cost(0.00123) == "$0.0012"
    assert cost(0.00125) == "$" + format(0.00125, ".4f")
    assert cost("1") == "$1.0000"
    assert cost(True) == "$1.0000"
    assert cost("free") == "free"
    assert cost(None) == "None"


def test_summaries() -> None:
    gen = {"$ai_model": "gpt-4o", "$ai_latency": 1.2345, "$ai_time_to_first_token": 0.2,
           "$ai_total_cost_usd": 0.00123}
    assert node_summary("$ai_generation", gen) == "gpt-4o (1.23s, TTFT: 0.20s, $0.0012, gpt-4o)"
    assert node_summary("$ai_generation", {}) == "generation"
    assert node_summary("$ai_generation", {"$ai_model": 5, "$ai_latency": 1}) == "5 (1.00s, 5)"  # D3
    assert node_summary("$ai_generation", {"$ai_error": "x", "$ai_span_name": "n"}) == "n (ERROR)"
    assert node_summary("$ai_generation", {"$ai_latency": None, "$ai_model": ""}) == "generation"
    assert node_summary("$ai_embedding", {"$ai_time_to_first_token": 1, "$ai_model": "e"}) == "e (e)"
    assert node_summary("$ai_embedding", {}) == "embedding"
    assert node_summary("$ai_span", {"$ai_error": "boom", "$ai_latency": "x"}) == "span (x)"
    assert node_summary("$ai_span", {"$ai_is_error": 1}) == "span (ERROR)"
    assert node_summary("$ai_span", {"$ai_span_name": None}) == "None"
    assert node_summary("$ai_span", {"$ai_span_name": ""}) == ""
    assert node_summary("$ai_evaluation", {"$ai_evaluation_name": "helpful", "$ai_evaluation_result": True}) \
        == "helpful (true)"
    assert node_summary("$ai_evaluation", {"$ai_evaluation_runtime": "hog", "$ai_evaluation_result": "true"}) \
        == "evaluation (hog, true)"
    assert node_summary("$ai_evaluation", {"$ai_evaluation_applicable": "false",
                                           "$ai_evaluation_result": True}) == "evaluation (N/A)"
    assert node_summary("$ai_evaluation", {"$ai_evaluation_result": False}) == "evaluation (false)"
    assert node_summary("$ai_evaluation", {"$ai_evaluation_result": 0}) == "evaluation"
    assert node_summary("$ai_evaluation", {"$ai_evaluation_applicable": 0}) == "evaluation"
    assert node_summary("$custom", {"$ai_model": "m"}) == "$custom"
    assert node_summary(None, {}) == "None"
    assert node_summary(["a"], {}) == '["a"]'


# --- §4.15.8 examples ----------------------------------------------------------------------------


def test_example_markers_off() -> None:
    trace, hierarchy = example()
    want = "\n".join(HEAD + [
        "├─ [+] [SPAN] agent (2.50s)",
        "│      AGENT",
        "│      " + EQ,
        "│  ├─ [+] [GEN] gpt-4o (1.23s, TTFT: 0.20s, $0.0012, gpt-4o)",
        "│  │      " + SEP,
        "│  │      ",
        "│  │      INPUT:",
        "│  │      ",
        "│  │      hi",
        "│  │      ",
        "│  │      " + SEP,
        "│  │      ",
        "│  │      OUTPUT:",
        "│  │      ",
        "│  │      hello",
        "│  └─ [+] [EVAL] helpful (true)",
        "│         " + SEP,
        "│         ",
        "│         EVALUATION: helpful | Result: true",
        "│         ",
        "└─ [EVENT] $custom",
    ])
    assert text_of(trace, hierarchy, include_markers=False) == want


def test_example_collapsed() -> None:
    trace, hierarchy = example()
    want = "\n".join(HEAD + [
        "├─ [SPAN] agent (2.50s)",
        "│  ├─ [GEN] gpt-4o (1.23s, TTFT: 0.20s, $0.0012, gpt-4o)",
        "│  └─ [EVAL] helpful (true)",
        "└─ [EVENT] $custom",
    ])
    assert text_of(trace, hierarchy, collapsed=True) == want
    assert text_of(trace, hierarchy, collapsed=True, include_markers=False) == want


def test_example_markers_on_line_numbers() -> None:
    trace, hierarchy = example()
    r = textrepr.render_trace(trace, hierarchy, {"include_line_numbers": True})
    assert r.metadata == {"event_type": "$ai_trace", "event_id": None, "trace_id": "t1", "rendering": "detailed",
                          "char_count": 997, "truncated": False}
    lines = r.text.split("\n")
    span_payload = base64.b64encode(("AGENT\n" + EQ).encode()).decode()
    assert lines[7] == f"L08: ├─ <<<GEN_EXPANDABLE|s1|[SPAN] agent (2.50s)|{span_payload}>>>"
    assert lines[8].startswith("L09: │  ├─ <<<GEN_EXPANDABLE|g1|[GEN] gpt-4o (1.23s, TTFT: 0.20s, $0.0012, gpt-4o)|LS0t")
    assert lines[9].startswith("L10: │  └─ <<<GEN_EXPANDABLE|e1|[EVAL] helpful (true)|LS0t")
    assert lines[10] == "L11: └─ <<<EVENT_LINK|x1|[EVENT]>>> $custom"
    assert len(lines) == 11
    plain = textrepr.render_trace(trace, hierarchy, {})
    assert plain.metadata["char_count"] == 942
    segs = [s for s in parse(plain.text) if s.kind != "text"]
    assert [(s.kind, s.event_id) for s in segs] == [("gen", "s1"), ("gen", "g1"), ("gen", "e1"), ("event_link", "x1")]
    assert segs[1].content == "\n".join([SEP, "", "INPUT:", "", "hi", "", SEP, "", "OUTPUT:", "", "hello"])


def test_expand_identity_on_example() -> None:
    trace, hierarchy = example()
    for opts in ({}, {"include_hierarchy": False}, {"max_depth": 0}, {"max_depth": 1}):
        marked = text_of(trace, hierarchy, **opts)
        plain = text_of(trace, hierarchy, **opts, include_markers=False, truncated=False,
                        tools_collapse_threshold=2**31 - 1)
        assert expand(marked) == plain


def test_expand_identity_with_truncation_inside_nodes() -> None:
    trace = {"id": "t"}
    long = "".join(chr(0x41 + i % 26) for i in range(3000))
    hierarchy = [
        {"event": {"id": "g", "event": "$ai_generation", "properties": {
            "$ai_input": [{"role": "user", "content": long}], "$ai_output": "ok <<<TRUNCATED|aGk=|2>>> x",
            "$ai_tools": [{"name": f"t{i}", "description": "d"} for i in range(7)]}},
         "children": [{"event": {"id": "s", "event": "$ai_span", "properties": {"$ai_input_state": long}}}]},
    ]
    for opts in ({}, {"truncate_buffer": 7}, {"include_hierarchy": False}):
        marked = text_of(trace, hierarchy, **opts)
        plain = text_of(trace, hierarchy, **opts, include_markers=False, truncated=False,
                        tools_collapse_threshold=2**31 - 1)
        assert expand(marked) == plain


# --- D2 -------------------------------------------------------------------------------------------


def test_d2_documented_example() -> None:
    trace = {"trace_id": "trace_123", "name": "ChatBot Interaction"}
    hierarchy = [{"id": "gen_1", "event": "$ai_generation", "children": []}]
    r = textrepr.text_repr({"event_type": "$ai_trace", "data": {"trace": trace, "hierarchy": hierarchy},
                            "options": {"include_markers": False}})
    assert r["text"] == "\n".join(["CHATBOT INTERACTION", EQ, "", SEP, "", "TRACE HIERARCHY:", "",
                                   "└─ [+] [GEN] generation", " " * 7])
    assert r["metadata"]["trace_id"] == "trace_123"
    nested = [{"id": "gen_1", "event": "$ai_generation", "properties": {"$ai_model": "m"},
               "children": [{"id": "sp_1", "event": "$ai_span", "properties": {"$ai_span_name": "tool"}}]}]
    assert "└─ [GEN] m (m)\n   └─ [SPAN] tool" in text_of(trace, nested, collapsed=True)


def test_header_name_chain_and_trace_error() -> None:
    o = Options(collapsed=True)
    assert render_trace_lines({"traceName": "a", "name": "b"}, [], o)[0] == ["A", EQ]
    assert render_trace_lines({"trace_name": "ß", "properties": {"$ai_span_name": ""}}, [], o)[0] == ["SS", EQ]
    assert render_trace_lines({"name": 0}, [], o)[0] == ["TRACE", EQ]
    assert render_trace_lines({"name": [1]}, [], o)[0] == ["[1]", EQ]
    lines, nodes = render_trace_lines({"properties": {"$ai_error": True}}, [], o)
    assert lines == ["TRACE", EQ, "", SEP, "", "TRACE ERROR:", "", "true"] and nodes == []
    lines, _ = render_trace_lines({"properties": {"$ai_error": {"a": 1}}}, [], o)
    assert lines[-1] == '{\n  "a": 1\n}'
    lines, _ = render_trace_lines({"properties": {"$ai_error": "bad"}}, [], o)
    assert lines[-1] == "bad"


# --- §4.15.2 trace states -------------------------------------------------------------------------


def test_trace_states() -> None:
    o = Options()
    trace = {"properties": {"$ai_input_state": {"q": 1}}, "outputState": "done", "input_state": "hidden"}
    lines, _ = render_trace_lines(trace, [], o)
    assert "\n".join(lines) == "\n".join(["TRACE", EQ, "", SEP, "", "TRACE INPUT:", "", '{\n  "q": 1\n}',
                                          "", SEP, "", "TRACE OUTPUT:", "", "done"])
    lines, _ = render_trace_lines({"inputState": 0.5, "output_state": [1, 2]}, [], o)
    assert lines[5:] == ["TRACE INPUT:", "", "0.5", "", SEP, "", "TRACE OUTPUT:", "", "[\n  1,\n  2\n]"]
    # Trace-level strings are not parsed as literals.
    lines, _ = render_trace_lines({"inputState": "{'a': 1}"}, [], o)
    assert lines[-1] == "{'a': 1}"
    # Version 2 (D18): with a hierarchy the states come first, in collapsed mode too.
    lines, node_lines = render_trace_lines({"inputState": "x"}, [5], Options(collapsed=True))
    assert lines == ["TRACE", EQ, "", SEP, "", "TRACE INPUT:", "", "x", "", SEP, "", "TRACE HIERARCHY:", "",
                     "└─ [EVENT] 5"]
    assert node_lines == [13]


def test_trace_message_states() -> None:
    o = Options()
    trace = {"inputState": [{"role": "user", "content": "q"}],
             "outputState": [{"role": "assistant", "content": "a"}]}
    text = "\n".join(render_trace_lines(trace, [], o)[0])
    assert text == "\n".join(["TRACE", EQ, "", SEP, "", "INPUT:", "", "[1] USER", "", "q",
                              "", SEP, "", "OUTPUT:", "", "[1] ASSISTANT", "", "a"])
    # An output message array from which no message results adds nothing.
    lines, _ = render_trace_lines({"outputState": [{"content": None, "x": 1}, None]}, [], o)
    assert lines[:2] == ["TRACE", EQ]


def test_long_state_truncated() -> None:
    lines, _ = render_trace_lines({"inputState": "a" * 30}, [], Options(truncate_buffer=10, include_markers=False))
    assert lines[-1] == "aaaaa\n\n... (20 chars truncated) ...\n\naaaaa"


# --- node shapes (D2/D3) --------------------------------------------------------------------------


def test_node_variants_collapsed() -> None:
    hierarchy = [
        "just a string",
        None,
        {"event": None, "id": "bare", "properties": {"$ai_model": "m"}},
        {"event": "$ai_span", "properties": "nope", "children": {"event": {"event": "$ai_embedding", "id": 3}}},
        {"event": {"id": None, "event": 5, "properties": {}}, "children": "x"},
        {},
    ]
    text = text_of({"id": "t"}, hierarchy, collapsed=True)
    assert text.split("\n")[7:] == [
        "├─ [EVENT] just a string",
        "├─ [EVENT] None",
        "├─ [EVENT] None",
        "├─ [SPAN] span",
        "│  └─ [EMBED] embedding",
        "├─ [EVENT] 5",
        "└─ [EVENT] unknown",
    ]


def test_node_variants_markers() -> None:
    zw = "\u200b"
    hierarchy = [
        7,
        {"event": {"id": "a|b", "event": "$ai_span", "properties": {"$ai_span_name": "x|y", "$ai_input_state": "s"}}},
        {"event": {"id": "x<<<EVENT_LINK|y", "event": "$exception", "properties": {}}},
        {"event": {"id": None, "event": "<<<TRUNCATED|aGk=|2>>>"}},
    ]
    lines = text_of({"id": "t"}, hierarchy).split("\n")[7:]
    assert lines[0] == "├─ <<<EVENT_LINK|unknown|[EVENT]>>> 7"
    assert lines[1].startswith("├─ <<<GEN_EXPANDABLE|a\u00a6b|[SPAN] x\u00a6y|")
    assert lines[2] == f"├─ <<<EVENT_LINK|x<<<{zw}EVENT_LINK\u00a6y|[EVENT]>>> $exception"
    assert lines[3] == f"└─ <<<EVENT_LINK|None|[EVENT]>>> <<<{zw}TRUNCATED|aGk=|2>>>"
    kinds = [s.kind for s in parse("\n".join(lines)) if s.kind != "text"]
    assert kinds == ["event_link", "gen", "event_link", "event_link"]
    # Plain mode is untouched.
    plain = text_of({"id": "t"}, hierarchy, include_markers=False).split("\n")[7:]
    assert plain[0] == "├─ [EVENT] 7"
    assert plain[1] == "├─ [+] [SPAN] x|y"
    assert plain[-1] == "└─ [EVENT] <<<TRUNCATED|aGk=|2>>>"


def test_node_line_indices() -> None:
    trace, hierarchy = example()
    for opts in (Options(include_markers=False), Options(), Options(collapsed=True),
                 Options(include_markers=False, include_hierarchy=False, max_depth=0)):
        lines, nodes = render_trace_lines(trace, hierarchy, opts)
        text_lines = "\n".join(lines).split("\n")
        assert all(("[SPAN]" in text_lines[i] or "[GEN]" in text_lines[i] or "[EVAL]" in text_lines[i]
                    or "[EVENT]" in text_lines[i]) for i in nodes)
        assert len(nodes) == (2 if opts.max_depth == 0 else 4)
    lines, nodes = render_trace_lines({"name": "a\nb"}, [{"event": {"event": "$ai_span", "id": "i\nj"}}, 1],
                                      Options())
    text_lines = "\n".join(lines).split("\n")
    assert nodes == [8, 10]
    assert text_lines[8].startswith("├─ <<<\ud800GEN_EXPANDABLE|i") and text_lines[10].startswith("└─ ")


# --- D9: max_depth and flat mode ------------------------------------------------------------------


def chain(depth: int, kind: str = "$ai_span") -> list[Any]:
    root: dict[str, Any] = {"event": {"id": "n0", "event": kind, "properties": {"$ai_span_name": "n0"}}}
    node = root
    for i in range(1, depth):
        child = {"event": {"id": f"n{i}", "event": kind, "properties": {"$ai_span_name": f"n{i}"}}}
        node["children"] = [child]
        node = child
    return [root]


def test_max_depth_tree() -> None:
    h = chain(5)
    body = text_of({"id": "t"}, h, collapsed=True, max_depth=0).split("\n")[7:]
    assert body == ["└─ [SPAN] n0", "     [... max depth reached]"]
    body = text_of({"id": "t"}, h, collapsed=True, max_depth=2).split("\n")[7:]
    assert body == ["└─ [SPAN] n0", "   └─ [SPAN] n1", "      └─ [SPAN] n2", "           [... max depth reached]"]
    assert len(text_of({"id": "t"}, chain(25), collapsed=True).split("\n")) == 7 + 25
    # A node without children never produces the depth line.
    assert "max depth" not in text_of({"id": "t"}, h, collapsed=True, max_depth=4)
    # Markers off: the depth line comes after the node's content.
    body = text_of({"id": "t"}, h[:1], include_markers=False, max_depth=0).split("\n")[7:]
    assert body == ["└─ [+] [SPAN] n0", "       N0", "       " + EQ, "     [... max depth reached]"]


def test_max_depth_siblings_prefix() -> None:
    h = [{"event": {"event": "$x", "id": "a"}, "children": [{"event": {"event": "$y", "id": "b"}}]},
         {"event": {"event": "$z", "id": "c"}}]
    body = text_of({"id": "t"}, h, collapsed=True, max_depth=0).split("\n")[7:]
    assert body == ["├─ [EVENT] $x", "│    [... max depth reached]", "└─ [EVENT] $z"]


def test_flat_mode() -> None:
    trace, hierarchy = example()
    body = text_of(trace, hierarchy, include_hierarchy=False, collapsed=True).split("\n")
    assert body[:7] == HEAD
    assert body[7:] == ["[SPAN] agent (2.50s)", "[GEN] gpt-4o (1.23s, TTFT: 0.20s, $0.0012, gpt-4o)",
                        "[EVAL] helpful (true)", "[EVENT] $custom"]
    body = text_of(trace, hierarchy, include_hierarchy=False, include_markers=False).split("\n")[7:]
    assert body[:3] == ["[+] [SPAN] agent (2.50s)", "    AGENT", "    " + EQ]
    assert body[-1] == "[EVENT] $custom"
    body = text_of(trace, hierarchy, include_hierarchy=False, max_depth=0).split("\n")[7:]
    assert body[0].startswith("<<<GEN_EXPANDABLE|s1|[SPAN] agent (2.50s)|")
    assert body[1:] == ["  [... max depth reached]", "<<<EVENT_LINK|x1|[EVENT]>>> $custom"]


# --- scale -----------------------------------------------------------------------------------------


def test_deep_chain_low_recursion_limit() -> None:
    h = chain(500)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(120)
    try:
        for o in (Options(collapsed=True), Options(), Options(include_markers=False),
                  Options(include_hierarchy=False, include_markers=False)):
            lines, nodes = render_trace_lines({"id": "t"}, h, o)
            assert len(nodes) == 500
    finally:
        sys.setrecursionlimit(old)
    text = "\n".join(lines)
    assert text.split("\n")[nodes[-1]] == "[+] [SPAN] n499"
    tree = "\n".join(render_trace_lines({"id": "t"}, h, Options(collapsed=True))[0]).split("\n")
    assert tree[-1] == " " * (3 * 499) + "└─ [SPAN] n499"


def test_wide_trace_linear() -> None:
    def wide(n: int) -> list[Any]:
        return [{"event": {"id": f"g{i}", "event": "$ai_generation",
                           "properties": {"$ai_model": "m", "$ai_input": "hello " * 5, "$ai_output": "ok"}}}
                for i in range(n)]

    lines, nodes = render_trace_lines({"id": "t"}, wide(10_000), Options(include_markers=False))
    assert len(nodes) == 10_000
    assert nodes[-1] == len("\n".join(lines).split("\n")) - 12
    lines, nodes = render_trace_lines({"id": "t"}, wide(10_000), Options())
    assert len(lines) == 7 + 10_000 and nodes == list(range(7, 10_007))


def test_sampled_trace_keeps_node_line() -> None:
    h = [{"event": {"id": "g0", "event": "$ai_generation",
                    "properties": {"$ai_model": "m", "$ai_input": "x " * 1500}}}]
    r = textrepr.render_trace({"id": "t1"}, h, {"include_markers": False, "truncated": False, "max_length": 3000})
    assert r.metadata["truncated"] and len(r.text) <= 3000
    assert "[+] [GEN] m (m)" in r.text
