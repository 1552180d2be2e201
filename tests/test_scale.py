"""Scale and structure (issue 5): the nesting limit's deepest documents, deeper ones, 100,000 siblings,
20 MB strings, threads, hash seeds, and raw JSON input.

No test here measures time: linearity is checked structurally, by counting interpreter events (function
calls, executed lines) at two input sizes; wall-clock figures belong to the benchmarks.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import pytest

import twins

import textrepr
import textrepr.api
from conformance import GOLDEN, load_case, request_bytes
from textrepr import InvalidRequest, markers
from textrepr.batch import as_request

SEP = "-" * 80
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
OWN_GOLDENS = Path(__file__).resolve().parent / "goldens" / "requests"
MODES: dict[str, dict[str, Any]] = {
    "A": {},
    "B": {"include_markers": False, "truncated": True, "collapsed": True, "include_line_numbers": True},
    "C": {"truncated": False},
    "D": {"include_markers": True, "include_line_numbers": True, "truncate_buffer": 200},
    "E": {"include_markers": False, "include_line_numbers": True, "max_length": 4000},
    "F": {"include_hierarchy": False, "include_markers": False},
    "G": {"max_depth": 3},
    "H": {"truncate_buffer": 301, "tools_collapse_threshold": 2, "include_markers": True},
    "flat-markers": {"include_hierarchy": False, "include_markers": True, "max_length": 0},
    "plain-full": {"include_markers": False, "truncated": False, "max_length": 0},
}


# ---------------------------------------------------------------- helpers


def frame_depth() -> int:
    f, n = sys._getframe(), 0
    while f is not None:
        f, n = f.f_back, n + 1
    return n


@contextmanager
def low_recursion_limit(headroom: int = 80) -> Iterator[None]:
    """Only ``headroom`` frames above the caller: anything that recurses along data nesting fails."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(frame_depth() + headroom)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


@contextmanager
def guard_watch() -> Iterator[list[str]]:
    """Records every big-stack rerun of api._guard (its RecursionError safety net)."""
    started: list[str] = []
    real = threading.Thread

    class Recording(real):  # type: ignore[misc, valid-type]
        def start(self) -> None:
            started.append(self.name)
            super().start()

    saved = textrepr.api.threading
    textrepr.api.threading = SimpleNamespace(Thread=Recording, stack_size=threading.stack_size,  # type: ignore[assignment]
                                             Lock=threading.Lock)
    try:
        yield started
    finally:
        textrepr.api.threading = saved  # type: ignore[assignment]


def json_depth(v: Any) -> int:
    """Nesting depth of arrays/objects, iteratively (a scalar is 0, ``[]`` is 1)."""
    best = 0
    stack = [(v, 1)]
    while stack:
        x, d = stack.pop()
        if type(x) is dict or type(x) is list:
            best = max(best, d)
            stack.extend((y, d + 1) for y in (x.values() if type(x) is dict else x))
    return best


def render(request: Any) -> tuple[int, Any]:
    try:
        return 200, textrepr.text_repr(request)
    except InvalidRequest as e:
        return 400, e.body


def nested_dict(levels: int, leaf: Any = "leaf") -> Any:
    v = leaf
    for _ in range(levels):
        v = {"k": v}
    return v


def nested_list(levels: int, leaf: Any = "leaf") -> Any:
    v = leaf
    for _ in range(levels):
        v = [v]
    return v


def span_chain(n: int, bare: bool = False) -> dict[str, Any]:
    """A trace whose hierarchy is an ``n``-deep chain of spans (each a child of the previous)."""
    node: Any = None
    for k in range(n, 0, -1):
        ev = {"id": f"s{k}", "event": "$ai_span", "properties": {"$ai_span_name": f"step {k}", "$ai_latency": 0.5,
                                                                 "$ai_input_state": f"in {k}"}}
        children = [node] if node is not None else []
        node = {**ev, "children": children} if bare else {"event": ev, "children": children}
    return {"event_type": "$ai_trace", "data": {"trace": {"id": "deep"}, "hierarchy": [node]}}


