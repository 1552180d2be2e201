"""JSON input layer (FORMAT.md §2.1, §1.1 repair, §4.9 step 1, §4.14 D8 first step).

Every entry point tries ``orjson.loads`` first and falls back only when it has to:

* orjson rejects the text: lone-surrogate escapes are patched to ``\\ufffd`` with one regex pass and
  orjson tries again (that is exactly the §1.1 repair, because bytes input cannot hold raw surrogates);
  if that fails too, ``_parse_fallback`` (pure Python, iterative, linear) decides and gives the reason.
* orjson accepts the text but may have turned an integer literal outside the 64-bit range into a
  float (such a literal has >= 19 digits in a row and becomes a float of magnitude >= 2**63).
  ``_inexact`` scans the text for a 19-digit run (the core's ``has_digit_run``: a skip-ahead loop
  compiled, two C passes pure), and only then walks the result for such a float; big documents are walked
  first under a budget, which is far cheaper when they are mostly long strings. Only a document with
  such a float is re-parsed exactly by ``_parse_fallback``.

orjson (>= 3.10) enforces the 1024 nesting limit itself and its strings never hold surrogates, so its
results need neither a depth check nor a repair pass.

Guard against pathological integers: CPython converts decimal strings to ints in quadratic time (and
refuses more than 4300 digits by default). ``_parse_int`` converts long literals by divide and conquer
(Karatsuba products, about 40 ms for 100,000 digits), and the §2.1 language here rejects integer
literals of more than ``MAX_INT_DIGITS`` (100,000) digits as a parse error instead of spending seconds
on them (1,000,000 digits would take over a second to parse, and far longer to print).
"""
from __future__ import annotations

import gc
import re
from collections.abc import Mapping
from itertools import compress
from json.decoder import scanstring as _scanstring
from typing import Any

import orjson

from .core import has_digit_run as _has_digit_run
from .core import patch_escapes as _patch_escapes
from .errors import json_parse_error

__all__ = ["load_json", "from_python", "repair", "loads_strict", "loads_loose", "MAX_DEPTH", "MAX_INT_DIGITS"]

MAX_DEPTH = 1024
MAX_INT_DIGITS = 100_000
# Python's json.loads (loads_loose semantics) fails on longer integer literals under CPython's default
# ``sys.int_info.default_max_str_digits``; fixed here so results do not depend on process settings.
_LOOSE_INT_DIGITS = 4300
# Always below CPython's smallest configurable int/str digit limit (640), so int() never refuses it.
_INT_LEAF = 600

_JSONDecodeError = orjson.JSONDecodeError
_loads = orjson.loads
_INF = float("inf")
_TWO63 = 9223372036854775808.0
_BOM = b"\xef\xbb\xbf"


class _Fail(Exception):
    """A rejection by the fallback parser; ``str()`` is the informative reason."""


# --------------------------------------------------------------------------------------------- repair


def repair(s: str) -> str:
    """§1.1 repair: a high surrogate directly followed by a low one becomes their code point; every
    other surrogate becomes U+FFFD."""
    if s.isascii():
        return s
    try:
        s.encode("utf-8")  # C-speed check: fails exactly when a surrogate is present
    except UnicodeEncodeError:
        # UTF-16 round trip: surrogatepass writes the units as they are, the decoder pairs valid
        # high+low units and replaces every unpaired unit with one U+FFFD.
        return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return s


# ------------------------------------------------------------------------------- big-integer detection

_referents = gc.get_referents
_IS_FLOAT = frozenset((float,)).__contains__
# Inputs at least this long try the walk first: big documents are usually a few long strings, which
# makes the walk (cost per value) far cheaper than the byte scan (cost per byte).
_WALK_FIRST = 1 << 16


def _big_float(root: Any, budget: int) -> bool | None:
    """Whether ``root`` holds a float of magnitude >= 2**63; ``None`` once more than ``budget`` values
    were visited (budget < 0: unlimited).

    ``gc.get_referents`` lists the children of a whole tree level in C (dicts visit only their values),
    and skips non-containers, so the Python loop runs once per nesting level, not once per value."""
    level = [root]
    seen = 0
    while level:
        level = _referents(*level)
        if budget >= 0:
            seen += len(level) + 8  # per level: about the cost of 8 values
            if seen > budget:
                return None
        floats = [*compress(level, map(_IS_FLOAT, map(type, level)))]
        if floats and (max(floats) >= _TWO63 or min(floats) <= -_TWO63):
            return True
    return False


