"""Pure-Python hot core: middle truncation, marker safety, line numbering.

The compiled twin (``_core.pyx``) exports the same functions; ``textrepr.core`` picks one.

Renderer-made markers are written with ``MARK`` (``"<<<"`` + a lone surrogate) instead of ``"<<<"``.
Repaired event text can never hold a surrogate, so ``finalise`` can neutralise every look-alike in
event text (D11) with one pass over the whole text and then turn ``MARK`` back into ``"<<<"``.
"""
from __future__ import annotations

import re
from base64 import b64encode

__all__ = ["MARK", "PIPE", "b64", "neutralise", "finalise", "trunc", "number_lines", "sample"]

MARK = "<<<\ud800"
# Field separator after an event-made marker field: a field ending in e.g. "<<<EVENT_LINK" must not form a
# look-alike with the "|" that follows it.
PIPE = "\udbff"
_LOOKALIKE = re.compile("<<<(?=\u200b*(?:TRUNCATED|GEN_EXPANDABLE|TOOLS_EXPANDABLE|EVENT_LINK)\\|)")


def b64(s: str) -> str:
    """Standard base64 of the UTF-8 bytes of ``s``."""
    return b64encode(s.encode("utf-8")).decode("ascii")


def neutralise(s: str) -> str:
    """Insert U+200B after ``<<<`` in every marker look-alike (FORMAT.md §4.17, D11)."""
    if "<<<" not in s:
        return s
    return _LOOKALIKE.sub("<<<\u200b", s)


def finalise(text: str, markers: bool) -> str:
    """Neutralise look-alikes in event text and turn renderer-made ``MARK``/``PIPE`` into text."""
    if not markers or "<<<" not in text:
        return text
    text = _LOOKALIKE.sub("<<<\u200b", text).replace(MARK, "<<<")
    if PIPE in text:
        text = text.replace(PIPE, "|")
    return text


def trunc(s: str, truncated: bool, buffer: int, markers: bool) -> list[str]:
    """Middle truncation of one text (FORMAT.md §4.16): one or five line-list elements."""
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
    """Prefix every line with ``L<k>: ``, zero-padded to the digit count of the line total (§4.18)."""
    lines = text.split("\n")
    width = len(str(len(lines)))
    return "\n".join([f"L{k:0{width}d}: {line}" for k, line in enumerate(lines, 1)])


def _note(k: int, n: int, total: int) -> str:
    return (f"[SAMPLED VIEW: Showing ~{format(100 * k / n, '.0f')}% of {total:,} lines. "
            "Gaps in line numbers indicate omitted content.]")


def _fits(cost: list[int], k: int, avail: int) -> bool:
    """``sum(cost[j] for j in sel(k)) <= avail`` (step 5), with an early exit every chunk."""
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
    """Step 5's evenly spaced selection, found by the prescribed (non-monotone) binary search."""
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
    """Bound ``len(text)`` by ``max_length`` with line sampling (FORMAT.md §4.19).

    ``node_lines``: for a trace, the 0-based indices (in ``text.split("\\n")``) of node lines, for
    the step-6 guarantee; ``None`` for single events. Returns (text, truncated).
    """
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
        # len("\n".join(head[:2] + [note(n)] + head[2:])): the longest possible note.
        avail = m - (sum(map(len, head)) + len(_note(n, n, total)) + len(head))
    if n == 0 or avail < 0:
        # Step 4, prefix mode: the longest run of whole leading lines that fits.
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
