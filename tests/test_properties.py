"""Property-based hardening (issue 5; FORMAT.md §6.2): never crash, never lie.

Every test here is marked ``properties``. Example counts come from the hypothesis profile (tests/conftest.py):
``ci`` (default) keeps the whole file fast; under ``deep`` the profile's count is the *total* budget, spread
over the property tests of every module by weight (tests/budgets.py;
``HYPOTHESIS_PROFILE=deep pytest -m properties -p no:randomly``).
Every failure hypothesis ever found stays below as an explicit ``@example``.
"""
from __future__ import annotations

import base64
import copy
import json
import re
import sys
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st

import strategies as S
from budgets import budget
import textrepr
import conformance
import twins
from conformance import decode_payload, sampled_problems
from textrepr import InvalidRequest, markers
from textrepr.options import Options

pytestmark = pytest.mark.properties

# ---------------------------------------------------------------- example budget

# Budgets and weights: tests/budgets.py (shared with the property tests of other modules).


# ---------------------------------------------------------------- helpers


def run(request: Any) -> tuple[int, Any]:
    """(200, body) or (400, body); anything else propagates and fails the test."""
    try:
        body = textrepr.text_repr(request)
    except InvalidRequest as e:
        assert e.status == 400
        return 400, e.body
    return 200, body


