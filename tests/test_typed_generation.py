"""Typed twins of generation, span, tools and event (issue 16) against their pure reference modules.

Each public function of ``textrepr.render._<name>`` must return what ``textrepr.render.<name>`` returns
(or raise the same exception type with the same message) for the same arguments:

- on every call the pure pipeline makes while rendering the shared corpus and the goldens under several
  option sets (tests/recorded_gen_calls.py records them);
- on hypothesis-generated events, states, tool lists and hostile values;
- with fit's template sink installed (``render.common.tr`` consults ``textrepr.sink.SINKS``).
"""
from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path
from threading import get_ident
from types import ModuleType
from typing import Any, Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conformance
import recorded_gen_calls
import strategies as S
import twins
from textrepr import _core_py, core
from textrepr.options import Options
from textrepr.render import common
from textrepr.sink import SINKS

try:
    _core: ModuleType | None = importlib.import_module("textrepr._core")
except ImportError:
    _core = None
NAMES = ("generation", "span", "tools", "event")
RENDER = Path(__file__).resolve().parents[1] / "textrepr" / "render"
# Every public name, and every name another module or a test imports from the pure module.
EXPORTS: dict[str, tuple[str, ...]] = {
    "generation": ("render_generation", "input_lines", "output_lines", "error_section", "unparsed_lines",
                   "not_recorded", "NOT_RECORDED"),
    "span": ("render_span", "state_body", "lc_keyed_lines", "AGENT_KEYS"),
    "tools": ("sig", "tool_call_lines", "tool_list_lines", "gemini_builtin_entry", "GEMINI_TOOL_KEYS", "_signature"),
    "event": ("event_lines", "event_text", "EVENT_KINDS"),
}


def hypo(examples: int) -> settings:
    """Explicit example counts (≥ 7,000 in all under every profile), no deadline (two renderings each)."""
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def typed() -> dict[str, ModuleType]:
    return {name: twins.typed(name) for name in NAMES}


_LAZY_KEY = re.compile("\udbfe\\d+\udbfe")


def _lazy_entry(m: re.Match[str]) -> str:
    for core in (_core_py, _core):
        e = getattr(getattr(core, "_local", None), "reg", {}).get(m.group(0))
        if e is not None:
            return f"<lazy marker {hash(e[0])} {e[1]} {e[2]} {e[3]}>"
    return "<unregistered lazy marker>"


def _norm(v: Any) -> Any:
    """``v`` with every lazy TRUNCATED placeholder (a per-process serial number: the twin's and the
    reference's differ) replaced by what its registry entry says (text hash, head, hidden, final size)."""
    if type(v) is str:
        return _LAZY_KEY.sub(_lazy_entry, v) if "\udbfe" in v else v
    if type(v) is list:
        return [_norm(x) for x in v]
    return v


def _outcome(f: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, ...]:
    try:
        return ("ok", _norm(f(*args)))
    except Exception as e:  # the twin must raise the same type with the same message
        return ("raised", type(e), str(e))


def _differences(typed: dict[str, ModuleType], calls: list[recorded_gen_calls.Call]) -> list[str]:
    """The calls on which a twin differs from the reference (typed first: a twin that mutated its
    arguments would make the reference's result differ too)."""
    bad = []
    for mod, name, args in calls:
        got = _outcome(getattr(typed[mod], name), args)
        want = _outcome(getattr(recorded_gen_calls.PURE[mod], name), args)
        if got != want:
            bad.append(f"{mod}.{name}{args!r:.300}: typed {got!r:.300} != pure {want!r:.300}")
    return bad


# --------------------------------------------------------------------------------------------- exports


@pytest.mark.parametrize("name", NAMES)
def test_exports_every_public_name(typed: dict[str, ModuleType], name: str) -> None:
    pure = recorded_gen_calls.PURE[name]
    twin = typed[name]
    shared = set(vars(common)) | set(vars(core))  # constants a module merely imports (SEP, MARK...)
    public = {n for n, v in vars(pure).items() if not n.startswith("_")
              and (getattr(v, "__module__", None) == pure.__name__ or (n.isupper() and n not in shared))}
    assert public <= set(EXPORTS[name]), f"pure {name} gained public names the twin test does not know"
    assert getattr(twin, "__all__", None) == getattr(pure, "__all__", getattr(twin, "__all__", None))
    for n in EXPORTS[name]:
        assert hasattr(twin, n), f"textrepr.render._{name} lacks {n}"
        pv, tv = getattr(pure, n), getattr(twin, n)
        if callable(pv):
            assert list(inspect.signature(tv).parameters) == list(inspect.signature(pv).parameters), n
        else:
            assert tv == pv, n


