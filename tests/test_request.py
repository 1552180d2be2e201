"""The usual request's fast path (``textrepr.request.event_body``, issue 16), the options memo and the batch path.

``text_repr`` answers the usual event request (valid options that ask for no redaction, filter, token bound or
shrink-to-fit) through ``event_body`` and everything else through the general path. A token counter sends every
request down the general path without changing any answer (a counter only matters with ``max_tokens`` or
``fit: "shrink"``), so ``text_repr(doc)`` against ``text_repr(doc, token_counter=...)`` compares the two paths,
in each implementation's run; the compiled run also compares the two twins of ``event_body`` directly.
"""
from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import redact_cases
import strategies as S
import textrepr
import twins
from textrepr import _request_py, api, batch, fit, options, parse
from textrepr.options import Options, coerce_options, request_options


def _compiled() -> Any:
    """The compiled twin ``textrepr._request`` (compared with ``_request_py`` in the compiled run only)."""
    twins.require_compiled_run()
    try:
        from textrepr import _request  # type: ignore[attr-defined]
    except ImportError:
        if twins.REQUIRE_COMPILED:
            raise
        pytest.skip("textrepr._request not built (python setup.py build_ext --inplace)")
    return _request


def _fresh(doc: Any) -> Any:
    return parse.from_python(doc)


def _both_paths(doc: Any) -> None:
    fast = twins.outcome(textrepr.text_repr, _fresh(doc))
    general = twins.outcome(textrepr.text_repr, _fresh(doc), token_counter=fit.estimate)
    assert fast == general


EVENT = {"id": "e1", "event": "$ai_generation", "properties": {
    "$ai_model": "m", "$ai_trace_id": "t1", "$ai_input": [{"role": "user", "content": "hi " * 400}],
    "$ai_output_choices": [{"role": "assistant", "content": "hello"}]}}
# A dirty event: secrets and PII in texts, object keys, a secret-named key, tool arguments and an exempt id.
DIRTY = {"id": "e1", "event": "$ai_generation", "timestamp": "2026-01-02T03:04:05Z", "properties": {
    "$ai_model": "m", "$ai_trace_id": "t1", "$ai_input": [
        {"role": "user", "content": "my key is sk-proj-Ab3dEf9hIjKlMn0pQrStUvWx1z2Y3x4W5v6U7t8S9r0Q, mail a@b.io"},
        {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {
            "name": "login", "arguments": '{"password": "hunter22", "ip": "10.1.2.3"}'}}]}],
    "$ai_output_choices": [{"role": "assistant", "content": "call +44 20 7946 0958 " + "x" * 300}],
    "headers": {"Authorization": "Bearer 7fQ2mZ9xLp4Rk8Vt1Ws6Nb3Hc0Jd5Ge", "jane@example.com": "key"}}}
USUAL = [
    {"event_type": "$ai_generation", "data": EVENT},
    {"event_type": "$ai_generation", "data": EVENT, "options": {"redact": True}},  # clean: redactions {}
    {"event_type": "$ai_generation", "data": DIRTY, "options": {"redact": True}},
    {"event_type": "$ai_span", "data": DIRTY, "options": {"redact": ["secrets"], "include_markers": False}},
    {"event_type": "$ai_generation", "data": DIRTY, "options": {"redact": ["pii"], "max_length": 5000}},
    {"event_type": "$ai_span", "data": EVENT, "options": {"include_markers": False, "max_length": 300}},
    {"event_type": "$ai_generation", "data": {**EVENT, "event": "$ai_embedding"}, "options": {"collapsed": "yes"}},
]
NOT_USUAL = [
    {"event_type": "$ai_trace", "data": {"trace": {"id": "t", "properties": {}}, "hierarchy": []}},
    {"event_type": "$ai_generation", "data": {**EVENT, "id": ""}},  # no id: the general path's 400
    {"event_type": "$ai_generation", "data": {"uuid": "u1", "properties": {}}},  # D19 uuid: general path
    {"event_type": "$ai_generation", "data": EVENT, "options": {"max_tokens": 50}},
    {"event_type": "$ai_generation", "data": EVENT, "options": {"fit": "shrink", "include_markers": False}},
    {"event_type": "$ai_generation", "data": EVENT, "options": {"include_system": False}},
    {"event_type": "$ai_generation", "data": DIRTY, "options": {"redact": True, "include_reasoning": "no"}},
    {"event_type": "$ai_generation", "data": DIRTY, "options": {"redact": True, "max_tokens": 80}},
    {"event_type": "$ai_generation", "data": DIRTY, "options": {"redact": "secrets"}},  # a 400
    {"event_type": "$ai_generation", "data": DIRTY, "options": {"redact": ["secrets", "all"]}},  # a 400
    {"event_type": "$ai_generation", "data": {**DIRTY, "id": ""}, "options": {"redact": True}},  # a 400
    {"event_type": "$ai_generation", "data": EVENT, "options": {"max_length": -1}},
    {"event_type": "$ai_generation", "data": EVENT, "options": None},
    {"event_type": "$ai_log", "data": EVENT},
    [EVENT],
]


