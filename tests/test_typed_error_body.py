"""The typed twin of render/error_body.py (issue 16): the same lines (or exception) as the pure module for
error values of any JSON shape, JSON and non-JSON error strings, falsy values and non-str keys."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import twins
from textrepr.render import error_body

_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=6)),
    lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(st.text(max_size=4), c, max_size=4)),
    max_leaves=20,
)
_ERRORS = st.one_of(
    _JSON, _JSON.map(json.dumps), st.text(max_size=20),
    st.sampled_from(["", "{", "{'a': 1}", '{"a": NaN}', '{"a": [[], {}, [1, {"b": null}]]}', "[1]", "0"]),
    st.dictionaries(st.one_of(st.integers(), st.none()), _JSON, min_size=1, max_size=2),
)


def _same(err: Any) -> None:
    typed = twins.typed("error_body")
    got = twins.outcome(typed.error_body_lines, err)
    want = twins.outcome(error_body.error_body_lines, err)
    assert got == want, f"{err!r:.200}: typed {got!r:.200} != pure {want!r:.200}"


def test_exports() -> None:
    typed = twins.typed("error_body")
    assert typed.__all__ == error_body.__all__ and typed.NO_DETAILS == error_body.NO_DETAILS


@settings(max_examples=600)
@given(_ERRORS)
def test_same_as_pure(err: Any) -> None:
    _same(err)


def test_deep_error_object() -> None:
    deep: Any = {"leaf": 1}
    for i in range(600):  # ~900 levels: past the default recursion limit, within json.dumps
        deep = {f"k{i % 3}": [deep, i]} if i % 2 else {"x": deep}
    _same(deep)
    _same(json.dumps(deep)[:5000])