# ---------------------------------------------------------------- deepest admitted documents


def test_deepest_span_chain_renders_in_every_mode() -> None:
    """A 510-deep span chain is exactly at the nesting limit (1024 levels); it renders in every mode with
    only a few frames of recursion to spare, and the tree walk never needs the RecursionError safety net."""
    req = span_chain(510)
    assert json_depth(req) == 1024
    raw = request_bytes(req)
    for name, opts in MODES.items():
        r = {**req, "options": opts}
        with low_recursion_limit(), guard_watch() as reruns:
            status, body = render(r)
            status_b, body_b = render(raw[:-1] + b', "options": ' + json.dumps(opts).encode() + b"}")
        assert status == 200, (name, body)
        assert (status_b, body_b) == (status, body), name
        assert not reruns, f"mode {name}: the tree walk recursed (api._guard reran it on a big stack)"
        text = body["text"]
        assert body["metadata"]["char_count"] == len(text)
        if name == "G":
            assert len([s for s in markers.parse(text) if s.kind == "gen"]) == 4
            assert "  [... max depth reached]" in text
        elif name in ("E",):
            assert len(text) <= 4000
        else:
            assert "step 510" in text or any(
                seg.kind == "gen" and seg.display.endswith("step 510 (0.50s)") for seg in markers.parse(text))
    # The last node sits 509 levels down: 509 three-column prefixes, then the connector.
    plain = render({**req, "options": {"include_markers": False, "collapsed": True, "max_length": 0}})[1]["text"]
    assert plain.split("\n")[-1] == "   " * 509 + "└─ [SPAN] step 510 (0.50s)"


