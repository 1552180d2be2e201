"""Resolve the line references of a summary against a line-numbered text.

PostHog's summariser cites the ``L<n>: `` numbered text (FORMAT.md §4.18) as ``[L45]``, ``[L45-52]``,
``[L13-19, L553-555]``, ``L1386-1436`` or ``L003`` (its structured output puts ``"L45"`` into
``line_refs`` fields). :func:`resolve` finds every such reference and returns the cited lines; a
reference to a line that the text does not hold is reported, never dropped:

- ``out_of_range``: a cited number is 0 or past the text's last line;
- ``omitted``: in range, but the line is not in this text (a sampled view, §4.19, keeps the original
  numbers and leaves gaps);
- ``invalid``: a reversed range such as ``L52-45``.

Numbers are compared as integers, so ``L003``, ``L3`` and the text's ``L003: `` prefix all agree.
A text without ``L<n>: `` prefixes is numbered by physical line (1-based).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

__all__ = ["LineRef", "NumberedText", "find_refs", "number_text", "resolve"]

# One cited item: ``L45``, ``L45-52``, ``L45-L52`` (``-`` or an en/em dash); after the first item of a
# group the ``L`` may be omitted (``[L13-19, 553-555]``), as the UI's bracket pattern allows.
_ITEM = r"L[0-9]+(?:[ \t]*[-\u2013\u2014][ \t]*L?[0-9]+)?"
_ITEM_TAIL = r"L?[0-9]+(?:[ \t]*[-\u2013\u2014][ \t]*L?[0-9]+)?"
_GROUP = re.compile(
    # bracketed: [L45], [L45-52], [L13-19, L553-555]
    rf"\[[ \t]*{_ITEM}(?:[ \t]*,[ \t]*{_ITEM_TAIL})*[ \t]*\]"
    # bare: L45, L1386-1436, L1940-1946, L2560-2581 -- not inside a word ("HTML5", "L45x")
    rf"|(?<![A-Za-z0-9_]){_ITEM}(?:[ \t]*,[ \t]*{_ITEM})*(?![A-Za-z0-9_])"
)
_ITEM_RE = re.compile(r"L?([0-9]+)(?:[ \t]*[-\u2013\u2014][ \t]*L?([0-9]+))?")
_PREFIX = re.compile(r"L([0-9]+):(?: |$)")
_NOTE_TOTAL = re.compile(r"\[SAMPLED VIEW: Showing ~[0-9]+% of ([0-9,]+) lines\.")


@dataclass(frozen=True, slots=True)
class LineRef:
    """One cited line or range of a summary, resolved against a text."""

    raw: str  # the item as written, e.g. "L45-52"
    group: str  # the whole citation it belongs to, e.g. "[L13-19, L45-52]"
    group_start: int  # offset of ``group`` in the summary
    start: int  # offsets of ``raw`` in the summary
    end: int
    first: int  # cited range, inclusive
    last: int
    lines: tuple[tuple[int, str], ...]  # (number, line without its "L<n>: " prefix), cited lines present
    status: str  # "ok", "omitted", "out_of_range" or "invalid"
    missing: int  # how many cited numbers the text does not hold
    message: str | None  # why the reference is not "ok"

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.raw, "group": self.group, "group_start": self.group_start, "start": self.start, "end": self.end,
            "first": self.first, "last": self.last, "status": self.status, "missing": self.missing,
            "message": self.message, "lines": [{"line": n, "text": s} for n, s in self.lines],
        }


@dataclass(frozen=True, slots=True)
class NumberedText:
    """A text's lines by number."""

    lines: dict[int, str]  # number -> line without prefix
    numbers: list[int]  # sorted keys of ``lines``
    total: int  # the numbered document's line count (from the sampling note when present)
    numbered: bool  # whether the text carries "L<n>: " prefixes


def number_text(text: str) -> NumberedText:
    """Index ``text`` by line number: its ``L<n>: `` prefixes, or physical lines when it has none."""
    raw_lines = text.split("\n")
    first = next((s for s in raw_lines if s), "")
    numbered = _PREFIX.match(first) is not None
    lines: dict[int, str] = {}
    total = 0
    if numbered:
        for s in raw_lines:
            m = _PREFIX.match(s)
            if m is None:
                note = _NOTE_TOTAL.match(s)
                if note is not None:
                    total = max(total, int(note.group(1).replace(",", "")))
                continue  # the sampling note, or a stray unnumbered line
            n = int(m.group(1))
            lines.setdefault(n, s[m.end():])  # first wins if a text repeats a number
        if lines:
            total = max(total, max(lines))
    else:
        lines = {i: s for i, s in enumerate(raw_lines, 1)}
        total = len(raw_lines)
    numbers = sorted(lines) if numbered else list(lines)
    return NumberedText(lines, numbers, total, numbered)


_Item = tuple[str, str, int, int, int, int, int]


def find_refs(summary: str) -> list[_Item]:
    """Every cited item of ``summary``: (raw, group, group start, start, end, first, last), in order."""
    out: list[_Item] = []
    for g in _GROUP.finditer(summary):
        group = g.group()
        base = g.start()
        for m in _ITEM_RE.finditer(group):
            a = int(m.group(1))
            b = int(m.group(2)) if m.group(2) is not None else a
            out.append((m.group(), group, base, base + m.start(), base + m.end(), a, b))
    return out


def _resolve_one(item: _Item, nt: NumberedText) -> LineRef:
    raw, group, gstart, start, end, a, b = item
    if b < a:
        return LineRef(raw, group, gstart, start, end, a, b, (), "invalid", 0, f"{raw} is a reversed range")
    # Only the text's own lines are visited, so a huge cited range costs nothing extra.
    nums = nt.numbers
    present = nums[bisect_left(nums, a):bisect_right(nums, b)]
    lines = tuple((n, nt.lines[n]) for n in present)
    missing = (b - a + 1) - len(present)
    status, message = "ok", None
    if a < 1 or b > nt.total:
        status = "out_of_range"
        message = f"{raw} is outside the text (lines 1-{nt.total})" if nt.total else f"{raw}: the text is empty"
    elif missing:
        status = "omitted"
        message = (f"{missing} of the cited lines are not in this text (omitted by sampling)"
                   if b > a else f"L{a} is not in this text (omitted by sampling)")
    return LineRef(raw, group, gstart, start, end, a, b, lines, status, missing, message)


def resolve(summary: str, text: str) -> list[LineRef]:
    """Resolve every line reference in ``summary`` against the (line-numbered) ``text``, in order."""
    nt = number_text(text)
    return [_resolve_one(item, nt) for item in find_refs(summary)]
