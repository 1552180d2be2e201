"""Display and JSON forms of parsed JSON values (FORMAT.md §1.1: disp, json, json2)."""
from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["disp", "jdump", "jdump2", "int_str"]

_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
_dumps2 = json.JSONEncoder(ensure_ascii=False, check_circular=False, indent=2).encode


def int_str(n: int) -> str:
    """Decimal form of any int, also past CPython's 4300-digit str() limit."""
    try:
        return str(n)
    except ValueError:
        pass
    neg = n < 0
    n = -n if neg else n
    # Divide and conquer in chunks below the limit.
    chunks: list[str] = []
    base = 10**1000
    while n:
        n, r = divmod(n, base)
        chunks.append(str(r).rjust(1000, "0") if n else str(r))
    return ("-" if neg else "") + "".join(reversed(chunks))


def _encode_iter(v: Any, indent: int | None) -> str:
    """Iterative encoder: same output as the json module, no recursion, no int-size limit.

    Used only when the C encoder refuses (nesting past the recursion limit, huge ints)."""
    out: list[str] = []
    # Stack items: a value to encode, or a literal string to emit (wrapped in a 1-tuple).
    stack: list[Any] = [(v, 0)]
    while stack:
        item = stack.pop()
        if type(item) is str:
            out.append(item)
            continue
        o, level = item
        t = type(o)
        if t is dict or t is list:
            if not o:
                out.append("{}" if t is dict else "[]")
                continue
            if indent is None:
                sep, first, end = ", ", "", ""
            else:
                first = "\n" + " " * (indent * (level + 1))
                sep = "," + first
                end = "\n" + " " * (indent * level)
            out.append(("{" if t is dict else "[") + first)
            stack.append(end + ("}" if t is dict else "]"))
            pending: list[Any] = []
            if t is dict:
                for i, (k, x) in enumerate(o.items()):
                    if i:
                        pending.append(sep)
                    pending.append(_dumps(k) + ": ")
                    pending.append((x, level + 1))
            else:
                for i, x in enumerate(o):
                    if i:
                        pending.append(sep)
                    pending.append((x, level + 1))
            stack.extend(reversed(pending))
        elif t is int:
            out.append(int_str(o))
        else:
            out.append(_dumps(o))
    return "".join(out)


def jdump(v: Any) -> str:
    """``json.dumps(v, ensure_ascii=False)``: compact, ``", "`` / ``": "`` separators."""
    try:
        return _dumps(v)
    except (ValueError, RecursionError):
        return _encode_iter(v, None)


def jdump2(v: Any) -> str:
    """``json.dumps(v, ensure_ascii=False, indent=2)``."""
    try:
        return _dumps2(v)
    except (ValueError, RecursionError):
        return _encode_iter(v, 2)


def disp(v: Any) -> str:
    """Display form: strings as-is, None/True/False Python-style, containers as JSON."""
    t = type(v)
    if t is str:
        return v
    if v is None:
        return "None"
    if v is True:
        return "True"
    if v is False:
        return "False"
    if t is int:
        return int_str(v)
    if t is float:
        return repr(v)
    if t is dict or t is list:
        return jdump(v)
    return str(v)
