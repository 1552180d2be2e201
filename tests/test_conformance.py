"""Every golden and adversarial case of ../shared/corpus/golden (FORMAT.md §6.1, §6.2 item 13).

Cases listed in tests/known_failures.txt run as strict xfail: the list can only shrink.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import textrepr

import conformance as c

pytestmark = c.needs_corpus

_KNOWN = c.known_failures()


def _params(files: list[Path]) -> list[object]:
    out = []
    for p in files:
        cid = c.case_id(p)
        marks = [pytest.mark.xfail(strict=True, reason="listed in tests/known_failures.txt")] if cid in _KNOWN else []
        out.append(pytest.param(p, id=cid, marks=marks))
    return out


@pytest.mark.parametrize("path", _params(c.golden_files()))
def test_golden(path: Path) -> None:
    problems = c.check_golden(path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", _params(c.adversarial_files()))
def test_adversarial(path: Path) -> None:
    problems = c.check_adversarial(path)
    assert not problems, "\n".join(problems)


def test_corpus_is_complete() -> None:
    # Guards against a moved corpus silently running nothing.
    assert len(c.golden_files()) >= 600
    assert len(c.adversarial_files()) >= 45


def test_known_failures_exist() -> None:
    ids = {c.case_id(p) for p in c.golden_files() + c.adversarial_files()}
    assert _KNOWN <= ids, sorted(_KNOWN - ids)


# ---------------------------------------------------------------- version 2 (FORMAT.md §5.1, D21+)


def test_v2_detectors_agree_with_flags() -> None:
    """The trigger detectors find exactly the §5.1 codes each golden's deviation_q lists, so a golden is
    compared byte for byte exactly when the spec says so."""
    wrong = []
    for p in c.golden_files():
        g = c.load_case(p)
        found = c.triggers(g["request"]) & set(c.V2_CODES)
        listed = set(g["deviation_q"]) & set(c.V2_CODES)
        if found != listed:
            wrong.append((c.case_id(p), sorted(found), sorted(listed)))
    assert not wrong, wrong[:10]


def test_v2_codes_all_exercised() -> None:
    """Every §5.1 code is flagged somewhere in the corpus (D18 has no visible golden: its property runs
    in test_v2_trace_states_property), so each property check really runs."""
    seen = set()
    for p in c.golden_files():
        seen |= set(c.load_case(p)["deviation_q"])
    assert set(c.V2_CODES) - {"D18"} <= seen


def _bad_render(text: str):
    return lambda ev: text


@pytest.mark.parametrize(("code", "request_", "v1_text"), [
    ("D13", {"event_type": "$ai_generation", "data": {"id": "g", "properties": {"$ai_output_choices": [
        {"role": "assistant", "content": [{"type": "reasoning", "id": "rs", "summary": [
            {"type": "summary_text", "text": "think"}], "encrypted_content": "E"}]}]}}},
     '{"type": "reasoning", "id": "rs", "summary": [{"type": "summary_text", "text": "think"}]}'),
    ("D14", {"event_type": "$ai_generation", "data": {"id": "g", "properties": {"$ai_tools": [
        {"function_declarations": [{"name": "f"}], "google_search": None}]}}},
     "AVAILABLE TOOLS: 1\n\n  UNKNOWN()\n    {\"function_declarations\": [{\"name\": \"f\"}]}."),
    ("D15", {"event_type": "$ai_embedding", "data": {"id": "e", "properties": {"$ai_input": ["a", "b"]}}},
     "[1] UNKNOWN\n\na\n\n[2] UNKNOWN\n\nb"),
    ("D16", {"event_type": "$ai_span", "data": {"id": "s", "properties": {
        "$ai_span_name": "h", "$ai_handoff_from_agent": "A", "$ai_handoff_to_agent": "B"}}}, "H\n" + "=" * 80),
    ("D17", {"event_type": "$ai_span", "data": {"id": "s", "properties": {"$ai_output_state": {
        "content": "hi", "type": "ai", "additional_kwargs": {}, "response_metadata": {}}}}},
     '{\n  "content": "hi",\n  "type": "ai",\n  "additional_kwargs": {}\n}'),
    ("D20", {"event_type": "$ai_generation", "data": {"id": "g", "properties": {"$ai_input": [
        {"role": "assistant", "content": [{"type": "tool-call", "function": {"name": "w", "arguments": "{}"}}]}]}}},
     "[1] ASSISTANT\n\nunknown()"),
    ("D21", {"event_type": "$ai_generation", "data": {"id": "g", "properties": {"$ai_input": [
        {"role": "user", "content": [{"type": "tool_result", "content": "boom", "is_error": True}]}]}}},
     "[TOOL_RESULT]\n\nboom"),
    ("D23", {"event_type": "$ai_generation", "data": {"id": "g", "properties": {
        "$ai_input": None, "$ai_output_choices": None}}}, ""),
])
def test_v2_properties_catch_version_1_text(monkeypatch: pytest.MonkeyPatch, code: str, request_: dict,
                                            v1_text: str) -> None:
    """Each property check passes on textrepr's rendering and fails on what version 1 printed."""
    assert code in c.triggers(request_)
    assert c.v2_problems(request_, {code}) == []
    monkeypatch.setattr(c, "_render_full", _bad_render(v1_text))
    assert c.v2_problems(request_, {code}), code


def test_v2_trace_states_property(monkeypatch: pytest.MonkeyPatch) -> None:
    """D18: a trace's question and answer come before its hierarchy, in every mode."""
    req = {"event_type": "$ai_trace", "data": {
        "trace": {"id": "t", "properties": {"$ai_input_state": "the question", "$ai_output_state": {"a": 1}}},
        "hierarchy": [{"event": {"id": "g", "event": "$ai_generation", "properties": {"$ai_output": "x"}}}]}}
    assert c.triggers(req) == {"D18"}
    for opts in ({}, {"collapsed": True}, {"include_hierarchy": False, "include_markers": False}):
        assert c.v2_problems(dict(req, options=opts), {"D18"}) == []
    # Version 1 showed no state beside a hierarchy: the check fails on that text.
    body = textrepr.text_repr(req)
    text = body["text"]
    v1 = text[:text.find("\n\n" + "-" * 80)] + text[text.find("\n\n" + "-" * 80 + "\n\nTRACE HIERARCHY:"):]
    assert "the question" not in v1
    monkeypatch.setattr(c, "call", lambda r: (200, dict(body, text=v1), 0.0))
    assert len(c.v2_problems(req, {"D18"})) == 2


def test_own_codes_on_unflagged_goldens() -> None:
    """textrepr's own deviations (D21, D23) change the text of no unflagged golden: those stay byte-exact."""
    changed = [c.case_id(p) for p in c.golden_files()
               if not (g := c.load_case(p))["deviation_q"] and c.triggers(g["request"])]
    assert changed == []
