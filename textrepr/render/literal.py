"""Span state strings (FORMAT.md §4.14, D8): strict JSON, else a safe Python-literal subset.

The reference used ``ast.literal_eval``, which is slow on big literals and raises ``MemoryError`` on long
prose. This parser accepts only the subset spelled out in §4.14 and is iterative and linear: one
regex tokenizer pass (every pattern is free of nested backtracking) plus an explicit frame stack.
"""
from __future__ import annotations

import re
from typing import Any

from ..parse import loads_strict, repair

__all__ = ["parse_state_string", "parse_literal"]

_MAX_DEPTH = 1024
# CPython refuses to compile int literals longer than this (``sys.int_info.default_max_str_digits``),
# so ``ast.literal_eval`` rejected them; rejecting them here also keeps int() conversion linear.
_MAX_INT_DIGITS = 4300

# One token per match, after optional whitespace; ``m.groups()`` is (integer part, fraction and
# exponent, string prefix, '-body, "-body, keyword, comma after the scalar, punctuation, other).
# A scalar swallows a following comma so that dense lists take one match per item. "other" is a
# stray character, or "" at the end of the input. String bodies are runs of ordinary characters,
# each backslash taking the next character (or CRLF) along; a raw newline ends the match (Python:
# unterminated string). No pattern here backtracks more than linearly.
_TOKEN = re.compile(
    r"[ \t\r\n]*(?:(?:"
    r"([+-]?(?:0|[1-9][0-9]*))((?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"
    r"|([uUrR]?)(?:'([^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*)'"
    r"|\"([^\"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^\"\\\r\n]*)*)\")"
    r"|(True|False|None))([ \t\r\n]*,)?"
    r"|([\[\]{}(),:])"
    r"|([\s\S]|$))"
)
_ESCAPE = re.compile(
    r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(\r\n|[\s\S]))"
)
_SIMPLE_ESCAPES = {
    "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
    "t": "\t", "v": "\v", "\n": "", "\r": "", "\r\n": "",
}
_KEYWORDS = {"True": True, "False": False, "None": None}

_LIST, _DICT, _PAREN, _TUPLE = 0, 1, 2, 3
_CLOSER_KIND = {"]": _LIST, "}": _DICT, ")": _PAREN}
_INF = float("inf")
_NOKEY = object()  # dict frame awaiting its next key


class _Reject(Exception):
    """The text is not a literal of the §4.14 subset."""


def _escape(m: re.Match[str]) -> str:
    g = m.lastindex
    if g == 5:
        c = m.group(5)
        if c == "x" or c == "u" or c == "U":
            raise _Reject  # truncated \x / \u / \U escape: a syntax error in Python
        r = _SIMPLE_ESCAPES.get(c)
        return ("\\" + c) if r is None else r
    cp = int(m.group(g), 8 if g == 1 else 16)
    if cp > 0x10FFFF:
        raise _Reject
    return chr(cp)


def _string(prefix: str, body: str) -> str:
    if prefix == "r" or prefix == "R":
        # Raw: nothing is unescaped; the tokenizer normalises newlines in source (CRLF/CR -> LF).
        if "\r" in body:
            body = body.replace("\r\n", "\n").replace("\r", "\n")
        return body
    if "\\" not in body:
        return body
    s = _ESCAPE.sub(_escape, body)
    # Only \u / \U escapes can make surrogates; repair pairs and lone halves (FORMAT.md §1.1).
    if "\\u" in body or "\\U" in body:
        s = repair(s)
    return s


def _number(ipart: str, rest: str) -> int | float:
    if rest:
        v = float(ipart + rest)
        if v == _INF or v == -_INF:
            raise _Reject  # overflow to infinity rejects the whole literal
        return v
    if len(ipart) - (ipart[0] == "+" or ipart[0] == "-") > _MAX_INT_DIGITS:
        raise _Reject
    return int(ipart)


