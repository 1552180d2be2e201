"""The hot loops of shrink-to-fit (``textrepr.fit``), pure-Python twin of ``textrepr._fit``.

``scan_template(template, count)`` takes a rendering whose ``count`` truncatable texts were replaced by
placeholders ``OPEN <i> "\n" <prefix> CLOSE`` (i = 0, 1, ... in order; the prefix is what a trace node
writes after each "\n" of its content) apart, in one pass: the fixed text between the placeholders, the same
with its filler lines dropped (blank lines, tree-prefix-only lines and separator rules, when a "\n" precedes
and follows them inside one fixed part: a shrunk view spends its budget on content, not on layout), the
prefixes, and the "\n" count of each fixed text. A malformed template (a placeholder missing, out of order, or
a stray OPEN or CLOSE) raises ``ValueError``.

``cut_chars(texts, prefixes, cap, numbered)`` visits the texts longest first (the caller sorts them) and
stops at the first one not longer than ``cap``. A text longer than ``cap`` keeps its first and last
``cap // 2`` characters around §4.16's plain note, or stays whole when cutting would not make it shorter
(``textrepr.fit._Template._cut`` is the one definition). Returned: how many texts were visited, the characters
of their written forms (each "\\n" of a text written with its trace prefix after it), the "\\n" in those forms
and the characters hidden.

The "\\n" of a cut text's head and tail are counted only when they matter (a prefix, or line numbers).

``largest_cap`` is the whole cap search under a character budget (texts in template order; it sorts them);
``fill`` writes the view under a cap. The sampled fallback: ``skeleton_ranks`` ranks the lines of the view
at cap 0, ``pick_lines`` chooses the lines that fit (``pick_many``: the same over several cost lists, for
token budgets; Python in both builds).
"""
from __future__ import annotations

import re
from itertools import accumulate, compress, repeat

from ._core_py import _fits

__all__ = ["cut_chars", "fill", "largest_cap", "scan_template", "line_ranks", "skeleton_ranks", "pick_lines", "grouped_len",
           "OPEN", "CLOSE", "CONTENT", "LABEL", "CORE"]

# Lone surrogates, which parsed input never holds (it is repaired), so a placeholder cannot be forged.
OPEN, CLOSE = "\udb80", "\udb81"
_PLACE = re.compile("\udb80([0-9]+)\n([^\udb81\n]*)\udb81")
# Lines of the skeleton, by shape, so that the classification does not depend on how each renderer builds
# its lines (separator rules are not skeleton: they repeat).
_TREE_CHARS = "│├└─ "
# Core: a trace node line (tree: "├─ "/"└─ " after the tree prefix; flat: "[+] [GEN] …", "[SPAN] …"), a
# role line "[3] ASSISTANT", a section or error label ("INPUT:", "TRACE ERROR:", "AVAILABLE TOOLS: 3",
# "Tool calls: 2", "Tool Call:", "Remaining steps: 1").
# The tree prefix is matched possessively (``*+``): no character of it can begin what follows, so giving
# some back never helps, and not trying is what keeps a deep line's match linear.
_CORE_SHAPE = re.compile(
    r"[│ ]*+[├└]─ |(?:\[\+\] )?\[(?:GEN|SPAN|EMBED|EVAL|EVENT)\] "
    r"|[│├└─ ]*+(?:\[\d+\] \S|(?:[A-Z][A-Z0-9 _()'/&.-]*|Tool calls|Tool Call|Remaining steps)(?::| \d+|: \d+)$)")
# Other skeleton-shaped lines: "EVALUATION: …", "[+] AVAILABLE TOOLS: 6", "Error: …".
_LABEL_SHAPE = re.compile(r"[│├└─ ]*+(?:\[\+\] |(?:[A-Z][A-Z0-9 _&/()'.-]*|Error|Tool result)(?::| \d+$))")
_SHAPE = re.compile(f"(?P<core>{_CORE_SHAPE.pattern})|(?P<label>{_LABEL_SHAPE.pattern})")
CONTENT, LABEL, CORE = 0, 1, 2  # ranks of a line in a shrunk view that must be sampled: lowest go first

# The "\n" before a filler line (tree prefix and spaces only, or then a rule) and that line.
_FILLER = re.compile("\n[│ ]*+(?:-{80}|={80})?(?=\n)")

# len(f"\n\n... ({n} chars truncated) ...\n\n") and len(f"... ({n} chars truncated) ...") less n's digits
NOTE, BARE_NOTE = 30, 26