def _inexact(raw: bytes | str, v: Any) -> bool:
    """Whether orjson's result ``v`` of ``raw`` may hold a float made from an integer literal outside
    the 64-bit range (orjson returns such integers as floats; they need >= 19 digits in a row)."""
    t = type(v)
    if t is float:
        return v >= _TWO63 or v <= -_TWO63
    if (t is not dict and t is not list) or len(raw) < 21:
        return False
    n = len(raw)
    if n >= _WALK_FIRST:
        # A value costs ~100-200 ns in a big tree (cache misses), a byte ~2 ns in the scan: the budget
        # keeps a walk that gives up below a fifth of the scan's cost.
        found = _big_float(v, n >> 9)
        if found is not None:
            return found
    if not _has_digit_run(raw):
        return False
    return bool(_big_float(v, -1))


# ------------------------------------------------------------------------------ lone-surrogate escapes

def _orjson_patched(raw: bytes | str) -> tuple[bool, Any]:
    """orjson on ``raw`` with every lone-surrogate escape replaced by ``\\ufffd`` (the §1.1 repair)."""
    if (b"\\u" if type(raw) is bytes else "\\u") not in raw:
        return False, None
    fixed = _patch_escapes(raw)
    if fixed == raw:
        return False, None
    try:
        v = _loads(fixed)
    except _JSONDecodeError:
        return False, None
    if _inexact(fixed, v):
        return False, None
    return True, v


# ---------------------------------------------------------------------------------- fallback parser

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WS_CHARS = " \t\n\r"
_POW10: dict[int, int] = {}


def _pow10(k: int) -> int:
    p = _POW10.get(k)
    if p is None:
        p = _POW10[k] = 10**k
    return p


def _digits_to_int(d: str, a: int, b: int) -> int:
    """int(d[a:b]) for an unsigned digit string: divide and conquer (log-depth recursion), so the
    cost is that of a few Karatsuba products instead of CPython's quadratic str->int."""
    if b - a <= _INT_LEAF:
        return int(d[a:b])
    m = (a + b) >> 1
    return _digits_to_int(d, a, m) * _pow10(b - m) + _digits_to_int(d, m, b)


def _parse_int(lit: str, loose: bool, pos: int) -> int:
    digits = len(lit) - (lit[0] == "-")
    if digits <= _INT_LEAF:
        return int(lit)
    if loose and digits > _LOOSE_INT_DIGITS:
        raise _Fail(f"integer literal of {digits} digits exceeds the 4300-digit limit at char {pos}")
    if digits > MAX_INT_DIGITS:
        raise _Fail(f"integer literal of {digits} digits exceeds {MAX_INT_DIGITS} digits at char {pos}")
    if lit[0] == "-":
        return -_digits_to_int(lit, 1, len(lit))
    return _digits_to_int(lit, 0, len(lit))


def _key(s: str, pos: int) -> tuple[str, int]:
    """An object key, its ':' and the whitespace around it; returns (key, position of the value)."""
    if not s.startswith('"', pos):
        raise _Fail(f"expected a string key at char {pos}")
    k, pos = _scanstring(s, pos + 1, True)
    if not k.isascii():
        k = repair(k)
    pos = _WS.match(s, pos).end()
    if not s.startswith(":", pos):
        raise _Fail(f"expected ':' after a key at char {pos}")
    return k, _WS.match(s, pos + 1).end()


