"""Hypothesis strategies: real-shaped PostHog LLM-observability requests, mixed with hostile values.

Every provider shape of FORMAT.md §4 is generated (OpenAI chat and Responses, Anthropic, Gemini, LangChain,
Vercel AI SDK v4/v5, OTel-flattened keys, spans with every state type, embeddings, evaluations, traces of any
depth and width). ``perturbed(...)`` then drops keys or swaps any value for arbitrary JSON, and the strings
carry lone surrogates, marker look-alikes, huge and empty texts.

Also here: an independent model of the request checks of §3.2/§3.3 (``expected_error``), used as the oracle
for "only InvalidRequest escapes, and only for the invalid requests of §3".
"""
from __future__ import annotations

import copy
from functools import wraps
import json
import re
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from hypothesis import strategies as st

__all__ = [
    "texts", "long_texts", "any_texts", "json_values", "messages", "message_lists", "tools_values",
    "generation_props", "span_props", "embedding_props", "evaluation_props", "events", "event_requests",
    "traces", "trace_requests", "requests", "hostile_documents", "valid_options", "any_options",
    "option_values", "perturbed", "repair", "expected_error", "coerce_valid_options", "to_json",
    "IntDigits", "short",
]

S = st.SearchStrategy


def cache(factory: Any) -> Any:
    """Memoise a strategy factory: building strategies per draw is what makes hypothesis slow."""
    memo: dict[Any, Any] = {}

    @wraps(factory)
    def get(*args: Any) -> Any:
        if args not in memo:
            memo[args] = factory(*args)
        return memo[args]

    return get


def named(factory: Any) -> Any:
    """``cache`` plus a short repr: hypothesis reprs the base of every ``st.recursive`` while validating and
    warns (an error under ``-W error``) past 40 kB. Costs one extra draw level, so used sparingly."""
    memo: dict[Any, Any] = {}

    @wraps(factory)
    def get(*args: Any) -> Any:
        if args not in memo:
            memo[args] = _Named(factory(*args), f"{factory.__name__}{args if args else '()'}")
        return memo[args]

    return get


def short(strategy: Any, name: str) -> Any:
    """``strategy`` printed as ``name`` (filters print their base on every retry)."""
    return _Named(strategy, name)


class _Named(st.SearchStrategy):  # type: ignore[type-arg]
    """A strategy that draws from ``inner`` and prints as ``name``."""

    def __init__(self, inner: Any, name: str) -> None:
        super().__init__()
        self.inner = inner
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def do_validate(self) -> None:
        self.inner.validate()

    def calc_is_empty(self, recur: Any) -> bool:
        return recur(self.inner)

    def do_draw(self, data: Any) -> Any:
        return data.draw(self.inner)

# ---------------------------------------------------------------- strings

MARKER_LOOKALIKES = [
    "<<<TRUNCATED|aGk=|2>>>",
    "<<<\u200bTRUNCATED|aGk=|2>>>",
    "<<<\u200b\u200bGEN_EXPANDABLE|",
    "<<<GEN_EXPANDABLE|g1|[GEN] x|eHg=>>>",
    "<<<TOOLS_EXPANDABLE|AVAILABLE TOOLS: 9|eA==>>>",
    "<<<EVENT_LINK|x1|[EVENT]>>>",
    "<<<EVENT_LINK|",
    "<<<TRUNCATED|",
    "<<<<TRUNCATED|",
    "<<<",
    ">>>",
    "|",
    "||",
    "\u00a6",
    "\u200b",
    "... (5 chars truncated) ...",
    "\n\n... (3 chars truncated) ...\n\n",
    "[SAMPLED VIEW: Showing ~50% of 37 lines. Gaps in line numbers indicate omitted content.]",
    "L01: ",
    "[+] ",
    "├─ ",
    "│  ",
    "└─ ",
    "-" * 80,
    "=" * 80,
]
ODD_CHARS = [
    "\ud800", "\udbff", "\udc00", "\udfff", "\ud83e", "\udd16", "\ud83e\udd16", "\udd16\ud83e",
    "🤖", "ß", "ﬁ", "İ", "ŉ", "\u0345", "é", "e\u0301", "東京", "\u202e", "\u2028", "\u2029", "\x85",
    "\n", "\r\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\ufeff", "\ufffd", "\U0010ffff", " ", "",
    "'", '"', "\\", "{", "}", "[", "]", "{'a': 1}", '{"a": 1}', "NaN", "Infinity", "1e400",
    "None", "True", "null", "  \n ", "data:image/png;base64,iVBORw0KGgo=", "https://x.test/y.png",
]
_FRAGMENTS = MARKER_LOOKALIKES + ODD_CHARS
SENTENCES = [
    "What is the weather in Paris?", "Sure.", "Here's one: why did the Tokyo cloud break up with the fog?",
    "The current weather in 東京 (Tokyo) is 14.2°C.", "Zürich", "🤖 beep", "line one\nline two\n\nline four",
    "It's 'quoted' and \"double quoted\"", "a|b|c", "<b>bold</b>", "x", "0", "You are a helpful assistant.",
    "Caption this.", "Let me check that for you.", "The user wants the weather; call the tool.",
    "مرحبا بالعالم", "\u202eRTL override", "trailing spaces   ", "\ttabbed", "multi\r\nline\r\n",
]
_UNITS = ["a", "ab\n", "é", "🤖", "x y ", "\ud800", "<<<TRUNCATED|", "\n", "0123456789"]


@cache
def texts(max_parts: int = 4) -> S[str]:
    """Short strings: plain text and hostile fragments, concatenated."""
    part = st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=8))
    return st.lists(part, max_size=max_parts).map("".join)


@cache
def long_texts(max_units: int = 1600) -> S[str]:
    """Strings long enough to be middle-truncated (default buffer 1000) or to be sampled."""
    return st.builds(
        lambda head, unit, n, tail: head + unit * n + tail,
        texts(2), st.sampled_from(_UNITS), st.integers(0, max_units), texts(2),
    )


@cache
def any_texts() -> S[str]:
    return st.one_of(texts(), texts(), texts(), long_texts(), st.just(""))


@cache
def words() -> S[str]:
    """Realistic prose, so that real-shaped messages mostly carry readable text."""
    return st.sampled_from(SENTENCES)


@cache
def prose() -> S[str]:
    return st.one_of(words(), words(), texts(), long_texts())


@cache
def ids() -> S[str]:
    return st.one_of(
        st.integers(0, 10**6).map(lambda n: f"id_{n:x}"),
        st.sampled_from(["gen_1", "s1", "0194f7", "a|b", "x<<<EVENT_LINK|y", "", " ", "id\nwith newline"]),
        texts(2),
    )


@cache
def names() -> S[str]:
    return st.one_of(
        st.sampled_from(["get_weather", "search", "execute_sql", "transfer_to_spanish_agent", "f", "名前",
                         "a|b", "", "tool-with-dash", "x<<<TRUNCATED|y"]),
        texts(2),
    )


# ---------------------------------------------------------------- arbitrary JSON


