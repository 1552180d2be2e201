"""A full rendering split into consecutive segments, each within a budget (``render_segments``).

For judges that map over a long trace and reduce. Every segment is a short context header (title,
``segment k of N``, the path of the trace node its first line is inside) and body lines that carry the
**global** ``L<n>: `` numbers of the whole text (padded to its width), so a citation from any segment
resolves with ``textrepr.refs`` against the whole numbered text. Cuts fall before a trace node line, a
message role line or a separator where one lies in the second half of a segment; a line is cut only
when it alone exceeds the budget, and its later pieces are marked ``[continued]``. Lossless: the
segments' pieces (``Segment.lines``), joined per line number, are exactly the full text's lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .fit import Budget, is_skeleton

__all__ = ["Segment", "split", "join"]

CONTINUED = "[continued] "
_NODE = re.compile(r"([│ ]*)([├└]─ )(?:\[\+\] )?")
_ROLE = re.compile(r"\[\d+\] \S")
_SEP = "-" * 80
_PATH_MAX = 160


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: ``text == header + "\\n" + body``."""

    index: int  # 1-based
    count: int
    header: str
    body: str  # the numbered lines
    first_line: int  # global line numbers, inclusive
    last_line: int
    path: tuple[str, ...]  # trace nodes the first line is inside, outermost first
    lines: tuple[tuple[int, str, bool], ...]  # (line number, piece of that line, piece continues a line)

    @property
    def text(self) -> str:
        return self.header + "\n" + self.body


def join(segments: Sequence[Segment]) -> str:
    """The full text back from the segments' pieces (the inverse of ``split``)."""
    out: list[str] = []
    for seg in segments:
        for _, piece, cont in seg.lines:
            if cont:
                out[-1] += piece
            else:
                out.append(piece)
    return "\n".join(out)


def _paths(lines: list[str], node_lines: Sequence[int]) -> list[tuple[str, ...]]:
    """For each line, the labels of the trace nodes it is inside (tree mode: by the node lines' depth)."""
    paths: list[tuple[str, ...]] = []
    stack: list[tuple[int, str]] = []  # (depth, label)
    nodes = set(node_lines)
    for i, line in enumerate(lines):
        if i in nodes:
            m = _NODE.match(line)
            if m is not None:
                depth = len(m.group(1)) // 3
                label = line[m.end():]
            else:  # flat mode: every node at depth 0
                depth = 0
                label = line[4:] if line.startswith("[+] ") else line
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, label))
        paths.append(tuple(label for _, label in stack))
    return paths


def _header(title: str, k: int, n: int, path: tuple[str, ...]) -> str:
    head = f"{title} — segment {k} of {n}"
    if not path:
        return head
    p = " > ".join(path)
    if len(p) > _PATH_MAX:
        p = "… " + p[len(p) - _PATH_MAX + 2:]
    return head + "\nin: " + p


def split(text: str, node_lines: Sequence[int], title: str, b: Budget) -> list[Segment]:
    """Split ``text`` (unnumbered) into segments within budget ``b``.

    Line costs are summed per segment; a token counter need not be additive, so every segment is checked
    on its text and, if one is over, the split is redone asking for less by the overshoot (doubling).
    """
    slack = 0
    while True:
        segments = _split(text, node_lines, title, b, slack)
        over = [b.counter(s.text) - b.tokens for s in segments if not b.fits(s.text)]
        if not over:
            return segments
        slack = max(2 * slack, max(over), 1)


def _split(text: str, node_lines: Sequence[int], title: str, b: Budget, slack: int) -> list[Segment]:
    lines = text.split("\n")
    total = len(lines)
    width = len(str(total))
    labels = [f"L{k:0{width}d}: " for k in range(1, total + 1)]
    paths = _paths(lines, node_lines)
    nodes = set(node_lines)
    title = title if len(title) <= 80 else title[:79] + "…"
    # A header at least as long as any real one: the largest numbers, the longest path shown.
    widest = max(paths, key=lambda p: len(" > ".join(p)), default=())
    most = total + len(text)  # more segments than this is impossible: each holds a line or a character
    reserve = _header(title, most, most, widest)
    count = b.counter if b.tokens else None
    reserve_c = len(reserve) + 1
    reserve_t = count(reserve + "\n") if count is not None else 0
    avail_c = b.chars - reserve_c if b.chars else 1 << 62
    avail_t = b.tokens - reserve_t - slack if b.tokens else 1 << 62
    need = len(labels[-1]) + len(CONTINUED) + 1
    if avail_c < need or (count is not None and avail_t < (count(labels[-1] + CONTINUED + "x") if count else 0)):
        raise ValueError(f"budget too small for a segment of this text: the header and one numbered "
                         f"character need {reserve_c + need} characters"
                         + (f" / {reserve_t + count(labels[-1] + CONTINUED + 'x')} tokens" if count else ""))

    def cut_point(i: int) -> bool:
        """A good place to start a segment: a node line, a message role line or a separator."""
        x = lines[i]
        return i in nodes or bool(_ROLE.match(x)) or x == _SEP or (is_skeleton(x) and not x.startswith(" "))

    def piece_fits(piece: str, used_c: int, used_t: int) -> bool:
        return used_c + len(piece) + 1 <= avail_c and (count is None or used_t + count("\n" + piece) <= avail_t)

    groups: list[list[tuple[int, str, bool]]] = []
    cur: list[tuple[int, str, bool]] = []
    used_c = used_t = 0
    i = 0
    while i < total:
        line = labels[i] + lines[i]
        if piece_fits(line, used_c, used_t):
            cur.append((i, lines[i], False))
            used_c += len(line) + 1
            used_t += count("\n" + line) if count is not None else 0
            i += 1
            continue
        if cur:
            # Move back to a good cut in the segment's second half, if there is one.
            start = len(cur) // 2
            for back in range(len(cur) - 1, max(start, 0), -1):
                j, _, cont = cur[back]
                if not cont and cut_point(j):
                    i = j
                    del cur[back:]
                    break
            groups.append(cur)
            cur, used_c, used_t = [], 0, 0
            continue
        # One line alone is over budget: cut it into pieces that fit, the later ones marked.
        rest, cont = lines[i], False
        while rest:
            prefix = labels[i] + (CONTINUED if cont else "")
            lo, hi = 1, len(rest)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if piece_fits(prefix + rest[:mid], 0, 0):
                    lo = mid
                else:
                    hi = mid - 1
            groups.append([(i, rest[:lo], cont)])
            rest, cont = rest[lo:], True
        i += 1
    if cur or not groups:
        groups.append(cur)
    n = len(groups)
    segments: list[Segment] = []
    for k, g in enumerate(groups, 1):
        first = g[0][0] if g else 0
        path = paths[first] if g else ()
        header = _header(title, k, n, path)
        body = "\n".join(labels[j] + (CONTINUED if cont else "") + piece for j, piece, cont in g)
        segments.append(Segment(k, n, header, body, first + 1, (g[-1][0] if g else 0) + 1, path,
                                tuple((j + 1, piece, cont) for j, piece, cont in g)))
    return segments