def _parse_fallback(text: str, *, loose: bool) -> Any:
    """Parse ``text`` as JSON without recursion, repairing every string (§1.1).

    ``loose=False``: the §2.1 language (RFC 8259, depth <= 1024, lone surrogates repaired, exact ints).
    ``loose=True``: Python ``json.loads`` semantics on top (``NaN``, ``Infinity``, ``-Infinity``;
    ``1e400`` -> inf; integer literals up to 4300 digits), still depth <= 1024.
    Raises ``_Fail`` (or ``ValueError`` from the string scanner) on rejection."""
    s = text
    n = len(s)
    ws = _WS.match
    num = _NUMBER.match
    scan = _scanstring
    stack: list[Any] = []  # open containers, innermost last
    keys: list[Any] = []  # per open container: the pending key (dict) or None (list)
    pos = ws(s, 0).end()
    while True:
        # One value starting at pos: a scalar or an empty container ends up in v; a non-empty
        # container is opened and the loop continues with its first value.
        if pos >= n:
            raise _Fail(f"expected a value at char {pos}" if pos else "empty document")
        c = s[pos]
        if c == '"':
            v, pos = scan(s, pos + 1, True)
            if not v.isascii():
                v = repair(v)
        elif c == "{" or c == "[":
            if len(stack) >= MAX_DEPTH:
                raise _Fail(f"nesting deeper than {MAX_DEPTH} at char {pos}")
            pos = ws(s, pos + 1).end()
            if c == "[":
                if s.startswith("]", pos):
                    v = []
                    pos += 1
                else:
                    stack.append([])
                    keys.append(None)
                    continue
            elif s.startswith("}", pos):
                v = {}
                pos += 1
            else:
                k, pos = _key(s, pos)
                stack.append({})
                keys.append(k)
                continue
        elif c == "t" and s.startswith("true", pos):
            v = True
            pos += 4
        elif c == "f" and s.startswith("false", pos):
            v = False
            pos += 5
        elif c == "n" and s.startswith("null", pos):
            v = None
            pos += 4
        elif loose and c == "N" and s.startswith("NaN", pos):
            v = float("nan")
            pos += 3
        elif loose and c == "I" and s.startswith("Infinity", pos):
            v = _INF
            pos += 8
        elif loose and c == "-" and s.startswith("-Infinity", pos):
            v = -_INF
            pos += 9
        else:
            m = num(s, pos)
            if m is None:
                raise _Fail(f"unexpected character {c!r} at char {pos}")
            lit = m.group()
            if m.group(2) is None and m.group(3) is None:
                v = _parse_int(lit, loose, pos)
            else:
                v = float(lit)
                if (v == _INF or v == -_INF) and not loose:
                    raise _Fail(f"number out of range at char {pos}")
            pos = m.end()
        # Attach v to the open containers, closing every container that ends right after it.
        while True:
            if not stack:
                pos = ws(s, pos).end()
                if pos != n:
                    raise _Fail(f"unexpected content after the document at char {pos}")
                return v
            k = keys[-1]
            if k is None:
                stack[-1].append(v)
            else:
                stack[-1][k] = v  # duplicate keys: first position, last value
            if pos < n and s[pos] in _WS_CHARS:
                pos = ws(s, pos).end()
            c = s[pos : pos + 1]
            if c == ",":
                pos = ws(s, pos + 1).end()
                if k is not None:
                    keys[-1], pos = _key(s, pos)
                break
            if c != ("]" if k is None else "}"):
                raise _Fail(f"expected ',' or {']' if k is None else '}'} at char {pos}")
            pos += 1
            v = stack.pop()
            keys.pop()


# ------------------------------------------------------------------------------------ entry points


def _slow(raw: bytes | str, loose: bool) -> Any:
    """Everything orjson rejected: patched orjson, else the fallback parser. Raises _Fail/ValueError."""
    text: str
    if type(raw) is bytes:
        ok, v = _orjson_patched(raw)  # orjson also checks the BOM and UTF-8
        if ok:
            return v
        if raw.startswith(_BOM):
            raise _Fail("UTF-8 byte order mark (BOM) is not supported")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _Fail(f"invalid UTF-8 at byte {e.start}") from None
    else:
        text = raw
        if text.startswith("\ufeff"):
            raise _Fail("UTF-8 byte order mark (BOM) is not supported")  # same reason as for bytes
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # raw surrogates: orjson cannot read the text at all
            return _parse_fallback(text, loose=loose)
        ok, v = _orjson_patched(text)
        if ok:
            return v
    return _parse_fallback(text, loose=loose)