@cache
def json_scalars() -> S[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.sampled_from([0, 1, -1, 2**63, -(2**63) - 1, 10**40, -(10**60)]),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([0.0, -0.0, 1e16, 1e-05, 100.0, 0.1, 1.7976931348623157e308, 5e-324]),
        any_texts(),
    )


@cache
def dict_keys() -> S[str]:
    return st.one_of(
        st.sampled_from(["role", "content", "type", "text", "name", "arguments", "args", "input", "output",
                         "parts", "function", "tool_calls", "id", "properties", "children", "event",
                         "messages", "state", "summary", "status", "result", "data", "url", "choices",
                         "object", "tool_calls.0.name", "$ai_input", "__type", ""]),
        texts(2),
    )


@cache
def json_values(max_leaves: int = 10) -> S[Any]:
    return st.recursive(
        json_scalars(),
        lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(dict_keys(), c, max_size=4)),
        max_leaves=max_leaves,
    )


@cache
def maybe(s: S[Any], weight: int = 4) -> S[Any]:
    """Mostly ``s``, sometimes arbitrary JSON."""
    return st.one_of(*([s] * weight), json_values(6))


@st.composite
def perturbed(draw: st.DrawFn, base: S[Any], max_edits: int = 3) -> Any:
    """A value of ``base`` with up to ``max_edits`` edits anywhere: drop a key, swap a value for any JSON,
    wrap a value in a list, or turn it into a string."""
    v = copy.deepcopy(draw(base))
    n = draw(st.integers(0, max_edits))
    for _ in range(n):
        slots: list[tuple[Any, Any]] = []
        stack = [v]
        while stack:
            x = stack.pop()
            if type(x) is dict:
                for k, y in x.items():
                    slots.append((x, k))
                    stack.append(y)
            elif type(x) is list:
                for i, y in enumerate(x):
                    slots.append((x, i))
                    stack.append(y)
        if not slots:
            break
        c, k = slots[draw(st.integers(0, len(slots) - 1))]
        action = draw(st.sampled_from(["replace", "replace", "delete", "wrap", "stringify", "null"]))
        if action == "delete":
            del c[k]
        elif action == "replace":
            c[k] = draw(json_values(6))
        elif action == "wrap":
            c[k] = [c[k]]
        elif action == "stringify":
            c[k] = json.dumps(c[k], ensure_ascii=draw(st.booleans()))
        else:
            c[k] = None
    return v


# ---------------------------------------------------------------- tools and tool calls


@cache
def schemas() -> S[Any]:
    prop = st.fixed_dictionaries(
        {"type": st.sampled_from(["string", "number", "integer", "boolean", "object", "array", ["string", "null"]])},
        optional={"description": texts(2), "enum": st.lists(texts(1), max_size=2)},
    )
    props = st.dictionaries(st.one_of(names(), st.sampled_from(["city", "units", "q", "n"])), maybe(prop, 6),
                            max_size=4)
    return st.builds(
        lambda p, req, extra: {"type": "object", "properties": p, "required": req, **extra},
        props, st.lists(st.sampled_from(["city", "q", "n", "units"]), max_size=3),
        st.sampled_from([{}, {"additionalProperties": False}, {"$schema": "http://json-schema.org/draft-07/schema#"}]),
    )


@cache
def descriptions() -> S[Any]:
    return st.one_of(
        st.sampled_from(["Get weather. Second sentence.", "Tool K. More.", "N/A", "", "line one\nline two",
                         "ends with dot.", "no dot", "a. b. c"]),
        prose(),
        st.none(),
    )


@named
def tools() -> S[Any]:
    openai_chat = st.builds(lambda n, d, s: {"type": "function", "function": {"name": n, "description": d, "parameters": s}},
                            names(), descriptions(), schemas())
    responses_flat = st.builds(lambda n, d, s: {"type": "function", "name": n, "description": d, "parameters": s,
                                                "strict": True}, names(), descriptions(), schemas())
    anthropic = st.builds(lambda n, d, s: {"name": n, "description": d, "input_schema": s}, names(), descriptions(), schemas())
    vercel = st.builds(lambda n, d, s: {"type": "function", "name": n, "description": d, "inputSchema": s},
                       names(), descriptions(), schemas())
    gemini = st.builds(lambda fs: {"functionDeclarations": fs},
                       st.lists(st.builds(lambda n, d, s: {"name": n, "description": d, "parameters": s},
                                          names(), descriptions(), schemas()), max_size=4))
    gemini_snake = st.builds(lambda fs: {"function_declarations": fs}, st.lists(st.builds(
        lambda n: {"name": n}, names()), max_size=2))
    gemini_bundle = st.builds(  # posthog-python's dump of google.genai.types.Tool (D14)
        lambda fs, extra: {"function_declarations": fs, "retrieval": None, "google_search_retrieval": None,
                           "code_execution": None, "url_context": None, "computer_use": None, **extra},
        st.lists(st.builds(lambda n, d, s, b: {"name": n, "description": d, "parameters": s, "behavior": b,
                                               "response": None},
                           names(), descriptions(), schemas(), st.none()), max_size=3),
        st.dictionaries(st.sampled_from(["google_search", "code_execution", "url_context"]),
                        st.sampled_from([None, {}, {"exclude_domains": ["x.test"]}]), max_size=2))
    gemini_builtin = st.dictionaries(
        st.sampled_from(["google_search", "googleSearch", "code_execution", "codeExecution", "url_context",
                         "retrieval", "google_maps", "enterprise_web_search"]),
        st.sampled_from([None, {}, {"dynamic_retrieval_config": {"mode": "MODE_DYNAMIC"}}]), min_size=1, max_size=3)
    builtin = st.sampled_from([{"type": "web_search_preview"}, {"type": "code_interpreter", "container": {"type": "auto"}},
                               {"type": "image_generation"}, {"type": "file_search", "vector_store_ids": ["vs_1"]}])
    mcp = st.builds(lambda n, s: {"name": n, "inputSchema": s}, names(), schemas())
    return st.one_of(openai_chat, responses_flat, anthropic, vercel, gemini, gemini_snake, gemini_bundle,
                     gemini_builtin, builtin, mcp)


@cache
def tools_values() -> S[Any]:
    """``$ai_tools``: a list (around the collapse threshold), a dict of tools, or odd values."""
    return st.one_of(
        st.lists(tools(), max_size=8),
        st.dictionaries(names(), tools(), max_size=3),
        json_values(4),
    )


@cache
def argument_dicts() -> S[dict[str, Any]]:
    return st.dictionaries(st.one_of(st.sampled_from(["city", "location", "query", "a", "b"]), texts(2)),
                           json_values(5), max_size=4)


@cache
def argument_strings() -> S[Any]:
    return st.one_of(
        st.builds(lambda d, a: json.dumps(d, ensure_ascii=a), argument_dicts(), st.booleans()),
        st.sampled_from(['{}', '', '{"query": "unterminated', 'null', '11', '[1, 2]', '{"a": NaN}',
                         ' {"a": 1} ', '{"a": Infinity}', '{"s": "\\ud800"}', '"just a string"',
                         '{"a": {"b": [1, 2, {"c": null}]}}']),
        texts(),
    )


