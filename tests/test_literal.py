"""FORMAT.md §4.14 / D8: span state strings — strict JSON first, else the Python-literal subset."""
from __future__ import annotations

import ast
import json

import pytest

from textrepr.render.literal import parse_literal, parse_state_string


def lit(s: str) -> object:
    ok, v = parse_literal(s)
    assert ok, s
    return v


def rejected(s: str) -> bool:
    return parse_literal(s) == (False, None)


# --------------------------------------------------------------------------------------------
# D8: strict JSON first


def test_spec_examples() -> None:
    assert parse_state_string("{'a': 3, 'b': 12}") == (True, {"a": 3, "b": 12})
    # JSON true/null: not a Python literal, but strict JSON.
    assert parse_state_string('{"a": true}') == (True, {"a": True})
    assert parse_state_string('{"ok": true, "n": null, "xs": [1, 2]}') == (
        True, {"ok": True, "n": None, "xs": [1, 2]})


def test_json_rejects_nan_then_literal_rejects_names() -> None:
    assert parse_state_string('{"a": NaN}') == (False, None)
    assert parse_state_string("[Infinity]") == (False, None)
    assert parse_state_string("[true]") == (True, [True])  # JSON
    assert parse_state_string("[True]") == (True, [True])  # literal


def test_json_keeps_exact_big_ints_and_non_ascii() -> None:
    ok, v = parse_state_string('{"n": 123456789012345678901234567890, "s": "Zürich"}')
    assert ok and v == {"n": 123456789012345678901234567890, "s": "Zürich"}


# --------------------------------------------------------------------------------------------
# Literal grammar


def test_containers_and_scalars() -> None:
    assert lit("{'a': [1, -2, +3, 0.5, 1e3, 2.5E-2], 'b': (True, False, None)}") == {
        "a": [1, -2, 3, 0.5, 1000.0, 0.025], "b": [True, False, None]}
    assert lit("{}") == {} and lit("[]") == []
    assert type(lit("[1.0]")[0]) is float and type(lit("[10]")[0]) is int  # type: ignore[index]


def test_tuples() -> None:
    assert lit("(1, 2)") == [1, 2]
    assert lit("(1)") == 1            # (x) is just x
    assert lit("(1,)") == [1]         # one-element tuple
    assert lit("()") == []
    assert lit("[((1, 2),), ('a')]") == [[[1, 2]], "a"]
    assert lit("{('k'): ((3))}") == {"k": 3}


def test_trailing_commas_and_whitespace() -> None:
    assert lit(" \t\r\n[1, 2,]\n") == [1, 2]
    assert lit("{'a': 1,}") == {"a": 1}
    assert lit("(1, 2,)") == [1, 2]
    assert lit("[\n  1 ,\r\n\t2\n]") == [1, 2]
    for s in ("[,]", "[1,,2]", "{,}", "(,)", "[1 2]", "{'a' 1}", "{'a': }", "[1,", "", "   "):
        assert rejected(s), s


def test_dict_keys_must_be_strings_duplicates_keep_first_position() -> None:
    assert rejected("{1: 2}")
    assert rejected("{None: 1}")
    assert rejected("{(1, 2): 3}")
    assert rejected("{['a']: 1}")
    assert rejected("{{}: 1}")
    v = lit("{'a': 1, 'b': 2, 'a': 3}")
    assert v == {"a": 3, "b": 2} and list(v) == ["a", "b"]  # type: ignore[arg-type]


def test_not_literals() -> None:
    for s in ("{1, 2}", "{'a'}", "b'x'", "[b'x']", "[f'x']", "[x]", "[len(1)]", "[1] # c",
              "[NaN]", "[inf]", "[true]"[:0] + "[none]", "[Truex]", "[0x10]", "[01]", "[1.]",
              "[.5]", "[1_000]", "[1e]", "[- 1]", "[1j]", "[...]", "1, 2", "[1] [2]", "[1]]",
              "[1)", "(1]", "{'a': 1]", "[1] x", "[\\\n1]", "[\f1]"):
        assert rejected(s), s


def test_strings_quotes_and_prefixes() -> None:
    assert lit("['a', \"b\", u'c', U\"d\", r'e', R\"f\", '', \"\"]") == list("abcdef") + ["", ""]
    assert lit("['say \"hi\"', \"it's\"]") == ['say "hi"', "it's"]
    for s in ("['''a''']", '["""a"""]', "['a' 'b']", "['a''b']", "[br'x']", "[ur'x']", "[rb'x']",
              "['unterminated]", "['a\nb']", "['a\rb']"):
        assert rejected(s), s


