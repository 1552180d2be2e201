"""The JSON input layer (FORMAT.md §2.1, §1.1 repair, §4.9 step 1, §4.14 D8): textrepr.parse."""
from __future__ import annotations

import json
import math
import sys
from collections import OrderedDict
from types import MappingProxyType
from typing import Any

import orjson
import pytest

from textrepr import parse
from textrepr.errors import InvalidRequest
from textrepr.parse import (
    MAX_INT_DIGITS,
    _parse_fallback,
    from_python,
    load_json,
    loads_loose,
    loads_strict,
    repair,
)

try:
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test extra
    given = None


def same(a: Any, b: Any) -> bool:
    """Equality that also compares types (1 vs 1.0 vs True), -0.0 vs 0.0, NaN, and key order."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if type(x) is dict:
            if list(x) != list(y):
                return False
            stack.extend(zip(x.values(), y.values()))
        elif type(x) is list:
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif type(x) is float:
            if repr(x) != repr(y):
                return False
        elif x != y:
            return False
    return True


def rejects(raw: Any) -> str:
    with pytest.raises(InvalidRequest) as ei:
        load_json(raw)
    body = ei.value.body
    assert ei.value.status == 400
    assert list(body) == ["detail"] and body["detail"].startswith("JSON parse error - ")
    return body["detail"]


def nested(depth: int, inner: str = "1", kind: str = "[") -> str:
    if kind == "[":
        return "[" * depth + inner + "]" * depth
    return '{"a":' * depth + inner + "}" * depth


def deep_py(depth: int, leaf: Any = 1) -> Any:
    v = leaf
    for _ in range(depth):
        v = [v]
    return v


# ----------------------------------------------------------------------------------------- basics


def test_empty_input_is_empty_object() -> None:
    assert load_json(b"") == {} and load_json("") == {}


@pytest.mark.parametrize("raw", [b" ", b"\n", "  \t"])
def test_whitespace_only_is_an_error(raw: Any) -> None:
    rejects(raw)


def test_plain_documents_bytes_and_str() -> None:
    doc = b'{"event_type": "$ai_generation", "data": {"id": "g1", "n": [1, 2.5, true, false, null]}}'
    expected = {"event_type": "$ai_generation", "data": {"id": "g1", "n": [1, 2.5, True, False, None]}}
    assert same(load_json(doc), expected)
    assert same(load_json(doc.decode()), expected)
    assert same(load_json(bytearray(doc)), expected)
    assert same(load_json(memoryview(doc)), expected)


def test_scalar_documents() -> None:
    assert load_json(b"null") is None
    assert load_json(b'"x"') == "x"
    assert same(load_json(b" 5 "), 5)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf{}",  # UTF-8 BOM
        "\ufeff{}",  # BOM as a character of a str
        b"NaN",
        b"[NaN]",
        b"Infinity",
        b"[-Infinity]",
        b"[1e400]",
        b"-1e400",
        b"[1.5e999]",
        b'{"a": 1} x',  # trailing garbage
        b"[1] [2]",
        b"{}}",
        b'{"a": "\xff"}',  # invalid UTF-8
        b'"\xed\xa0\x80"',  # an encoded surrogate is invalid UTF-8
        b'"\xc3"',  # truncated sequence
        b"[1,]",
        b'{"a":1,}',
        b"{'a': 1}",
        b"01",
        b"+1",
        b".5",
        b"1.",
        b'"a\x01b"',  # raw control character in a string
        b'"\\x41"',
        b"[",
        b'{"a"}',
        b"tru",
    ],
)
def test_rejected_inputs(raw: Any) -> None:
    rejects(raw)


def test_error_reasons_are_informative() -> None:
    assert "BOM" in rejects(b"\xef\xbb\xbf{}")
    assert "UTF-8" in rejects(b'"\xff"')
    assert "nesting" in rejects(nested(1025).encode())
    assert "nesting" in rejects(nested(1025, '"\ud800"'))


def test_reasons_do_not_depend_on_bytes_or_str() -> None:
    for raw in ("\ufeff{}", "[1,]", "NaN", '{"a": 1e400}', "[" * 1025 + "]" * 1025, '["\\ud800", x]', "[1] 2"):
        assert rejects(raw) == rejects(raw.encode())


def test_overflowing_fraction_or_exponent_is_rejected_but_underflow_is_zero() -> None:
    rejects(b'{"x": 1e400}')
    rejects(b'{"x": 1' + b"0" * 400 + b'.0}')
    assert same(load_json(b"[1e-400]"), [0.0])


# ---------------------------------------------------------------------------------- exact integers


@pytest.mark.parametrize("n", [2**64, -(2**63) - 1, 2**64 - 1, -(2**63), 2**63, 10**19, -(10**19), 10**30 + 7])
def test_big_ints_are_exact(n: int) -> None:
    raw = f'{{"a": [{n}], "s": "x"}}'
    for doc in (raw.encode(), raw):
        v = load_json(doc)
        assert type(v["a"][0]) is int and v["a"][0] == n
    assert same(load_json(str(n).encode()), n) and same(load_json(str(n)), n)
    for loads in (loads_strict, loads_loose):
        ok, v = loads(str(n))
        assert ok and type(v) is int and v == n
        ok, v = loads(f"[{n}, 0.5]")
        assert ok and type(v[0]) is int and v[0] == n


def test_big_int_beside_lone_surrogate_and_in_str_input() -> None:
    v = load_json(b'["\\ud800", 18446744073709551616]')
    assert same(v, ["\ufffd", 18446744073709551616])
    v = load_json('["\ud800", 18446744073709551616]')
    assert same(v, ["\ufffd", 18446744073709551616])


def test_5000_digit_int() -> None:
    n = int("7" * 2500) * 10**2500 + 12345  # int() of 2500 digits is within CPython's str limit
    lit = "7" * 2500 + "0" * (2500 - 5) + "12345"
    v = load_json(("[" + lit + "]").encode())
    assert type(v[0]) is int and v[0] == n
    assert same(loads_strict("[-" + lit + "]"), (True, [-n]))


def test_float_literals_stay_floats() -> None:
    v = load_json(b"[1.5e19, 18446744073709551616.0, 1e19, 9.3e18, 12345678901234567890e0]")
    assert all(type(x) is float for x in v)
    assert v == [1.5e19, 18446744073709551616.0, 1e19, 9.3e18, 12345678901234567890.0]


def test_long_digit_runs_inside_strings_do_not_change_results() -> None:
    raw = b'{"id": "12345678901234567890123", "t": 1700000000000000000, "x": 1.25}'
    assert same(load_json(raw), {"id": "12345678901234567890123", "t": 1700000000000000000, "x": 1.25})


def test_big_int_found_in_large_documents() -> None:
    filler = "y" * 100_000
    raw = json.dumps({"a": filler, "b": [1.5, {"c": 2**70}]})
    v = load_json(raw.encode())
    assert type(v["b"][1]["c"]) is int and v["b"][1]["c"] == 2**70
    raw = json.dumps({"a": [{"k": i, "f": i / 3} for i in range(5000)], "z": -(2**65)})
    v = load_json(raw.encode())
    assert v["z"] == -(2**65) and type(v["z"]) is int


def test_integer_digit_cap() -> None:
    ok = "9" * MAX_INT_DIGITS
    v = load_json(("[" + ok + "]").encode())
    assert type(v[0]) is int and v[0] == 10**MAX_INT_DIGITS - 1
    assert "digits" in rejects(("[" + ok + "9]").encode())


def test_digit_scanners_agree() -> None:
    cases = [b"", b"1" * 18, b"1" * 19, b"a" + b"1" * 19 + b"a", b"1" * 18 + b"a" + b"1" * 18, b"12a" * 50,
             b"x" * 37 + b"7" * 19, b"7" * 19 + b"x" * 37, b"1" * 10 + b"a" + b"1" * 19]
    for b in cases:
        expected = b"1" * 19 in bytes(48 + (48 <= c <= 57) for c in b).replace(b"0", b"a")
        assert parse._has_digit_run(b) == expected
        # str input of every kind: non-ASCII code points (including other scripts' digits) never count
        for pad in ("", "\xe9", "\u0663", "\U0001f600"):
            assert parse._has_digit_run(pad + b.decode() + pad) == expected
            assert parse._has_digit_run(b.decode().replace("a", pad or "a")) == expected


# -------------------------------------------------------------------------------------- duplicate keys


def test_duplicate_keys_keep_first_position_and_last_value() -> None:
    raw = b'{"a": 1, "b": 2, "a": 3}'
    for v in (load_json(raw), _parse_fallback(raw.decode(), loose=False), loads_loose(raw.decode())[1]):
        assert list(v.items()) == [("a", 3), ("b", 2)]
    # through the fallback (a lone surrogate elsewhere) and through repair making keys equal
    v = load_json(b'{"a": 1, "b": "\\udfff", "a": [2]}')
    assert list(v.items()) == [("a", [2]), ("b", "\ufffd")]
    v = load_json(b'{"\\ud800": 1, "x": 0, "\\udc00": 2}')
    assert list(v.items()) == [("\ufffd", 2), ("x", 0)]


# --------------------------------------------------------------------------------------------- depth


@pytest.mark.parametrize("kind", ["[", "{"])
def test_depth_1024_ok_1025_rejected(kind: str) -> None:
    ok, bad = nested(1024, kind=kind), nested(1025, kind=kind)
    for conv in (str.encode, str):
        assert load_json(conv(ok)) is not None
        rejects(conv(bad))
    assert loads_strict(ok)[0] and loads_loose(ok)[0]
    assert loads_strict(bad) == (False, None) and loads_loose(bad) == (False, None)
    assert _parse_fallback(ok, loose=False) is not None
    with pytest.raises(parse._Fail):
        _parse_fallback(bad, loose=True)


def test_depth_counts_empty_containers() -> None:
    assert load_json(("[" * 1023 + "[]" + "]" * 1023).encode()) is not None
    rejects(("[" * 1024 + "{}" + "]" * 1024).encode())
    with pytest.raises(parse._Fail):
        _parse_fallback("[" * 1024 + "[]" + "]" * 1024, loose=False)


def test_depth_through_fallback_paths() -> None:
    # lone surrogate (patched orjson), raw surrogate (own parser), NaN (own parser, loose)
    assert load_json(nested(1024, '"\\ud800"').encode()) is not None
    rejects(nested(1025, '"\\ud800"').encode())
    assert load_json(nested(1024, '"\ud800"')) is not None
    rejects(nested(1025, '"\ud800"'))
    assert loads_loose(nested(1024, "NaN"))[0]
    assert loads_loose(nested(1025, "NaN")) == (False, None)


def test_mapping_depth() -> None:
    assert from_python(deep_py(1024)) is not None
    with pytest.raises(InvalidRequest) as ei:
        from_python(deep_py(1025))
    assert ei.value.body["detail"].startswith("JSON parse error - ")
    d: Any = 1
    for _ in range(1024):
        d = {"a": d}
    assert from_python(d) is not None
    with pytest.raises(InvalidRequest):
        from_python({"a": d})


def test_100000_deep_mapping_fails_fast() -> None:
    d: Any = None
    for _ in range(100_000):
        d = {"a": d}
    with pytest.raises(InvalidRequest):
        from_python(d)
    raw = nested(100_000)
    rejects(raw.encode())
    assert loads_loose(raw) == (False, None)


def test_cycles_do_not_hang() -> None:
    a: list[Any] = [1, "x"]
    a.append(a)
    with pytest.raises(InvalidRequest):
        from_python(a)
    b: list[Any] = []
    b.extend([b, b])
    with pytest.raises(InvalidRequest):
        from_python({"b": b})
    d: dict[str, Any] = {"k": 1}
    d["self"] = d
    with pytest.raises(InvalidRequest):
        from_python(d)


def test_low_recursion_limit() -> None:
    old = sys.getrecursionlimit()
    doc = nested(1000, "1", "{")
    try:
        sys.setrecursionlimit(200)
        assert load_json(doc.encode()) is not None  # orjson
        assert load_json(nested(1000, '"\\ud800"').encode()) is not None  # patched orjson
        v = load_json(nested(1000, '"\ud800"'))  # own parser
        for _ in range(1000):
            v = v["a"] if type(v) is dict else v[0]
        assert v == "\ufffd"
        assert _parse_fallback(doc, loose=False) is not None
        assert loads_loose(nested(1000, "NaN"))[0]
        assert loads_strict(nested(1000, "18446744073709551616"))[0]
        assert from_python(deep_py(1000)) is not None
    finally:
        sys.setrecursionlimit(old)


# ---------------------------------------------------------------------------------------- surrogates


def test_lone_surrogate_escapes_are_repaired() -> None:
    assert load_json(b'"ab\\ud800cd"') == "ab\ufffdcd"
    assert load_json(b'"\\ud83d\\ude00"') == "\U0001f600"
    assert load_json(b'"\\uD83D\\uDE00"') == "\U0001f600"
    assert load_json(b'"\\ude00\\ud83d"') == "\ufffd\ufffd"
    assert load_json(b'"\\ud800\\ud83d\\ude00x"') == "\ufffd\U0001f600x"
    assert load_json(b'"\\ud83e"') == "\ufffd"
    assert load_json(b'{"k\\ud800": "v\\udc00"}') == {"k\ufffd": "v\ufffd"}
    assert load_json('"ab\\ud800cd"') == "ab\ufffdcd"


def test_escaped_backslash_before_u_is_text() -> None:
    assert load_json(b'["\\\\ud800", "\\\\\\ud800"]') == ["\\ud800", "\\\ufffd"]
    assert load_json(b'["\\\\ud800\\udc00"]') == ["\\ud800\ufffd"]
    assert parse._orjson_patched(b'["\\\\ud800\\udc00"]') == (True, ["\\ud800\ufffd"])  # no slow parser
    assert load_json(b'["\\"\\ud800"]') == ['"\ufffd']


def test_raw_surrogates_in_str_input() -> None:
    assert load_json('{"a\ud800": "x\ud83d\ude00y\udfff"}') == {"a\ufffd": "x\U0001f600y\ufffd"}
    # a raw high surrogate followed by an escaped low one is one pair once decoded
    assert load_json('["\ud83d\\ude00"]') == ["\U0001f600"]
    assert loads_strict('["\ud800"]') == (True, ["\ufffd"])
    assert loads_loose('{"\udc00": NaN}')[1].keys() == {"\ufffd"}


def test_repair() -> None:
    s = "plain ascii"
    assert repair(s) is s
    t = "déjà vu 😀"
    assert repair(t) is t
    assert repair("\ud83d\ude00") == "\U0001f600"
    assert repair("a\ud800") == "a\ufffd"
    assert repair("\udc00b") == "\ufffdb"
    assert repair("\ude00\ud83d") == "\ufffd\ufffd"
    assert repair("\ud800\ud800\udc00") == "\ufffd\U00010000"
    assert repair("\udbff\udfff\udfff") == "\U0010ffff\ufffd"
    assert repair("é\ud800é") == "é\ufffdé"


# -------------------------------------------------------------------------------------------- loads_*


def test_loads_strict() -> None:
    assert loads_strict('{"a": [1, 2]}') == (True, {"a": [1, 2]})
    assert loads_strict("  [true]  ") == (True, [True])
    assert loads_strict('"\\ud800"') == (True, "\ufffd")
    for bad in ("", " ", "NaN", "[Infinity]", "-Infinity", "1e400", "{'a': 1}", "[1,]", "\ufeff[]", "[1] x", "(1, 2)"):
        assert loads_strict(bad) == (False, None), bad
    ok, v = loads_strict("[18446744073709551616]")
    assert ok and type(v[0]) is int and v[0] == 2**64


def test_loads_loose_python_semantics() -> None:
    ok, v = loads_loose('{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1e400, "e": -1e400}')
    assert ok and math.isnan(v["a"]) and v["b"] == v["d"] == math.inf and v["c"] == v["e"] == -math.inf
    assert loads_loose(' \n{"x": 1}\t ') == (True, {"x": 1})
    assert loads_loose('"\\ud83e"') == (True, "\ufffd")
    assert loads_loose("[-(1)]") == (False, None)
    assert loads_loose('"a\nb"') == (False, None)  # control characters are rejected, as by json.loads
    assert loads_loose("[nan]") == (False, None) and loads_loose("-NaN") == (False, None)
    assert loads_loose("[18446744073709551616, -9223372036854775809]") == (True, [2**64, -(2**63) - 1])
    # json.loads refuses integer literals over 4300 digits (CPython's default int/str limit)
    assert loads_loose("[" + "1" * 4300 + "]")[0]
    assert loads_loose("[" + "1" * 4301 + "]") == (False, None)
    assert loads_strict("[" + "1" * 4301 + "]")[0]


@pytest.mark.parametrize(
    "s",
    [
        '{"a": 1, "a": 2}',
        "[1, 2.50, -0, -0.0, 1E+2, 1e-2]",
        '"\\u00e9\\/\\b\\f\\n\\r\\t"',
        '{"k": {"n": [null, true, false, "x"]}}',
        "NaN",
        "[Infinity, -Infinity]",
        "1e400",
        "[1.7976931348623157e308, 5e-324, 2.2250738585072014e-308]",
        '"\x7f"',
        "0",
        "-1",
        "[1 2]",
        "{",
        '{"a" 1}',
        "nul",
        "[-]",
        "[--1]",
        "[1.e5]",
        "\ufeff1",
        "\x0c1",
        "1\x00",
    ],
)
def test_loads_loose_agrees_with_json_loads(s: str) -> None:
    try:
        expected: tuple[bool, Any] = (True, json.loads(s))
    except ValueError:
        expected = (False, None)
    got = loads_loose(s)
    assert got[0] == expected[0] and _repaired_equal(got[1], expected[1])


def test_loads_never_raise() -> None:
    for bad in (None, 5, b"[1]", ["x"], "\udc00", "[" * 5000, '"\\', '"\\u12', "{" * 2000 + "}" * 2000):
        assert loads_loose(bad)[0] in (True, False)  # type: ignore[arg-type]
        assert loads_strict(bad)[0] in (True, False)  # type: ignore[arg-type]
    assert loads_loose(None) == (False, None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------- from_python


def test_from_python_converts_and_copies() -> None:
    inner = {"t": (1, 2, ("x",)), "s": "é\ud800"}
    src = {"a": [inner, None, True, 1.5], "b\udc00": "y"}
    out = from_python(src)
    assert same(out, {"a": [{"t": [1, 2, ["x"]], "s": "é\ufffd"}, None, True, 1.5], "b\ufffd": "y"})
    assert out is not src and out["a"] is not src["a"] and out["a"][0] is not inner
    assert src["a"][0] is inner and inner["t"] == (1, 2, ("x",)) and "b\udc00" in src  # not mutated
    assert same(from_python([("a",)]), [["a"]])
    assert same(from_python(("a", 1)), ["a", 1])
    assert from_python("x\ud800") == "x\ufffd" and from_python(None) is None


def test_from_python_bool_int_float() -> None:
    out = from_python({"t": True, "f": False, "i": 3, "big": 2**80, "x": -0.0})
    assert same(out, {"t": True, "f": False, "i": 3, "big": 2**80, "x": -0.0})


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_from_python_non_finite_floats(bad: float) -> None:
    for doc in ({"x": bad}, [bad], bad, {"a": [{"b": bad}]}):
        with pytest.raises(InvalidRequest) as ei:
            from_python(doc)
        assert ei.value.body["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize("key", [1, 1.5, None, True, ("a",), b"k"])
def test_from_python_non_str_keys(key: Any) -> None:
    with pytest.raises(InvalidRequest):
        from_python({key: 1})
    with pytest.raises(InvalidRequest):
        from_python({"a": [{key: 1}]})


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", object(), 1j, range(3), frozenset()])
def test_from_python_other_types(value: Any) -> None:
    with pytest.raises(InvalidRequest):
        from_python({"a": value})
    with pytest.raises(InvalidRequest):
        from_python([value])


def test_from_python_subclasses_and_mappings() -> None:
    import enum

    class S(str):
        pass

    class I(enum.IntEnum):
        A = 7

    class F(float):
        pass

    class L(list):  # type: ignore[type-arg]
        pass

    out = from_python(OrderedDict([("b", S("s")), (S("k"), I.A), ("f", F(2.5)), ("l", L([1])), ("m", MappingProxyType({"z": 1}))]))
    assert same(out, {"b": "s", "k": 7, "f": 2.5, "l": [1], "m": {"z": 1}})
    assert type(out) is dict and type(out["m"]) is dict
    with pytest.raises(InvalidRequest):
        from_python({"f": F("nan")})


# ------------------------------------------------------------------------------------ fallback parser


def test_fallback_parser_directly() -> None:
    assert same(_parse_fallback(' {"a" : [1, 2.0, "x", {}, []], "b": {"c": null}} ', loose=False),
                {"a": [1, 2.0, "x", {}, []], "b": {"c": None}})
    assert math.isnan(_parse_fallback("[NaN]", loose=True)[0])
    with pytest.raises(parse._Fail):
        _parse_fallback("[NaN]", loose=False)
    with pytest.raises(ValueError):
        _parse_fallback('"abc', loose=False)
    with pytest.raises(parse._Fail):
        _parse_fallback("", loose=False)


def test_fallback_is_reasonably_fast() -> None:
    doc = json.dumps([{"id": i, "text": "word " * 20, "x": i / 7, "tags": ["a", "b"]} for i in range(20_000)])
    v = _parse_fallback(doc, loose=False)
    assert same(v, orjson.loads(doc))


# ---------------------------------------------------------------------------------------- properties

if given is not None:
    from budgets import budget

    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63), max_value=2**64 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text()
    )
    json_values = st.recursive(
        scalars, lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
        max_leaves=25,
    )

    @pytest.mark.properties
    @budget("parse_fallback")
    @given(json_values, st.booleans())
    def test_fallback_agrees_with_orjson(doc: Any, indent: bool) -> None:
        raw = orjson.dumps(doc, option=orjson.OPT_INDENT_2 if indent else 0)
        expected = orjson.loads(raw)
        text = raw.decode()
        assert same(_parse_fallback(text, loose=False), expected)
        assert same(_parse_fallback(text, loose=True), expected)
        assert same(load_json(raw), expected) and same(load_json(text), expected)
        assert same(loads_strict(text)[1], expected) and same(loads_loose(text)[1], expected)
        assert same(json.loads(text), expected)

    big_ints = st.one_of(st.integers(min_value=2**64), st.integers(max_value=-(2**63) - 1))

    @pytest.mark.properties
    @budget("parse_ints")
    @given(st.lists(st.one_of(big_ints, st.integers(), st.floats(allow_nan=False, allow_infinity=False)), max_size=6))
    def test_exact_ints_match_json_loads(xs: list[Any]) -> None:
        text = json.dumps({"xs": xs, "s": "pad" * 10})
        expected = json.loads(text)
        assert same(load_json(text.encode()), expected)
        assert same(loads_strict(text)[1], expected) and same(loads_loose(text)[1], expected)

    @pytest.mark.properties
    @budget("parse_fuzz")
    @given(st.text(alphabet='[]{}",: \n01239-+.eEtrufalsnNIiy\\ud8c0\ud800', max_size=30))
    def test_fuzz_against_reference_parsers(s: str) -> None:
        # strict: wherever orjson reads the text exactly, the same value
        try:
            ref: Any = orjson.loads(s)
        except orjson.JSONDecodeError:
            pass
        else:
            if not parse._inexact(s, ref):
                assert same(loads_strict(s)[1], ref) and loads_strict(s)[0]
        # loose: json.loads semantics, then repaired
        try:
            exp: Any = (True, json.loads(s))
        except ValueError:
            exp = (False, None)
        got = loads_loose(s)
        assert got[0] == exp[0]
        assert _repaired_equal(got[1], exp[1])


def _repaired_equal(got: Any, raw: Any) -> bool:
    """``got`` equals ``raw`` with every string and key repaired (NaN equal to NaN)."""
    stack = [(got, raw)]
    while stack:
        x, y = stack.pop()
        if type(y) is str:
            if x != repair(y):
                return False
        elif type(y) is dict:
            if type(x) is not dict:
                return False
            rep: dict[str, Any] = {}
            for k, v in y.items():
                rep[repair(k)] = v
            if list(x) != list(rep):
                return False
            stack.extend(zip(x.values(), rep.values()))
        elif type(y) is list:
            if type(x) is not list or len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif type(y) is float and math.isnan(y):
            if not (type(x) is float and math.isnan(x)):
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


if given is not None:
    from hypothesis import assume

    _LITERALS = {"t": "true", "f": "false", "n": "null", "N": "NaN", "I": "Infinity"}
    # A character no JSON text starts with, or the first letter of a literal (then not the whole literal).
    _FIRST = st.one_of(st.characters(exclude_characters='{["-0123456789tfnNI \t\n\r'), st.sampled_from(list(_LITERALS)))

    @given(st.text(alphabet=" \t\n\r", max_size=3), _FIRST, st.text(max_size=30), st.booleans())
    def test_embedded_text_rejected_on_its_first_character(ws: str, c: str, rest: str, loose: bool) -> None:
        """_loads_str's shortcut: text whose first non-blank character cannot start JSON, or that starts
        with a literal's letter but not the literal, is what orjson and the fallback parser both reject."""
        assume(not (c + rest).startswith(_LITERALS.get(c, "\x00")))
        s = ws + c + rest
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(s)
        with pytest.raises((parse._Fail, ValueError)):
            parse._parse_fallback(s, loose=loose)
        assert parse._loads_str(s, loose) == (False, None)


@pytest.mark.parametrize("s, loose, ok", [
    ("", False, False), ("  ", True, False), (" \n[1]", False, True), ("NaN", True, True),
    ("NaN", False, False), ("\tInfinity", True, True), ("-Infinity", True, True), ("\ufeff{}", False, False),
    ("hello", True, False), ("null", False, True), ("Not JSON", True, False), ("nul", False, False),
    (" true ", False, True), ("Inf", True, False), ("falsehood", False, False), ("\n NaN", True, True),
])
def test_embedded_text_starts(s: str, loose: bool, ok: bool) -> None:
    assert parse._loads_str(s, loose)[0] is ok