def cut_chars(texts: list[str], prefixes: list[int], cap: int, numbered: bool) -> tuple[int, int, int, int]:
    chars = newlines = hidden = 0
    h = cap // 2
    k = 0
    for s in texts:
        n = len(s)
        if n <= cap:
            break
        p = prefixes[k]
        k += 1
        if h:
            note = NOTE + len(str(n - 2 * h))
            nl = 4
        else:
            note = BARE_NOTE + len(str(n))
            nl = 0
        if 2 * h + note >= n:  # cutting would not make it shorter: whole
            nl = s.count("\n")
            chars += n + nl * p
        else:
            if h and (p or numbered):
                nl += s.count("\n", 0, h) + s.count("\n", n - h)
            chars += 2 * h + note + nl * p
            hidden += n - 2 * h
        newlines += nl
    return k, chars, newlines, hidden


def fill(fixed: list[str], texts: list[str], prefixes: list[str], cap: int, usual: bool = False) -> tuple[str, int]:
    """``fixed[0] text[0] fixed[1] … fixed[n]`` with every text under cap ``cap`` (``cut_chars``'s cut: a
    text longer than the cap keeps its first and last ``cap // 2`` characters around §4.16's plain note, or
    stays whole when that would not be shorter), each "\n" of a text followed by its prefix; and the
    characters hidden. ``usual``: §4.16's own cut instead (``trunc`` in plain mode with buffer ``cap``: every
    text longer than it is cut, around the note framed by blank lines even when nothing is kept)."""
    if len(fixed) != len(texts) + 1 or len(prefixes) != len(texts):
        raise ValueError("one prefix per text, and one fixed part around each")
    parts = [fixed[0]]
    hidden = 0
    h = cap // 2
    for s, p, f in zip(texts, prefixes, fixed[1:]):
        n = len(s)
        if n > cap:
            note = f"\n\n... ({n - 2 * h} chars truncated) ...\n\n" if h or usual else f"... ({n} chars truncated) ..."
            if usual or 2 * h + len(note) < n:
                s = s[:h] + note + s[n - h:] if h else note
                hidden += n - 2 * h
        if p and "\n" in s:
            s = s.replace("\n", "\n" + p)
        parts.append(s)
        parts.append(f)
    return "".join(parts), hidden


def scan_template(template: str, count: int) -> tuple[list[str], list[str], list[str], int, int]:
    """(fixed parts, compacted fixed parts, prefixes, "\\n" in the fixed parts, "\\n" in the compacted ones)."""
    parts = _PLACE.split(template)
    if (parts[1::3] != list(map(str, range(count))) or template.count(OPEN) != count
            or template.count(CLOSE) != count):
        raise ValueError("a placeholder was lost or moved")
    fixed = parts[0::3]
    compact = [_FILLER.sub("", f) if "\n" in f else f for f in fixed]
    newlines = template.count("\n") - count  # each placeholder holds one, its prefix none
    return fixed, compact, parts[2::3], newlines, sum(map(str.count, compact, repeat("\n")))


def line_ranks(lines: list[str]) -> list[int]:
    """The rank of each line (no "\\n" in it) by its shape: ``CORE`` (a node, role, section or error label
    line), ``LABEL`` (another skeleton-shaped line) or ``CONTENT``."""
    return [CONTENT if m is None else CORE if m.lastgroup == "core" else LABEL for m in map(_SHAPE.match, lines)]


def skeleton_ranks(lines: list[str]) -> list[int]:
    """``line_ranks`` of a shrunk view's lines, with more of them ``CORE``: the title (the first line), the
    first non-blank line after each error label (the start of the error text), and the ``- …`` lines under a
    ``Tool calls: …`` line (the calls). Only lines ranked ``CORE`` by their shape start these runs."""
    if not lines:
        return []
    ranks = line_ranks(lines)
    core = list(compress(range(len(lines)), map(CORE.__eq__, ranks)))
    ranks[0] = CORE
    n = len(lines)
    # Core lines that end an error label or start the tool calls (C-level passes: most lines are neither).
    bare = list(map(str.strip, map(lines.__getitem__, core), repeat(_TREE_CHARS)))
    errors = list(map(str.endswith, bare, repeat("ERROR:")))
    for k in compress(core, errors):  # the start of the error text
        j = k + 1
        while j < n and not lines[j].strip(_TREE_CHARS):
            j += 1
        if j < n:
            ranks[j] = CORE
    calls = map(str.startswith, bare, repeat("Tool calls: "))
    for k, error in compress(zip(core, errors), calls):  # the calls listed under it
        if error:
            continue
        j = k + 1
        while j < n and lines[j].lstrip(_TREE_CHARS).startswith("- "):
            ranks[j] = CORE
            j += 1
    return ranks