@pytest.mark.parametrize("doc", USUAL)
def test_usual_requests_take_the_fast_path(doc: dict[str, Any]) -> None:
    from textrepr.request import event_body

    body = event_body(_fresh(doc), api._usual)
    assert body is not None and body == textrepr.text_repr(_fresh(doc), token_counter=fit.estimate)
    assert body["metadata"]["event_id"] == "e1" and body["text"]
    redact = doc.get("options", {}).get("redact")
    assert ("redactions" in body["metadata"]) == bool(redact)
    if doc["data"] is DIRTY and redact:
        assert body["metadata"]["redactions"] and "[REDACTED:" in body["text"]


def test_fast_path_redacts_as_the_general_path() -> None:
    body = textrepr.text_repr(_fresh(USUAL[2]))
    assert body == textrepr.text_repr(_fresh(USUAL[2]), token_counter=fit.estimate)
    assert body["metadata"]["redactions"] == {"email": 2, "ipv4": 1, "openai_api_key": 1, "phone": 1,
                                              "secret_field": 2}  # password, Authorization
    assert list(body["metadata"])[-1] == "redactions"
    for needle in ("sk-proj-Ab3d", "a@b.io", "hunter22", "10.1.2.3", "7946 0958", "7fQ2mZ9x", "jane@example"):
        assert needle not in body["text"]


def test_recursion_error_after_redaction_reruns_on_a_big_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    """A redacted request whose rendering exhausts the recursion limit is rerun by ``deep``, not handed to the
    general path (which would redact it a second time and count nothing)."""
    calls: list[str] = []
    real = _request_py.event_lines

    def flaky(*args: Any) -> Any:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            raise RecursionError
        return real(*args)

    monkeypatch.setattr(_request_py, "event_lines", flaky)
    expected = textrepr.text_repr(_fresh(USUAL[2]), token_counter=fit.estimate)
    calls.clear()
    assert _request_py.event_body(_fresh(USUAL[2]), api._usual, api._deep) == expected
    assert calls == [threading.current_thread().name, "textrepr-deep"]
    calls.clear()
    with pytest.raises(RecursionError):
        _request_py.event_body(_fresh(USUAL[2]), api._usual)
    calls.clear()
    assert _request_py.event_body(_fresh(USUAL[0]), api._usual) is None  # not redacted: the general path's


_PLANTS = st.sampled_from([p[1] for p in redact_cases.PLANTS])
_REDACT = st.sampled_from([True, 1, "yes", ["secrets"], ["pii"], ["pii", "secrets"], [], False, "secrets", 2, None,
                           ["secrets", 1]])


@st.composite
def _redacted_requests(draw: st.DrawFn) -> Any:
    """Event requests with ``redact`` set (valid or not), with planted values in their strings half the time."""
    doc = draw(st.one_of(S.requests(), S.hostile_documents()))
    if type(doc) is not dict:
        return doc
    opts = doc.get("options")
    doc["options"] = {**(opts if type(opts) is dict else {}), "redact": draw(_REDACT)}
    data = doc.get("data")
    props = data.get("properties") if type(data) is dict else None
    if type(props) is dict and draw(st.booleans()):
        for key in draw(st.lists(st.sampled_from(["$ai_input", "$ai_output_choices", "$ai_input_state", "token",
                                                  "note", "$ai_trace_id"]), max_size=3)):
            props[key] = draw(st.one_of(_PLANTS, st.builds(lambda p, t: [{"role": "user", "content": t + p}],
                                                           _PLANTS, st.text(max_size=20))))
    return doc