@cache
def openai_tool_calls() -> S[Any]:
    return st.builds(
        lambda i, n, a: {"id": i, "type": "function", "function": {"name": n, "arguments": a}},
        ids(), names(), argument_strings(),
    )


@cache
def langchain_tool_calls() -> S[Any]:
    return st.builds(lambda n, a, i: {"name": n, "args": a, "id": i, "type": "tool_call"},
                     names(), maybe(argument_dicts()), ids())


# ---------------------------------------------------------------- media


def base64_blobs() -> S[str]:
    return st.builds(lambda n: "iVBORw0KGgoAAAANSUhEUgAA" * n + "==", st.integers(0, 40))


@cache
def opaque_blobs() -> S[str]:
    """Base64 that is not media (signatures, redacted thinking, encrypted reasoning): may be shown."""
    return st.builds(lambda n: "EqQBCkgIARABGAIiQ" * n + "=", st.integers(0, 12))


@cache
def data_urls() -> S[str]:
    return st.builds(lambda mt, b: f"data:{mt};base64,{b}",
                     st.sampled_from(["image/png", "image/jpeg", "audio/wav", "application/pdf", "video/mp4"]),
                     base64_blobs())


@cache
def media_sources() -> S[str]:
    return st.one_of(data_urls(), base64_blobs(), st.sampled_from(
        ["https://example.com/ant.jpg", "gs://bucket/file.pdf", "[base64 image redacted]", "file-abc123"]), texts(2))


# ---------------------------------------------------------------- content blocks and messages per provider


@cache
def _text_block(kind: str = "text") -> S[Any]:
    return st.builds(lambda t: {"type": kind, "text": t}, prose())


@cache
def openai_parts() -> S[Any]:
    return st.one_of(
        _text_block(), _text_block("input_text"),
        st.builds(lambda u, d: {"type": "image_url", "image_url": {"url": u, "detail": d}}, media_sources(),
                  st.sampled_from(["auto", "low"])),
        st.builds(lambda u: {"type": "image_url", "image_url": u}, media_sources()),
        st.builds(lambda d: {"type": "input_audio", "input_audio": {"data": d, "format": "wav"}}, media_sources()),
        st.builds(lambda d, f: {"type": "file", "file": {"file_data": d, "filename": f}}, data_urls(), texts(1)),
        st.builds(lambda r: {"type": "refusal", "refusal": r}, prose()),
    )


@cache
def openai_messages() -> S[Any]:
    return st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "user", "assistant", "tool", "developer", "function"]),
         "content": st.one_of(prose(), st.none(), st.lists(openai_parts(), max_size=4))},
        optional={"tool_calls": st.lists(openai_tool_calls(), max_size=3), "tool_call_id": ids(),
                  "name": names(), "refusal": st.none(), "audio": st.none()},
    )