def load_json(raw: bytes | str) -> Any:
    """The §2.1 JSON entry point: the parsed, repaired document, or ``InvalidRequest``
    (``{"detail": "JSON parse error - …"}``). Empty input is ``{}``."""
    t = type(raw)
    if t is not bytes and t is not str:
        raw = str.__str__(raw) if isinstance(raw, str) else bytes(raw)
    try:
        v = _loads(raw)
    except _JSONDecodeError:
        return _rejected(raw)
    # Hot path: a small object without a 19-digit run cannot hold a big integer orjson made a float.
    if type(v) is dict and len(raw) < _WALK_FIRST and not _has_digit_run(raw):
        return v
    return _checked(raw, v)


def _rejected(raw: bytes | str) -> Any:
    """``load_json`` of ``raw`` (bytes or str) that ``orjson.loads`` rejected."""
    if not raw:
        return {}
    try:
        return _slow(raw, False)
    except (_Fail, ValueError) as e:
        raise json_parse_error(str(e)) from None


def _checked(raw: bytes | str, v: Any) -> Any:
    """``load_json`` of ``raw`` (bytes or str) that ``orjson.loads`` parsed to ``v``: ``v``, unless an integer
    literal outside the 64-bit range became a float (then the exact parse)."""
    if type(v) is dict and len(raw) < _WALK_FIRST:
        if not _has_digit_run(raw) or not _big_float(v, -1):
            return v
    elif not _inexact(raw, v):
        return v
    try:  # orjson accepted it, so bytes are valid UTF-8
        return _parse_fallback(raw.decode("utf-8") if type(raw) is bytes else raw, loose=False)
    except (_Fail, ValueError) as e:
        raise json_parse_error(str(e)) from None


# What a JSON text can start with (after whitespace); loose adds NaN and Infinity. A letter must begin
# its whole literal.
_STARTS = frozenset('{["-0123456789tfn')
_LOOSE_STARTS = _STARTS | frozenset("NI")
_LITERALS = {"t": "true", "f": "false", "n": "null", "N": "NaN", "I": "Infinity"}
# The last non-whitespace character a document may have, by its first one.
_ENDS = {"{": "}", "[": "]", '"': '"', "t": "e", "f": "e", "n": "l", "-": "0123456789",
         **{d: "0123456789" for d in "0123456789"}}
_LOOSE_ENDS = {**_ENDS, "-": "0123456789y", "N": "N", "I": "y"}


def _loads_str(s: str, loose: bool) -> tuple[bool, Any]:
    if type(s) is not str:
        if not isinstance(s, str):
            return False, None
        s = str.__str__(s)
    # Most embedded text is prose: reject it on its first character instead of letting orjson and then
    # the fallback parser fail on it (the same answer, without two exceptions).
    c = s[:1]
    if c and c in _WS_CHARS:
        s_ = s.lstrip(_WS_CHARS)
        c = s_[:1]
    else:
        s_ = s
    if c not in (_LOOSE_STARTS if loose else _STARTS):
        return False, None
    lit = _LITERALS.get(c)
    if lit is not None and not s_.startswith(lit):
        return False, None
    # A document ends (trailing whitespace aside) with the closer its first character calls for, and
    # an object's first key is a string: cut-off streamed arguments and Python reprs stop here too.
    e = s_[-1]
    if e in _WS_CHARS:
        e = s_.rstrip(_WS_CHARS)[-1]
    if e not in (_LOOSE_ENDS if loose else _ENDS)[c]:
        return False, None
    if c == "{":
        k = s_[1]  # exists: a lone "{" failed the end test
        if k != '"' and k != "}":
            k = s_[1:64].lstrip(_WS_CHARS)[:1]  # bounded: an odd whitespace run is left to the parsers
            if k and k != '"' and k != "}":
                return False, None
    try:
        v = _loads(s)
    except _JSONDecodeError:
        try:
            return True, _slow(s, loose)
        except (_Fail, ValueError, RecursionError, MemoryError):
            return False, None
    if not _inexact(s, v):
        return True, v
    try:
        return True, _parse_fallback(s, loose=loose)
    except (_Fail, ValueError, RecursionError, MemoryError):
        return False, None