@given(doc=_redacted_requests())
def test_fast_path_redacts_as_the_general_path_generated(doc: Any) -> None:
    _both_paths(doc)


@given(doc=_redacted_requests())
def test_compiled_event_body_equals_pure_redacted(doc: Any) -> None:
    _request = _compiled()
    assert (twins.outcome(_request.event_body, _fresh(doc), api._usual)
            == twins.outcome(_request_py.event_body, _fresh(doc), api._usual))


@pytest.mark.parametrize("doc", NOT_USUAL)
def test_other_requests_take_the_general_path(doc: Any) -> None:
    from textrepr.request import event_body

    assert event_body(_fresh(doc), api._usual) is None
    _both_paths(doc)


@given(doc=st.one_of(S.requests(), S.requests(S.any_options()), S.hostile_documents()))
def test_fast_path_answers_as_the_general_path(doc: Any) -> None:
    _both_paths(doc)


@given(doc=st.one_of(S.requests(), S.requests(S.any_options()), S.hostile_documents()))
@example(doc=USUAL[1])
def test_compiled_event_body_equals_pure(doc: Any) -> None:
    _request = _compiled()
    assert (twins.outcome(_request.event_body, _fresh(doc), api._usual)
            == twins.outcome(_request_py.event_body, _fresh(doc), api._usual))


# ------------------------------------------------------------------------------------------- options memo


def _coerced(raw: dict[str, Any]) -> tuple[Options | None, dict[str, list[str]]]:
    values, errors = coerce_options(raw)
    return (None, errors) if errors else (Options(**values), {})


# Values equal in Python (True == 1 == 1.0, 1e16 == 10**16) that coerce differently in an integer field.
COLLISIONS = [
    [{"max_length": 1}, {"max_length": True}, {"max_length": 1.0}],
    [{"max_tokens": 0}, {"max_tokens": False}, {"max_tokens": 0.0}, {"max_tokens": -0.0}],
    [{"max_depth": 10**16}, {"max_depth": 1e16}],
    [{"truncate_buffer": 2}, {"truncate_buffer": 2.0}, {"truncate_buffer": "2"}],
    [{"include_markers": 1}, {"include_markers": True}, {"include_markers": 1.0}, {"include_markers": "1"}],
    [{"redact": 1}, {"redact": True}, {"redact": ["secrets", "pii"]}, {"redact": ["pii"]}],
    [{"redact": ["secrets"]}, {"redact": ["secrets", "secrets"]}, {"redact": [1]}, {"redact": [True]},
     {"redact": ["pii", "secrets"]}, {"redact": []}, {"redact": 0.0}, {"redact": "no"}, {"redact": "secrets"}],
    [{"fit": "shrink", "include_markers": False}, {"fit": "shrink", "include_markers": 0},
     {"fit": "shrink", "include_markers": 1}],
]


@pytest.mark.parametrize("seq", COLLISIONS)
def test_options_memo_keeps_equal_values_of_other_types_apart(seq: list[dict[str, Any]]) -> None:
    for _ in range(2):  # the second time round every valid object is in the memo
        for raw in seq:
            assert request_options(raw) == _coerced(raw), raw


@given(seq=st.lists(st.one_of(S.valid_options(), S.any_options().filter(lambda o: type(o) is dict),
                              st.sampled_from([x for c in COLLISIONS for x in c])), max_size=12))
def test_options_memo_answers_as_coercion(seq: list[dict[str, Any]]) -> None:
    for raw in seq + seq[::-1]:
        assert request_options(raw) == _coerced(raw), raw
    assert len(options._RECENT) <= options._RECENT_MAX


def test_options_memo_holds_only_flat_valid_objects() -> None:
    deep: Any = 0
    for _ in range(1020):  # as deep as JSON may nest; compared by == it would exhaust the recursion limit
        deep = [deep]
    raw = {"max_length": 7, "unknown_key": deep}
    assert request_options(raw)[0] == Options(max_length=7)
    assert request_options(raw)[0] == Options(max_length=7)
    assert not any(seen.get("unknown_key") is deep for seen, _ in options._RECENT)


# ------------------------------------------------------------------------------------------- batch


def _line(depth: int, full: bool) -> bytes:
    """A bare event nesting ``depth`` deep (objects and arrays), or the full request around it."""
    k = depth - 2
    bare = b'{"id":"e","properties":{"$ai_input_state":' + b'{"a":' * k + b'"x"' + b"}" * k + b"}}"
    if not full:
        return bare
    return b'{"event_type":"$ai_span","options":{"collapsed":true},"data":' + bare + b"}"


@pytest.mark.parametrize("depth", [1020, 1023, 1024])
@pytest.mark.parametrize("opts", [None, {"max_length": 500}, {"include_markers": False, "bad": object()},
                                  {"redact": ("secrets",)}])
def test_batch_documents_answer_as_text_repr(depth: int, opts: dict[str, Any] | None) -> None:
    for raw in (_line(depth, False), _line(depth, True)):
        expected = twins.outcome(lambda: textrepr.text_repr(batch.request_document(raw, opts)))
        assert twins.outcome(batch.render_document, raw, opts) == expected
    assert twins.outcome(batch.render_document, _line(1024, False), opts)[0] == "InvalidRequest"  # wrapped: 1025


def test_each_predicate_is_asked_for_itself() -> None:
    from textrepr.request import event_body

    doc = USUAL[0]
    assert event_body(_fresh(doc), api._usual) is not None
    assert event_body(_fresh(doc), lambda o: False) is None  # a remembered answer is the predicate's own
    assert event_body(_fresh(doc), api._usual) is not None


# ------------------------------------------------------------------------------------------- bytes


def _lone_surrogate(raw: bytes) -> bytes:
    return raw.replace(b'"hi ', b'"\\ud83e hi ', 1)


RAW = [
    b"", b"  ", b"{", b"[]", b"null", b'"x"', b"\xef\xbb\xbf{}", b'{"event_type": "$ai_span"}',
    S.to_json(USUAL[0]), S.to_json(USUAL[1]),
    _lone_surrogate(S.to_json(USUAL[0])),  # orjson rejects it; the §1.1 repair parses it (still usual)
    S.to_json(USUAL[0]).replace(b'"e1"', b"12345678901234567890123", 1),  # a big int id: exact parse
    S.to_json({**USUAL[0], "pad": "x" * 70_000}),  # past load_json's small-document case
    S.to_json({**USUAL[0], "n": 98765432109876543210}),
]


def _both_paths_bytes(raw: bytes) -> None:
    fast = twins.outcome(textrepr.text_repr, raw)
    assert fast == twins.outcome(textrepr.text_repr, raw, token_counter=fit.estimate)
    if not raw.startswith(b"\xef\xbb\xbf"):  # str input takes no shortcut either
        assert fast == twins.outcome(textrepr.text_repr, raw.decode("utf-8"))


@pytest.mark.parametrize("raw", RAW)
def test_request_bytes_answer_as_the_general_path(raw: bytes) -> None:
    from textrepr.request import parse_request

    _both_paths_bytes(raw)
    assert twins.outcome(lambda: parse_request(raw, api._usual)[0]) == twins.outcome(parse.load_json, raw)


@given(doc=st.one_of(S.requests(), S.requests(S.any_options()), S.hostile_documents()), lone=st.booleans())
def test_request_bytes_fast_path_answers_as_the_general_path(doc: Any, lone: bool) -> None:
    raw = S.to_json(doc)
    _both_paths_bytes(_lone_surrogate(raw) if lone else raw)


@pytest.mark.parametrize("raw", RAW)
def test_compiled_parse_request_equals_pure(raw: bytes) -> None:
    _request = _compiled()
    assert (twins.outcome(_request.parse_request, raw, api._usual)
            == twins.outcome(_request_py.parse_request, raw, api._usual))


@given(doc=st.one_of(S.requests(S.any_options()), S.hostile_documents()), lone=st.booleans())
def test_compiled_parse_request_equals_pure_generated(doc: Any, lone: bool) -> None:
    _request = _compiled()
    raw = S.to_json(doc)
    raw = _lone_surrogate(raw) if lone else raw
    assert (twins.outcome(_request.parse_request, raw, api._usual)
            == twins.outcome(_request_py.parse_request, raw, api._usual))


@pytest.mark.parametrize("raw", RAW[8:])
def test_usual_request_bytes_take_the_fast_path(raw: bytes) -> None:
    from textrepr.request import parse_request

    doc, body = parse_request(raw, api._usual)
    assert body is not None and body == textrepr.text_repr(raw, token_counter=fit.estimate)
