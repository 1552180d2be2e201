"""The pure-Python core as it was before issue 3, for before/after figures (``report.py --baseline``).

Frozen copy of that state of ``textrepr/_core_py.py`` and ``textrepr/render/values.py`` (json-module
encoders; finalise -> number_lines -> sample on whole texts; base64 of every TRUNCATED middle), exposing
the same names as today's cores so that ``twins.use_implementation`` can switch to it. Not used by the
library or the tests.
"""
from __future__ import annotations

import json
import re
from base64 import b64encode
from typing import Any

__all__ = [
    "MARK", "PIPE", "b64", "neutralise", "finalise", "trunc", "number_lines", "sample", "assemble",
    "jdump", "jdump2", "int_str", "disp", "has_digit_run",
]

# Before issue 3 the 19-digit scan lived in parse.py as the pure twin's two C passes; the core gained it later.
from textrepr._core_py import has_digit_run  # noqa: E402

MARK = "<<<\ud800"
PIPE = "\udbff"
_LOOKALIKE = re.compile("<<<(?=\u200b*(?:TRUNCATED|GEN_EXPANDABLE|TOOLS_EXPANDABLE|EVENT_LINK)\\|)")


def b64(s: str) -> str:
    return b64encode(s.encode("utf-8")).decode("ascii")


def neutralise(s: str) -> str:
    if "<<<" not in s:
        return s
    return _LOOKALIKE.sub("<<<\u200b", s)


def finalise(text: str, markers: bool) -> str:
    if not markers or "<<<" not in text:
        return text
    text = _LOOKALIKE.sub("<<<\u200b", text).replace(MARK, "<<<")
    if PIPE in text:
        text = text.replace(PIPE, "|")
    return text


def trunc(s: str, truncated: bool, buffer: int, markers: bool) -> list[str]:
    n = len(s)
    if not truncated or n <= buffer:
        return [s]
    h = buffer // 2
    hidden = n - 2 * h
    first = s[:h]
    last = s[n - h:] if h else ""
    if markers:
        middle = s[h:n - h]
        return [first, "", f"{MARK}TRUNCATED|{b64(neutralise(middle))}|{hidden}>>>", "", last]
    return [f"{first}\n\n... ({hidden} chars truncated) ...\n\n{last}"]


def number_lines(text: str) -> str:
    lines = text.split("\n")
    width = len(str(len(lines)))
    return "\n".join([f"L{k:0{width}d}: {line}" for k, line in enumerate(lines, 1)])


def _note(k: int, n: int, total: int) -> str:
    return (f"[SAMPLED VIEW: Showing ~{format(100 * k / n, '.0f')}% of {total:,} lines. "
            "Gaps in line numbers indicate omitted content.]")


def _fits(cost: list[int], k: int, avail: int) -> bool:
    n = len(cost)
    if k == 0:
        return avail >= 0
    if k == 1:
        return cost[n - 1] <= avail
    d = k - 1
    m1 = n - 1
    get = cost.__getitem__
    total = 0
    for lo in range(0, k, 4096):
        total += sum(map(get, [i * m1 // d for i in range(lo, min(k, lo + 4096))]))
        if total > avail:
            return False
    return True


def _select(cost: list[int], avail: int) -> list[int]:
    n = len(cost)
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _fits(cost, mid, avail):
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return []
    if lo == 1:
        return [n - 1]
    d = lo - 1
    return [i * (n - 1) // d for i in range(lo)]


def sample(text: str, max_length: int, node_lines: list[int] | None) -> tuple[str, bool]:
    m = max_length
    if m == 0 or len(text) <= m:
        return text, False
    lines = text.split("\n")
    total = len(lines)
    head = lines[:5]
    body = lines[5:]
    n = len(body)
    avail = -1
    if n > 0:
        avail = m - (sum(map(len, head)) + len(_note(n, n, total)) + len(head))
    if n == 0 or avail < 0:
        if len(lines[0]) > m:
            return lines[0][:m], True
        used = len(lines[0])
        k = 1
        while k < total and used + 1 + len(lines[k]) <= m:
            used += 1 + len(lines[k])
            k += 1
        return "\n".join(lines[:k]), True
    cost = [len(x) + 1 for x in body]
    sel = _select(cost, avail)
    if node_lines:
        body_nodes = [j - 5 for j in node_lines if 5 <= j < 5 + n]
        if body_nodes:
            chosen = set(sel)
            if not any(j in chosen for j in body_nodes):
                best = -1
                for j in body_nodes:
                    if cost[j] <= avail and j > best:
                        best = j
                if best >= 0:
                    sel = sorted(set(_select(cost, avail - cost[best])) | {best})
    if sel:
        kept_lines = [body[j] for j in sel]
    elif avail >= 2:
        kept_lines = [body[n - 1][: avail - 1]]
    else:
        kept_lines = []
    out = head[:2] + [_note(len(kept_lines), n, total)] + head[2:] + kept_lines
    return "\n".join(out), True


def assemble(elements: list[str], markers: bool, line_numbers: bool, max_length: int,
             node_lines: list[int] | None) -> tuple[str, bool]:
    """The old api._finish: finalise -> number_lines -> sample, each on the whole text."""
    text = finalise("\n".join(elements), markers)
    if line_numbers:
        text = number_lines(text)
    return sample(text, max_length, node_lines)


_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
_dumps2 = json.JSONEncoder(ensure_ascii=False, check_circular=False, indent=2).encode


def int_str(n: int) -> str:
    try:
        return str(n)
    except ValueError:
        pass
    neg = n < 0
    n = -n if neg else n
    chunks: list[str] = []
    base = 10**1000
    while n:
        n, r = divmod(n, base)
        chunks.append(str(r).rjust(1000, "0") if n else str(r))
    return ("-" if neg else "") + "".join(reversed(chunks))


def _encode_iter(v: Any, indent: int | None) -> str:
    out: list[str] = []
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
    try:
        return _dumps(v)
    except (ValueError, RecursionError):
        return _encode_iter(v, None)


def jdump2(v: Any) -> str:
    try:
        return _dumps2(v)
    except (ValueError, RecursionError):
        return _encode_iter(v, 2)


def disp(v: Any) -> str:
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
