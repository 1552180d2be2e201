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
