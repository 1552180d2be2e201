"""The typed twin of render/common.py (issue 16): the same separators and ``tr``, fit's sink included."""
from __future__ import annotations

from threading import get_ident
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import twins
from textrepr.options import Options
from textrepr.render import common
from textrepr.sink import SINKS

_options = st.builds(lambda t, b, m: Options.from_mapping({"truncated": t, "truncate_buffer": b, "include_markers": m}),
                     st.booleans(), st.sampled_from([0, 1, 5, 40, 1000]), st.booleans())


def test_exports_and_separators() -> None:
    typed = twins.typed("common")
    assert typed.__all__ == ["EQ", "SEP", "tr"]
    assert (typed.SEP, typed.EQ) == (common.SEP, common.EQ)


@settings(max_examples=400)
@given(st.text(max_size=3000), _options, st.booleans())
def test_tr_same_as_pure_with_and_without_a_sink(s: str, o: Any, sink: bool) -> None:
    typed = twins.typed("common")
    if sink:
        SINKS[get_ident()] = lambda text: f"<{len(text)}>"
    try:
        assert twins.outcome(typed.tr, s, o) == twins.outcome(common.tr, s, o)
    finally:
        SINKS.pop(get_ident(), None)


# ------------------------------------------------------------------------------ _embedding (twin of embedding.py)

_texts = st.one_of(st.text(max_size=600), st.sampled_from(["", "x" * 1200, "<<<TRUNCATED|x>>>", "\ud800"]))
_inputs = st.one_of(
    st.none(), _texts, st.lists(_texts, max_size=4), st.lists(st.integers(-5, 10**30), max_size=6),
    st.lists(st.one_of(st.integers(0, 9), _texts, st.none(), st.booleans()), max_size=5),
    st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "system", 3]), "content": _texts}), max_size=3),
    st.dictionaries(st.text(max_size=5), _texts, max_size=3),
)
_embedding_props = st.fixed_dictionaries({}, optional={
    "$ai_input": _inputs, "$ai_is_error": st.booleans(), "$ai_error": st.one_of(_texts, st.none(), st.integers()),
    "$ai_model": _texts,
})


@settings(max_examples=600)
@given(_embedding_props, _options)
def test_render_embedding_same_as_pure(props: dict[str, Any], o: Any) -> None:
    from textrepr.render import embedding

    typed = twins.typed("embedding")
    assert twins.outcome(typed.render_embedding, props, o) == twins.outcome(embedding.render_embedding, props, o)


def test_render_embedding_same_as_pure_on_the_corpus() -> None:
    import conformance
    import pytest

    from textrepr.render import embedding

    typed = twins.typed("embedding")
    files = conformance.golden_files() if conformance.GOLDEN.is_dir() else []
    if not files:
        pytest.skip(conformance.NO_CORPUS)
    seen = 0
    for path in files:
        request = conformance.load_case(path)["request"]
        data = request.get("data") if isinstance(request, dict) else None
        if not isinstance(data, dict) or data.get("event") != "$ai_embedding" and request.get("event_type") != "$ai_embedding":
            continue
        props = data.get("properties")
        if not isinstance(props, dict):
            continue
        for opts in ({}, {"include_markers": False}, {"truncate_buffer": 7}):
            o = Options.from_mapping({**(request.get("options") or {}), **opts}) if isinstance(request.get("options") or {}, dict) else Options.from_mapping(opts)
            assert twins.outcome(typed.render_embedding, props, o) == twins.outcome(embedding.render_embedding, props, o)
        seen += 1
    assert seen >= 5