@cache
def anthropic_blocks() -> S[Any]:
    tool_use = st.builds(lambda i, n, a, pj: {"type": "tool_use", "id": i, "name": n, "input": a, **pj},
                         ids(), names(), maybe(argument_dicts()),
                         st.one_of(st.just({}), st.builds(lambda s: {"partial_json": s}, argument_strings())))
    tool_result = st.builds(
        lambda i, c, e: {"type": "tool_result", "tool_use_id": i, "content": c, "is_error": e},
        ids(), st.one_of(prose(), st.lists(_text_block(), max_size=3), st.lists(
            st.builds(lambda s: {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": s}},
                      base64_blobs()), max_size=1)),
        st.booleans())
    return st.one_of(
        _text_block(), _text_block(), tool_use, tool_result,
        st.builds(lambda t, s: {"type": "thinking", "thinking": t, "signature": s}, prose(), opaque_blobs()),
        st.builds(lambda d: {"type": "redacted_thinking", "data": d}, opaque_blobs()),
        st.builds(lambda s: {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": s}},
                  base64_blobs()),
        st.builds(lambda u: {"type": "image", "source": {"type": "url", "url": u}}, media_sources()),
        st.builds(lambda s: {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                                             "data": s}, "title": "doc"}, base64_blobs()),
        st.builds(lambda i, q: {"type": "server_tool_use", "id": i, "name": "web_search", "input": {"query": q}},
                  ids(), prose()),
        st.builds(lambda i, c: {"type": "web_search_tool_result", "tool_use_id": i, "content": c},
                  ids(), st.lists(st.fixed_dictionaries({"type": st.just("web_search_result"), "url": media_sources(),
                                                         "title": texts(2)}), max_size=2)),
        st.builds(lambda t: {"type": "text", "text": t, "cache_control": {"type": "ephemeral"}}, prose()),
    )


@cache
def anthropic_messages() -> S[Any]:
    return st.fixed_dictionaries({
        "role": st.sampled_from(["user", "assistant", "system"]),
        "content": st.one_of(prose(), st.lists(anthropic_blocks(), max_size=4)),
    })


@cache
def gemini_parts() -> S[Any]:
    return st.one_of(
        st.builds(lambda t: {"text": t}, prose()),
        st.builds(lambda t: {"text": t, "thought": True}, prose()),
        st.builds(lambda n, a: {"functionCall": {"name": n, "args": a}}, names(), maybe(argument_dicts())),
        st.builds(lambda n, a: {"function_call": {"name": n, "args": a}}, names(), argument_dicts()),
        st.builds(lambda n, r: {"functionResponse": {"name": n, "response": r}}, names(),
                  maybe(st.dictionaries(st.sampled_from(["result", "output"]), prose(), max_size=2))),
        st.builds(lambda d: {"inlineData": {"mimeType": "image/png", "data": d}}, base64_blobs()),
        st.builds(lambda d: {"inline_data": {"mime_type": "audio/mp3", "data": d}}, base64_blobs()),
        st.builds(lambda u: {"fileData": {"mimeType": "application/pdf", "fileUri": u}}, media_sources()),
    )


@cache
def gemini_messages() -> S[Any]:
    return st.one_of(
        st.fixed_dictionaries({"role": st.sampled_from(["user", "model"]),
                               "parts": st.lists(gemini_parts(), max_size=4)}),
        # posthog-python's Gemini input: function blocks in content.
        st.builds(lambda n, a: {"role": "assistant", "content": [{"type": "function", "function": {
            "name": n, "arguments": a}}]}, names(), st.one_of(argument_dicts(), argument_strings())),
        st.builds(lambda t: {"role": "user", "content": t}, prose()),
    )


@named
def langchain_dumps() -> S[Any]:
    """LangChain ``BaseMessage.model_dump()`` as posthog-python 7.9x captures it (D17): bookkeeping keys,
    null names, usage metadata, chunk types, chat roles."""
    kinds = st.sampled_from(["human", "ai", "system", "tool", "function", "chat", "remove", "AIMessageChunk",
                             "HumanMessageChunk", "ToolMessageChunk", "SystemMessageChunk"])
    return st.builds(
        lambda t, c, name, tcs, bad, extra: {
            "content": c, "additional_kwargs": {}, "response_metadata": {}, "type": t, "name": name,
            "id": "run-1", "example": False,
            **({"tool_calls": tcs, "invalid_tool_calls": bad,
                "usage_metadata": {"input_tokens": 3, "output_tokens": 5}} if t in ("ai", "AIMessageChunk") else {}),
            **({"role": "critic"} if t == "chat" else {}),
            **({"tool_call_id": "call_1", "artifact": None, "status": "success"} if t == "tool" else {}),
            **extra},
        kinds, st.one_of(prose(), st.just(""), st.lists(st.one_of(_text_block(), anthropic_blocks()), max_size=3)),
        st.one_of(st.none(), names()), st.lists(langchain_tool_calls(), max_size=2),
        st.one_of(st.just([]), st.lists(st.builds(lambda n, a: {"name": n, "args": a, "id": "b", "error": "bad"},
                                                  names(), argument_strings()), max_size=1)),
        st.sampled_from([{}, {"additional_kwargs": {"refusal": None}}, {"response_metadata": {"finish_reason": "stop"}}]))


@cache
def langchain_messages() -> S[Any]:
    lc = st.fixed_dictionaries(
        {"type": st.sampled_from(["human", "ai", "system", "tool", "AIMessageChunk"]),
         "content": st.one_of(prose(), st.lists(st.one_of(_text_block(), anthropic_blocks()), max_size=3))},
        optional={"tool_calls": st.lists(langchain_tool_calls(), max_size=3), "id": ids(),
                  "additional_kwargs": st.just({}), "response_metadata": st.just({"finish_reason": "stop"}),
                  "tool_call_id": ids(), "name": names()},
    )
    return st.one_of(lc, langchain_dumps(), st.builds(lambda r, c: {"role": r, "content": c},
                                                      st.sampled_from(["user", "assistant"]), prose()))


@cache
def vercel_blocks() -> S[Any]:
    outputs = st.one_of(
        st.builds(lambda v: {"type": "text", "value": v}, prose()),
        st.builds(lambda v: {"type": "error-text", "value": v}, prose()),
        st.builds(lambda v: {"type": "json", "value": v}, json_values(6)),
        st.builds(lambda v: {"type": "error-json", "value": v}, json_values(4)),
        st.builds(lambda v: {"type": "content", "value": v}, st.lists(_text_block(), max_size=2)),
        json_values(4),
    )
    return st.one_of(
        _text_block(), _text_block("reasoning"),
        st.builds(lambda i, n, a: {"type": "tool-call", "toolCallId": i, "toolName": n, "input": a},
                  ids(), names(), maybe(argument_dicts())),
        st.builds(lambda i, n, a: {"type": "tool-call", "toolCallId": i, "toolName": n, "args": a},
                  ids(), names(), argument_dicts()),  # v4
        st.builds(lambda i, n, a: {"type": "tool-call", "id": i, "function": {"name": n, "arguments": a}},
                  ids(), names(), argument_strings()),  # posthog-js normalised
        st.builds(lambda i, n, o: {"type": "tool-result", "toolCallId": i, "toolName": n, "output": o},
                  ids(), names(), outputs),
        st.builds(lambda i, n, r: {"type": "tool-result", "toolCallId": i, "toolName": n, "result": r},
                  ids(), names(), json_values(4)),  # v4
        st.builds(lambda i, n, r: {"type": "tool-result", "toolCallId": i, "toolName": n, "result": r,
                                   "isError": True}, ids(), names(), prose()),  # v4 failure (D21)
        # An empty reasoning part (redacted thinking), as @posthog/ai 8.13 sends it (D13).
        st.builds(lambda r: {"type": "reasoning", "text": "", **r}, st.sampled_from([
            {}, {"providerOptions": {"anthropic": {"redactedData": "EmwKAhgBEgy3va3p"}}}])),
        st.builds(lambda d, m: {"type": "file", "data": d, "mediaType": m}, media_sources(),
                  st.sampled_from(["image/png", "application/pdf", "audio/mpeg"])),
        st.builds(lambda f: {"type": "file", "file": f, "mediaType": "image/png"}, media_sources()),
        st.builds(lambda c: {"type": "tool-call", "content": {"toolName": "legacy", "args": c}}, argument_dicts()),
    )


@cache
def vercel_messages() -> S[Any]:
    return st.fixed_dictionaries({
        "role": st.sampled_from(["user", "assistant", "tool", "system"]),
        "content": st.one_of(prose(), st.lists(vercel_blocks(), max_size=4)),
    })


@cache
def otel_messages() -> S[Any]:
    @st.composite
    def flat(draw: st.DrawFn) -> dict[str, Any]:
        m: dict[str, Any] = {"role": draw(st.sampled_from(["assistant", "user", "tool"]))}
        if draw(st.booleans()):
            m["content"] = draw(prose())
        for k in range(draw(st.integers(0, 3))):
            idx = draw(st.sampled_from([str(k), str(k + 10), "0"]))
            m[f"tool_calls.{idx}.id"] = draw(ids())
            if draw(st.booleans()):
                m[f"tool_calls.{idx}.name"] = draw(names())
                m[f"tool_calls.{idx}.arguments"] = draw(argument_strings())
            else:
                m[f"tool_calls.{idx}.function.name"] = draw(names())
                m[f"tool_calls.{idx}.function.arguments"] = draw(argument_strings())
        return m

    return flat()


@cache
def responses_items() -> S[Any]:
    summary = st.lists(st.builds(lambda t: {"type": "summary_text", "text": t}, prose()), max_size=2)
    return st.one_of(
        st.builds(lambda r, c: {"role": r, "content": c}, st.sampled_from(["user", "system", "developer"]),
                  st.one_of(prose(), st.lists(st.one_of(_text_block("input_text"), st.builds(
                      lambda u: {"type": "input_image", "image_url": u, "detail": "auto"}, media_sources()),
                      st.builds(lambda d: {"type": "input_file", "file_data": d, "filename": "a.pdf"}, data_urls())),
                      max_size=3))),
        st.builds(lambda i, t: {"type": "message", "id": i, "role": "assistant", "status": "completed",
                                "content": [{"type": "output_text", "text": t, "annotations": []}]}, ids(), prose()),
        st.builds(lambda i, c, n, a, s: {"type": "function_call", "id": i, "call_id": c, "name": n, "arguments": a,
                                         "status": s}, ids(), ids(), names(), argument_strings(),
                  st.sampled_from(["completed", "in_progress", None])),
        st.builds(lambda c, o: {"type": "function_call_output", "call_id": c, "output": o}, ids(),
                  st.one_of(prose(), st.lists(_text_block("input_text"), max_size=2), st.none())),
        st.builds(lambda i, s, e: {"type": "reasoning", "id": i, "summary": s, **e}, ids(), summary,
                  st.sampled_from([{}, {"encrypted_content": "gAAAA" * 20}])),
        st.builds(lambda i, q: {"type": "web_search_call", "id": i, "status": "completed",
                                "action": {"type": "search", "query": q}}, ids(), prose()),
        st.builds(lambda i, n, x: {"type": "custom_tool_call", "id": i, "call_id": i, "name": n, "input": x},
                  ids(), names(), prose()),
        st.builds(lambda c, o: {"type": "custom_tool_call_output", "call_id": c, "output": o}, ids(), prose()),
        st.builds(lambda i, r: {"type": "image_generation_call", "id": i, "status": "completed", "result": r},
                  ids(), base64_blobs()),
        st.builds(lambda t: {"type": "additional_tools", "tools": t}, st.lists(tools(), max_size=7)),
        st.builds(lambda i, big: {"type": "file_search_call", "id": i, "queries": ["q"], "results": [{"text": big}]},
                  ids(), long_texts(2500)),
    )


@named
def nested_item_messages() -> S[Any]:
    """posthog-python's Responses output: reasoning, web-search and call items nested *inside* the
    assistant message's content, encrypted reasoning included (D13)."""
    item = responses_items().filter(lambda x: "role" not in x and x.get("type") != "additional_tools")
    encrypted = st.builds(lambda i, s: {"type": "reasoning", "id": i, "summary": s,
                                        "encrypted_content": "gAAAAB" + "x" * 3000},
                          ids(), st.lists(st.builds(lambda t: {"type": "summary_text", "text": t}, prose()),
                                          max_size=1))
    return st.builds(lambda c: {"role": "assistant", "content": c},
                     st.lists(st.one_of(short(item, "responses_items()"), encrypted, _text_block("output_text")),
                              min_size=1, max_size=4))


@cache
def messages() -> S[Any]:
    """One message of any provider family."""
    return st.one_of(openai_messages(), anthropic_messages(), gemini_messages(), langchain_messages(),
                     vercel_messages(), otel_messages(), responses_items(), nested_item_messages())


@cache
def message_lists(max_size: int = 5) -> S[list[Any]]:
    """A message array of one provider family (the usual case) or of mixed families, with odd elements."""
    same = st.one_of(*[st.lists(f(), max_size=max_size) for f in (
        openai_messages, anthropic_messages, gemini_messages, langchain_messages, vercel_messages, otel_messages,
        responses_items, nested_item_messages)])
    mixed = st.lists(st.one_of(messages(), st.none(), prose(), json_scalars()), max_size=max_size)
    return st.one_of(same, same, mixed)


# ---------------------------------------------------------------- outputs


@cache
def choices_lists() -> S[list[Any]]:
    msg = st.one_of(openai_messages(), anthropic_messages(), vercel_messages(), gemini_messages(), otel_messages(),
                    nested_item_messages(), langchain_dumps())
    choice = st.one_of(
        st.builds(lambda i, m, f: {"index": i, "message": m, "finish_reason": f}, st.integers(0, 3), msg,
                  st.sampled_from(["stop", "tool_calls", "length", None])),
        msg,
        st.builds(lambda t: {"text": t, "index": 0, "finish_reason": "stop"}, prose()),  # legacy completion
        prose(), responses_items(), st.none(), json_scalars(),
    )
    return st.lists(choice, max_size=3)


@cache
def responses_objects() -> S[Any]:
    return st.builds(lambda i, out, s: {"id": i, "object": "response", "status": s, "output": out,
                                        "model": "gpt-5-mini"},
                     ids(), st.lists(responses_items(), max_size=4), st.sampled_from(["completed", "incomplete"]))


@cache
def output_choices_values() -> S[Any]:
    return st.one_of(
        choices_lists(), choices_lists(),
        st.builds(lambda c: {"choices": c}, choices_lists()),
        choices_lists().map(lambda c: json.dumps(c, ensure_ascii=False)),
        responses_objects(), prose(), json_values(5), langchain_dumps(), st.none(), st.none(),  # None: D23
    )


@cache
def output_values() -> S[Any]:
    return st.one_of(prose(), responses_objects(), choices_lists(),
                     st.builds(lambda c: {"choices": c}, choices_lists()), json_values(5))


@cache
def input_values() -> S[Any]:
    return st.one_of(message_lists(), message_lists(), message_lists(), prose(),
                     st.lists(prose(), max_size=3), json_values(6), langchain_dumps(), st.none(), st.none())


@cache
def error_values() -> S[Any]:
    return st.one_of(
        prose(),
        st.sampled_from(['{"error": {"message": "Rate limit", "type": "rate_limit", "code": 429}}', "false", "{}",
                         "[1, 2]", '{"a": NaN}', "Error: 500 Internal", '{"msg": "\\ud800 bad"}']),
        st.builds(lambda m, c: {"error": {"message": m, "code": c, "param": None, "details": [1, [2, 3], {"c": None}]}},
                  prose(), st.one_of(st.integers(), texts(1))),
        # @posthog/ai: a JavaScript error object (Vercel AI_APICallError) with JSON literals (D22).
        st.builds(lambda m, r: {"name": "AI_APICallError", "message": m, "isRetryable": r, "statusCode": 429,
                                "data": {"error": {"type": "rate_limit", "param": None}}}, prose(), st.booleans()),
        json_values(8),
    )


# ---------------------------------------------------------------- event properties


@cache
def numbers_or_strings() -> S[Any]:
    return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 10**6),
                     st.sampled_from(["1.5", " 2 ", "nan", "inf", "1_000", "x", "", True, None, 10**400]))


