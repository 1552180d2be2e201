"""Issue 16: the typed twins ``_messages``, ``_content`` and ``_media`` give the pure modules' results.

Three kinds of checks: every call the pure pipeline makes into these modules while rendering the corpus
and the goldens (tests/typed_calls.py) replayed on the twin; hypothesis-generated inputs, hostile ones
included (non-str roles and types, nested lists, None, numbers, bools, huge ints, lone surrogates, deep
nesting, empty strings); and the names each twin exports. A result must be equal, an error of the same
type with the same message.
"""
from __future__ import annotations

import ast
import inspect
import threading
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conformance
import strategies as strat
import twins
import typed_calls
from textrepr.options import Options
from textrepr.render import content as pure_content
from textrepr.render import items as pure_items
from textrepr.render import langchain as pure_langchain
from textrepr.render import media as pure_media
from textrepr.render import messages as pure_messages
from textrepr.sink import SINKS

RENDER = Path(__file__).resolve().parents[1] / "textrepr" / "render"
PURE = {"messages": pure_messages, "content": pure_content, "media": pure_media}


@pytest.fixture(scope="module")
def typed() -> dict[str, Any]:
    return {name: twins.typed(name) for name in PURE}


def outcome(f: Callable[..., Any], *a: Any, **k: Any) -> tuple[Any, ...]:
    """("ok", result) or ("error", type, message)."""
    try:
        return ("ok", f(*a, **k))
    except Exception as e:  # noqa: BLE001 - any error must be the same error
        return ("error", type(e), str(e))


def same(pure_f: Callable[..., Any], typed_f: Callable[..., Any], *a: Any, **k: Any) -> None:
    want = outcome(pure_f, *a, **k)
    got = outcome(typed_f, *a, **k)
    assert got == want, (pure_f.__name__, a, k)


# --------------------------------------------------------------------------------------------
# Exports


@pytest.mark.parametrize("name", sorted(PURE))
def test_twin_exports_every_public_name(typed: dict[str, Any], name: str) -> None:
    pure, twin = PURE[name], typed[name]
    assert list(twin.__all__) == list(pure.__all__)
    for attr in pure.__all__:
        want = inspect.signature(getattr(pure, attr)).parameters
        got = inspect.signature(getattr(twin, attr)).parameters
        assert [(p.name, p.kind, p.default) for p in got.values()] == [
            (p.name, p.kind, p.default) for p in want.values()], attr
    # The stub lists the same functions, annotated.
    tree = ast.parse((RENDER / f"_{name}.pyi").read_text("utf-8"))
    stubbed = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert set(pure.__all__) <= set(stubbed)
    for fn in stubbed.values():
        assert fn.returns is not None and all(a.annotation is not None for a in fn.args.args), fn.name


def test_names_other_modules_import_exist(typed: dict[str, Any]) -> None:
    """Every name a renderer module imports from messages/content/media is in the twin."""
    for path in RENDER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module in PURE:
                for alias in node.names:
                    assert hasattr(typed[node.module], alias.name), (path.name, node.module, alias.name)


# --------------------------------------------------------------------------------------------
# Every call of the pure pipeline over the corpus and the goldens


@pytest.fixture(scope="module")
def calls() -> list[typed_calls.Call]:
    found = typed_calls.recorded("messages")
    if not found:
        pytest.skip(conformance.NO_CORPUS)
    return found


def test_recorded_calls_cover_every_public_path(calls: list[typed_calls.Call]) -> None:
    """The recording saw the functions the pipeline uses (a wrapper that stopped recording fails here)."""
    seen = {(m, f) for m, f, _, _ in calls}
    for key in [("messages", "message_lines"), ("messages", "choices_lines"), ("messages", "normalise_choice"),
                ("messages", "embedding_input_lines"), ("content", "content_text"), ("content", "payload_text"),
                ("content", "gemini_parts_text"), ("media", "is_media"), ("media", "media_placeholder")]:
        assert key in seen, key
    if conformance.HAVE_CORPUS:
        assert len(calls) > 10_000