def test_escapes() -> None:
    v = lit(r"['\\ \' \" \a \b \f \n \r \t \v']")
    assert v == ["\\ ' \" \a \b \f \n \r \t \v"]
    assert lit("['a\\\nb', 'c\\\r\nd']") == ["ab", "cd"]           # backslash-newline vanishes
    assert lit(r"['\0', '\17', '\101', '\1011', '\777']") == ["\0", "\x0f", "A", "A1", "\u01ff"]
    assert lit(r"['\x41\x4a\x4A', '\u00e9', '\U0001F600']") == ["AJJ", "é", "😀"]
    # Any other backslash pair is kept verbatim.
    assert lit(r"['\q', '\8', '\/', '\N{DASH}', '\ ']") == ["\\q", "\\8", "\\/", "\\N{DASH}", "\\ "]
    for s in (r"['\x4']", r"['\xzz']", r"['\u12']", r"['\u12g4']", r"['\U0010FFF']", r"['\U00110000']"):
        assert rejected(s), s


def test_raw_strings_take_no_escapes() -> None:
    assert lit(r"[r'a\nb', R'\x', r'\'', r'\\']") == ["a\\nb", "\\x", "\\'", "\\\\"]
    assert rejected(r"[r'\']")  # the backslash still protects the quote: unterminated


def test_surrogate_escapes_are_repaired() -> None:
    v = lit(r"['\ud83d\ude00', '\ud800', 'a\udc00b', '\U0000d83d\U0000de00']")
    assert v == ["😀", "\ufffd", "a\ufffdb", "😀"]
    assert lit(r"{'\ud800': 1}") == {"\ufffd": 1}
    for x in v:  # type: ignore[union-attr]
        x.encode("utf-8")


def test_numbers() -> None:
    assert lit("[-0, -0.0, 0.0, 1e-05, 1E+16, 12345678901234567890123]") == [
        0, -0.0, 0.0, 1e-05, 1e16, 12345678901234567890123]
    assert repr(lit("[-0.0]")) == "[-0.0]"
    # Overflow to infinity rejects the whole literal; underflow is fine.
    assert rejected("[1e400]") and rejected("{'a': [1, -1e309]}") and rejected("[1" + "0" * 400 + ".0]")
    assert lit("[1e-400]") == [0.0]
    # Integers longer than CPython's literal limit (4300 digits) were rejected by the reference too.
    assert lit("[" + "9" * 4300 + "]") == [int("9" * 4300)]
    assert rejected("[" + "9" * 4301 + "]")


def test_depth_limit() -> None:
    assert lit("[" * 1024 + "]" * 1024) is not None
    assert rejected("[" * 1025 + "]" * 1025)
    assert lit("{'a': " * 1024 + "1" + "}" * 1024) is not None
    assert rejected("{'a': " * 1025 + "1" + "}" * 1025)
    assert rejected("(" * 1025 + "1" + ")" * 1025)
    assert rejected("[" * 100_000)


# --------------------------------------------------------------------------------------------
# Agreement with ast.literal_eval on the subset


CASES = [
    "{'role': 'user', 'content': 'hi', 'n': 3}",
    "[{'a': (1, 2.5, None)}, ['x', \"y\"], {}, [], ()]",
    r"{'path': 'C:\\temp\\new', 'q': 'it\'s', 'nl': 'a\nb', 'oct': '\101\0'}",
    "[u'é', r'\\d+', (('nested',),), {'t': True, 'f': False}]",
    "[-1.5e-3, +7, 0, 0.0, 123456789012345678901234567890]",
]


@pytest.mark.parametrize("s", CASES)
def test_matches_literal_eval(s: str) -> None:
    def conv(v: object) -> object:
        if type(v) in (list, tuple):
            return [conv(x) for x in v]  # type: ignore[union-attr]
        if type(v) is dict:
            return {k: conv(x) for k, x in v.items()}  # type: ignore[union-attr]
        return v

    assert lit(s) == conv(ast.literal_eval(s))


# --------------------------------------------------------------------------------------------
# Large and hostile literals (D8; growth rate: benchmarks)


def test_big_list_literal() -> None:
    s = "[" + ", ".join(f"'item-{i}'" for i in range(100_000)) + "]"
    assert len(s) > 1_300_000
    ok, v = parse_state_string(s)
    assert ok and len(v) == 100_000 and v[-1] == "item-99999"  # type: ignore[arg-type,index]


def test_prose_rejected() -> None:
    prose = "[INFO] " + ("The quick brown fox jumps over the lazy dog's back. " * 400)
    assert len(prose) > 20_000
    ok, _ = parse_state_string(prose)
    assert not ok
    unterminated = "['" + "no closing quote here, " * 1000
    ok, _ = parse_state_string(unterminated)
    assert not ok


def test_json_dump_round_trip_of_parsed_value() -> None:
    ok, v = parse_state_string("{'a': 'Zürich', 'b': (1,)}")
    assert ok and json.dumps(v, ensure_ascii=False) == '{"a": "Zürich", "b": [1]}'