@pytest.mark.parametrize("name", NAMES)
def test_stub_lists_the_public_functions(name: str) -> None:
    stub = RENDER / f"_{name}.pyi"
    tree = ast.parse(stub.read_text("utf-8"))
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assigned = {t.target.id for t in tree.body if isinstance(t, ast.AnnAssign) and isinstance(t.target, ast.Name)}
    pure = recorded_gen_calls.PURE[name]
    for n in EXPORTS[name]:
        if callable(getattr(pure, n)):
            assert n in defs, f"{stub.name} lacks def {n}"
            f = defs[n]
            assert [a.arg for a in f.args.args] == list(inspect.signature(getattr(pure, n)).parameters)
            assert f.returns is not None and all(a.annotation is not None for a in f.args.args), n
        else:
            assert n in assigned, f"{stub.name} lacks {n}"


# ------------------------------------------------------------------------------------ recorded calls


@pytest.fixture(scope="module")
def recorded() -> list[recorded_gen_calls.Call]:
    if not conformance.HAVE_CORPUS:
        pytest.skip(conformance.NO_CORPUS)
    return recorded_gen_calls.record()


def test_recording_reaches_every_function(recorded: list[recorded_gen_calls.Call]) -> None:
    seen = {(m, f) for m, f, _ in recorded}
    missing = {(m, f) for m, fs in recorded_gen_calls.FUNCTIONS.items() for f in fs if (m, f) not in seen}
    # No corpus input reaches these two (a non-JSON-shaped $ai_input, LangChain-keyed trace states): the
    # hypothesis tests below call them directly.
    assert missing <= {("generation", "unparsed_lines"), ("span", "lc_keyed_lines")}
    assert len(recorded) > 10_000


@pytest.mark.parametrize("name", NAMES)
def test_recorded_calls_identical(typed: dict[str, ModuleType], recorded: list[recorded_gen_calls.Call],
                                  name: str) -> None:
    calls = [c for c in recorded if c[0] == name]
    bad = conformance.in_big_stack(lambda: _differences(typed, calls))
    assert not bad, f"{len(bad)} of {len(calls)} calls differ:\n" + "\n".join(bad[:5])


@pytest.fixture
def sink() -> Iterator[list[str]]:
    """fit's template recording on this thread: every truncatable text becomes a numbered placeholder."""
    seen: list[str] = []

    def place(s: str) -> str:
        seen.append(s)
        return f"\x00{len(seen)}\x00"

    SINKS[get_ident()] = place
    try:
        yield seen
    finally:
        del SINKS[get_ident()]


def test_recorded_calls_identical_under_the_template_sink(typed: dict[str, ModuleType],
                                                          recorded: list[recorded_gen_calls.Call],
                                                          sink: list[str]) -> None:
    calls = [c for c in recorded if c[1] in ("render_generation", "render_span", "event_text")][::7]
    handed = 0
    for mod, name, args in calls:
        del sink[:]
        got = _outcome(getattr(typed[mod], name), args)
        texts = list(sink)
        del sink[:]
        want = _outcome(getattr(recorded_gen_calls.PURE[mod], name), args)
        assert got == want, (mod, name)
        assert texts == sink, (mod, name)  # the same texts handed to the sink, in the same order
        handed += len(texts)
    assert calls and handed > 0


# --------------------------------------------------------------------------------------------- hypothesis


@st.composite
def options(draw: st.DrawFn) -> Options:
    return Options(truncated=draw(st.booleans()), truncate_buffer=draw(st.sampled_from([0, 1, 4, 30, 1000])),
                   include_markers=draw(st.booleans()), tools_collapse_threshold=draw(st.sampled_from([0, 1, 2, 5])),
                   include_tools=draw(st.booleans()))


def hostile_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.booleans(), st.integers(), st.sampled_from([10**40, -(10**30), 0, 1, 2**63]),
        st.floats(allow_nan=False, allow_infinity=False), st.just(""), st.text(max_size=12),
        st.builds(lambda n, c: c * n, st.integers(95, 105) | st.integers(480, 520), st.sampled_from("y\u00e9\ud83d")),
        st.sampled_from(["\ud800", "a\udfffb", "\ud83d\ude00", "<<<TRUNCATED|x|1>>>", "{", "[1, 2", "{'a': 1}",
                         "  {\"role\": \"user\"}", "N/A", "x. y\nz", "response", "tool", "human", "function"]),
    )


def hostile_values() -> st.SearchStrategy[Any]:
    """Any JSON-like value: non-str roles, nested lists, numbers, deep nesting, LangChain- and tool-shaped
    objects with the wrong member types."""
    keys = st.sampled_from(["role", "content", "type", "name", "function", "arguments", "args", "tool_calls",
                            "messages", "state", "tool_call", "__type", "choices", "object", "output", "parts",
                            "text", "message", "additional_kwargs", "description", "parameters", "properties",
                            "required", "input_schema", "functionDeclarations", "function_declarations",
                            "google_search", "status", "remaining_steps", "history", "x"])
    return st.recursive(hostile_scalars(), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=12)


def deep(v: Any, depth: int) -> Any:
    for i in range(depth):
        v = [v] if i % 2 else {"content": v}
    return v


def _same(typed_f: Callable[..., Any], pure_f: Callable[..., Any], *args: Any) -> None:
    got = _outcome(typed_f, args)
    want = _outcome(pure_f, args)
    assert got == want


@hypo(500)
@given(props=S.generation_props(), o=options(), with_sink=st.booleans())
def test_generation_props(typed: dict[str, ModuleType], props: dict[str, Any], o: Options, with_sink: bool) -> None:
    g, pg = typed["generation"], recorded_gen_calls.generation
    if with_sink:
        SINKS[get_ident()] = lambda s: f"<{len(s)}>"
    try:
        _same(g.render_generation, pg.render_generation, props, o)
        _same(g.input_lines, pg.input_lines, props.get("$ai_input"), o)
        _same(g.output_lines, pg.output_lines, props, o)
        _same(typed["event"].event_text, recorded_gen_calls.pure_event.event_text, "$ai_generation", props, o)
    finally:
        SINKS.pop(get_ident(), None)
    _same(g.output_lines, pg.output_lines, props, o)
    _same(g.error_section, pg.error_section, props)
    _same(g.not_recorded, pg.not_recorded, props)


@hypo(400)
@given(props=S.span_props(), o=options(), with_sink=st.booleans())
def test_span_props(typed: dict[str, ModuleType], props: dict[str, Any], o: Options, with_sink: bool) -> None:
    s, ps = typed["span"], recorded_gen_calls.span
    if with_sink:
        SINKS[get_ident()] = lambda x: f"<{len(x)}>"
    try:
        _same(s.render_span, ps.render_span, props, o)
        for key in ("$ai_input_state", "$ai_output_state", "$ai_span_data"):
            if props.get(key):
                _same(s.state_body, ps.state_body, props[key], o)
        _same(typed["event"].event_lines, recorded_gen_calls.pure_event.event_lines, "$ai_span", props, o)
    finally:
        SINKS.pop(get_ident(), None)


@hypo(600)
@given(tools=S.tools_values(), o=options(), calls=st.one_of(S.openai_tool_calls(), S.langchain_tool_calls()),
       name=st.one_of(S.names(), st.just("")), args=st.one_of(S.argument_strings(), S.argument_dicts()))
def test_tools(typed: dict[str, ModuleType], tools: Any, o: Options, calls: Any, name: str, args: Any) -> None:
    t, pt = typed["tools"], recorded_gen_calls.tools
    _same(t.tool_list_lines, pt.tool_list_lines, tools, o)
    _same(t.tool_call_lines, pt.tool_call_lines, calls)
    _same(t.sig, pt.sig, name, args)
    for entry in (tools if type(tools) is list else []):
        if type(entry) is dict:
            _same(t.gemini_builtin_entry, pt.gemini_builtin_entry, entry)
            _same(t._signature, pt._signature, name, entry.get("parameters", entry))


@hypo(3600)
@given(v=hostile_values(), w=hostile_values(), o=options(), kind=st.sampled_from(
    ["$ai_generation", "$ai_span", "$ai_embedding", "$ai_evaluation", "$ai_trace", "", "x"]),
    depth=st.sampled_from([0, 0, 0, 0, 0, 3, 3, 40]))