def test_recorded_calls_give_identical_results(typed: dict[str, Any], calls: list[typed_calls.Call]) -> None:
    def run() -> list[str]:
        bad = []
        for mod, fn, a, k in calls:
            want = outcome(getattr(PURE[mod], fn), *a, **k)
            got = outcome(getattr(typed[mod], fn), *a, **k)
            if got != want:
                bad.append(f"{mod}.{fn}{a!r:.300}")
        return bad

    bad = conformance.in_big_stack(run)  # as the pipeline does for deep documents
    assert not bad, f"{len(bad)} differing calls, first: {bad[:3]}"


def test_recorded_calls_under_a_fit_sink(typed: dict[str, Any], calls: list[typed_calls.Call]) -> None:
    """While textrepr.fit records a template on this thread, every truncatable text goes to its sink."""
    seen: list[str] = []

    def sink(s: str) -> str:
        seen.append(s)
        return f"<{len(seen)}>"

    msg_calls = [c for c in calls if c[0] == "messages" and c[1].endswith("_lines")][:3000]
    SINKS[threading.get_ident()] = sink
    try:
        for mod, fn, a, k in msg_calls:
            seen.clear()
            want = outcome(getattr(PURE[mod], fn), *a, **k), list(seen)
            seen.clear()
            got = outcome(getattr(typed[mod], fn), *a, **k), list(seen)
            assert got == want, (fn, a)
    finally:
        del SINKS[threading.get_ident()]


# --------------------------------------------------------------------------------------------
# Hostile inputs (hypothesis)

KEYS = st.sampled_from([
    "type", "text", "content", "role", "parts", "tool_calls", "function", "name", "arguments", "toolName",
    "output", "result", "is_error", "isError", "thinking", "refusal", "input", "args", "partial_json",
    "value", "summary", "image_url", "url", "source", "data", "media_type", "mediaType", "mimeType",
    "inlineData", "fileData", "functionCall", "function_call", "functionResponse", "response", "thought",
    "additional_kwargs", "response_metadata", "invalid_tool_calls", "tool_calls.0.name",
    "tool_calls.1.function.arguments", "tool_calls.00.arguments", "tool_calls.x.name", "message", "status",
    "id", "call_id", "tool_name", "tools", "providerOptions", "redactedData", "input_audio", "format",
    "file_id", "filename", "encrypted_content", "",
])
TYPES = st.sampled_from([
    "text", "input_text", "output_text", "summary_text", "tool-call", "tool_use", "function",
    "function_call", "custom_tool_call", "function_call_output", "reasoning", "image", "image_url",
    "input_audio", "file", "document", "thinking", "refusal", "tool-result", "redacted_thinking", "human",
    "ai", "chat", "AIMessageChunk", "additional_tools", "web_search_call", "image_generation_call",
    "error-text", "error-json", "json", "content", "message", "user", "assistant", "", "TEXT",
])
WEIRD_STR = st.sampled_from([
    "", "x", "\ud800", "a\udfffb", "data:image/png;base64,iVBORw0KGgo=", "data:,x", "DATA:text/plain,hi",
    "https://example.com/a.png", "QUJD" * 20, "QUJD\nREVG " * 10 + "==", "{\"a\": 1}", "{'a': 1}", "[1, 2",
    "line\nbreak\r\n", "é" * 70, "tool_calls.", "<<<TRUNCATED|x|1>>>", "NaN",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**20, max_value=10**40),
    st.floats(allow_nan=False), TYPES, WEIRD_STR, st.text(max_size=12),
)


def _tree(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEYS, children, max_size=5),
        st.fixed_dictionaries({"type": TYPES}, optional={"text": children, "content": children,
                                                        "function": children, "output": children}),
    )


