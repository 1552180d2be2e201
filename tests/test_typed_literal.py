"""The typed twin of render/literal.py (issue 16): span state strings parse to the same (ok, value) as the pure
parser — values compared by ``repr`` so that ``True``/``1``/``1.0`` and key order count — on Python reprs of
generated values and on token soups that hit every branch of the typed pass and its hand-over to the pure one.
"""
from __future__ import annotations

import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import twins
from textrepr.render import literal

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
    st.text(st.sampled_from("a'\"\\\n\r é😀"), max_size=6),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(st.text(max_size=5), c, max_size=4),
                        st.tuples(c), st.tuples(c, c)),
    max_leaves=12,
)
# Tokens of the subset and its near misses: numbers at their edges, prefixes, escapes, stray characters.
_TOKENS = ["[", "]", "{", "}", "(", ")", ",", ":", " ", "\n", "\t", "\x0c", "'a'", '"b"', "'", '"', "''", "u'x'",
           "r'\\n'", "'\\n'", "'\\x4'", "'\\u00e9'", "True", "False", "None", "Nonex", "0", "01", "-0", "+7", "-",
           "1.5", "1.", ".5", "1e5", "1e", "1e+", "1E-3", "2.5e+10", "1e999", "9" * 18, "9" * 19, "-" + "9" * 17,
           "é", "'é'", "'😀'", "x", "\\"]
_SOUPS = st.lists(st.sampled_from(_TOKENS), max_size=24).map("".join)
# Literal texts built from the grammar with the tokens above as scalars and keys, any spacing around the
# separators and trailing commas: mostly well formed, so the typed pass gets deep before any near miss.
_SEPS = st.sampled_from([",", ", ", " ,", ",\n ", "\t,\r\n"])
_COLONS = st.sampled_from([":", ": ", " : ", ":\n"])
_ITEMS = st.recursive(
    st.sampled_from(_TOKENS[6:]),
    lambda c: st.one_of(
        st.builds(lambda xs, sep, trail: "[" + sep.join(xs) + (sep if trail and xs else "") + "]",
                  st.lists(c, max_size=4), _SEPS, st.booleans()),
        st.builds(lambda kv, sep, colon, trail: "{" + sep.join(k + colon + v for k, v in kv)
                  + (sep if trail and kv else "") + "}",
                  st.lists(st.tuples(st.sampled_from(["'a'", '"b"', "''", "'é'", "1", "None", "[]"]), c), max_size=4),
                  _SEPS, _COLONS, st.booleans())),
    max_leaves=16,
)


def _same(s: Any) -> None:
    typed = twins.typed("literal")
    for name in ("parse_literal", "parse_state_string"):
        got = twins.outcome(getattr(typed, name), s)
        want = twins.outcome(getattr(literal, name), s)
        old, old_digits = sys.getrecursionlimit(), sys.get_int_max_str_digits()
        sys.setrecursionlimit(max(old, 5000))  # repr of the 1023-deep edge case
        sys.set_int_max_str_digits(0)  # and of the 4300-digit one
        try:
            ok = repr(got) == repr(want)
        finally:
            sys.setrecursionlimit(old)
            sys.set_int_max_str_digits(old_digits)
        assert ok, f"{name}({s!r:.200}): typed {got!r:.200} != pure {want!r:.200}"


def test_exports() -> None:
    assert twins.typed("literal").__all__ == literal.__all__


@settings(max_examples=1000)
@given(_VALUES)
def test_reprs_same_as_pure(v: Any) -> None:
    _same(repr(v))


@settings(max_examples=600)
@given(_SOUPS)
def test_token_soups_same_as_pure(s: str) -> None:
    _same(s)


@settings(max_examples=1500)
@given(_ITEMS, st.sampled_from(["", " ", "\n", " x"]))
def test_grammar_texts_same_as_pure(s: str, tail: str) -> None:
    _same(s + tail)


def test_edges_same_as_pure() -> None:
    deep = "[" * 1023 + "]" * 1023
    for s in ["", " ", "[]", "{}", "[1,]", "{'a': 1,}", "[,]", "{'a':}", "{'a'}", "{{}: 1}", "{[1]: 2}", "[1 2]",
              "1,", "'a' 'b'", "[1]]", "[1}", "{'a': 1]", "(1)", "()", "(1,)", "[" * 1024 + "]" * 1024, deep,
              deep + " ", "9" * 4301, "-" + "9" * 4300, "1e308", "-1e309", "'a\\\nb'", "'x", "[1, 2.50, -0.0]",
              "{'k': [True, False, None], \"q\": {'z': ''}}", "\ufeff[]", None, 5, b"[1]"]:
        _same(s)