def sel(m: int, k: int) -> list[int]:
    """§4.19's ``sel(k)`` over ``m`` candidates: evenly spaced, always the last."""
    if k == 0:
        return []
    if k == 1:
        return [m - 1]
    return [i * (m - 1) // (k - 1) for i in range(k)]


def select(costs: list[list[int]], avails: list[int]) -> list[int]:
    """§4.19 step 5 by the prescribed binary search, every cost list within its budget."""
    m = len(costs[0])
    pairs = list(zip(costs, avails))
    lo, hi = 0, m
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if all([_fits(c, mid, a) for c, a in pairs]):
            lo = mid
        else:
            hi = mid - 1
    return sel(m, lo)


def pick_many(costs: list[list[int]], ranks: list[int], avails: list[int]) -> list[int]:
    """The lines a sampled shrunk view keeps (indices, in order): whole ranks, highest first (``CORE``,
    ``LABEL``, ``CONTENT``; each rank in line order), while every cost list stays within its budget, then
    ``select``'s evenly spaced choice among the lines of the first rank that does not fit whole."""
    if any(len(c) != len(ranks) for c in costs):
        raise ValueError("one cost per line")
    chosen: list[int] = []
    avails = list(avails)
    for rank in (CORE, LABEL, CONTENT):
        pool = list(compress(range(len(ranks)), map(rank.__eq__, ranks)))
        pool_costs = [list(map(c.__getitem__, pool)) for c in costs]
        sums = list(map(sum, pool_costs))
        if all(map(int.__le__, sums, avails)):
            chosen += pool
            avails = list(map(int.__sub__, avails, sums))
            continue
        chosen += [pool[j] for j in select(pool_costs, avails)] if pool else []
        break
    chosen.sort()
    return chosen


def pick_lines(costs: list[int], ranks: list[int], avail: int) -> list[int]:
    """``pick_many`` with one cost list (characters; compiled in ``textrepr._fit``)."""
    return pick_many([costs], ranks, [avail])


def grouped_len(x: int) -> int:
    """``len(f"{x:,}")`` for ``x >= 0``."""
    d = len(str(x))
    return d + (d - 1) // 3


def largest_cap(texts: list[str], prefixes: list[str], fixed_chars: int, fixed_newlines: int, numbered: bool,
                note: tuple[int, int], budget: int, top: int) -> int:
    """The largest cap in ``[0, top]`` whose shrunk view fits ``budget`` characters, by binary search (-1 when
    not even cap 0 fits). ``texts`` in template order, ``prefixes`` their trace prefixes. The view under a
    cap: the fixed text, the texts longer than the cap cut to it (``cut_chars``, longest first; a stable
    order), the others whole (each "\n" with its prefix after it), ``L<n>: `` numbers when ``numbered``,
    and the note line, whose length is ``note[0]`` plus the grouped lengths of cap, cap // 2 and the hidden
    count (cap >= 2) or ``note[1]`` plus that of the hidden count. A text longer than ``top`` is cut under
    every cap probed: its "\n" are counted only in the parts kept."""
    if len(prefixes) != len(texts):
        raise ValueError("one prefix per text")
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)  # stable
    strs = [texts[i] for i in order]
    plens = [len(prefixes[i]) for i in order]
    nls = [s.count("\n") if len(s) <= top else 0 for s in strs]
    # Suffix sums of what the texts cost whole, from each one on: a probe visits only the texts above its cap.
    whole_chars = list(accumulate(reversed([len(s) + n * p for s, n, p in zip(strs, nls, plens)]), initial=0))
    whole_newlines = list(accumulate(reversed(nls), initial=0))
    whole_chars.reverse()
    whole_newlines.reverse()

    def fits(cap: int) -> bool:
        k, chars, newlines, hidden = cut_chars(strs, plens, cap, numbered)
        chars += fixed_chars + whole_chars[k]
        lines = fixed_newlines + newlines + whole_newlines[k] + 1
        if numbered:
            chars += lines * (len(str(lines)) + 3)
        if cap >= 2:
            chars += note[0] + grouped_len(cap) + grouped_len(cap // 2) + grouped_len(hidden)
        else:
            chars += note[1] + grouped_len(hidden)
        return chars + 1 <= budget

    if not fits(0):
        return -1
    lo, hi = 0, top
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo
