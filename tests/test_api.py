"""The Python API's own rules (FORMAT.md §2.2): render_event's relaxations, render_trace's metadata."""
from __future__ import annotations

from typing import Any

import pytest

import textrepr


@pytest.mark.parametrize("falsy", [0, "", False, [], {}, None])
def test_render_event_falsy_id_gives_no_event_id(falsy: Any) -> None:
    r = textrepr.render_event({"id": falsy, "properties": {"$ai_input": "hi"}})
    assert r.metadata["event_id"] is None
    assert r.text == textrepr.render_event({"properties": {"$ai_input": "hi"}}).text


@pytest.mark.parametrize("truthy", ["ev-1", 7, 1.5, True, ["x"], {"a": 1}])
def test_render_event_truthy_id_is_kept(truthy: Any) -> None:
    assert textrepr.render_event({"id": truthy, "properties": {}}).metadata["event_id"] == truthy


def test_render_event_missing_properties_is_empty() -> None:
    r = textrepr.render_event({"event": "$ai_span", "id": "s"})
    assert r.metadata["event_type"] == "$ai_span"
    assert r.text == textrepr.render_event({"event": "$ai_span", "id": "s", "properties": {}}).text


@pytest.mark.parametrize("event", [[], "x", {"id": "e", "properties": []}])
def test_render_event_non_objects_are_400(event: Any) -> None:
    with pytest.raises(textrepr.InvalidRequest) as e:
        textrepr.render_event(event)
    assert e.value.status == 400


def test_text_repr_event_id_unchanged() -> None:
    """The `or None` of render_event never touches text_repr, whose ids are truthy or rejected."""
    body = textrepr.text_repr({"event_type": "$ai_generation", "data": {"id": 5, "properties": {}}})
    assert body["metadata"]["event_id"] == 5
    with pytest.raises(textrepr.InvalidRequest):
        textrepr.text_repr({"event_type": "$ai_generation", "data": {"id": 0, "properties": {}}})


def test_render_trace_has_no_event_id() -> None:
    r = textrepr.render_trace({"id": "t1"}, [])
    assert r.metadata["event_type"] == "$ai_trace" and r.metadata["event_id"] is None
    assert r.metadata["trace_id"] == "t1"