def _common_props() -> dict[str, S[Any]]:
    return {
        "$ai_trace_id": maybe(ids()),
        "$ai_span_id": ids(),
        "$ai_parent_id": ids(),
        "$ai_latency": numbers_or_strings(),
        "$ai_session_id": ids(),
        "$lib": st.sampled_from(["posthog-python", "posthog-node", "posthog-js"]),
        "$ai_is_error": maybe(st.booleans()),
        "$ai_error": error_values(),
    }


@cache
def generation_props() -> S[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={
        **_common_props(),
        "$ai_model": maybe(st.sampled_from(["gpt-4o", "claude-sonnet-4-5", "gemini-2.5-flash", "", "m|x"])),
        "$ai_provider": st.sampled_from(["openai", "anthropic", "gemini", "azure"]),
        "$ai_input": input_values(),
        "$ai_output_choices": output_choices_values(),
        "$ai_output": output_values(),
        "$ai_tools": tools_values(),
        "$ai_time_to_first_token": numbers_or_strings(),
        "$ai_total_cost_usd": numbers_or_strings(),
        "$ai_span_name": maybe(names()),
        "$ai_http_status": st.sampled_from([200, 400, 429, 500, 0]),
        "$ai_input_tokens": st.integers(0, 10**6),
        "$ai_model_parameters": json_values(4),
        "$ai_framework": st.sampled_from(["vercel", "langchain"]),
    })


def _deep_brackets(n: int) -> str:
    return "[" * n + "]" * n


@cache
def python_literals() -> S[str]:
    """Python reprs of dicts/lists/tuples (what LangChain and OpenAI Agents log as span states)."""
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-999, 10**20), st.floats(allow_nan=False, allow_infinity=False),
                     texts(2))
    val = st.recursive(leaf, lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(texts(1), c, max_size=3),
                                                 st.lists(c, max_size=3).map(tuple)), max_leaves=8)
    return st.one_of(st.dictionaries(texts(1), val, max_size=4), st.lists(val, max_size=4)).map(repr)