def _parse(s: str) -> Any:
    # Open containers as parallel stacks. Every bracket counts towards the depth limit, grouping
    # parentheses included (CPython itself allowed only 200 nested brackets).
    kinds: list[int] = []
    conts: list[Any] = []
    keys: list[Any] = []    # pending dict key, or _NOKEY (also the filler for other frames)
    want_value = True       # else after a value, or after a dict key when want_colon
    want_colon = False
    can_close = False       # a closer may stand where a value is expected ('[' or ',' just seen)
    done = False
    result: Any = None
    end = len(s)

    for m in _TOKEN.finditer(s):
        ipart, rest, prefix, body1, body2, kw, comma, c, other = m.groups()
        if done:
            if other == "" and m.end() == end:
                return result
            raise _Reject
        if c is None:
            if other is not None or not want_value:
                raise _Reject
            if ipart is not None:
                v: Any = int(ipart) if not rest and len(ipart) < 19 else _number(ipart, rest)
            elif kw is not None:
                v = _KEYWORDS[kw]
            else:
                v = _string(prefix, body1 if body1 is not None else body2)
        elif want_value:
            if c == "[" or c == "{" or c == "(":
                if len(kinds) >= _MAX_DEPTH:
                    raise _Reject
                if c == "[":
                    kinds.append(_LIST)
                    conts.append([])
                elif kinds and kinds[-1] == _DICT and keys[-1] is _NOKEY and c == "{":
                    raise _Reject  # a dict as a dict key: unhashable
                elif c == "{":
                    kinds.append(_DICT)
                    conts.append({})
                else:
                    kinds.append(_PAREN)
                    conts.append([])
                keys.append(_NOKEY)
                can_close = True
                continue
            if not can_close or c == "," or c == ":":
                raise _Reject
            v = _close(c, kinds, conts, keys)
        elif want_colon:
            if c != ":":
                raise _Reject
            want_colon = False
            want_value = True
            can_close = False
            continue
        elif c == ",":
            if kinds[-1] == _PAREN:
                kinds[-1] = _TUPLE
            want_value = True
            can_close = True
            continue
        elif c == "]" or c == "}" or c == ")":
            v = _close(c, kinds, conts, keys)
        else:
            raise _Reject

        # A value is complete: attach it to the innermost frame.
        if not kinds:
            if comma is not None:
                raise _Reject  # a bare top-level tuple is not in the subset
            result = v
            done = True
            continue
        k = kinds[-1]
        if k == _DICT:
            key = keys[-1]
            if key is _NOKEY:
                if type(v) is not str or comma is not None:
                    raise _Reject  # non-string key (also lists: unhashable in Python)
                keys[-1] = v
                want_value = False
                want_colon = True
                continue
            conts[-1][key] = v
            keys[-1] = _NOKEY
        else:
            conts[-1].append(v)
        if comma is None:
            want_value = False
        else:
            # The swallowed comma: same as a ',' token after this value.
            if k == _PAREN:
                kinds[-1] = _TUPLE
            want_value = True
            can_close = True
    raise _Reject  # unreachable: the last match is always the empty "other" at the end


def _close(c: str, kinds: list[int], conts: list[Any], keys: list[Any]) -> Any:
    """Pop the innermost frame for closer ``c`` and return its value."""
    if not kinds:
        raise _Reject
    k = kinds.pop()
    if _CLOSER_KIND[c] != (_PAREN if k == _TUPLE else k):
        raise _Reject
    cont = conts.pop()
    keys.pop()
    if k == _PAREN:
        return cont[0] if cont else []  # (x) is just x; () is the empty tuple
    return cont


def parse_literal(s: str) -> tuple[bool, Any]:
    """Parse ``s`` as a literal of the §4.14 subset: (True, value) or (False, None)."""
    try:
        return True, _parse(s)
    except (_Reject, ValueError):
        return False, None


def parse_state_string(s: str) -> tuple[bool, Any]:
    """D8: strict JSON first, else the Python-literal subset. Values are repaired (no surrogates)."""
    ok, v = loads_strict(s)
    if ok:
        return True, v
    return parse_literal(s)
