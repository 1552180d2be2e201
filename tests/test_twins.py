"""Compiled == pure (FORMAT.md §6.2 item 9): every core function, and ``text_repr`` end to end.

The core checks run the same input through the compiled core and its pure-Python twin in one process; the
end-to-end checks render in process (compiled core and typed renderers) and in ``twins.Worker.pure()`` (the same
textrepr under ``TEXTREPR_NO_EXTENSIONS=1``). Both assert identical results — the same value, or the same
exception type and message/body. They run in the compiled run of the suite; in the pure run they skip, and
under ``TEXTREPR_REQUIRE_EXTENSIONS=1`` (CI) a missing compiled build fails them.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conformance
import twins
import textrepr
import textrepr.api
from textrepr import InvalidRequest

ZW = "\u200b"


@pytest.fixture(autouse=True)
def both() -> None:
    """Twin comparisons run in the compiled run of the suite (skip in the pure run, fail if required)."""
    twins.require_compiled_run()


outcome = twins.outcome


def same(name: str, *args: Any, message: bool = True) -> None:
    """compiled.name(*args) == pure.name(*args), or both raise the same exception type (and message)."""
    got = outcome(getattr(twins.compiled, name), *args)
    want = outcome(getattr(twins.pure, name), *args)
    if not message and got[0] == want[0] != "ok":
        return
    assert got == want, f"{name}{args!r:.300}"


# ------------------------------------------------------------------------------------ strategies

TOKENS = ["a", "Z", " ", "é", "ÿ", "€", "日", "😀", "├─ ", "│  ", "\n", "\n\n", "\r", "\t", "<", "<<", "<<<", ">>>",
          "TRUNCATED|", "GEN_EXPANDABLE|", "TOOLS_EXPANDABLE|", "EVENT_LINK|", "TRUNCATED", ZW, "|", "¦",
          "x" * 40, "\x00", "\x1f", '"', "\\", "\u2028", "\ud800", "MARK", "PIPE"]


def _texts(surrogates: bool = False) -> st.SearchStrategy[str]:
    toks = TOKENS if surrogates else [t for t in TOKENS if t not in ("\ud800", "MARK", "PIPE")]

    def build(xs: list[str]) -> str:
        return "".join(twins.pure.MARK if x == "MARK" else twins.pure.PIPE if x == "PIPE" else x for x in xs)

    return st.one_of(st.lists(st.sampled_from(toks), max_size=40).map(build),
                     st.text(max_size=60) if surrogates else st.text(
                         st.characters(blacklist_categories=("Cs",)), max_size=60))


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10**40), 10**40), st.floats(),
    st.sampled_from([0.1, 1e-05, 1e16, 100.0, -0.0, 5e-324, 1.7976931348623157e308]),
    st.integers(4300, 4400).map(lambda d: -(7 * 10**d)),  # past str()'s digit limit
    _texts(surrogates=True),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_texts(surrogates=True), inner, max_size=5),
    max_leaves=30,
)


# --------------------------------------------------------------------------------- core functions


@given(_texts(surrogates=True))
def test_b64_neutralise_number_lines(s: str) -> None:
    same("b64", s)
    same("neutralise", s)
    same("number_lines", s)
    same("finalise", s, True)
    same("finalise", s, False)


@given(_texts(), st.booleans(), st.integers(0, 60), st.booleans())
def test_trunc(s: str, truncated: bool, buffer: int, markers: bool) -> None:
    same("trunc", s, truncated, buffer, markers)


@given(st.sampled_from(["", "a", "é", "€", "😀"]), _texts(), st.sampled_from(["", "b", "ÿ", "€", "\U0010ffff"]),
       st.integers(0, 6))
def test_trunc_kinds_at_the_edges(head: str, middle: str, tail: str, buffer: int) -> None:
    """The widest characters only in the kept head/tail: the middle's payload is built from a slice
    narrower than the text (kinds must be handled per range)."""
    s = head * (buffer // 2) + "<<<TRUNCATED|" + middle + tail * (buffer // 2)
    same("trunc", s, True, buffer, True)
    same("trunc", s, True, buffer, False)


@given(st.lists(_texts(), max_size=25).map("\n".join), st.integers(0, 500),
       st.none() | st.lists(st.integers(0, 80), max_size=10))
def test_sample(text: str, m: int, nodes: list[int] | None) -> None:
    same("sample", text, m, nodes)


@given(st.lists(_texts(), max_size=25), st.booleans(), st.booleans(), st.integers(0, 600),
       st.none() | st.lists(st.integers(0, 80), max_size=10))
def test_assemble(elements: list[str], markers: bool, numbers: bool, m: int, nodes: list[int] | None) -> None:
    same("assemble", elements, markers, numbers, m, nodes)


@given(st.lists(_texts(), max_size=6), st.integers(0, 30), st.booleans(), st.integers(0, 400))
def test_assemble_lazy_markers(texts: list[str], buffer: int, numbers: bool, m: int) -> None:
    """Lazy TRUNCATED placeholders (threshold lowered) give what the eager path gives, in both twins."""
    results = []
    for impl in (twins.compiled, twins.pure):
        old = impl._set_lazy_min(3)
        try:
            elements = ["TITLE", "", "INPUT:", ""]
            for t in texts:
                elements += [*impl.trunc(t, True, buffer, True), ""]
            nested = impl.finalise("\n".join(impl.trunc("".join(texts) * 2, True, buffer, True)), True)
            results.append((impl.assemble(elements, True, numbers, m, None), nested))
        finally:
            impl._set_lazy_min(old)
            impl.assemble([], True, False, 0, None)
    assert results[0] == results[1]


@given(json_values)
def test_json_and_disp(v: Any) -> None:
    same("jdump", v)
    same("jdump2", v)
    same("disp", v)


@given(st.integers() | st.integers(4290, 6000).map(lambda d: 3**d * (-1) ** d))
def test_int_str(n: int) -> None:
    same("int_str", n)


@given(st.text(alphabet=st.sampled_from("0123456789a\u00e9\u0663\U0001f600"), max_size=80)
       | st.binary(max_size=80).map(lambda b: b.translate(bytes(48 + c % 11 for c in range(256)))))
def test_has_digit_run(s: str | bytes) -> None:
    same("has_digit_run", s)


def test_exceptions_match() -> None:
    same("b64", "a\udc00b")
    same("trunc", "abc", True, -1, True)
    same("has_digit_run", 5)
    same("sample", "abc", -5, None)
    same("assemble", ["a", None], True, True, 0, None)
    same("jdump", {1, 2})
    same("jdump2", [object()])
    # Wrong argument types: the same exception type (Cython words its argument checks differently).
    same("neutralise", None, message=False)


# ------------------------------------------------------------------------------------- text_repr

BASE_REQUESTS: list[dict[str, Any]] = [
    {"event_type": "$ai_generation", "data": {"id": "g1", "event": "$ai_generation", "properties": {
        "$ai_model": "gpt-4o", "$ai_input": [{"role": "user", "content": "hello <<<TRUNCATED|aGk=|2>>> " * 30},
                                             {"role": "assistant", "content": [{"type": "text", "text": "x\n" * 50}]}],
        "$ai_output_choices": [{"role": "assistant", "content": "done", "tool_calls": [
            {"type": "function", "function": {"name": "f", "arguments": '{"a": [1, 2.5, "é"]}'}}]}],
        "$ai_tools": [{"type": "function", "function": {"name": f"t{i}", "description": "d"}} for i in range(7)]}}},
    {"event_type": "$ai_span", "data": {"id": "s1", "event": "$ai_span", "properties": {
        "$ai_span_name": "fetch", "$ai_input_state": {"q": "x" * 300, "n": [1, {"deep": None}]},
        "$ai_output_state": "plain state\n" * 40}}},
    {"event_type": "$ai_trace", "data": {"trace": {"id": "t1", "properties": {"$ai_span_name": "chat"}}, "hierarchy": [
        {"event": {"id": "s1", "event": "$ai_span", "properties": {"$ai_span_name": "agent", "$ai_latency": 2.5}},
         "children": [{"event": {"id": "g|1", "event": "$ai_generation", "properties": {
             "$ai_model": "m", "$ai_input": "q" * 500, "$ai_output_choices": ["a"]}}, "children": []},
             {"event": {"id": "e1", "event": "$ai_evaluation", "properties": {}}}]},
        {"event": {"id": "x1", "event": "$custom", "properties": {}}, "children": []}]}},
]

options_st = st.fixed_dictionaries({}, optional={
    "max_length": st.sampled_from([0, 1, 40, 200, 700, 3000]),
    "truncated": st.booleans(),
    "truncate_buffer": st.sampled_from([0, 1, 5, 40, 301, 1000]),
    "include_markers": st.booleans(),
    "collapsed": st.booleans(),
    "include_hierarchy": st.booleans(),
    "max_depth": st.sampled_from([0, 1, 3]),
    "tools_collapse_threshold": st.sampled_from([0, 2, 5]),
    "include_line_numbers": st.booleans(),
})


def _mutate(doc: Any, path: list[int], value: Any) -> Any:
    """Replace the value reached by following ``path`` (indices modulo each container's size)."""
    cur = doc
    for n, step in enumerate(path):
        if isinstance(cur, dict) and cur:
            key: Any = list(cur)[step % len(cur)]
        elif isinstance(cur, list) and cur:
            key = step % len(cur)
        else:
            return doc
        child = cur[key]
        if n == len(path) - 1 or not isinstance(child, (dict, list)) or not child:
            cur[key] = value
            return doc
        cur = child
    return doc


def render_both(request: Any) -> None:
    """text_repr in process (compiled) == text_repr in the pure worker."""
    assert textrepr.api.assemble is twins.compiled.assemble
    assert textrepr.api.event_lines.__module__ == "textrepr.render._event"
    twins.same_as_pure("textrepr:text_repr", request)


@given(st.sampled_from(range(len(BASE_REQUESTS))), options_st,
       st.lists(st.integers(0, 50), min_size=1, max_size=8), json_values, st.booleans())
def test_text_repr_generated(base: int, options: dict[str, Any], path: list[int], value: Any, mutate: bool) -> None:
    request = json.loads(json.dumps(BASE_REQUESTS[base]))
    if mutate:
        _mutate(request["data"], path, value)
    request["options"] = options
    render_both(request)


@settings(max_examples=60)
@given(st.data(), options_st)
def test_text_repr_corpus(data: st.DataObject, options: dict[str, Any]) -> None:
    files = _corpus()
    if not files:
        pytest.skip(conformance.NO_CORPUS)
    case = conformance.load_case(data.draw(st.sampled_from(files)))
    request = case["request"]
    if isinstance(request, dict) and isinstance(request.get("options", {}), dict):
        request = {**request, "options": {**request.get("options", {}), **options}}
    render_both(conformance.request_bytes(request))


_CORPUS: list[Any] = []


def _corpus() -> list[Any]:
    if not _CORPUS and conformance.GOLDEN.is_dir():
        _CORPUS.extend(conformance.golden_files() + conformance.adversarial_files())
    return _CORPUS


def test_text_repr_every_golden_request() -> None:
    """Deterministic sweep: every golden and adversarial request, with and without lazy markers."""
    files = _corpus()
    if not files:
        pytest.skip(conformance.NO_CORPUS)
    variants: list[dict[str, Any]] = [{}, {"max_length": 600, "include_line_numbers": True, "truncate_buffer": 40}]
    for path in files:
        request = conformance.load_case(path)["request"]
        for extra in variants:
            req = request
            if extra and isinstance(request, dict) and isinstance(request.get("options", {}), dict):
                req = {**request, "options": {**request.get("options", {}), **extra}}
            elif extra:
                continue
            payload = conformance.request_bytes(req)
            conformance.in_big_stack(lambda: render_both(payload))
    worker = twins.Worker.pure()
    old = (twins.compiled._set_lazy_min(8), worker.call("textrepr._core_py:_set_lazy_min", 8)[1])
    try:
        for path in files[::3]:
            payload = conformance.request_bytes(conformance.load_case(path)["request"])
            conformance.in_big_stack(lambda: render_both(payload))
    finally:
        twins.compiled._set_lazy_min(old[0])
        worker.call("textrepr._core_py:_set_lazy_min", old[1])


def test_core_selector_reports_compiled() -> None:
    import textrepr.core

    assert textrepr.core.IMPLEMENTATION == "compiled"
    assert sys.modules["textrepr._core"] is twins.compiled


def test_renderer_selector_reports_the_typed_family() -> None:
    """The compiled build renders with the typed twins: extensions, entry points from _event and _trace."""
    import textrepr.renderers as r

    assert r.IMPLEMENTATION == "compiled" == textrepr.implementation()
    family = r.family("compiled")
    for name in r.TYPED:
        assert Path(family[name].__file__).suffix in (".so", ".pyd"), name
        assert family[name].__name__ == f"textrepr.render._{name}"
    assert textrepr.api.event_lines is family["event"].event_lines
    assert textrepr.api.render_trace_lines is family["trace"].render_trace_lines


def test_every_renderer_module_is_listed_and_every_twin_stubbed() -> None:
    """renderers.MODULES names textrepr/render's pure modules; renderers.TYPED its typed twins, each a .pyx
    beside its pure module with a .pyi stub (setup.py builds every _*.pyx)."""
    import textrepr.renderers

    render = Path(textrepr.__file__).parent / "render"
    sources = sorted(p.stem for p in render.glob("*.py") if p.stem != "__init__")
    twins_ = sorted(p.stem[1:] for p in render.glob("_*.pyx"))
    stubs = sorted(p.stem[1:] for p in render.glob("_*.pyi"))
    assert list(textrepr.renderers.MODULES) == sources
    assert sorted(textrepr.renderers.TYPED) == twins_ == stubs
    assert set(twins_) <= set(sources)


@pytest.mark.parametrize("no_ext, family", [("1", "textrepr.render."), ("", "textrepr.render._")])
def test_environment_selects_core_and_renderers_together(no_ext: str, family: str) -> None:
    """TEXTREPR_NO_EXTENSIONS=1 selects the pure core and the pure renderers; unset, both compiled ones."""
    import subprocess

    code = ("import textrepr, textrepr.renderers as r, textrepr.api as a; "
            "print(textrepr.implementation(), textrepr.core.IMPLEMENTATION, a.event_lines.__module__, "
            "r.render_trace_lines.__module__)")
    # Run where this session's textrepr lives: `python -c` puts the working directory first on sys.path, and
    # under CI that is a checkout without built extensions.
    home = str(Path(textrepr.__file__).parents[1])
    env = {**os.environ, "TEXTREPR_NO_EXTENSIONS": no_ext, "PYTHONPATH": home}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=home, timeout=120)
    assert p.returncode == 0, p.stderr
    name = "pure" if no_ext else "compiled"
    assert p.stdout.split() == [name, name, f"{family}event", f"{family}trace"]