def loads_strict(s: str) -> tuple[bool, Any]:
    """The §2.1 language on embedded text: ``(True, value)`` or ``(False, None)``; never raises."""
    return _loads_str(s, False)


def loads_loose(s: str) -> tuple[bool, Any]:
    """Python ``json.loads`` semantics (§4.9 step 1, §4.11): also ``NaN``, ``Infinity``, ``-Infinity``
    and ``1e400`` (-> inf); depth <= 1024. ``(True, value)`` or ``(False, None)``; never raises."""
    return _loads_str(s, True)


# -------------------------------------------------------------------------------------- from_python


def _py_key(k: Any) -> str:
    if isinstance(k, str):
        return repair(str.__str__(k))
    raise _Fail(f"keys must be str, not {type(k).__name__}")


def _py_scalar(v: Any) -> Any:
    """A non-container value of a Python request as its JSON value; _Fail when it has none."""
    t = type(v)
    if t is str:
        return repair(v)
    if t is int or t is bool or v is None:
        return v
    if t is float:
        if v - v != 0.0:  # NaN or ±inf
            raise _Fail(f"out of range float value {v!r}")
        return v
    if isinstance(v, str):
        return repair(str.__str__(v))
    if isinstance(v, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(v)
    if isinstance(v, int):
        return int.__int__(v)
    if isinstance(v, float):
        return _py_scalar(float.__float__(v))
    raise _Fail(f"type {t.__name__} is not JSON serializable")


def _new_container(v: Any) -> Any:
    """An empty dict or list when ``v`` is a Mapping or a list/tuple, else None."""
    if isinstance(v, Mapping):
        return {}
    if isinstance(v, (list, tuple)):
        return []
    return None


def from_python(obj: Any) -> Any:
    """A Python request as the JSON document it would serialise to (§2.1): new plain dicts and lists,
    tuples as lists, every string and key repaired. No JSON form or depth > 1024 -> InvalidRequest."""
    try:
        return _from_python(obj)
    except _Fail as e:
        raise json_parse_error(str(e)) from None


def _from_python(obj: Any) -> Any:
    t = type(obj)
    root = {} if t is dict else [] if t is list else _new_container(obj)
    if root is None:
        return _py_scalar(obj)
    # Each frame: (source container, its new copy, the copy's depth). Copies are linked into their
    # parent when created, so the walk order does not matter; a cycle only ever goes deeper.
    stack: list[tuple[Any, Any, int]] = [(obj, root, 1)]
    pop = stack.pop
    push = stack.append
    while stack:
        src, dst, depth = pop()
        if type(dst) is dict:
            for k, v in src.items():
                if type(k) is not str or not k.isascii():
                    k = _py_key(k)
                tv = type(v)
                if tv is str:
                    dst[k] = v if v.isascii() else repair(v)
                elif tv is int or tv is bool or v is None:
                    dst[k] = v
                else:
                    c = {} if tv is dict else [] if tv is list or tv is tuple else _new_container(v)
                    if c is None:
                        dst[k] = _py_scalar(v)
                    elif depth >= MAX_DEPTH:
                        raise _Fail(f"nesting deeper than {MAX_DEPTH}")
                    else:
                        dst[k] = c
                        push((v, c, depth + 1))
        else:
            append = dst.append
            for v in src:
                tv = type(v)
                if tv is str:
                    append(v if v.isascii() else repair(v))
                elif tv is int or tv is bool or v is None:
                    append(v)
                else:
                    c = {} if tv is dict else [] if tv is list or tv is tuple else _new_container(v)
                    if c is None:
                        append(_py_scalar(v))
                    elif depth >= MAX_DEPTH:
                        raise _Fail(f"nesting deeper than {MAX_DEPTH}")
                    else:
                        append(c)
                        push((v, c, depth + 1))
    return root


# orjson >= 3.10 enforces the nesting limit; make sure this one does (the contract depends on it).
try:
    _loads(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
except _JSONDecodeError:
    pass
else:  # pragma: no cover - only with an orjson that lacks the limit
    raise ImportError("textrepr needs orjson >= 3.10 (nesting limit of 1024)")