@cache
def states() -> S[Any]:
    tool_call_with_context = st.builds(
        lambda msgs, steps, n, a: {"__type": "tool_call_with_context",
                                   "state": {"messages": msgs, "remaining_steps": steps},
                                   "tool_call": {"name": n, "args": a, "id": "call_1", "type": "tool_call"}},
        message_lists(3), st.one_of(st.none(), st.integers(0, 30)), names(), maybe(argument_dicts()))
    tool_state = st.fixed_dictionaries({"type": st.just("tool")}, optional={
        "name": names(), "status": st.sampled_from(["success", "error", ""]),
        "content": st.one_of(prose(), st.lists(_text_block(), max_size=2), st.just(0), st.none())})
    return st.one_of(
        prose(),
        json_values(8).map(lambda v: json.dumps(v, ensure_ascii=False)),
        python_literals(),
        st.sampled_from(["  {'a': 3, 'b': 12}", '{"a": true}', "(1, 2)", "123", "'abc'", "None", "{'a': set()}",
                         "[1, 2,]", "{'k': u'v', 'r': r'\\d'}", "{1: 2}",
                         "{'x': 1e999}", "{\"a\": NaN}"]),
        st.builds(_deep_brackets, st.sampled_from([1023, 1024, 1025, 1100])),
        message_lists(3),
        st.builds(lambda m, extra: {"messages": m, **extra}, message_lists(3), st.dictionaries(texts(1), json_values(3),
                                                                                              max_size=2)),
        tool_call_with_context,
        tool_state,
        st.builds(lambda docs: [{"page_content": d, "metadata": {"source": "x.md"}} for d in docs],
                  st.lists(prose(), max_size=3)),
        json_values(8),
        st.sampled_from([0.873, True, 0, 17, [], {}]),
        langchain_dumps(),  # one LangChain message (D17)
        st.builds(lambda k, m: {k: m}, st.sampled_from(["history", "chat_history", "messages"]),
                  st.lists(langchain_dumps(), min_size=1, max_size=3)),
        st.lists(langchain_dumps(), min_size=1, max_size=3).map(repr),  # as a Python literal (D8 + D17)
    )


@cache
def span_props() -> S[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={
        **_common_props(),
        "$ai_span_name": maybe(names()),
        "$ai_input_state": states(),
        "$ai_output_state": states(),
        "$ai_span_type": st.sampled_from(["tool", "agent", "handoff", "guardrail", "custom"]),
        # OpenAI Agents (D16)
        "$ai_handoff_from_agent": maybe(names()),
        "$ai_handoff_to_agent": maybe(names()),
        "$ai_agent_handoffs": st.one_of(st.lists(names(), max_size=3), json_values(2)),
        "$ai_agent_tools": st.one_of(st.lists(names(), max_size=3), json_values(2)),
        "$ai_agent_output_type": maybe(st.sampled_from(["str", "WeatherReport", ""])),
        "$ai_span_data": st.one_of(json_values(4), python_literals(), prose()),
    })


@cache
def embedding_props() -> S[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={
        **_common_props(),
        "$ai_model": st.sampled_from(["text-embedding-3-small", ""]),
        "$ai_input": st.one_of(prose(), st.lists(prose(), max_size=3), st.lists(st.integers(0, 50000), max_size=8),
                               st.lists(st.lists(st.integers(0, 50000), max_size=6), max_size=3),  # token ids
                               st.lists(st.one_of(prose(), st.none(), json_scalars(), openai_messages(),
                                                  st.builds(lambda t: {"text": t}, prose())), max_size=4),
                               json_values(4)),
        "$ai_total_cost_usd": numbers_or_strings(),
    })


@cache
def evaluation_props() -> S[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={
        "$ai_evaluation_name": maybe(names()),
        "$ai_evaluation_result": maybe(st.sampled_from([True, False, "true", "false", None, 1])),
        "$ai_evaluation_result_type": st.sampled_from(["categorical", "numeric", "boolean", None]),
        "$ai_evaluation_categorical_result": maybe(st.lists(texts(1), max_size=2)),
        "$ai_evaluation_numeric_result": maybe(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False))),
        "$ai_evaluation_applicable": st.sampled_from([True, False, "false", None]),
        "$ai_evaluation_reasoning": maybe(prose()),
        "$ai_evaluation_runtime": st.sampled_from(["llm_judge", "hog", "", None]),
        "$ai_evaluation_model": st.sampled_from(["gpt-4", "", None]),
        "$ai_evaluation_skipped": st.booleans(),
        "$ai_target_event_id": ids(),
    })


KINDS = ("$ai_generation", "$ai_span", "$ai_embedding", "$ai_evaluation")
_PROPS = {"$ai_generation": generation_props, "$ai_span": span_props, "$ai_embedding": embedding_props,
          "$ai_evaluation": evaluation_props}


@cache
def props_of(kind: str) -> S[dict[str, Any]]:
    return _PROPS.get(kind, generation_props)()


@cache
def events(kind: str | None = None) -> S[dict[str, Any]]:
    """An event object (``data`` of a single-event request, or a trace node's ``event``)."""
    if kind is None:
        return st.one_of(*[events(k) for k in KINDS])
    return st.fixed_dictionaries(
        {"id": ids(), "event": st.one_of(st.just(kind), st.just(kind), st.just(kind),
                                         st.sampled_from(["$custom", "$pageview"])),
         "properties": props_of(kind)},
        optional={"timestamp": st.just("2025-01-01T00:00:00Z"), "distinct_id": ids(), "trace_id": ids()},
    )


@cache
def event_requests(options: S[Any] | None = None) -> S[dict[str, Any]]:
    """A well-formed single-event request (before perturbation)."""
    opts = options if options is not None else valid_options()

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        ev = draw(events())
        kind = ev["event"]
        et = kind if kind in ("$ai_generation", "$ai_span", "$ai_embedding") else "$ai_generation"
        et = draw(st.sampled_from([et, et, et, "$ai_generation", "$ai_span", "$ai_embedding"]))
        if draw(st.integers(0, 5)) == 0:
            del ev["event"]  # D1: event_type decides
        req: dict[str, Any] = {"event_type": et, "data": ev}
        o = draw(st.one_of(st.none(), opts))
        if o is not None:
            req["options"] = o
        return req

    return build()


# ---------------------------------------------------------------- traces


def _node(ev: dict[str, Any], children: list[Any] | None, bare: bool, odd_children: int) -> Any:
    node: dict[str, Any] = dict(ev) if bare else {"event": ev}
    if children is not None:
        if odd_children == 1 and len(children) == 1 and type(children[0]) is dict:
            node["children"] = children[0]  # D3: an object as children
        else:
            node["children"] = children
    return node