def test_hostile_values(typed: dict[str, ModuleType], v: Any, w: Any, o: Options, kind: str, depth: int) -> None:
    g, s, t, e = (typed[n] for n in NAMES)
    pg, ps, pt, pe = (recorded_gen_calls.PURE[n] for n in NAMES)
    v = deep(v, depth)
    props = {"$ai_input": v, "$ai_output_choices": w, "$ai_output": v, "$ai_tools": w, "$ai_error": w,
             "$ai_input_state": v, "$ai_output_state": w, "$ai_span_name": w, "$ai_handoff_to_agent": v,
             "$ai_agent_tools": w, "$ai_span_data": v}
    for p in (props, {"$ai_output_choices": v, "$ai_input": None}, v if type(v) is dict else {"$ai_output": w}):
        _same(e.event_lines, pe.event_lines, kind, p, o)
        _same(g.render_generation, pg.render_generation, p, o)
        _same(s.render_span, ps.render_span, p, o)
    _same(g.output_lines, pg.output_lines, props, o)
    _same(g.error_section, pg.error_section, props)
    _same(g.not_recorded, pg.not_recorded, {"$ai_input": None, "$ai_output": v})
    _same(e.event_text, pe.event_text, kind, props, o)
    _same(g.input_lines, pg.input_lines, v, o)
    _same(g.unparsed_lines, pg.unparsed_lines, "input", v)
    _same(s.state_body, ps.state_body, v, o)
    _same(s.lc_keyed_lines, ps.lc_keyed_lines, v, o)
    _same(t.sig, pt.sig, w, v)
    _same(t.sig, pt.sig, "f", v)
    _same(t.tool_call_lines, pt.tool_call_lines, v)
    _same(t.tool_list_lines, pt.tool_list_lines, v, o)
    _same(t.gemini_builtin_entry, pt.gemini_builtin_entry, v)
    _same(t._signature, pt._signature, "f", v)


@hypo(1700)
@given(name=hostile_scalars(), args=st.one_of(hostile_scalars(), st.dictionaries(st.text(max_size=3), hostile_scalars(),
                                                                                 max_size=3)),
       calls=st.one_of(hostile_scalars(), st.lists(st.one_of(hostile_scalars(), st.fixed_dictionaries(
           {"function": st.fixed_dictionaries({}, optional={"name": hostile_scalars(), "arguments": hostile_scalars()})})),
           max_size=3)))
def test_signatures_of_hostile_scalars(typed: dict[str, ModuleType], name: Any, args: Any, calls: Any) -> None:
    t, pt = typed["tools"], recorded_gen_calls.tools
    _same(t.sig, pt.sig, name, args)
    _same(t.tool_call_lines, pt.tool_call_lines, calls)
    _same(t._signature, pt._signature, name, {"properties": args, "required": list(args) if type(args) is dict else args})


@hypo(300)
@given(event=S.events(), o=options())
def test_events(typed: dict[str, ModuleType], event: dict[str, Any], o: Options) -> None:
    e, pe = typed["event"], recorded_gen_calls.pure_event
    kind = event["event"]
    _same(e.event_lines, pe.event_lines, kind, event["properties"], o)
    _same(e.event_text, pe.event_text, kind, event["properties"], o)


@pytest.mark.parametrize("n", range(94, 106))
def test_cut_lengths(typed: dict[str, ModuleType], n: int) -> None:
    """Around the 500-character cut of unparsed values (§4.4, §4.5) and the 100-character tool description
    of an unnamed tool (§4.10), in ASCII, non-ASCII and escaped characters."""
    g, pg, t, pt = typed["generation"], recorded_gen_calls.generation, typed["tools"], recorded_gen_calls.tools
    o = Options(tools_collapse_threshold=50)
    for c in ("y", "\u00e9", "\n", "\ud83d"):
        for v in ([c * (n + 400)], {"k": c * (n + 395)}, [c * n], n * 5 + 0.5, [[c] * (n + 400 // len(c))]):
            _same(g.unparsed_lines, pg.unparsed_lines, "output", v)
            _same(g.render_generation, pg.render_generation, {"$ai_input": v, "$ai_output": v}, o)
        tool = {"type": c * n, "x": c * (n - 85)}
        _same(t.tool_list_lines, pt.tool_list_lines, [tool, {"function": {"name": "f", "description": c * n + ". x"}}], o)


def test_non_dict_arguments_raise_like_the_reference(typed: dict[str, ModuleType]) -> None:
    o = Options()
    g, s, t = typed["generation"], typed["span"], typed["tools"]
    pg, ps, pt = recorded_gen_calls.generation, recorded_gen_calls.span, recorded_gen_calls.tools
    for bad in (None, [], "props", 3):
        for tf, pf in ((g.render_generation, pg.render_generation), (s.render_span, ps.render_span),
                       (g.output_lines, pg.output_lines)):
            got, want = _outcome(tf, (bad, o)), _outcome(pf, (bad, o))
            assert got == want and got[0] == "raised"
        for tf, pf in ((g.error_section, pg.error_section), (g.not_recorded, pg.not_recorded),
                       (t.gemini_builtin_entry, pt.gemini_builtin_entry)):
            assert _outcome(tf, (bad,)) == _outcome(pf, (bad,))
    # An Options stand-in without the fields: the same AttributeError.
    assert _outcome(t.tool_list_lines, ([{"name": "a"}], object())) == _outcome(pt.tool_list_lines, ([{"name": "a"}], object()))
    assert _outcome(g.input_lines, ("text", None)) == _outcome(pg.input_lines, ("text", None))
