"""Leak test (issue 14): planted secrets and personal data never leave a rendering, in any form.

Every planted kind (tests/redact_cases.py, several formats per kind) is put at the start, the middle and the
end of short and long texts in every field kind — message text, tool arguments, tool results, the tool list,
outputs, span states (objects, JSON strings, Python-literal strings), errors, trace states and trace nodes —
and, when ../shared is present, into the strings of every corpus event and trace. Each request is rendered
in every mode of ``MODES`` by every entry of ``RENDERERS``, and no needle may appear in the text, in
``markers.expand(text)``, in any decoded marker payload, or base64-encoded at any of the 3 byte alignments.

Adding a mode (``fit``, ...) or a renderer (``render_segments``) is one line in ``MODES`` / ``RENDERERS``.
Also here: the false-positive rate of ``redact: true`` on the unplanted corpus.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from redact_cases import PLANTS, b64_cores

import textrepr
from textrepr import markers
from textrepr.redact import EVENT_EXEMPT, PROPERTY_EXEMPT
from conformance import NO_CORPUS  # tests/conformance.py: the one skip reason

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=NO_CORPUS)

# Rendering modes: options merged into every request (redaction on in all of them).
MODES: dict[str, dict[str, Any]] = {
    "markers": {"include_markers": True, "max_length": 0},
    "plain": {"include_markers": False, "max_length": 0},
    "markers-small-buffer": {"include_markers": True, "max_length": 0, "truncate_buffer": 40,
                             "tools_collapse_threshold": 0},
    "markers-max-length": {"include_markers": True, "max_length": 2500, "include_line_numbers": True},
    "plain-max-length": {"include_markers": False, "max_length": 2500, "truncate_buffer": 300},
    "pii-only": {"include_markers": True, "max_length": 0, "redact": ["pii"], "_rules": "pii"},
    "fit-shrink": {"include_markers": False, "fit": "shrink", "max_tokens": 2000},
    "fit-shrink-chars": {"include_markers": False, "fit": "shrink", "max_length": 1500, "truncate_buffer": 300},
}

# Renderers: request -> every text the caller receives.
RENDERERS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "text_repr": lambda req: [textrepr.text_repr(req)["text"]],
    "segments": lambda req: [s.text for s in textrepr.render_segments(req, max_length=3000)],
}


def _payloads(text: str, out: list[str], depth: int = 0) -> None:
    """Every decoded marker payload of ``text``, recursively."""
    for seg in markers.parse(text):
        if seg.content is not None:
            out.append(seg.content)
            if depth < 50:
                _payloads(seg.content, out, depth + 1)


def assert_no_leak(text: str, needles: list[str], where: str) -> None:
    surfaces = [text, markers.expand(text)]
    _payloads(text, surfaces)
    for n in needles:
        for s in surfaces:
            assert n not in s, f"{where}: {n!r} leaked"
        for core in b64_cores(n):
            for s in surfaces:
                assert core not in s, f"{where}: base64 of {n!r} leaked"


def _plants_for(mode: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    if mode.get("_rules") == "pii":
        from textrepr.redact import PII

        pii = {name for name, _, _ in PII}
        return [p for p in PLANTS if p[0] in pii]
    return PLANTS


def _request(event_type: str, data: Any, mode: dict[str, Any]) -> dict[str, Any]:
    opts = {"redact": True, **{k: v for k, v in mode.items() if not k.startswith("_")}}
    return {"event_type": event_type, "data": data, "options": opts}


# ------------------------------------------------------------------------------------------ own cases

_FILLER = ("The quick brown fox jumps over the lazy dog while the assistant reviews the ticket history. ") * 60


def carrier(planted: list[str], where: str, long: bool) -> str:
    body = " \n ".join(planted)
    fill = _FILLER if long else "note: "
    if where == "start":
        return body + " " + fill
    if where == "end":
        return fill + " " + body
    h = len(fill) // 2
    return fill[:h] + " " + body + " " + fill[h:]


def own_requests(planted: list[str]) -> list[tuple[str, Any]]:
    """(event_type, data) requests holding ``planted`` in every field kind, at every position and length."""
    out: list[tuple[str, Any]] = []
    for long in (False, True):
        for where in ("start", "middle", "end"):
            c = carrier(planted, where, long)
            gen = {"id": "g", "event": "$ai_generation", "properties": {
                "$ai_tools": [{"type": "function", "function": {"name": "lookup", "description": c,
                                                                "parameters": {"type": "object", "properties": {
                                                                    "q": {"type": "string", "description": c}}}}}]
                * 3,
                "$ai_input": [
                    {"role": "system", "content": c},
                    {"role": "user", "content": [{"type": "text", "text": c}]},
                    {"role": "assistant", "content": c, "tool_calls": [{"type": "function", "function": {
                        "name": "lookup", "arguments": json.dumps({"q": c, "n": 3})}}]},
                    {"role": "tool", "content": c},
                    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t",
                                                  "content": [{"type": "text", "text": c}]}]},
                ],
                "$ai_output_choices": [{"role": "assistant", "content": [
                    {"type": "thinking", "thinking": c}, {"type": "text", "text": c},
                    {"type": "tool_use", "name": "lookup", "input": {"q": c}}]}],
                "$ai_error": c,
            }}
            span = {"id": "s", "event": "$ai_span", "properties": {
                "$ai_span_name": "step", "$ai_error": {"message": c, "detail": json.dumps({"m": c})},
                "$ai_input_state": repr({"query": c, "k": 3}),
                "$ai_output_state": json.dumps({"result": c, "messages_seen": 2}),
            }}
            span_obj = {"id": "s2", "event": "$ai_span", "properties": {
                "$ai_input_state": {"query": c}, "$ai_output_state": {"type": "tool", "name": "t", "content": c}}}
            out += [("$ai_generation", gen), ("$ai_span", span), ("$ai_span", span_obj)]
            out.append(("$ai_trace", {"trace": {"id": "t", "properties": {
                "$ai_input_state": c, "$ai_output_state": [{"role": "assistant", "content": c}], "$ai_error": c}},
                "hierarchy": []}))
            out.append(("$ai_trace", {"trace": {"id": "t", "properties": {"$ai_span_name": "agent"}}, "hierarchy": [
                {"event": gen, "children": [{"event": span, "children": []}, {"event": span_obj}]}]}))
    return out


def _chunks(plants: list[tuple[str, str, tuple[str, ...]]], n: int) -> list[list[tuple[str, str, tuple[str, ...]]]]:
    return [plants[i:i + n] for i in range(0, len(plants), n)]


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_planted_values_never_leave(mode: str, renderer: str) -> None:
    opts = MODES[mode]
    render = RENDERERS[renderer]
    for chunk in _chunks(_plants_for(opts), 9):
        needles = [n for p in chunk for n in p[2]]
        for event_type, data in own_requests([p[1] for p in chunk]):
            req = _request(event_type, data, opts)
            for text in render(req):
                assert_no_leak(text, needles, f"{renderer}/{mode}/{event_type}")


def test_the_leak_check_can_fail() -> None:
    """Without redaction the same requests do leak: the check sees every surface."""
    chunk = PLANTS[:9]
    needles = [n for p in chunk for n in p[2]]
    reqs = own_requests([p[1] for p in chunk])
    leaked = 0
    for event_type, data in reqs:
        for mode in ({"include_markers": True, "truncate_buffer": 40}, {"include_markers": False}):
            text = textrepr.text_repr({"event_type": event_type, "data": data, "options": mode})["text"]
            try:
                assert_no_leak(text, needles, "unredacted")
            except AssertionError:
                leaked += 1
                break
    assert leaked == len(reqs)


def test_base64_cores_find_a_truncated_middle() -> None:
    secret = "sk-proj-Ab3dEf9hIjKlMn0pQrStUvWx1z2Y3x4W5v6U7t8S9r0Q"
    for pad in range(3):
        text = textrepr.text_repr({"event_type": "$ai_generation", "data": {"id": "1", "properties": {
            "$ai_input": "a" * (500 + pad) + secret + "b" * 500}}, "options": {"truncate_buffer": 10}})["text"]
        assert secret not in text  # hidden from the eye, but shipped in the marker:
        assert any(core in text for core in b64_cores(secret))


# The compiled scan looks at 64 (AVX-512 VBMI) or 32 (AVX2) characters at a time, UCS2 strings 96 at a time
# narrowed to bytes, the end of a long Latin-1 string through the block that ends there, and a short tail
# through a padded copy: a planted value at every offset around those edges, in Latin-1, UCS2 and UCS4 text.
_EDGE_FILL = {"latin1": "lorem ipsum dolor sit amet quando " * 8, "ucs2": "lorem ipsum \u2019dolor\u2019 sit amet " * 8,
              "ucs4": "lorem ipsum \U0001f600 dolor sit amet " * 8}
_EDGES = sorted({e + d for e in (0, 32, 64, 96, 128) for d in range(-4, 5) if e + d >= 0})


@pytest.mark.parametrize("fill", list(_EDGE_FILL))
@pytest.mark.parametrize("markers_on", [True, False])
def test_planted_values_at_block_edges_never_leave(fill: str, markers_on: bool) -> None:
    pad = _EDGE_FILL[fill]
    for _, value, needles in PLANTS:
        msgs = []
        for off in _EDGES:
            pre = pad[:off - 1] + " " if off else ""  # the value starts at ``off``, after a space
            msgs.append({"role": "user", "content": pre + value + " " + pad[:off % 7]})  # near the start
            msgs.append({"role": "user", "content": pre + value})  # at the end of the string
        req = {"event_type": "$ai_generation", "data": {"id": "g", "properties": {"$ai_input": msgs}},
               "options": {"redact": True, "include_markers": markers_on, "max_length": 0}}
        assert_no_leak(textrepr.text_repr(req)["text"], list(needles), f"edges/{fill}/{value[:12]}")


# ------------------------------------------------------------------------------------------ corpus

_SHAPE_KEYS = frozenset(("role", "type", "event", "object", "__type", "status"))


def _corpus_docs() -> list[tuple[str, Any]]:
    docs = []
    for d in ("events", "traces"):
        for f in sorted((CORPUS / d).glob("*.json")):
            doc = json.loads(f.read_text("utf-8"))
            try:
                textrepr.text_repr({"event_type": doc["event_type"], "data": doc["data"]})
            except textrepr.InvalidRequest:
                continue  # an invalid request renders nothing, planted or not
            docs.append((f.stem, doc))
    return docs


def _plant(data: Any, budget: int) -> list[str]:
    """Plant PLANTS into up to ``budget`` strings of ``data`` (in place, rotating kinds and positions);
    return the needles planted."""
    slots: list[tuple[Any, Any]] = []
    stack: list[tuple[Any, frozenset[str]]] = [(data, EVENT_EXEMPT)]
    while stack:
        x, exempt = stack.pop()
        items = x.items() if type(x) is dict else enumerate(x)
        for k, v in items:
            if type(k) is str and (k in exempt or k in _SHAPE_KEYS):
                continue
            if type(v) is str:
                slots.append((x, k))
            elif type(v) is dict:
                if type(k) is int:  # an element of a list: a hierarchy node keeps the event exemptions
                    inner = exempt
                else:
                    inner = PROPERTY_EXEMPT if k == "properties" else EVENT_EXEMPT if k in ("event", "trace") \
                        else frozenset()
                stack.append((v, inner))
            elif type(v) is list:
                stack.append((v, EVENT_EXEMPT if k == "hierarchy" or k == "children" else frozenset()))
    if not slots:
        return []
    step = max(1, len(slots) // budget)
    needles: list[str] = []
    for j, (holder, k) in enumerate(slots[::step][:budget]):
        rule, text, ns = PLANTS[j % len(PLANTS)]
        s = holder[k]
        where = j % 3
        holder[k] = (text + " " + s) if where == 0 else (s + " " + text) if where == 2 else \
            (s[:len(s) // 2] + " " + text + " " + s[len(s) // 2:])
        needles.extend(ns)
    return needles


@needs_corpus
@pytest.mark.parametrize("mode", ["markers", "plain", "markers-small-buffer", "plain-max-length"])
def test_corpus_planted_values_never_leave(mode: str) -> None:
    opts = MODES[mode]
    for name, doc in _corpus_docs():
        data = json.loads(json.dumps(doc["data"]))
        needles = _plant(data, 60)
        req = _request(doc["event_type"], data, opts)
        for renderer, render in RENDERERS.items():
            for text in render(req):
                assert_no_leak(text, needles, f"{renderer}/{mode}/{name}")


@needs_corpus
def test_corpus_false_positive_rate() -> None:
    """Lines of the unplanted corpus that ``redact: true`` changes (full texts, no markers): < 1 in 1,000."""
    changed = total = 0
    for _, doc in _corpus_docs():
        base = {"event_type": doc["event_type"], "data": doc["data"]}
        opts = {"max_length": 0, "truncated": False, "include_markers": False}
        a = textrepr.text_repr({**base, "options": opts})["text"].split("\n")
        b = textrepr.text_repr({**base, "options": {**opts, "redact": True}})["text"].split("\n")
        assert len(a) == len(b)  # a replacement never adds or removes a line here
        total += len(a)
        changed += sum(1 for x, y in zip(a, b) if x != y)
    rate = changed / total
    print(f"\nfalse-positive rate: {changed} of {total} lines ({1000 * rate:.2f} per 1,000)")
    assert total > 10_000 and rate < 1 / 1000