@named
def node_events() -> S[dict[str, Any]]:
    """Events inside traces: the same shapes with fewer properties each (trace tests stay fast)."""
    small_msgs = st.lists(st.one_of(openai_messages(), anthropic_messages(), responses_items()), max_size=2)
    light = {
        "$ai_generation": st.fixed_dictionaries({}, optional={
            "$ai_model": maybe(st.sampled_from(["gpt-4o", "claude-sonnet-4-5", "", "m|x"])),
            "$ai_latency": numbers_or_strings(), "$ai_time_to_first_token": numbers_or_strings(),
            "$ai_total_cost_usd": numbers_or_strings(), "$ai_span_name": maybe(names()),
            "$ai_input": st.one_of(prose(), small_msgs), "$ai_output_choices": st.one_of(small_msgs, prose()),
            "$ai_output": prose(), "$ai_is_error": st.booleans(), "$ai_error": st.one_of(prose(), json_values(3)),
            "$ai_tools": st.lists(tools(), max_size=3)}),
        "$ai_span": st.fixed_dictionaries({}, optional={
            "$ai_span_name": maybe(names()), "$ai_latency": numbers_or_strings(), "$ai_is_error": st.booleans(),
            "$ai_input_state": st.one_of(prose(), python_literals(), json_values(3)),
            "$ai_output_state": st.one_of(prose(), small_msgs), "$ai_error": st.one_of(prose(), json_values(3))}),
        "$ai_embedding": st.fixed_dictionaries({}, optional={
            "$ai_model": st.sampled_from(["text-embedding-3-small", ""]), "$ai_input": prose(),
            "$ai_latency": numbers_or_strings(), "$ai_total_cost_usd": numbers_or_strings()}),
        "$ai_evaluation": evaluation_props(),
    }
    per_kind = [st.fixed_dictionaries({"id": ids(), "event": st.just(k), "properties": p}) for k, p in light.items()]
    other = st.fixed_dictionaries({"id": ids(), "event": st.one_of(st.sampled_from(["$custom", "$pageview"]),
                                                                   json_values(2))},
                                  optional={"properties": json_values(3)})
    return st.one_of(*per_kind, other)


@cache
def nodes(max_leaves: int = 4) -> S[Any]:
    leaf = st.builds(_node, node_events(), st.one_of(st.none(), st.just([])), st.booleans(), st.just(0))
    odd = st.one_of(st.none(), texts(1), st.integers(), st.lists(st.integers(), max_size=2))
    return st.recursive(
        st.one_of(leaf, leaf, leaf, odd),
        lambda c: st.builds(_node, node_events(), st.lists(c, min_size=1, max_size=3), st.booleans(),
                            st.integers(0, 4)),
        max_leaves=max_leaves,
    )


@cache
def chains(max_depth: int = 40) -> S[list[Any]]:
    """A delegation chain: depth up to ``max_depth``, each level a span or generation."""
    @st.composite
    def build(draw: st.DrawFn) -> list[Any]:
        depth = draw(st.integers(1, max_depth))
        ev = draw(node_events())
        node: Any = None
        for d in range(depth, 0, -1):
            e = copy.deepcopy(ev)
            e["id"] = f"n{d}"
            node = {"event": e, "children": [node] if node is not None else []}
        return [node]

    return build()