def _shapes(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The rarer rules' shapes: streamed tool_use, erroring blocks, redacted reasoning, refusals, outputs."""
    payload = st.fixed_dictionaries({"type": st.sampled_from(["text", "error-text", "json", "error-json", "content",
                                                              "other"]), "value": children})
    return st.one_of(
        st.fixed_dictionaries({"type": st.sampled_from(["tool_use", "tool-call"])}, optional={
            "name": children, "toolName": children, "args": children,
            "input": st.sampled_from([{}, None, "", [], {"a": 1}]),
            "partial_json": st.sampled_from(['{"a": 1}', '{"a": ', "null", "[1]", "", '{"b": NaN}', "{}"]),
        }),
        st.fixed_dictionaries({"type": TYPES, "is_error": st.sampled_from([True, False, 1, None])},
                              optional={"content": children, "text": children, "isError": st.booleans()}),
        st.fixed_dictionaries({"type": st.sampled_from(["reasoning", "thinking", "redacted_thinking"])}, optional={
            "providerOptions": st.dictionaries(KEYS, st.fixed_dictionaries(
                {}, optional={"redactedData": st.sampled_from(["", "abc", None, 1])})),
            "providerMetadata": children, "summary": children, "text": children, "thinking": children,
        }),
        st.fixed_dictionaries({"type": st.sampled_from(["refusal", "tool-result", "function_call_output"])},
                              optional={"refusal": WEIRD_STR, "output": st.one_of(children, payload),
                                        "result": children, "content": children, "toolName": children,
                                        "isError": st.sampled_from([True, False, None])}),
        st.fixed_dictionaries({"type": st.sampled_from(["tool-call", "function", "tool-result", "x"])}, optional={
            "function": st.one_of(children, st.fixed_dictionaries({}, optional={"name": children,
                                                                                "arguments": children})),
            "content": st.one_of(children, st.fixed_dictionaries(
                {}, optional={"toolName": children, "args": children, "result": children})),
            "tool_name": children, "name": children,
        }),
        payload,
        st.fixed_dictionaries({}, optional={"type": st.sampled_from(["text", "", None, "output_text"]),
                                            "text": children, "content": children}),
    )


HOSTILE = st.recursive(SCALARS, lambda ch: st.one_of(_tree(ch), _shapes(ch)), max_leaves=12)
# Every combination of the options the message walk reads, built once (building per example is slow).
OPTIONS = st.sampled_from([
    Options(truncated=t, truncate_buffer=b, include_markers=m, tools_collapse_threshold=c, include_tools=i)
    for t in (True, False) for b in (0, 1, 7, 40, 1000) for m in (True, False) for c in (0, 2, 5)
    for i in (True, False)
])
MESSAGES = st.one_of(st.none(), SCALARS, st.lists(SCALARS, max_size=3), strat.messages(), HOSTILE, _shapes(HOSTILE))
ARRAYS = st.lists(MESSAGES, max_size=4)


def _deep(depth: int, leaf: Any, wrap: Callable[[Any], Any]) -> Any:
    v = leaf
    for _ in range(depth):
        v = wrap(v)
    return v


@settings(max_examples=1500)
@given(HOSTILE, st.booleans())
def test_content_functions_hostile(typed: dict[str, Any], c: Any, lifted: bool) -> None:
    t = typed["content"]
    same(pure_content.content_text, t.content_text, c, lifted)
    same(pure_content.payload_text, t.payload_text, c)
    same(pure_content.gemini_parts_text, t.gemini_parts_text, c)
    same(pure_content.block_text, t.block_text, c, lifted)
    same(pure_content.object_text, t.object_text, c)


@settings(max_examples=600)
@given(st.one_of(strat.messages(), strat.json_values()), st.booleans())
def test_content_functions_sdk_shapes(typed: dict[str, Any], m: Any, lifted: bool) -> None:
    t = typed["content"]
    c = m.get("content", m) if type(m) is dict else m
    same(pure_content.content_text, t.content_text, c, lifted)
    same(pure_content.payload_text, t.payload_text, c)
    if type(m) is dict:
        same(pure_content.block_text, t.block_text, m, lifted)


@settings(max_examples=1200)
@given(ARRAYS, OPTIONS)
def test_message_lines_hostile(typed: dict[str, Any], arr: list[Any], o: Options) -> None:
    t = typed["messages"]
    same(pure_messages.message_lines, t.message_lines, arr, o)
    same(pure_messages.embedding_input_lines, t.embedding_input_lines, arr, o)


@settings(max_examples=800)
@given(st.one_of(strat.choices_lists(), ARRAYS), OPTIONS)
def test_choices_hostile(typed: dict[str, Any], choices: list[Any], o: Options) -> None:
    t = typed["messages"]
    same(pure_messages.choices_lines, t.choices_lines, choices, o)
    for c in choices:
        same(pure_messages.normalise_choice, t.normalise_choice, c)
        if type(c) is dict:
            same(pure_messages.is_responses_item, t.is_responses_item, c)
            same(pure_messages._otel_tool_calls, t._otel_tool_calls, c)
            same(pure_messages._tool_calls_of, t._tool_calls_of, c)


@settings(max_examples=300)
@given(st.dictionaries(st.one_of(KEYS, st.text(max_size=20).map(lambda s: "tool_calls." + s),
                                 st.integers(0, 30).map(lambda i: f"tool_calls.{i}.name")), SCALARS))
def test_otel_tool_calls(typed: dict[str, Any], m: dict[str, Any]) -> None:
    t = typed["messages"]
    same(pure_messages._otel_tool_calls, t._otel_tool_calls, m)
    same(pure_messages.message_lines, t.message_lines, [m], Options())


MEDIA_BLOCKS = st.one_of(
    st.fixed_dictionaries(
        {"type": st.one_of(TYPES, SCALARS)},
        optional={"image_url": st.one_of(strat.media_sources(), st.fixed_dictionaries({"url": strat.media_sources()})),
                  "source": st.fixed_dictionaries({}, optional={"media_type": WEIRD_STR, "data": strat.media_sources(),
                                                                "url": WEIRD_STR}),
                  "mime_type": WEIRD_STR, "data": st.one_of(strat.media_sources(), WEIRD_STR),
                  "input_audio": st.fixed_dictionaries({}, optional={"format": SCALARS, "data": strat.media_sources()}),
                  "inlineData": st.fixed_dictionaries({}, optional={"mimeType": WEIRD_STR, "data": strat.media_sources()}),
                  "file": st.one_of(WEIRD_STR, st.fixed_dictionaries({}, optional={"file_id": WEIRD_STR})),
                  "result": strat.media_sources()}),
    st.dictionaries(KEYS, SCALARS, max_size=4),
)
SOURCE_STRINGS = st.one_of(
    strat.media_sources(), strat.data_urls(), WEIRD_STR, st.text(max_size=100),
    st.text(alphabet="AB+/_-= \n\t\r\x0b\x0c=é\ud800", min_size=60, max_size=120),
    st.text(alphabet="abz09+.-:/", min_size=60, max_size=90),
    st.builds(lambda head, body: "data:" + head + "," + body, st.text(max_size=20),
              st.text(alphabet="QU= \n\x0c\x0b", max_size=80)),
)


@settings(max_examples=1000)
@given(MEDIA_BLOCKS)
def test_media_placeholder(typed: dict[str, Any], b: dict[str, Any]) -> None:
    t = typed["media"]
    same(pure_media.is_media, t.is_media, b)
    same(pure_media.media_placeholder, t.media_placeholder, b)
    same(pure_content.object_text, typed["content"].object_text, b)


@settings(max_examples=1000)
@given(SOURCE_STRINGS)
def test_source_strings(typed: dict[str, Any], s: str) -> None:
    t = typed["media"]
    same(pure_media._detail, t._detail, s)
    same(pure_media.string_placeholder, t.string_placeholder, s)
    same(pure_media.is_data_url, t.is_data_url, s)


@settings(max_examples=300)
@given(st.one_of(st.integers(), st.integers(min_value=10**14, max_value=10**30), SCALARS))
def test_size_text(typed: dict[str, Any], n: Any) -> None:
    same(pure_media.size_text, typed["media"].size_text, n)


@settings(max_examples=500)
@given(st.one_of(MESSAGES, HOSTILE, st.fixed_dictionaries(
    {"type": TYPES, "content": SCALARS},
    optional={"additional_kwargs": SCALARS, "response_metadata": SCALARS, "usage_metadata": SCALARS})))
def test_inlined_checks(typed: dict[str, Any], v: Any) -> None:
    """The cdef copies of langchain.is_lc_message, media.is_media and items.is_nested_item."""
    assert typed["messages"]._is_lc_message(v) == pure_langchain.is_lc_message(v)
    if type(v) is dict:
        assert typed["content"]._is_media(v) == pure_media.is_media(v)
        assert typed["content"]._is_nested_item(v.get("type")) == pure_items.is_nested_item(v.get("type"))
    assert typed["content"]._is_nested_item(v) == pure_items.is_nested_item(v)


# --------------------------------------------------------------------------------------------
# Deep nesting: the pure walk handles any depth; the twin recurses, then hands over to it


DEEP: dict[str, Callable[[Any], Any]] = {
    "lists": lambda v: [v, "x"],
    "content": lambda v: {"content": v},
    "text": lambda v: {"type": "text", "text": [v]},
    "payload": lambda v: {"type": "content", "value": [{"type": "function_call_output", "output": v}]},
    "tool_result": lambda v: [{"type": "tool-result", "toolName": "t", "output": {"type": "content", "value": v}},
                              {"type": "tool-call", "toolName": "t", "input": {}}],
}


@pytest.mark.parametrize("depth", [1, 63, 64, 65, 1024, 6000])
@pytest.mark.parametrize("shape", ["lists", "content", "text", "payload", "tool_result"])
def test_deep_nesting(typed: dict[str, Any], depth: int, shape: str) -> None:
    c = _deep(depth, [{"type": "text", "text": "leaf"}, None], DEEP[shape])
    t = typed["content"]
    same(pure_content.content_text, t.content_text, c)
    same(pure_content.payload_text, t.payload_text, c)
    same(pure_messages.message_lines, typed["messages"].message_lines,
         [{"role": "user", "content": c}], Options(truncate_buffer=50))


def test_deep_nesting_in_a_small_thread_stack(typed: dict[str, Any]) -> None:
    """The twin's recursion is bounded: 1024-level content renders in a 128 KB thread stack, as the pure walk does."""
    results: list[bool] = []

    def run() -> None:
        for wrap in DEEP.values():
            c = _deep(1024, [{"type": "text", "text": "leaf"}], wrap)
            results.append(typed["content"].content_text(c) == pure_content.content_text(c))

    old = threading.stack_size(128 * 1024)
    try:
        t = threading.Thread(target=run)
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    assert results == [True] * len(DEEP)


# --------------------------------------------------------------------------------------------
# Every rule of the pure modules, once each (hypothesis reaches them by chance; these always do)

_BIG = "QUJD" * 40
RULES: list[Any] = [
    [{"type": "text", "text": "a"}, {"content": {"toolName": "t", "args": {"x": 1}}}],  # special via content.toolName
    [{"type": "tool-result", "toolName": "t", "output": {"type": "json", "value": [1]}}, "s"],
    [{"type": "tool-result", "result": {"type": "error-text", "value": "bad"}, "isError": True}],
    [{"type": "tool-result", "toolName": None, "output": {"type": "error-json", "value": {"e": 1}}}],
    [{"type": "tool-result", "output": {"type": "content", "value": [{"type": "text", "text": "in"}]}}],
    [{"type": "tool-result", "output": {"type": "text", "value": 5}}, {"type": "tool-result", "output": ""}],
    [{"type": "tool_result", "is_error": True}, {"type": "tool_result", "is_error": True, "content": "boom"}],
    [{"type": "thinking", "thinking": "hmm"}, {"type": "thinking", "thinking": ""}, {"type": "redacted_thinking"}],
    [{"type": "refusal", "refusal": "no"}, {"type": "refusal", "refusal": 3}],
    [{"type": "reasoning", "providerOptions": {"a": {"redactedData": "x"}}}, {"type": "reasoning", "text": "r"}],
    [{"type": "reasoning", "providerMetadata": {"a": {"redactedData": ""}}, "summary": [{"text": "s"}]}],
    [{"type": "function_call", "name": "f", "arguments": '{"a": 1}'}, {"type": "custom_tool_call", "input": "x"}],
    [{"type": "function_call_output", "output": None, "content": [{"type": "output_text", "text": "o"}]}],
    [{"type": "function_call_output"}, {"type": "web_search_call", "status": "done", "action": {"q": "x"}}],
    [{"type": "image_url", "image_url": {"url": "data:image/png;base64," + _BIG}}, {"type": "input_text", "text": ""}],
    [{"inlineData": {"mimeType": "audio/wav", "data": _BIG}}, {"fileData": {"fileUri": "gs://b/f.pdf"}}],
    [{"type": "tool-call", "toolName": "t", "input": None, "args": {"a": 2}}, {"type": "tool-call", "toolName": "u"}],
    [{"type": "tool-call", "function": {"name": "f", "arguments": "{}"}}, {"type": "function", "function": {"name": "g"}}],
    [{"type": "function", "content": "r", "tool_name": "tn"}, {"type": "function"}, {"type": "function", "name": "n",
                                                                                         "content": [1]}],
    [{"type": "tool_use", "name": "t", "input": {}, "partial_json": '{"a": 1}'},
     {"type": "tool_use", "input": {}, "partial_json": '{"a": '}, {"type": "tool_use", "input": {"k": None}}],
    [{"type": "tool-call", "toolName": "t"}, {"type": "x", "content": {"result": "r", "toolName": "tt"}},
     {"type": "x", "is_error": True, "text": "e"}, {"type": "y", "is_error": True}, ["nested", ["deeper"]], 7, None],
    [{"parts": [{"text": "p", "thought": True}, {"functionCall": {"name": "f", "args": {"a": 1}}},
                {"function_response": {"name": "f", "response": {"r": 1}}}, {"inline_data": {"data": "x"}}, 3, {}]}],
    [{"type": "text", "text": None}, {"type": "text", "text": ["a", {"type": "text", "text": "b"}]}, {"text": 0}],
    [{"content": [{"type": "text", "text": "c"}]}, {"type": "custom", "other": 1}, {"type": "text"}, {}],
    [{"type": "text", "text": "x", "content": {"a": 1}}, {"type": "tool-call", "toolName": "t", "input": "raw"}],
    ["s", {"type": "tool-call", "toolName": "t"}, {"type": "function_call", "name": "f"}, {"type": "reasoning"},
     {"type": "x", "content": {"result": "r"}}, {"content": None}, "", {"type": "output_text", "text": ""}],
    [{"type": "text", "text": "a", "parts": [{"text": "p"}]}, {"type": "function", "function": {"name": "f"}}],
    [], [None], [None, None], [[]], {"type": "text", "text": "dict content"}, {"content": None}, 12, 1.5, True,
    "plain", None, 10**30, "\ud800",
]
MESSAGE_RULES: list[Any] = [
    {"role": "assistant", "content": None, "parts": [{"text": "g"}]},
    {"role": "assistant", "content": None, "parts": [], "text": "fallback"},
    {"role": "assistant", "message": "m"}, {"role": "assistant", "content": None, "text": ""},
    {"role": "user", "content": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    {"type": "ai", "content": "lc", "additional_kwargs": {"tool_calls": [{"function": {"name": "f"}}]}, "name": "bot",
     "invalid_tool_calls": [{"name": "bad", "args": "{"}]},
    {"type": "chat", "role": "critic", "content": "c", "response_metadata": {}},
    {"type": "additional_tools", "tools": [{"type": "function", "function": {"name": "f"}}]},
    {"type": "additional_tools"}, {"type": "tool_use", "name": "t", "input": {"a": 1}},
    {"type": "tool-call", "toolName": "t"}, {"type": "reasoning"}, {"type": "reasoning", "summary": "s"},
    {"type": "function_call_output", "output": "out"}, {"type": "function_call_output"},
    {"type": "output_text", "text": "t"}, {"type": "web_search_call", "id": "w", "status": "ok"},
    {"type": "image_generation_call", "result": "data:image/png;base64," + _BIG},
    {"role": "assistant", "tool_calls.0.name": "f", "tool_calls.0.arguments": "{}",
     "tool_calls.1.function.name": "g", "tool_calls.1.function.arguments": '{"b": 2}', "tool_calls.x.name": "no"},
    {"role": "assistant", "tool_calls": "abc"}, {"role": "assistant", "tool_calls": {"k": 1}},
    {"role": "assistant", "tool_calls": 5}, {"role": ""}, {"role": 5, "type": "message"}, {"role": {"a": 1}},
    {"text": "choice text"}, {"message": {"role": "assistant", "content": "in message"}}, "bare", 3, None,
    [1, 2, 3], {"role": "tool", "content": [{"type": "tool-result", "toolName": "t", "output": "o"}]},
    {"type": "function_call", "name": "f", "arguments": '{"a": 1}'}, {"type": "custom_tool_call", "input": "i"},
    {"role": "assistant", "tool_calls.5": 1, "tool_calls.": 2, "tool_calls.2.": 3}, {"text": 5}, {"other": 1},
    {"role": "assistant", "content": [{"type": "tool-call", "function": {"name": "f"}}, "t"]},
]


@pytest.mark.parametrize("c", RULES, ids=[f"rule{i}" for i in range(len(RULES))])
def test_content_rules(typed: dict[str, Any], c: Any) -> None:
    t = typed["content"]
    for lifted in (False, True):
        same(pure_content.content_text, t.content_text, c, lifted)
        same(pure_content.block_text, t.block_text, c, lifted)
    same(pure_content.payload_text, t.payload_text, c)
    same(pure_content.object_text, t.object_text, c)
    same(pure_content.gemini_parts_text, t.gemini_parts_text, c)
    for e in c if type(c) is list else [c]:
        if type(e) is dict:
            same(pure_content.block_text, t.block_text, e, True)
            same(pure_content.object_text, t.object_text, e)
            same(pure_media.media_placeholder, typed["media"].media_placeholder, e)


@pytest.mark.parametrize("o", [Options(), Options(truncate_buffer=3), Options(include_markers=False, truncate_buffer=0),
                               Options(truncated=False), Options(tools_collapse_threshold=0, include_tools=False)])
def test_message_rules(typed: dict[str, Any], o: Options) -> None:
    t = typed["messages"]
    arrays = [MESSAGE_RULES, [{"role": "user", "content": c} for c in RULES], list(reversed(MESSAGE_RULES))]
    for arr in arrays:
        same(pure_messages.message_lines, t.message_lines, arr, o)
        same(pure_messages.embedding_input_lines, t.embedding_input_lines, arr, o)
        same(pure_messages.choices_lines, t.choices_lines, arr, o)
    for m in MESSAGE_RULES:
        same(pure_messages.normalise_choice, t.normalise_choice, m)
        same(pure_messages.choices_lines, t.choices_lines, [m], o)
    same(pure_messages.message_lines, t.message_lines, (), o)  # not a list: the pure function's own result
    same(pure_messages.choices_lines, t.choices_lines, 5, o)