def _deep_cases() -> dict[str, Callable[[], dict[str, Any]]]:
    """Requests whose deepest value sits exactly at the 1024 limit, each reaching another code path that
    follows data nesting (content in content, error bodies, JSON dumps, tool schemas, …)."""
    def ev(props: dict[str, Any], kind: str = "$ai_generation") -> dict[str, Any]:
        return {"event_type": kind if kind != "$ai_evaluation" else "$ai_generation",
                "data": {"id": "e1", "event": kind, "properties": props}}

    def fit(make: Callable[[int], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        # The largest nesting that keeps the whole document within 1024 levels (depth is linear in n).
        def build() -> dict[str, Any]:
            base, step = json_depth(make(1)), json_depth(make(2)) - json_depth(make(1))
            req = make(1 + (1024 - base) // step)
            assert 1024 - step < json_depth(req) <= 1024
            return req

        return build

    def tool_result_chain(n: int) -> Any:
        v: Any = [{"type": "text", "text": "bottom"}]
        for _ in range(n):
            v = [{"type": "tool_result", "tool_use_id": "t", "content": v}]
        return v

    return {
        "span state dict": fit(lambda n: ev({"$ai_input_state": nested_dict(n)}, "$ai_span")),
        "span state list": fit(lambda n: ev({"$ai_output_state": nested_list(n)}, "$ai_span")),
        "span error": fit(lambda n: ev({"$ai_error": nested_dict(n)}, "$ai_span")),
        "span name": fit(lambda n: ev({"$ai_span_name": nested_list(n)}, "$ai_span")),
        "message content lists": fit(lambda n: ev({"$ai_input": [{"role": "user", "content": nested_list(n)}]})),
        "tool_result blocks": fit(lambda n: ev({"$ai_input": [{"role": "user", "content": tool_result_chain(n)}]})),
        "generation error body": fit(lambda n: ev({"$ai_error": nested_dict(n)})),
        "tool-call arguments": fit(lambda n: ev({"$ai_output_choices": [{"role": "assistant", "tool_calls": [
            {"function": {"name": "f", "arguments": {"a": nested_dict(n)}}}]}]})),
        "tool schema": fit(lambda n: ev({"$ai_tools": [{"name": "t", "input_schema": {"properties": {
            "p": {"type": nested_list(n)}}}}]})),
        "gemini response": fit(lambda n: ev({"$ai_input": [{"role": "user", "parts": [
            {"functionResponse": {"name": "g", "response": nested_dict(n)}}]}]})),
        "unparsed input": fit(lambda n: ev({"$ai_input": nested_dict(n)})),
        "embedding input": fit(lambda n: ev({"$ai_input": [nested_list(n)]}, "$ai_embedding")),
        "evaluation reasoning": fit(lambda n: ev({"$ai_evaluation_reasoning": nested_list(n)}, "$ai_evaluation")),
        "trace error and state": fit(lambda n: {"event_type": "$ai_trace", "data": {
            "trace": {"id": "t", "properties": {"$ai_error": nested_dict(n), "$ai_input_state": nested_list(n)}},
            "hierarchy": []}}),
        "trace node properties": fit(lambda n: {"event_type": "$ai_trace", "data": {"trace": {"id": "t"}, "hierarchy": [
            {"event": {"id": "g", "event": "$ai_generation", "properties": {
                "$ai_model": nested_list(n), "$ai_input": [{"role": "user", "content": nested_list(n)}]}}}]}}),
    }


@pytest.mark.parametrize("case", list(_deep_cases()))
def test_thousand_levels_render_in_every_mode(case: str) -> None:
    """~1,000 nesting levels in any field render in every mode, whatever the recursion limit."""
    req = _deep_cases()[case]()
    for name in ("A", "B", "C", "D", "E", "plain-full"):
        with low_recursion_limit(), guard_watch() as reruns:
            status, body = render({**req, "options": MODES[name]})
        assert status == 200, (case, name, body)
        # Renderers walk nesting with explicit stacks: api._guard's big-stack rerun is never needed.
        assert not reruns, (case, name)
        assert body["metadata"]["char_count"] == len(body["text"])
        body["text"].encode("utf-8")


# ---------------------------------------------------------------- deeper than the limit


def _expect_parse_error(request: Any) -> None:
    with low_recursion_limit(60):
        status, body = render(request)
    assert status == 400, body
    assert type(body) is dict and body["detail"].startswith("JSON parse error - "), body


def test_one_level_too_deep_is_invalid() -> None:
    deep = span_chain(510)
    node = deep["data"]["hierarchy"][0]
    while node["children"]:
        node = node["children"][0]
    node["event"]["properties"]["$ai_input_state"] = {"one": "more"}
    assert json_depth(deep) == 1025
    _expect_parse_error(deep)
    _expect_parse_error(request_bytes(deep))
    ok = {"event_type": "$ai_span", "data": {"id": "x", "properties": {"s": nested_list(1021)}}}
    assert json_depth(ok) == 1024
    assert render(ok)[0] == 200
    assert render(request_bytes(ok))[0] == 200
    too = {"event_type": "$ai_span", "data": {"id": "x", "properties": {"s": nested_list(1022)}}}
    _expect_parse_error(too)
    _expect_parse_error(request_bytes(too))
    _expect_parse_error(b"[" * 1025 + b"]" * 1025)
    assert render(b"[" * 1024 + b"]" * 1024)[1] == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


@pytest.mark.parametrize("shape", ["dict in properties", "list in data", "top-level list", "options", "event_type",
                                   "render_event", "render_trace"])
def test_hundred_thousand_deep_python_structure_is_invalid_without_recursion(shape: str) -> None:
    """A 100,000-deep structure handed in as Python objects is a clean InvalidRequest, found iteratively."""
    deep_d, deep_l = nested_dict(100_000), nested_list(100_000)
    if shape == "render_event":
        with low_recursion_limit(60), pytest.raises(InvalidRequest) as e:
            textrepr.render_event({"id": "x", "properties": {"$ai_input": deep_d}})
        assert e.value.body["detail"].startswith("JSON parse error - ")
        return
    if shape == "render_trace":
        with low_recursion_limit(60), pytest.raises(InvalidRequest) as e:
            textrepr.render_trace({"id": "t"}, [{"event": {"id": "g", "properties": deep_d}}])
        assert e.value.body["detail"].startswith("JSON parse error - ")
        return
    request: Any = {
        "dict in properties": {"event_type": "$ai_generation", "data": {"id": "x", "properties": {"$ai_input": deep_d}}},
        "list in data": {"event_type": "$ai_span", "data": deep_l},
        "top-level list": deep_l,
        "options": {"event_type": "$ai_span", "data": {"id": "x", "properties": {}}, "options": {"max_depth": deep_l}},
        "event_type": {"event_type": deep_l, "data": {}},
    }[shape]
    _expect_parse_error(request)


def test_deep_values_in_validated_fields() -> None:
    """Nesting within the limit in ``event_type`` or an option is a clean §3.2 error, without recursion (a
    ~1,000-deep list once escaped as RecursionError from ``str()`` in validation)."""
    deep = nested_list(1020, 10**5000)
    with low_recursion_limit(60):
        status, body = render({"event_type": deep, "data": {}})
    assert status == 400
    message = body["event_type"][0]
    assert message == '"' + "[" * 1020 + "1" + "0" * 5000 + "]" * 1020 + '" is not a valid choice.'
    with low_recursion_limit(60):
        status, body = render({"event_type": "$ai_span", "data": {"id": "s", "properties": {}},
                               "options": {"max_depth": nested_list(1020), "max_length": [10**5000]}})
    assert (status, body) == (400, {"options": {"max_length": ["A valid integer is required."],
                                                "max_depth": ["A valid integer is required."]}})


def test_deep_strings_are_text_not_structure() -> None:
    """JSON nested inside strings past the limit (tool arguments, span states, choices) is shown as text."""
    deep = "[" * 100_000 + "]" * 100_000
    props = {
        "$ai_input": [{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": deep}}]}],
        "$ai_output_choices": deep,
    }
    with low_recursion_limit():
        status, body = render({"event_type": "$ai_generation", "data": {"id": "g", "properties": props},
                               "options": {"truncated": False, "max_length": 0}})
    assert status == 200
    assert f"  - f({deep})" in body["text"]
    with low_recursion_limit():
        status, body = render({"event_type": "$ai_span", "data": {"id": "s", "properties": {"$ai_input_state": deep}},
                               "options": {"include_markers": False}})
    assert status == 200
    assert "... (199000 chars truncated) ..." in body["text"]


# ---------------------------------------------------------------- 100,000 siblings


def wide_trace(n: int) -> dict[str, Any]:
    node = {"event": "$ai_generation", "properties": {"$ai_model": "gpt-4o", "$ai_latency": 0.5,
                                                        "$ai_input": "hi", "$ai_output": "hello"}}
    hierarchy = [{"event": {**node, "id": f"g{i}"}} for i in range(n)]
    return {"event_type": "$ai_trace", "data": {"trace": {"id": "wide"}, "hierarchy": hierarchy}}


def test_hundred_thousand_siblings() -> None:
    req = wide_trace(100_000)
    raw = request_bytes(req)
    for name in ("A", "E"):
        opts = {**MODES[name], "max_length": 0} if name == "A" else MODES[name]
        status, body = render(raw[:-1] + b', "options": ' + json.dumps(opts).encode() + b"}")
        assert status == 200
        text = body["text"]
        if name == "A":
            segs = [s for s in markers.parse(text) if s.kind == "gen"]
            assert len(segs) == 100_000 and segs[-1].event_id == "g99999"
        else:
            assert len(text) <= 4000 and body["metadata"]["truncated"]
            assert "[+] [GEN] gpt-4o (0.50s, gpt-4o)" in text  # a node line survives sampling


def count_events(fn: Callable[[], Any], kinds: tuple[str, ...]) -> int:
    """Interpreter events (``call``/``c_call`` via setprofile, or ``line`` via settrace) while ``fn`` runs."""
    n = 0
    if "line" in kinds:
        def tracer(frame: Any, event: str, arg: Any) -> Any:
            nonlocal n
            if event == "line":
                n += 1
            return tracer

        old = sys.gettrace()
        sys.settrace(tracer)
        try:
            fn()
        finally:
            sys.settrace(old)
        return n

    def prof(frame: Any, event: str, arg: Any) -> None:
        nonlocal n
        if event in kinds:
            n += 1

    old_p = sys.getprofile()
    sys.setprofile(prof)
    try:
        fn()
    finally:
        sys.setprofile(old_p)
    return n


@pytest.mark.parametrize("mode", ["B", "E"])
def test_sibling_count_scales_linearly(mode: str) -> None:
    """Structural linearity: 4x the siblings costs ~4x the function calls (Python and C alike)."""
    def work(n: int) -> Callable[[], Any]:
        raw = request_bytes({**wide_trace(n), "options": MODES[mode]})
        return lambda: textrepr.text_repr(raw)

    small, large = work(1000), work(4000)
    small()  # warm imports and caches
    c1 = count_events(small, ("call", "c_call"))
    c4 = count_events(large, ("call", "c_call"))
    assert c4 <= 4.4 * c1, f"calls grow faster than the node count: {c1} -> {c4}"


@pytest.mark.parametrize("field", ["input", "state", "arguments", "tool output"])
def test_string_length_costs_no_python_work(field: str) -> None:
    """A longer single-line string executes the same number of Python lines (no per-character Python loop);
    a text with 4x the lines executes at most ~4x the lines."""
    def req(s: str) -> bytes:
        props = {
            "input": {"$ai_input": [{"role": "user", "content": s}]},
            "state": {"$ai_input_state": s},
            "arguments": {"$ai_output_choices": [{"role": "assistant", "tool_calls": [
                {"function": {"name": "f", "arguments": json.dumps({"q": s})}}]}]},
            "tool output": {"$ai_input": [{"type": "function_call_output", "call_id": "c", "output": s}]},
        }[field]
        kind = "$ai_span" if field == "state" else "$ai_generation"
        return request_bytes({"event_type": kind, "data": {"id": "e", "properties": props},
                              "options": {"truncate_buffer": 200}})

    def lines(raw: bytes) -> int:
        textrepr.text_repr(raw)
        return count_events(lambda: textrepr.text_repr(raw), ("line",))

    short, long = lines(req("ab <<<TRUNCATED| é🤖 " * 2_000)), lines(req("ab <<<TRUNCATED| é🤖 " * 8_000))
    assert long <= short * 1.05 + 50, f"per-character Python work: {short} -> {long} lines"
    multi1, multi4 = lines(req("one line of text\n" * 2_000)), lines(req("one line of text\n" * 8_000))
    # + 100: a document past 64 KB runs parse's big-integer check (a few dozen lines, once); with the compiled
    # request path the short one may run under ten lines in all.
    assert multi4 <= multi1 * 4.4 + 100, f"lines grow faster than the text: {multi1} -> {multi4}"


# ---------------------------------------------------------------- 20 MB strings


MB20 = 20 * 1024 * 1024


def _big_requests(s: str) -> dict[str, dict[str, Any]]:
    gen = lambda props: {"event_type": "$ai_generation", "data": {"id": "g", "properties": props}}  # noqa: E731
    return {
        "input string": gen({"$ai_input": s}),
        "message content": gen({"$ai_input": [{"role": "user", "content": s}]}),
        "output string": gen({"$ai_output": s}),
        "tool arguments": gen({"$ai_output_choices": [{"role": "assistant", "tool_calls": [
            {"function": {"name": "f", "arguments": s}}]}]}),
        "tool output": gen({"$ai_input": [{"type": "function_call_output", "call_id": "c", "output": s}]}),
        "tool description": gen({"$ai_tools": [{"name": "t", "description": s}]}),
        "error": gen({"$ai_error": s}),
        "model name": gen({"$ai_model": s}),
        "event id": {"event_type": "$ai_generation", "data": {"id": s, "properties": {"$ai_input": "x"}}},
        "span state": {"event_type": "$ai_span", "data": {"id": "s", "properties": {"$ai_output_state": s}}},
        "span name": {"event_type": "$ai_span", "data": {"id": "s", "properties": {"$ai_span_name": s}}},
        "trace node id": {"event_type": "$ai_trace", "data": {"trace": {"id": "t"}, "hierarchy": [
            {"event": {"id": s, "event": "$ai_generation", "properties": {"$ai_input": "x"}}}]}},
        "trace state": {"event_type": "$ai_trace", "data": {"trace": {"id": "t", "properties": {"$ai_input_state": s}},
                                                            "hierarchy": []}},
        "media data": gen({"$ai_input": [{"role": "user", "content": [{"type": "image", "source": {
            "type": "base64", "media_type": "image/png", "data": ("iVBORw0KGgoAAAANSUhEUgAA" * (len(s) // 24 + 1))[
                :len(s)]}}]}]}),
    }


@pytest.fixture(scope="module")
def big_string() -> str:
    # A single line; ASCII, so that characters and bytes agree for the memory bound.
    unit = "0123456789abcdefghij ABCDEFGHIJ<<<TRUNCATED|xyz "
    return (unit * (MB20 // len(unit) + 1))[:MB20]


@pytest.mark.parametrize("field", list(_big_requests("")))
def test_twenty_megabyte_strings(field: str, big_string: str) -> None:
    """20 MB in any field renders with markers on and off, within max_length."""
    req = _big_requests(big_string)[field]
    for markers_on in (True, False):
        req["options"] = {"include_markers": markers_on}
        status, body = render(req)
        assert status == 200, body
        text = body["text"]
        assert len(text) <= 2_000_000
        assert body["metadata"]["char_count"] == len(text)
        if field == "media data":
            assert "iVBOR" not in text and "[image: image/png, 15.0 MB]" in text


def _rss() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) * 1024
    return out


def peak_rss(fn: Callable[[], Any]) -> tuple[int, Any]:
    """(peak resident bytes above the current level while ``fn`` runs, its result).

    Linux only: writing 5 to /proc/self/clear_refs resets the high-water mark (VmHWM) to the current RSS.
    (tracemalloc is no use here: it counts orjson's untouched over-allocation, 13x the input.)"""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = _rss()["VmRSS"]
    result = fn()
    return _rss()["VmHWM"] - base, result


def _can_measure_rss() -> bool:
    try:
        peak_rss(lambda: None)
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _can_measure_rss(), reason="needs Linux /proc/self/clear_refs")
@pytest.mark.parametrize("max_length", [2_000_000, 0], ids=["sampled", "unsampled"])
@pytest.mark.parametrize("markers_on", [True, False], ids=["markers", "plain"])
@pytest.mark.parametrize("field", ["message content", "span state"])
def test_twenty_megabytes_memory_bound(field: str, markers_on: bool, max_length: int, big_string: str,
                                       implementation: str) -> None:
    """Peak memory of a 20 MB event <= 2 x (input bytes + output characters), the compiled-core bound;
    the pure twin gets 3x."""
    req = _big_requests(big_string)[field]
    req["options"] = {"include_markers": markers_on, "max_length": max_length}
    raw = json.dumps(req).encode()
    del req
    peak, (status, body) = peak_rss(lambda: render(raw))
    assert status == 200, body
    factor = 2 if implementation == "compiled" else 3
    bound = factor * (len(raw) + len(body["text"]))
    assert peak <= bound, (f"peak {peak / 1e6:.1f} MB > {factor} x (input {len(raw) / 1e6:.1f} MB + output "
                           f"{len(body['text']) / 1e6:.1f} MB)")


# ---------------------------------------------------------------- threads and processes


def _corpus_requests() -> list[Any]:
    """The project's own examples and golden requests, the shared corpus's when present, then two big
    synthetic traces (last, so that callers can leave them out)."""
    own = sorted(EXAMPLES.glob("*.json")) + sorted(OWN_GOLDENS.glob("*.json"))
    reqs: list[Any] = [as_request(json.loads(p.read_text("utf-8"))) for p in own]
    for p in sorted(GOLDEN.glob("events/*.[AEH].json"))[:30] + sorted(GOLDEN.glob("traces/*.[ABF].json")):
        reqs.append(load_case(p)["request"])
    reqs.append(span_chain(200))
    reqs.append(wide_trace(500))
    return reqs


def test_concurrent_calls_match_sequential() -> None:
    """8 threads rendering the same requests in shuffled orders give exactly the sequential results."""
    reqs = _corpus_requests()
    raws = [request_bytes(r) for r in reqs]
    expected = [render(r) for r in raws]

    def worker(seed: int) -> list[tuple[int, tuple[int, Any]]]:
        order = list(range(len(raws)))
        random.Random(seed).shuffle(order)
        return [(i, render(raws[i])) for i in order]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(worker, range(8)))
    for got in results:
        for i, r in got:
            assert r == expected[i], f"request {i} differs under concurrency"


_SUBPROCESS = """
import hashlib, json, sys
import textrepr
from textrepr import InvalidRequest
h = hashlib.sha256()
for line in sys.stdin.buffer.read().split(b"\\n"):
    try:
        out = textrepr.text_repr(line)
    except InvalidRequest as e:
        out = e.body
    h.update(json.dumps(out, ensure_ascii=True).encode())
print(h.hexdigest())
"""


def test_same_bytes_in_every_process_and_hash_seed() -> None:
    """§6.2 item 1: a fresh interpreter with another hash seed (and each core) gives the same bytes."""
    twins.once_per_suite()
    raws = [request_bytes(r) for r in _corpus_requests()[:-2]]
    assert raws, "no requests to compare"
    h = hashlib.sha256()
    for raw in raws:
        h.update(json.dumps(render(raw)[1], ensure_ascii=True).encode())
    expected = h.hexdigest()
    root = Path(textrepr.__file__).resolve().parents[1]
    for seed, no_ext in (("0", "0"), ("12345", "1")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TEXTREPR_NO_EXTENSIONS": no_ext, "PYTHONPATH": str(root)}
        out = subprocess.run([sys.executable, "-c", _SUBPROCESS], input=b"\n".join(raws), capture_output=True,
                             env=env, check=True, cwd=root)
        assert out.stdout.decode().strip() == expected, out.stderr.decode()[-2000:]


# ---------------------------------------------------------------- raw input


_OK = {"event_type": "$ai_span", "data": {"id": "s1", "properties": {"$ai_span_name": "fetch"}}}
_OK_BYTES = json.dumps(_OK).encode()


@pytest.mark.parametrize("raw, detail", [
    (b"{", "invalid JSON"),
    (b'{"event_type": "$ai_span",}', "trailing comma"),
    (b"{'event_type': '$ai_span'}", "single quotes"),
    (_OK_BYTES[:-7], "truncated"),
    (_OK_BYTES[:1], "truncated to one byte"),
    (_OK_BYTES + b"x", "trailing garbage"),
    (_OK_BYTES + b" {}", "two documents"),
    (b'{"event_type": NaN, "data": {}}', "NaN"),
    (b'{"event_type": "$ai_span", "data": {"id": "s", "properties": {"x": Infinity}}}', "Infinity"),
    (b'{"event_type": "$ai_span", "data": {"id": "s", "properties": {"x": -Infinity}}}', "-Infinity"),
    (b'{"event_type": "$ai_span", "data": {"id": "s", "properties": {"x": 1e400}}}', "float overflow"),
    (b"\xef\xbb\xbf" + _OK_BYTES, "UTF-8 BOM"),
    (b'{"event_type": "$ai_span", "data": {"id": "s\xff", "properties": {}}}', "invalid UTF-8"),
    (b'{"event_type": "$ai_span", "data": {"id": "\xed\xa0\x80", "properties": {}}}', "UTF-8-encoded surrogate"),
    (b"   ", "whitespace only"),
    (b"\x00", "NUL"),
])
def test_raw_input_rejected(raw: bytes, detail: str) -> None:
    status, body = render(raw)
    assert status == 400, (detail, body)
    assert list(body) == ["detail"] and body["detail"].startswith("JSON parse error - "), body
    json.dumps(body, ensure_ascii=False).encode("utf-8")
    # The same text as str (where it is valid Unicode) answers the same way.
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    assert render(s)[0] == 400


@pytest.mark.parametrize("raw, body", [
    (b"[]", {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    (b"1", {"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}),
    (b"1.5", {"non_field_errors": ["Invalid data. Expected a dictionary, but got float."]}),
    (b'"s"', {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
    (b"true", {"non_field_errors": ["Invalid data. Expected a dictionary, but got bool."]}),
    (b"null", {"non_field_errors": ["No data provided"]}),
    (b"", {"event_type": ["This field is required."], "data": ["This field is required."]}),
    (b"{}", {"event_type": ["This field is required."], "data": ["This field is required."]}),
    (b'{"event_type": 100000000000000000000000000000, "data": 1}',
     {"event_type": ['"100000000000000000000000000000" is not a valid choice.']}),
])
def test_raw_input_non_object(raw: bytes, body: Any) -> None:
    assert render(raw) == (400, body)
    assert render(raw.decode()) == (400, body)


def test_raw_input_huge_integers_are_exact() -> None:
    big = 10**40 + 1
    digits5000 = "9" * 5000
    raw = (b'{"event_type": "$ai_span", "data": {"id": ' + str(big).encode() + b', "properties": {'
           b'"$ai_span_name": ' + digits5000.encode() + b', "$ai_input_state": [-' + str(2**64).encode() + b"]}}}")
    status, body = render(raw)
    assert status == 200, body
    assert body["metadata"]["event_id"] == big
    assert body["text"].split("\n")[0] == digits5000
    assert f"-{2**64}" in body["text"]


def test_raw_input_duplicate_keys_keep_first_position_last_value() -> None:
    raw = (b'{"event_type": "$ai_generation", "event_type": "$ai_span", "data": {"id": "s", "properties": {'
           b'"$ai_span_name": "first", "$ai_input_state": {"a": 1, "b": 2, "a": 3}, "$ai_span_name": "last"}}}')
    status, body = render(raw)
    assert status == 200, body
    assert body["metadata"]["event_type"] == "$ai_span"
    assert body["text"].startswith("LAST\n")
    assert '{\n  "a": 3,\n  "b": 2\n}' in body["text"]


def test_raw_input_lone_surrogate_escapes_are_repaired() -> None:
    raw = (b'{"event_type": "$ai_span", "data": {"id": "a\\ud800b", "properties": {'
           b'"$ai_span_name": "x\\udc00y\\ud83e\\udd16", "$ai_input_state": "\\ud83e"}}}')
    for request in (raw, raw.decode("ascii"), json.loads(raw)):
        status, body = render(request)
        assert status == 200, body
        assert body["metadata"]["event_id"] == "a\ufffdb"
        assert body["text"].startswith("X\ufffdY\U0001f916\n")
        assert body["text"].endswith("INPUT STATE:\n\n\ufffd")
    # A str holding raw lone surrogates (not escapes) is accepted too.
    status, body = render('{"event_type": "$ai_span", "data": {"id": "\ud800", "properties": {}}}')
    assert status == 200 and body["metadata"]["event_id"] == "\ufffd"


def test_raw_input_other_buffer_types() -> None:
    expected = render(_OK_BYTES)
    assert expected[0] == 200
    assert render(bytearray(_OK_BYTES)) == expected
    assert render(memoryview(_OK_BYTES)) == expected
    assert render(_OK_BYTES.decode()) == expected
    assert render(_OK) == expected


def test_mapping_values_without_json_form_are_invalid() -> None:
    for bad in ({"x": float("nan")}, {"x": float("inf")}, {1: "int key"}, {"x": {1, 2}}, {"x": b"bytes"},
                {"x": object()}):
        status, body = render({"event_type": "$ai_span", "data": {"id": "s", "properties": bad}})
        assert status == 400 and body["detail"].startswith("JSON parse error - "), (bad, body)
    # Tuples are arrays.
    assert render({"event_type": "$ai_span", "data": {"id": "s", "properties": {"$ai_input_state": ("a", "b")}}}) == \
        render({"event_type": "$ai_span", "data": {"id": "s", "properties": {"$ai_input_state": ["a", "b"]}}})