@cache
def wide(max_width: int = 60) -> S[list[Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> list[Any]:
        width = draw(st.integers(1, max_width))
        ev = draw(node_events())
        out = []
        for i in range(width):
            e = copy.deepcopy(ev)
            e["id"] = f"w{i}"
            out.append({"event": e})
        return out

    return build()


@cache
def hierarchies() -> S[list[Any]]:
    return st.one_of(st.lists(nodes(), max_size=3), st.lists(nodes(), max_size=3), chains(), wide(), st.just([]))


@cache
def trace_states() -> S[Any]:
    small_msgs = st.lists(st.one_of(openai_messages(), anthropic_messages(), langchain_dumps()), min_size=1, max_size=2)
    return st.one_of(prose(), python_literals(), small_msgs, json_values(3), langchain_dumps(),
                     st.builds(lambda m: {"history": m}, st.lists(langchain_dumps(), min_size=1, max_size=2)))


@cache
def trace_objects() -> S[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"id": ids()},
        optional={
            "properties": st.fixed_dictionaries({}, optional={
                "$ai_trace_id": ids(), "$ai_span_name": maybe(names()), "$ai_input_state": trace_states(),
                "$ai_output_state": trace_states(), "$ai_error": error_values(), "$ai_latency": numbers_or_strings(),
            }),
            "traceName": names(), "trace_name": names(), "name": names(),
            "inputState": trace_states(), "outputState": trace_states(), "input_state": trace_states(), "output_state": trace_states(),
            "trace_id": ids(),
        },
    )


@cache
def traces() -> S[dict[str, Any]]:
    """``data`` of a trace request."""
    # A trace with its own question and answer *and* a hierarchy (D18), often.
    stated = st.builds(lambda t, i, o, h: {"trace": {**t, "properties": {"$ai_input_state": i, "$ai_output_state": o}},
                                           "hierarchy": h},
                       trace_objects(), trace_states(), maybe(trace_states()), st.lists(nodes(), min_size=1, max_size=3))
    return st.one_of(st.builds(lambda t, h: {"trace": t, "hierarchy": h}, trace_objects(), hierarchies()), stated)


@cache
def trace_requests(options: S[Any] | None = None) -> S[dict[str, Any]]:
    opts = options if options is not None else valid_options()
    return st.builds(lambda d, o: {"event_type": "$ai_trace", "data": d, **({} if o is None else {"options": o})},
                     traces(), st.one_of(st.none(), opts))


# ---------------------------------------------------------------- options


@cache
def _int_forms(n: int) -> S[Any]:
    return st.sampled_from([n, str(n), float(n), f" {n} ", f"{n}.0", f"{n}.000 ", f"+{n}" if n >= 0 else str(n)])


@cache
def option_values(field: str) -> S[Any]:
    """Valid values of one option, in every accepted spelling."""
    if field == "max_length":
        return st.one_of(st.integers(0, 6000).flatmap(_int_forms), st.just(0), st.just(2_000_000),
                         st.just("1_000"), st.just("\u0661\u0660\u0660"))  # Arabic-Indic digits: 100
    if field == "truncate_buffer":
        return st.one_of(st.integers(0, 40).flatmap(_int_forms), st.sampled_from([0, 1, 2, 3, 200, 301, 1000, 10**7]))
    if field == "max_depth":
        return st.one_of(st.integers(0, 6).flatmap(_int_forms), st.just(10**6))
    if field == "tools_collapse_threshold":
        return st.one_of(st.integers(0, 8).flatmap(_int_forms), st.just(2**31 - 1))
    return st.sampled_from([True, False, 1, 0, 1.0, 0.0, "true", "False", "yes", "no", "on", "OFF", "1", "0", "t",
                            "F", "Y", "n"])


FIELDS = ("max_length", "truncated", "truncate_buffer", "include_markers", "collapsed", "include_metadata",
          "include_hierarchy", "max_depth", "tools_collapse_threshold", "include_line_numbers")
INT_FIELDS = ("max_length", "truncate_buffer", "max_depth", "tools_collapse_threshold")


@cache
def valid_options() -> S[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={f: option_values(f) for f in FIELDS} | {"unknown_key": json_values(3)})


@cache
def invalid_option_values(field: str) -> S[Any]:
    if field in INT_FIELDS:
        return st.sampled_from([None, -1, "-5", "big", 10.5, "1e3", 1e16, True, False, [10], {"a": 1}, "", "x" * 1001,
                                "1" * 1001, "1.5", "nan", "inf", "0x10", float(-1)])
    return st.sampled_from([None, 2, -1, "1.0", "", "null", "maybe", [], {}, [True], 0.5, "TRUE ", "Yes!"])


@cache
def any_options() -> S[Any]:
    """Options objects with valid and invalid values, and non-object options."""
    mixed = st.fixed_dictionaries({}, optional={
        f: st.one_of(option_values(f), option_values(f), invalid_option_values(f)) for f in FIELDS})
    return st.one_of(mixed, mixed, mixed, valid_options(), json_values(4), st.none())


# ---------------------------------------------------------------- whole requests


@cache
def requests(options: S[Any] | None = None) -> S[Any]:
    """Real-shaped requests of every kind, perturbed half the time."""
    opts = options if options is not None else valid_options()
    base = st.one_of(event_requests(opts), event_requests(opts), trace_requests(opts))
    return st.one_of(base, perturbed(base))


@cache
def hostile_documents() -> S[Any]:
    """Request documents that are often invalid: wrong types at every level, odd options, any JSON."""
    et = st.one_of(st.sampled_from(["$ai_generation", "$ai_span", "$ai_embedding", "$ai_trace", "$ai_evaluation",
                                    "$ai_log", "", "$AI_SPAN"]), json_values(3))
    data = st.one_of(events(), traces(), json_values(5), st.builds(lambda p: {"id": "x", "properties": p}, json_values(4)),
                     st.builds(lambda t: {"trace": t, "hierarchy": []}, json_values(3)))
    doc = st.fixed_dictionaries({}, optional={"event_type": et, "data": data, "options": any_options(),
                                              "extra": json_values(2)})
    return st.one_of(doc, doc, doc, perturbed(doc), json_values(5))


# ---------------------------------------------------------------- the oracle (§1.1 repair, §3.2, §3.3)


def repair(s: str) -> str:
    """§1.1: surrogate pairs joined, lone surrogates -> U+FFFD."""
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def repair_value(v: Any) -> Any:
    t = type(v)
    if t is str:
        return repair(v)
    if t is list:
        return [repair_value(x) for x in v]
    if t is dict:
        out: dict[str, Any] = {}
        for k, x in v.items():
            out[repair(k)] = repair_value(x)  # duplicate keys after repair: last value, first position
        return out
    return v


@contextmanager
def IntDigits() -> Iterator[None]:
    """Lift CPython's int/str conversion limit for the test's own serialising (restored after)."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(old)


def to_json(doc: Any) -> bytes:
    """ASCII JSON bytes; lone surrogates become ``\\udXXX`` escapes."""
    with IntDigits():
        return json.dumps(doc, ensure_ascii=True, allow_nan=False).encode("ascii")


def py_str(v: Any) -> str:
    """Python ``str()`` of a JSON value (containers as Python reprs), without the int-digit limit."""
    with IntDigits():
        if type(v) is str:
            return v
        return repr(v) if type(v) in (list, dict) else str(v)


_NULL = "This field may not be null."
_REQUIRED = "This field is required."
_DECIMAL = re.compile(r"\.0*\s*$")
_TRUE = {"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"}
_FALSE = {"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0"}
EVENT_TYPES = ("$ai_generation", "$ai_span", "$ai_embedding", "$ai_trace")


def _type_name(v: Any) -> str:
    return {list: "list", str: "str", int: "int", float: "float", bool: "bool", dict: "dict"}[type(v)]


def coerce_option(field: str, v: Any) -> tuple[bool, Any]:
    """(ok, value) or (False, message) for one option, per §3.2."""
    if v is None:
        return False, _NULL
    if field in INT_FIELDS:
        if type(v) is str and len(v) > 1000:
            return False, "String value too large."
        if type(v) in (list, dict):
            return False, "A valid integer is required."  # str() of a container never parses
        try:  # under CPython's default int/str digit limit, as the reference ran
            n = int(_DECIMAL.sub("", v if type(v) is str else str(v), count=1))
        except ValueError:
            return False, "A valid integer is required."
        if n < 0:
            return False, "Ensure this value is greater than or equal to 0."
        return True, n
    if type(v) is bool:
        return True, v
    if type(v) in (int, float) and v in (0, 1):
        return True, v == 1
    if type(v) is str and v in _TRUE:
        return True, True
    if type(v) is str and v in _FALSE:
        return True, False
    return False, "Must be a valid boolean."


def coerce_valid_options(o: Any) -> dict[str, Any]:
    """Canonical field values of an options object known to be valid (absent fields omitted)."""
    out = {}
    for f in FIELDS:
        if type(o) is dict and f in o:
            ok, v = coerce_option(f, o[f])
            assert ok, (f, o[f])
            out[f] = v
    return out


def expected_error(doc: Any) -> Any:
    """The 400 body a (JSON-valid) request document must get, or None when it must render."""
    doc = repair_value(doc)
    if doc is None:
        return {"non_field_errors": ["No data provided"]}
    if type(doc) is not dict:
        return {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {_type_name(doc)}."]}
    errors: dict[str, Any] = {}
    if "event_type" not in doc:
        errors["event_type"] = [_REQUIRED]
    elif doc["event_type"] is None:
        errors["event_type"] = [_NULL]
    elif py_str(doc["event_type"]) not in EVENT_TYPES:
        errors["event_type"] = [f'"{py_str(doc["event_type"])}" is not a valid choice.']
    if "data" not in doc:
        errors["data"] = [_REQUIRED]
    elif doc["data"] is None:
        errors["data"] = [_NULL]
    if "options" in doc:
        o = doc["options"]
        if o is None:
            errors["options"] = [_NULL]
        elif type(o) is not dict:
            errors["options"] = {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {_type_name(o)}."]}
        else:
            oe = {}
            for f in FIELDS:
                if f in o:
                    ok, v = coerce_option(f, o[f])
                    if not ok:
                        oe[f] = [v]
            if oe:
                errors["options"] = oe
    if errors:
        return errors
    et, data = doc["event_type"], doc["data"]
    if et == "$ai_trace":
        shape = ["Trace events require 'trace' object and 'hierarchy' array in data field"]
        if type(data) is not dict or not data.get("trace") or type(data["trace"]) is not dict \
                or type(data.get("hierarchy")) is not list:
            return shape
        trace = data["trace"]
        if "properties" in trace and type(trace["properties"]) is not dict:
            return ["Trace events require 'properties' object in trace field"]
        if not ((trace.get("properties") or {}).get("$ai_trace_id") or trace.get("id") or trace.get("trace_id")):
            return ["Trace events require an ID (trace.id or trace.properties.$ai_trace_id)"]
        return None
    missing = [f"{et} events require 'properties' object in data field"]
    if type(data) is not dict or "properties" not in data:
        return missing
    if not data.get("id"):
        return [f"{et} events require an 'id' field"]
    if type(data["properties"]) is not dict:
        return missing
    return None
