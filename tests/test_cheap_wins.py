"""Issue 16's cheap wins give the same answers as the code they replaced.

Each rewritten function is checked by hypothesis against the previous logic, kept here as a reference
oracle: ``media._detail`` (one counting pass per present character instead of seven full passes),
``options._coerce_int`` (a fast path for plain ints and digit strings) and ``parse._loads_str`` (non-JSON
text rejected on its first and last characters, without orjson's and the fallback parser's exceptions).
The media renderer has a compiled twin: both implementations are checked against the oracle.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from textrepr import options, parse
from textrepr.render import media as pure_media

# ------------------------------------------------------------------------------------------ oracles


def old_detail(s: str) -> tuple[str | None, str | None]:
    """``media._detail`` before issue 16 (seven full ``str.count`` passes over a base64 payload)."""
    if pure_media.is_data_url(s):
        comma = s.find(",", 5)
        head = s[5:comma]
        semi = head.find(";")
        mt = head if semi < 0 else head[:semi]
        params = "" if semi < 0 else head[semi + 1:]
        if "base64" in params:
            start = comma + 1
            removed = s.count("=", start)
            for c in " \t\n\r\f\v":
                removed += s.count(c, start)
            return (mt or None), pure_media.size_text((len(s) - start - removed) * 3 // 4)
        return (mt or None), f"{len(s)} chars"
    return pure_media._detail(s)  # the non-data-URL branch is unchanged


_OLD_DECIMAL_TAIL = re.compile(r"\.0*\s*$")


def old_coerce_int(v: Any) -> int | str:
    """``options._coerce_int`` before issue 16 (every value through the regex)."""
    if v is None:
        return options._NULL
    if type(v) is str and len(v) > 1000:
        return options._TOO_LARGE
    if type(v) is list or type(v) is dict:
        return options._BAD_INT
    try:
        n = int(_OLD_DECIMAL_TAIL.sub("", options._py_str(v)))
    except (ValueError, TypeError):
        return options._BAD_INT
    return options._NEGATIVE if n < 0 else n


def old_loads_str(s: str, loose: bool) -> tuple[bool, Any]:
    """``parse._loads_str`` before issue 16 (only the first-character rejection)."""
    c = s[:1]
    if c and c in parse._WS_CHARS:
        s_ = s.lstrip(parse._WS_CHARS)
        c = s_[:1]
    else:
        s_ = s
    if c not in (parse._LOOSE_STARTS if loose else parse._STARTS):
        return False, None
    lit = parse._LITERALS.get(c)
    if lit is not None and not s_.startswith(lit):
        return False, None
    try:
        v = parse._loads(s)
    except parse._JSONDecodeError:
        try:
            return True, parse._slow(s, loose)
        except (parse._Fail, ValueError, RecursionError, MemoryError):
            return False, None
    if not parse._inexact(s, v):
        return True, v
    try:
        return True, parse._parse_fallback(s, loose=loose)
    except (parse._Fail, ValueError, RecursionError, MemoryError):
        return False, None


# ------------------------------------------------------------------------------------- media._detail

_B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"
_PAYLOAD_CHARS = st.sampled_from(list(_B64_ALPHABET) + list("= \t\n\r\f\v") + ["é", "\ud800", "😀", ",", ";"])
_HEADS = st.sampled_from([
    "data:", "DATA:", "Data:", "data:image/png;base64", "data:image/png;base64,", "data:;base64,",
    "data:audio/wav;charset=utf-8;base64,", "data:text/plain,", "data:image/png;BASE64,",
    "data:x/y;param=base64x,", "data: image/png ;base64 ,", "data:image/png;base64\n,", "",
    "data:image/png;base64;,", "data:,", "data", "data:image/png;name=a=b;base64,",
])


def _payloads() -> st.SearchStrategy[str]:
    chunk = st.text(_PAYLOAD_CHARS, max_size=40)
    # Runs repeated many times make long payloads whose = and whitespace sit anywhere, cheaply.
    return st.builds(lambda parts, k: "".join(p * k for p in parts), st.lists(chunk, max_size=5),
                     st.integers(1, 2000))


def _media_modules() -> list[Any]:
    # The pure module's helpers (the typed twin's public functions are compared in test_typed_messages.py).
    return [pure_media]


@given(_HEADS, _payloads())
@example("data:image/png;base64,", "")
@example("data:image/png;base64,", "QUJD" * 300000 + "==")
@example("data:image/png;base64,", ("QUJD" * 19 + "\r\n") * 20000)
@example("data:image/png;base64,", "= \t\n\r\f\v" * 10)
@example("data:image/png;base64", "QUJD")  # no comma: not a data URL
@example("data:image/png;base64,", "= AAAAAA")  # pad/whitespace right at the payload's start
def test_detail_matches_the_old_passes(head: str, payload: str) -> None:
    s = head + payload
    want = old_detail(s)
    for m in _media_modules():
        assert m._detail(s) == want
        assert m.string_placeholder(s) == pure_media._compose(pure_media._kind(want[0], None), *want)


@given(st.text(_PAYLOAD_CHARS, max_size=60), st.integers(-3, 70))
def test_count_pad_ws_counts_every_occurrence(s: str, start: int) -> None:
    want = sum(s.count(c, start) for c in "= \t\n\r\f\v")
    for m in _media_modules():
        assert m._count_pad_ws(s, start) == want


def test_detail_on_a_typical_payload() -> None:
    s = "data:image/png;base64," + "QUJD" * 1000 + "QQ=="
    for m in _media_modules():
        assert m._detail(s) == ("image/png", "3 KB")  # 4002 significant chars -> 3001 bytes


# --------------------------------------------------------------------------------- options._coerce_int

_INT_VALUES = st.one_of(
    st.integers(), st.integers(-(10**20), 10**20), st.sampled_from([10**18 - 1, 10**18, -(10**18), -(10**18) + 1]),
    st.booleans(), st.none(), st.floats(allow_nan=True), st.text(max_size=30),
    st.from_regex(r"\A[-+ ]?[0-9٠-٩²]{0,25}(\.0*)?\s*\Z"),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.text(st.sampled_from("0123456789"), min_size=990, max_size=1010),
)


@given(_INT_VALUES)
@example(10**5000)  # str() of it exceeds the int->str digit limit: still "A valid integer is required."
@example("0" * 18)
@example("9" * 19)
@example("")
def test_coerce_int_matches_the_regex_path(v: Any) -> None:
    assert options._coerce_int(v) == old_coerce_int(v)


def test_coerce_options_error_bodies() -> None:
    values, errors = options.coerce_options({"max_length": True, "max_depth": -3, "truncate_buffer": "12",
                                             "tools_collapse_threshold": 7, "max_tokens": "5.00 "})
    assert values == {"truncate_buffer": 12, "tools_collapse_threshold": 7, "max_tokens": 5}
    assert errors == {"max_length": [options._BAD_INT], "max_depth": [options._NEGATIVE]}


# ----------------------------------------------------------------------------------- parse._loads_str

_JSONISH = st.sampled_from(list('{}[]",:-0123456789 \t\n\r\x0c.eE+tfnaluseNIy\'\\') + ["NaN", "Infinity", "true",
                                                                                     "false", "null", "\ud800"])


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                        st.text(max_size=8))
    return st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c,
                                                                                      max_size=3), max_leaves=8)


def _documents() -> st.SearchStrategy[str]:
    import json

    valid = _json_values().map(json.dumps)
    ws = st.text(st.sampled_from(" \t\n\r"), max_size=3)
    padded = st.builds(lambda a, d, b: a + d + b, ws, valid, ws)
    # Cut-off, extended or Python-repr variants of valid documents, and free text near JSON.
    cut = st.builds(lambda d, k: d[: max(0, len(d) - k)], padded, st.integers(1, 5))
    extended = st.builds(lambda d, t: d + t, padded, st.lists(_JSONISH, max_size=4).map("".join))
    reprs = _json_values().map(repr)
    return st.one_of(padded, cut, extended, reprs, st.lists(_JSONISH, max_size=20).map("".join), st.text(max_size=20))


@given(_documents(), st.booleans())
@example('{"a": 1', True)
@example("{'a': 1}", True)
@example('{' + " " * 100 + '"a": 1}', False)
@example("-Infinity", True)
@example("-Infinity", False)
@example("NaN ", True)
@example("true story", False)
@example('"abc\\ud800"', False)
@example("12345678901234567890123", True)
@example(" \t", True)
def test_loads_str_matches_the_exception_path(s: str, loose: bool) -> None:
    got = parse._loads_str(s, loose)
    want = old_loads_str(s, loose)
    assert got[0] == want[0]
    assert repr(got[1]) == repr(want[1])  # repr: NaN compares unequal to itself


@pytest.mark.parametrize("s", ['{"city": "Par', "{'city': 'Paris'}", "[1, 2", '"unterminated', "3 apples",
                               "nullish", "-", "{ city: 1 }"])
def test_non_json_arguments_are_rejected_before_parsing(s: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_: Any) -> Any:
        raise AssertionError("reached orjson")

    monkeypatch.setattr(parse, "_loads", boom)
    assert parse.loads_loose(s) == (False, None)
    assert parse.loads_strict(s) == (False, None)