def with_options(request: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The request with its (valid) options replaced by canonical values plus ``overrides``."""
    opts = S.coerce_valid_options(request.get("options"))
    opts.update(overrides)
    return {**request, "options": opts}


def no_surrogates(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_strings(v: Any, skip: Callable[[dict[str, Any]], bool] | None = None) -> list[str]:
    """Every key and string of ``v``, except inside the objects that ``skip`` selects."""
    out: list[str] = []
    stack = [v]
    while stack:
        x = stack.pop()
        if type(x) is str:
            out.append(x)
        elif type(x) is list:
            stack.extend(x)
        elif type(x) is dict and not (skip is not None and skip(x)):
            out.extend(x.keys())
            stack.extend(x.values())
    return out


def valid_requests(options: Any = None) -> st.SearchStrategy[Any]:
    """Requests that pass §3 (perturbations that make them invalid are filtered out)."""
    # Short reprs: a filter prints its base strategy on every retry.
    return S.short(S.requests(options), "requests").filter(lambda r: S.expected_error(r) is None)


def valid_event_requests() -> st.SearchStrategy[Any]:
    """Unperturbed single-event requests that pass §3."""
    return S.short(S.event_requests(), "event_requests").filter(lambda r: S.expected_error(r) is None)


_OPENER = re.compile(r"<<<(TRUNCATED|GEN_EXPANDABLE|TOOLS_EXPANDABLE|EVENT_LINK)\|")
_LOOKALIKE = re.compile("<<<(?=\u200b*(?:TRUNCATED|GEN_EXPANDABLE|TOOLS_EXPANDABLE|EVENT_LINK)\\|)")


_NEUTRALISED = re.compile("<<<\u200b(?=\u200b*(?:TRUNCATED|GEN_EXPANDABLE|TOOLS_EXPANDABLE|EVENT_LINK)\\|)")


def neutralise(s: str) -> str:
    """§4.17 neutralisation, written from the spec (independent of textrepr.core)."""
    return _LOOKALIKE.sub("<<<\u200b", s)


def marker_problems(text: str, *, nested: bool = False) -> list[str]:
    """§6.2 item 5: every opener belongs to a marker that ``markers.parse`` returns, every payload decodes
    strictly and TRUNCATED counts are exact — recursively. Returns the problems (empty = fine)."""
    problems: list[str] = []
    stack = [text]
    while stack:
        t = stack.pop()
        segs = markers.parse(t)
        assert "".join(s.raw for s in segs) == t
        for seg in segs:
            if seg.kind == "text":
                for m in _OPENER.finditer(seg.raw):
                    rest = seg.raw[m.end():]
                    # The two documented reference forms (§4.17): an expandable node with an empty id, or with
                    # empty content; FORMAT.md is silent on an EVENT_LINK with an empty id (same reason).
                    if m.group(1) == "GEN_EXPANDABLE" and (rest.startswith("|") or re.match(r"[^|]*\|[^|]*\|>>>", rest)):
                        continue
                    if m.group(1) == "EVENT_LINK" and rest.startswith("|"):
                        continue
                    problems.append(f"opener outside a marker: {seg.raw[m.start():m.start() + 80]!r}")
                continue
            raw_payload = {"truncated": 0, "gen": 3, "tools": 2}.get(seg.kind)
            if raw_payload is None:
                continue
            fields = seg.raw[3:-3].split("|")
            payload = fields[1] if seg.kind == "truncated" else fields[-1]
            dec = decode_payload(payload)
            if dec is None:
                problems.append(f"{seg.kind} payload is not strict base64 + UTF-8: {payload[:40]!r}")
                continue
            if dec != seg.content:
                problems.append("markers.parse decoded a payload differently")
            # Counts are taken before neutralisation (§4.17), the payload after it.
            if seg.kind == "truncated" and seg.hidden != len(_NEUTRALISED.sub("<<<", dec)):
                problems.append(f"TRUNCATED count {seg.hidden} != {len(dec)}")
            stack.append(dec)
    return problems


# ---------------------------------------------------------------- 1. only InvalidRequest, only for §3


@budget("status")
@given(doc=st.one_of(S.requests(S.any_options()), S.hostile_documents()))
@example(doc={"event_type": [10**5000], "data": {}})
@example(doc="")
@example(doc={"event_type": "$ai_span", "data": {"id": "x", "properties": {}}, "options": {"max_length": [[[[[]]]]]}})
@example(doc={"event_type": "$ai_span", "data": {"id": "\ud800", "properties": {"\udc00": "\ud83e"}}})
@example(doc={"event_type": "$ai_trace", "data": {"trace": {"id": 0, "trace_id": "t"}, "hierarchy": [None]}})
def test_only_invalid_request_escapes(doc: Any) -> None:
    """Totality (§6.2 item 2): a body or an InvalidRequest, exactly for the §3 invalid requests, with the
    §3 body; Mapping, JSON bytes and JSON str give the same answer."""
    expected = S.expected_error(doc)
    raw = S.to_json(doc)
    # A str request is JSON text, so a JSON string document can only be sent as bytes.
    status, body = run(raw if type(doc) is str else doc)
    if expected is None:
        assert status == 200, body
        assert list(body) == ["text", "metadata"]
        assert list(body["metadata"]) == ["event_type", "event_id", "trace_id", "rendering", "char_count", "truncated"]
        assert body["metadata"]["char_count"] == len(body["text"])
        assert body["metadata"]["rendering"] == "detailed"
    else:
        assert status == 400
        assert body == expected
    json.dumps(body)  # JSON-serialisable
    assert run(raw) == (status, body), "JSON bytes answer differently from the Mapping"
    assert run(raw.decode("ascii")) == (status, body), "JSON str answers differently from the Mapping"


@budget("hostile")
@given(raw=st.one_of(
    st.binary(max_size=60),
    st.builds(lambda d, cut: S.to_json(d)[:cut], S.hostile_documents(), st.integers(0, 200)),
    st.builds(lambda d, junk: S.to_json(d) + junk, S.hostile_documents(),
              st.sampled_from([b"x", b"}", b" ", b"\n", b"\x00", b",", b"\xff"])),
    st.sampled_from([b"\xef\xbb\xbf{}", b"NaN", b'{"a": Infinity}', b"-Infinity", b"1e400", b'{"a": 1e400}',
                     b'"\\ud800"', b"[" * 1025 + b"]" * 1025, b'{"a":"\xc3"}', b"\"\xed\xa0\x80\"", b""]),
))
def test_raw_bytes_never_crash(raw: bytes) -> None:
    """Raw input: any bytes render or raise InvalidRequest, whose parse failures carry the contract prefix."""
    status, body = run(raw)
    if status == 400 and type(body) is dict and "detail" in body:
        assert body["detail"].startswith("JSON parse error - ")
    assert no_surrogates(json.dumps(body, ensure_ascii=False))


# ---------------------------------------------------------------- 2. valid UTF-8


@budget("utf8")
@given(req=valid_requests())
@example(req={"event_type": "$ai_generation", "data": {"id": "\udfff", "properties": {
    "$ai_input": "ab\ud800cdefgh", "$ai_tools": [{"name": f"t\ud800{i}"} for i in range(7)]}},
    "options": {"truncate_buffer": 4}})
def test_output_is_valid_utf8(req: dict[str, Any]) -> None:
    """§6.2 item 3: text and metadata hold no surrogate; every payload decodes with strict base64 + UTF-8."""
    _, body = run(req)
    assert no_surrogates(body["text"])
    for s in json_strings(body["metadata"]):
        assert no_surrogates(s)
    problems = marker_problems(body["text"]) if S.coerce_valid_options(req.get("options")).get(
        "include_markers", True) else []
    assert not [p for p in problems if "payload" in p], problems


# ---------------------------------------------------------------- 3. determinism


@budget("determinism")
@given(req=S.requests(S.any_options()), other=S.requests())
def test_deterministic_and_input_untouched(req: Any, other: Any) -> None:
    """§6.2 item 1: same input, same bytes — on a deep copy, after another request — and the input is not
    mutated."""
    snapshot = copy.deepcopy(req)
    first = run(req)
    assert req == snapshot, "text_repr mutated its input"
    run(other)
    assert run(copy.deepcopy(req)) == first
    assert run(S.to_json(req)) == first


# ---------------------------------------------------------------- 4. max_length


@budget("max_length")
@given(req=valid_requests(), data=st.data(), markers_on=st.booleans(), numbers=st.booleans())
def test_max_length_bound_and_subsequence(req: dict[str, Any], data: st.DataObject, markers_on: bool,
                                          numbers: bool) -> None:
    """§6.2 item 4: len <= M, char_count, the truncated flag, sampled lines an in-order subsequence of the
    unsampled ones plus the note, the last line kept when it fits, a trace node line kept when one fits."""
    base = with_options(req, include_markers=markers_on, include_line_numbers=numbers, max_length=0)
    _, full = run(base)
    unsampled = full["text"]
    assert full["metadata"]["truncated"] is False
    m = data.draw(st.one_of(st.integers(1, max(1, len(unsampled) + 20)), st.integers(1, 400)), label="max_length")
    _, body = run({**base, "options": {**base["options"], "max_length": m}})
    text, meta = body["text"], body["metadata"]
    assert len(text) <= m
    assert meta["char_count"] == len(text)
    assert meta["truncated"] is (len(unsampled) > m)
    if not meta["truncated"]:
        assert text == unsampled
        return
    is_trace = req["event_type"] == "$ai_trace"
    assert not sampled_problems(text, unsampled, m, keeps_last=not is_trace)
    if is_trace and markers_on and not base["options"].get("collapsed", False):
        # With markers on and not collapsed, the node lines are exactly the lines holding a node opener.
        lines = unsampled.split("\n")
        note_len = len(f"[SAMPLED VIEW: Showing ~100% of {len(lines):,} lines. Gaps in line numbers indicate "
                       "omitted content.]")
        avail = m - (sum(map(len, lines[:5])) + note_len + min(5, len(lines)))
        is_node = re.compile(r"<<<(GEN_EXPANDABLE|EVENT_LINK)\|")
        if len(lines) > 5 and avail >= 0 and any(is_node.search(x) and len(x) + 1 <= avail for x in lines[5:]):
            assert any(is_node.search(x) for x in text.split("\n")[5:]), "no node line kept although one fits"


# ---------------------------------------------------------------- 5. markers.expand round trip (§2.4)


def _strip_pipes(v: Any) -> Any:
    """Condition (a) of the §2.4 identity: no ``|`` in any trace node id or summary (all node strings)."""
    if type(v) is str:
        return v.replace("|", "/")
    if type(v) is list:
        return [_strip_pipes(x) for x in v]
    if type(v) is dict:
        return {k.replace("|", "/"): _strip_pipes(x) for k, x in v.items()}
    return v


@budget("expand")
@given(req=valid_requests(), data=st.data())
def test_expand_round_trip(req: dict[str, Any], data: st.DataObject) -> None:
    """§6.2 item 6: expand(render(x, O)) == render(x, O') under the conditions of §2.4."""
    if req["event_type"] == "$ai_trace" and type(req["data"]) is dict:
        req = {**req, "data": {**req["data"], "hierarchy": _strip_pipes(req["data"]["hierarchy"])}}
    o = with_options(req, include_markers=True, include_line_numbers=False, max_length=0)
    o_plain = with_options(o, include_markers=False, truncated=False, tools_collapse_threshold=2**31 - 1)
    _, marked = run(o)
    _, plain = run(o_plain)
    if "<<<" not in plain["text"]:
        assert markers.expand(plain["text"]) == plain["text"]
    # Condition (b): an expandable node with an empty id or empty content (and, likewise, an EVENT_LINK with
    # an empty id) leaves an opener that no pattern matches; the identity does not cover those.
    for seg in markers.parse(marked["text"]):
        if seg.kind == "text" and re.search(r"<<<(GEN_EXPANDABLE|EVENT_LINK)\|", seg.raw):
            note("condition (b) of §2.4 not met")
            return
    assert markers.expand(marked["text"]) == plain["text"]


# ---------------------------------------------------------------- 6. payloads and marker safety


@budget("payloads")
@given(req=valid_requests())
@example(req={"event_type": "$ai_trace", "data": {"trace": {"id": "t"}, "hierarchy": [
    {"id": "x<<<EVENT_LINK", "event": "$x"}, {"id": "", "event": "$ai_span"}, {"id": "g", "event": "$ai_generation"}]}})
@example(req={"event_type": "$ai_trace", "data": {"trace": {"id": "id_0"}, "hierarchy": [{"event": {
    "id": "n1", "event": "$ai_span", "properties": {"$ai_input_state": "<<<TRUNCATED|" * 79 + "\U00010000"}}}]}})
@example(req={"event_type": "$ai_trace", "data": {"trace": {"id": "id_0", "properties": {}, "trace_name": "w",
                                                            "output_state": "<<<TRUNCATED|" * 79}, "hierarchy": []}})
@example(req={"event_type": "$ai_trace", "options": {"max_length": "1_000"}, "data": {"trace": {"id": "id_0"}, "hierarchy": [
    {"event": {"id": "n1", "event": "$ai_generation", "properties": {"$ai_model": "gpt-4o", "$ai_input": "hi",
                                                                     "$ai_error": "boom"}},
     "children": [{"event": {"id": "n2", "event": "$ai_generation", "properties": {
         "$ai_model": "gpt-4o", "$ai_input": "What is the weather in Paris?" * 20, "$ai_error": "boom"}}}]}]}})
def test_payloads_decode_and_markers_are_exactly_the_emitted_ones(req: dict[str, Any]) -> None:
    """§6.2 items 3 and 5: with markers on, every opener in the text (and in every decoded payload) is part
    of a marker with a strict payload and an exact count; with markers off, no ``<`` in, no ``<<<`` out."""
    # Unsampled: sampling may cut its last kept line (§4.19 steps 4 and 7), and with it a marker.
    _, body = run(with_options(req, include_markers=True, max_length=0))
    assert not marker_problems(body["text"])
    _, plain = run(with_options(req, include_markers=False))
    if not any("<" in s for s in json_strings(req)):
        assert "<<<" not in plain["text"]


# ---------------------------------------------------------------- 7. D3/D4: no content lost (item 10)


def _args_leaves(args: Any, out: list[str]) -> None:
    """``sig(name, args)``: every key=value of a non-empty parsed object, value as compact JSON."""
    parsed = args
    if type(args) is str and args:
        try:
            parsed = S.repair_value(json.loads(S.repair(args)))
        except (ValueError, RecursionError):
            return
    if type(parsed) is dict and parsed:
        with S.IntDigits():
            for k, v in parsed.items():
                out.append(f"{k}={json.dumps(v, ensure_ascii=False)}")


def _block_leaves(b: Any, special: bool, out: list[str]) -> None:
    """Leaves of one element of a content array (§4.7)."""
    if type(b) is str:
        out.append(b)
        return
    if type(b) is list:
        _content_leaves(b, out)
        return
    if type(b) is not dict:
        return
    t = b.get("type")
    if type(t) is str and (t in _ITEM_TYPES or t.endswith("_call") or t.endswith("_call_output")):
        # D13: a Responses item inside content shows what it shows as a message-array element.
        if t == "reasoning" and not (b.get("summary") or b.get("content")) and type(b.get("text")) is str:
            out.append(b["text"])  # Vercel's reasoning part
        elif t in _ITEM_TYPES:
            _message_leaves(b, out)
        return
    if t == "tool-call" and "toolName" not in b and type(b.get("function")) is dict:
        _args_leaves(b["function"].get("arguments", ""), out)  # D20
    elif t == "tool-call" and "toolName" in b:
        a = b.get("input")
        _args_leaves(b.get("args") if a is None else a, out)
    elif t == "tool_use":
        a = b.get("input", {})
        if not a and type(b.get("partial_json")) is str:
            _args_leaves(b["partial_json"], out)
        else:
            _args_leaves(a, out)
    elif t == "function" and type(b.get("function")) is dict:
        _args_leaves(b["function"].get("arguments", ""), out)
    elif type(b.get("content")) is dict and "toolName" in b["content"]:
        if t != "tool-call":
            _args_leaves(b["content"].get("args", ""), out)
    elif t == "tool-result" and ("output" in b or "result" in b):
        p = b["output"] if "output" in b else b["result"]
        if type(p) is dict and p.get("type") in ("text", "error-text") and type(p.get("value")) is str:
            out.append(p["value"])
        elif type(p) is dict and p.get("type") == "content":
            _content_leaves(p.get("value"), out)
        elif type(p) is str:
            out.append(p)
    elif t == "thinking" and type(b.get("thinking")) is str:
        out.append(b["thinking"])
    elif t == "refusal" and type(b.get("refusal")) is str:
        out.append(b["refusal"])
    elif type(b.get("text")) is str and not _is_media(b):
        out.append(b["text"])
    elif "text" not in b and "content" in b and not _is_media(b):
        _content_leaves(b["content"], out)


_ITEM_TYPES = {"function_call", "custom_tool_call", "function_call_output", "custom_tool_call_output", "reasoning"}
_LC_TYPES = {"human", "ai", "system", "tool", "function", "chat", "remove", "AIMessageChunk", "HumanMessageChunk",
             "ToolMessageChunk", "SystemMessageChunk"}


def _is_lc(x: Any) -> bool:
    return (type(x) is dict and "content" in x and x.get("type") in _LC_TYPES
            and any(k in x for k in ("additional_kwargs", "response_metadata", "usage_metadata")))


_MEDIA_TYPES = {"image_url", "input_image", "image", "input_audio", "audio", "file", "input_file", "document",
                "image_generation_call"}


def _is_media(b: dict[str, Any]) -> bool:
    t = b.get("type")
    return (type(t) is str and t in _MEDIA_TYPES) or any(k in b for k in ("inlineData", "inline_data", "fileData", "file_data"))


def _content_leaves(c: Any, out: list[str]) -> None:
    if type(c) is str:
        out.append(c)
    elif type(c) is list:
        special = any(type(b) is dict and (b.get("type") in ("tool-call", "tool_use", "function")
                                           or (type(b.get("content")) is dict and "toolName" in b["content"]))
                      for b in c)
        for b in c:
            _block_leaves(b, special, out)
    elif type(c) is dict:
        if type(c.get("parts")) is list and c["parts"]:
            _parts_leaves(c["parts"], out)
        else:
            _block_leaves(c, False, out)


def _parts_leaves(parts: list[Any], out: list[str]) -> None:
    for p in parts:
        if type(p) is not dict:
            continue
        if type(p.get("text")) is str:
            out.append(p["text"])
        for k in ("functionCall", "function_call"):
            if type(p.get(k)) is dict:
                _args_leaves(p[k].get("args"), out)
                break


def _tool_calls_leaves(tcs: Any, out: list[str]) -> None:
    if type(tcs) is not list:
        return
    for tc in tcs:
        if type(tc) is dict:
            if type(tc.get("function")) is dict:
                _args_leaves(tc["function"].get("arguments", ""), out)
            else:
                _args_leaves(tc.get("args", ""), out)


_PLAIN_TYPES = {"text", "input_text", "output_text", "summary_text"}


def _message_leaves(m: Any, out: list[str], *, lifted: bool = False) -> None:
    """Leaves of one message-array element (§4.6, §4.8)."""
    if type(m) is not dict:
        if type(m) is str:
            out.append(m)
        elif type(m) is list:
            _content_leaves(m, out)
        return
    t = m.get("type")
    if t in ("function_call", "custom_tool_call"):
        if m.get("arguments") is not None:
            _args_leaves(m["arguments"], out)
        elif type(m.get("input")) is str:
            out.append(m["input"])
        return
    if t in ("function_call_output", "custom_tool_call_output"):
        p = m.get("content") if m.get("output") is None else m["output"]
        _content_leaves(p, out)
        return
    if t == "reasoning":
        _content_leaves(m.get("summary") or m.get("content"), out)
        return
    if t == "additional_tools":
        return
    if t in ("tool-call", "tool_use"):
        _block_leaves(m, True, out)
        return
    if t and type(t) is str and t not in _PLAIN_TYPES and not any(k in m for k in ("role", "content", "tool_calls")):
        return  # Responses item: dumped as capped JSON
    content = m.get("content")
    if content is None:
        if type(m.get("parts")) is list and m["parts"]:
            _parts_leaves(m["parts"], out)
        elif type(m.get("text")) is str:
            out.append(m["text"])
        elif type(m.get("message")) is str:
            out.append(m["message"])
    elif lifted and type(content) is list and any(
            type(b) is dict and b.get("type") in ("tool-call", "function") and type(b.get("function")) is dict
            for b in content):
        for b in content:
            if type(b) is dict and b.get("type") in ("tool-call", "function") and type(b.get("function")) is dict:
                _args_leaves(b["function"].get("arguments", ""), out)
            else:
                _block_leaves(b, True, out)
        return  # lifted blocks replace the message's tool_calls
    else:
        _content_leaves(content, out)
    if "tool_calls" in m:
        _tool_calls_leaves(m["tool_calls"], out)
    else:
        groups: dict[int, dict[str, Any]] = {}
        for k, v in m.items():
            mm = re.fullmatch(r"tool_calls\.(\d+)\.(.+)", k)
            if mm:
                groups.setdefault(int(mm.group(1)), {})[mm.group(2)] = v
        for _, g in sorted(groups.items()):
            _args_leaves(g.get("arguments", g.get("function.arguments", "")), out)


def _choices_leaves(choices: list[Any], out: list[str]) -> bool:
    """Step 3 of §4.5; returns whether at least one message results."""
    any_msg = False
    for c in choices:
        if c is None:
            continue
        if type(c) is dict:
            t = c.get("type")
            if t and type(t) is str and t not in _PLAIN_TYPES and not any(k in c for k in ("role", "content", "tool_calls")):
                any_msg = True
                _message_leaves(c, out)
                continue
            if type(c.get("message")) is dict and c["message"]:
                m = c["message"]
            elif "role" in c or "content" in c:
                m = c
            elif type(c.get("text")) is str and c["text"]:
                m = {"role": "assistant", "content": c["text"]}
            else:
                continue
            any_msg = True
            _message_leaves(m, out, lifted=True)
        else:
            any_msg = True
            _message_leaves(c, out)
    return any_msg


def _output_leaves(props: dict[str, Any], out: list[str]) -> None:
    choices, output = props.get("$ai_output_choices"), props.get("$ai_output")
    for v in (choices, output):
        if type(v) is dict and v.get("object") == "response" and type(v.get("output")) is list and v["output"]:
            for item in v["output"]:
                _message_leaves(item, out)
            return
    if type(output) is str and output:
        out.append(output)
        return
    c = choices
    if type(c) is dict and type(c.get("choices")) is list:
        c = c["choices"]
    if type(c) is list and c:
        _choices_leaves(c, out)
        return
    if type(choices) is str:
        try:
            parsed = json.loads(choices)
        except ValueError:
            parsed = None
        if type(parsed) is dict and type(parsed.get("choices")) is list:
            parsed = parsed["choices"]
        if type(parsed) is list:
            if parsed:
                _choices_leaves(parsed, out)
            return
        if choices:
            out.append(choices)
        return
    if type(output) is dict and type(output.get("choices")) is list:
        output = output["choices"]
    if type(output) is list and output:
        _choices_leaves(output, out)


def _state_leaves(state: Any, out: list[str]) -> None:
    if not state:
        return
    if type(state) is str:
        if state.strip(" \t\r\n")[:1] not in ("{", "["):
            out.append(state)
    elif type(state) is list:
        if type(state[0]) is dict and ("role" in state[0] or "content" in state[0]):
            for m in state:
                _message_leaves(m, out)
    elif type(state) is dict:
        if state.get("__type") == "tool_call_with_context":
            st_ = state.get("state", {})
            if type(st_) is dict and type(st_.get("messages")) is list:
                for m in st_["messages"]:
                    _message_leaves(m, out)
            tc = state.get("tool_call", {})
            if type(tc) is dict and tc:
                _args_leaves(tc.get("args", {}), out)
        elif type(state.get("messages")) is list and state["messages"]:
            for m in state["messages"]:
                _message_leaves(m, out)
        elif _is_lc(state):
            _message_leaves(state, out)  # D17
        elif state.get("type") == "tool":
            c = state.get("content", "")
            if type(c) is str:
                out.append(c)
        elif all(type(v) is list and v and any(_is_lc(m) for m in v) for v in state.values()):
            for v in state.values():  # D17: {"history": [...]}
                for m in v:
                    _message_leaves(m, out)


def expected_leaves(req: dict[str, Any]) -> list[str]:
    """The non-empty text values and tool-argument ``key=json(value)`` pairs of an unperturbed single event
    that must appear verbatim (§6.2 item 10), repaired."""
    data = req["data"]
    props = data["properties"]
    kind = data.get("event")
    if kind not in S.KINDS:
        kind = "$ai_generation" if type(kind) is str else req["event_type"]
    out: list[str] = []
    if kind in ("$ai_generation", "$ai_embedding"):
        inp = props.get("$ai_input")
        if type(inp) is str:
            out.append(inp)
        elif type(inp) is list:
            for m in inp:
                _message_leaves(m, out)
        if kind == "$ai_generation":
            _output_leaves(props, out)
    elif kind == "$ai_span":
        _state_leaves(props.get("$ai_input_state"), out)
        _state_leaves(props.get("$ai_output_state"), out)
        # D16: the OpenAI Agents details
        for k in ("$ai_handoff_from_agent", "$ai_handoff_to_agent", "$ai_agent_output_type"):
            if type(props.get(k)) is str:
                out.append(props[k])
        for k in ("$ai_agent_handoffs", "$ai_agent_tools"):
            if type(props.get(k)) is list:
                out.extend(x for x in props[k] if type(x) is str)
        _state_leaves(props.get("$ai_span_data"), out)
    elif kind == "$ai_evaluation":
        r = props.get("$ai_evaluation_reasoning")
        if type(r) is str:
            out.append(r)
    return [S.repair(x) for x in out if x.strip()]


_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{65,}={0,2}")
_MEDIA_LABELS = {"id", "type", "status", "call_id", "name", "filename", "mime_type", "mimeType", "media_type",
                 "detail", "format"}


def _message_values(req: dict[str, Any]) -> list[Any]:
    """The property values of an event that render through the message paths (§4.4-§4.8); JSON dumps of
    other values (e.g. a span state array of Responses items, §4.14) show their data as it is."""
    props = req["data"]["properties"]
    out = [props.get(k) for k in ("$ai_input", "$ai_output_choices", "$ai_output")
           if type(props.get(k)) in (list, dict)]
    for k in ("$ai_input_state", "$ai_output_state"):
        s = props.get(k)
        if type(s) is list and s and type(s[0]) is dict and ("role" in s[0] or "content" in s[0]):
            out.append(s)
        elif type(s) is dict and s.get("__type") == "tool_call_with_context" and type(s.get("state")) is dict:
            out.append(s["state"].get("messages"))
        elif type(s) is dict and type(s.get("messages")) is list:
            out.append(s["messages"])
    return out


def media_payloads(v: Any) -> list[str]:
    """Base64 runs longer than 64 characters inside media blocks (§4.7, §6.2 item 10)."""
    out: list[str] = []
    stack = [v]
    while stack:
        x = stack.pop()
        if type(x) is dict:
            if _is_media(x):
                for k, v in x.items():
                    if k in _MEDIA_LABELS:
                        continue  # an id or a name is shown, whatever it looks like
                    for s in json_strings(v):
                        # a payload, not a rule of dashes: base64 of real data uses many symbols
                        out.extend(m.group() for m in _B64_RUN.finditer(s) if len(set(m.group())) >= 8)
            stack.extend(x.values())
        elif type(x) is list:
            stack.extend(x)
    return out


def test_leak_check_sees_media_payloads_only() -> None:
    """The media-leak check of test_no_content_lost is not vacuous: it finds a real payload, and only that."""
    png = "iVBORw0KGgoAAAANSUhEUgAA" * 3 + "=="
    image = {"type": "image", "id": "-" * 80, "source": {"type": "base64", "media_type": "image/png", "data": png}}
    msgs = [{"role": "user", "content": [image, {"type": "text", "text": "x" * 70}]}]
    assert media_payloads(msgs) == [png]
    assert png not in json_strings(msgs, skip=_is_media) and "x" * 70 in json_strings(msgs, skip=_is_media)
    # rendered, the payload is replaced by its placeholder
    _, body = run({"event_type": "$ai_generation", "data": {"id": "g", "properties": {"$ai_input": msgs}}})
    assert png[:65] not in body["text"] and "[image: image/png, 54 B]" in body["text"]


@budget("leaves")
@given(req=valid_event_requests(), markers_on=st.booleans())
@example(req={"event_type": "$ai_generation", "data": {"id": "g", "properties": {"$ai_output_choices": [
    {"role": "assistant", "content": [{"type": "tool-call", "id": "c", "function": {
        "name": "weather", "arguments": "{\"location\": \"SF\"}"}}]}]}}}, markers_on=False)
@example(req={"event_type": "$ai_span", "data": {"id": "id_0", "properties": {"$ai_output_state": [
    {"type": "function_call", "id": "id_0", "call_id": "id_0", "name": "get_weather", "arguments": "{}"},
    {"role": "user", "content": [{"type": "thinking", "thinking": "Hmm.", "signature": "iVBORw0KGgo" * 8}]}]}}},
    markers_on=False)
@example(req={"event_type": "$ai_span", "data": {"id": "id_0", "properties": {"$ai_output_state": [
    {"type": "function_call_output", "call_id": "id_0", "output": None},
    {"type": "image_generation_call", "id": "id_0", "status": "completed", "result": "iVBORw0KGgo" * 8}]}}},
    markers_on=False)
@example(req={"event_type": "$ai_generation", "data": {"id": "id_0", "event": "$ai_generation", "properties": {
    "$ai_tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"get_weather": {"type": ["string", "null"]}}}}}]}}}, markers_on=False)
@example(req={"event_type": "$ai_generation", "data": {"id": "g", "properties": {"$ai_input": [{"role": "user", "content": [
    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo" * 8}}]}]}}},
    markers_on=True)
@example(req={"event_type": "$ai_span", "data": {"id": "id_0", "properties": {"$ai_output_state": {"messages": [
    {"type": "image_generation_call", "id": "-" * 80, "status": "completed", "result": "=="}]}}}}, markers_on=False)
@example(req={"event_type": "$ai_generation", "data": {"id": "id_0", "properties": {"$ai_input": [{"role": "user", "content": [
    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgoAAAANSUhEUgAA" * 3 + "=="}},
    {"type": "web_search_tool_result", "tool_use_id": "id_0", "content": [{
        "type": "web_search_result", "url": "data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAA" * 3 + "==",
        "title": ""}]}]}]}}}, markers_on=False)
def test_no_content_lost(req: dict[str, Any], markers_on: bool) -> None:
    """§6.2 item 10 (D3/D4): with truncated false and max_length 0, every non-empty text of a message and
    every tool-call argument (as compact JSON) appears verbatim; no media payload leaks."""
    status, body = run(with_options(req, truncated=False, max_length=0, include_markers=markers_on,
                                    include_line_numbers=False))
    assert status == 200, body
    text = markers.expand(body["text"]) if markers_on else body["text"]
    for leaf in expected_leaves(req):
        assert leaf in text, f"lost: {leaf[:200]!r}"
    shown = json_strings(req, skip=_is_media)  # the same characters may sit in a field shown as is
    for p in media_payloads(_message_values(req)):
        if not any(p[:65] in s for s in shown):
            assert p[:65] not in text, "a media payload leaked"


@budget("no_repr")
@given(req=valid_requests())
def test_no_python_repr(req: dict[str, Any]) -> None:
    """§6.2 item 10: an input without ``'`` anywhere gives a text without ``'`` (no Python reprs)."""
    assume(not any("'" in s for s in json_strings(req)))
    _, body = run(req)
    assert "'" not in body["text"]


# ---------------------------------------------------------------- 8. truncation accounting


_NOTE_RE = re.compile(r"\n\n\.\.\. \((\d+) chars truncated\) \.\.\.\n\n")


@budget("notes")
@given(req=valid_event_requests(), buffer=st.integers(0, 60))
def test_truncation_notes_account_for_every_hidden_character(req: dict[str, Any], buffer: int) -> None:
    """Plain mode: the truncated text is the untruncated one with each note standing for exactly the N
    characters it reports (no character lost without a note accounting for it)."""
    base = with_options(req, include_markers=False, include_line_numbers=False, max_length=0,
                        truncate_buffer=buffer)
    _, short = run({**base, "options": {**base["options"], "truncated": True}})
    _, full = run({**base, "options": {**base["options"], "truncated": False}})
    pieces = _NOTE_RE.split(short["text"])
    pattern = [re.escape(pieces[0])]
    for i in range(1, len(pieces), 2):
        n = int(pieces[i])
        literal = re.escape(f"\n\n... ({n} chars truncated) ...\n\n")
        pattern.append(f"(?:[\\s\\S]{{{n}}}|{literal})")  # a look-alike in the content stays literal
        pattern.append(re.escape(pieces[i + 1]))
    assert re.fullmatch("".join(pattern), full["text"]), "a note does not account for the hidden characters"


@budget("trunc")
@given(s=S.any_texts(), buffer=st.integers(0, 50), where=st.sampled_from(["input", "output", "state"]),
       markers_on=st.booleans())
@example(s="abcdefghij", buffer=5, where="input", markers_on=False)
@example(s="<<<TRUNCATED|<<<TRUNCATED|\ud83e\udd16", buffer=2, where="input", markers_on=True)
@example(s="ab\ud800cdefgh", buffer=4, where="input", markers_on=True)
def test_truncation_arithmetic(s: str, buffer: int, where: str, markers_on: bool) -> None:
    """§6.2 items 7 and 11: head and tail of B//2 characters, count len(s) - 2*(B//2), head + middle + tail
    == s; a span state that is not a literal is always middle-truncated when longer than the buffer."""
    if where == "state":
        s = "x" + s  # never starts with { or [: not a literal
        props: dict[str, Any] = {"$ai_input_state": s}
        head_lines = ["SPAN", "=" * 80, "-" * 80, "", "INPUT STATE:", ""]
        et = "$ai_span"
    else:
        assume(s)
        props = {"$ai_input": s} if where == "input" else {"$ai_output": s}
        head_lines = ["-" * 80, "", "INPUT:" if where == "input" else "OUTPUT:", ""]
        et = "$ai_generation"
    r = S.repair(s)
    opts = {"truncate_buffer": buffer, "include_markers": markers_on, "max_length": 0}
    _, body = run({"event_type": et, "data": {"id": "e", "properties": props}, "options": opts})
    text = body["text"]
    prefix = "\n".join(head_lines) + "\n"
    assert text.startswith(prefix)
    rest = text[len(prefix):]
    h = buffer // 2
    neut = neutralise if markers_on else (lambda x: x)
    if len(r) <= buffer:
        assert rest == neut(r)
        return
    hidden = len(r) - 2 * h
    head, middle, tail = r[:h], r[h:len(r) - h], r[len(r) - h:] if h else ""
    assert head + middle + tail == r and len(middle) == hidden
    if markers_on:
        payload = base64.b64encode(neut(middle).encode("utf-8")).decode("ascii")
        assert rest == f"{neut(head)}\n\n<<<TRUNCATED|{payload}|{hidden}>>>\n\n{neut(tail)}"
        assert markers.expand(rest) == r
    else:
        assert rest == f"{head}\n\n... ({hidden} chars truncated) ...\n\n{tail}"


# ---------------------------------------------------------------- 9. line numbers


@budget("line_numbers")
@given(req=valid_requests())
def test_line_numbers(req: dict[str, Any]) -> None:
    """§6.2 item 8: ``L<k>: `` zero-padded to the digit count of the line total; stripping gives the text."""
    _, plain = run(with_options(req, include_line_numbers=False, max_length=0))
    _, numbered = run(with_options(req, include_line_numbers=True, max_length=0))
    lines = numbered["text"].split("\n")
    w = len(str(len(lines)))
    stripped = []
    for k, line in enumerate(lines, 1):
        p = f"L{k:0{w}d}: "
        assert line.startswith(p)
        stripped.append(line[len(p):])
    assert "\n".join(stripped) == plain["text"]


# ---------------------------------------------------------------- 10. options


@budget("options")
@given(opts=S.any_options())
@example(opts={"max_length": "\u0661\u0660"})
def test_options_from_mapping(opts: Any) -> None:
    """§6.2 item 12: Options.from_mapping accepts and rejects exactly what §3.2 describes."""
    expected = S.expected_error({"event_type": "$ai_span", "data": {"id": "x", "properties": {}}, "options": opts})
    try:
        o = Options.from_mapping(opts)
    except InvalidRequest as e:
        assert expected is not None and e.body == expected, (e.body, expected)
        return
    assert expected is None
    for f, v in S.coerce_valid_options(opts).items():
        assert getattr(o, f) == v


# ---------------------------------------------------------------- 11. compiled == pure


@budget("twins")
@given(req=S.requests(S.any_options()))
@example(req={"event_type": "$ai_span", "data": {"id": "id_0", "properties": {"$ai_output_state": [
    {"page_content": "<<<TRUNCATED|" * 73 + "\U00010000", "metadata": {"source": "x.md"}}]}}})
def test_compiled_equals_pure(req: Any) -> None:
    """§6.2 item 9: the compiled build (here) and the pure twin (twins.Worker.pure()) give the same answer,
    output and exceptions alike."""
    twins.require_compiled_run()
    twins.same_as_pure("textrepr:text_repr", req)


# ---------------------------------------------------------------- 12. version 2 (FORMAT.md §5.1, D21+)


@budget("leaves")
@given(req=valid_requests())
def test_v2_properties_hold(req: dict[str, Any]) -> None:
    """The §5.1 property (and docs/format.md's, for D21+) of every deviation a request triggers."""
    codes = conformance.triggers(req)
    note(f"codes: {sorted(codes)}")
    status, _ = run(req)
    if status == 200 and codes:
        assert conformance.v2_problems(req, codes) == []


def _gen(props: Any) -> dict[str, Any]:
    return {"event_type": "$ai_generation", "data": {"id": "g", "event": "$ai_generation", "properties": props}}


def _of(kind: str) -> Callable[[Any], dict[str, Any]]:
    return lambda props: {"event_type": kind, "data": {"id": "e", "event": kind, "properties": props}}


# code -> (the strategy of S that holds the shape, how a request carries one draw of it)
_SHAPES: dict[str, tuple[Callable[[], Any], Callable[[Any], dict[str, Any]]]] = {
    "D13": (S.nested_item_messages, lambda m: _gen({"$ai_input": [m]})),
    "D14": (S.tools, lambda t: _gen({"$ai_tools": [t]})),
    "D15": (S.embedding_props, _of("$ai_embedding")),
    "D16": (S.span_props, _of("$ai_span")),
    "D17": (S.langchain_dumps, lambda m: _gen({"$ai_input": [m]})),
    "D18": (S.traces, lambda d: {"event_type": "$ai_trace", "data": d}),
    "D20": (S.vercel_blocks, lambda b: _gen({"$ai_input": [{"role": "assistant", "content": [b]}]})),
    "D21": (S.vercel_blocks, lambda b: _gen({"$ai_input": [{"role": "tool", "content": [b]}]})),
    "D23": (lambda: st.tuples(S.input_values(), S.output_choices_values()),
            lambda io: _gen({"$ai_input": io[0], "$ai_output_choices": io[1]})),
}


@pytest.mark.parametrize("code", conformance.V2_CODES + conformance.OWN_CODES)
def test_strategies_reach_every_v2_shape(code: str) -> None:
    """The strategies that S.requests() is built from generate every shape §5.1 and D21+ are about (so the
    properties above, and compiled == pure, run on them)."""
    from hypothesis import Phase, find
    from hypothesis import settings as hsettings

    strategy, wrap = _SHAPES[code]
    found = find(strategy(), lambda x: code in conformance.triggers(wrap(x)),
                 settings=hsettings(max_examples=2000, database=None, deadline=None, phases=[Phase.generate],
                                    suppress_health_check=list(HealthCheck)))
    assert code in conformance.triggers(wrap(found))
