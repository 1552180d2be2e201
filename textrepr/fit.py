"""Fitting a rendering into a budget of characters and/or tokens (options ``max_length``, ``max_tokens``,
``fit``).

- ``fit: "sample"`` with ``max_tokens``: §4.19's line sampling with a cost per line in characters and in
  tokens, both bounds held; the token bound is checked on the written text (a counter need not be
  additive over lines) and the selection tightened until it holds.
- ``fit: "shrink"``: the renderers hand every truncatable text to a sink (``textrepr.sink``) and leave a
  placeholder, so one rendering gives a *template*: fixed text (the skeleton: titles, labels, role lines,
  tool calls, node lines, error bodies) and the texts with where they sit. One common cap ``B`` is then
  chosen, as large as the budget allows, by a binary search whose probes cost only the texts' cut
  forms (no re-rendering): every text longer than ``B`` keeps its first and last ``B // 2`` characters
  and gets the plain ``... (N chars truncated) ...`` note. Only when the skeleton does not fit with every
  text cut to nothing are lines sampled, content lines before skeleton lines.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from threading import get_ident
from typing import Callable, Sequence

from .core import assemble, trunc
from .options import Options
from .sink import SINKS
from .tokens import estimate

__all__ = ["Budget", "budget", "finish", "sample", "is_skeleton"]

Counter = Callable[[str], int]
Render = Callable[[], "tuple[list[str], list[int] | None]"]

# Placeholders hold lone surrogates, which parsed input never contains (it is repaired), so they cannot be
# forged. The "\n" inside makes a trace node's content prefix show up after it (the tree renderer
# prefixes every "\n" of a node's content), so the prefix a text's own lines need is known.
_OPEN, _CLOSE = "\udb80", "\udb81"
_PLACE = re.compile("\udb80([0-9]+)\n([^\udb81\n]*)\udb81")
_GUARD = 40  # a cap at most this far below truncate_buffer never shows a text whole that trunc would cut


@dataclass(frozen=True, slots=True)
class Budget:
    """Bounds on a text: ``chars`` (``len``) and ``tokens`` (by ``counter``); 0 = no bound."""

    chars: int
    tokens: int
    counter: Counter

    def __bool__(self) -> bool:
        return bool(self.chars or self.tokens)

    def fits(self, text: str) -> bool:
        return (not self.chars or len(text) <= self.chars) and (not self.tokens or self.counter(text) <= self.tokens)


def budget(o: Options, counter: Counter | None = None) -> Budget:
    return Budget(o.max_length, o.max_tokens, counter or estimate)


def finish(render: Render, o: Options, counter: Counter | None = None) -> tuple[str, bool]:
    """The final text of a rendering under ``o`` and whether it was cut to fit (``metadata.truncated``).

    ``render()`` returns the renderer's line list and, for a trace, its node-line indices.
    """
    b = budget(o, counter)
    if o.fit == "shrink" and b:
        return _shrink(render, o, b)
    elements, nodes = render()
    if not b.tokens:
        return assemble(elements, o.include_markers, o.include_line_numbers, o.max_length, nodes)
    text, _ = assemble(elements, o.include_markers, o.include_line_numbers, 0, None)
    return sample(text, b, nodes)


# ----------------------------------------------------------------------------------- line sampling


def _note(k: int, n: int, total: int) -> str:
    return (f"[SAMPLED VIEW: Showing ~{format(100 * k / n, '.0f')}% of {total:,} lines. "
            "Gaps in line numbers indicate omitted content.]")


def _select(m: int, fits: Callable[[list[int]], bool]) -> list[int]:
    """§4.19 step 5 over ``m`` candidates: evenly spaced, always the last, by the prescribed search."""

    def sel(k: int) -> list[int]:
        if k == 0:
            return []
        if k == 1:
            return [m - 1]
        return [i * (m - 1) // (k - 1) for i in range(k)]

    lo, hi = 0, m
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(sel(mid)):
            lo = mid
        else:
            hi = mid - 1
    return sel(lo)


def _cut_to(line: str, fits: Callable[[str], bool]) -> str:
    """The longest prefix of ``line`` that fits (binary search: a prefix's cost grows with it)."""
    lo, hi = 0, len(line)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(line[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return line[:lo]


def _costs(lines: Sequence[str], b: Budget) -> tuple[list[int], list[int] | None]:
    chars = [len(x) + 1 for x in lines]
    tokens = [b.counter(x + "\n") for x in lines] if b.tokens else None
    return chars, tokens


def sample(text: str, b: Budget, node_lines: list[int] | None) -> tuple[str, bool]:
    """§4.19 with both bounds of ``b``: the same head, note, selection and node guarantee."""
    if b.fits(text):
        return text, False
    lines = text.split("\n")
    cost_c, cost_t = _costs(lines, b)
    slack = 0
    while True:
        out = _sample_once(lines, cost_c, cost_t, b, node_lines, slack)
        if b.fits(out):
            return out, True
        # The counter is not additive over lines: ask for less by at least the overshoot, doubling.
        slack = max(2 * slack, b.counter(out) - b.tokens, 1)


def _sample_once(lines: list[str], cost_c: list[int], cost_t: list[int] | None, b: Budget,
                 node_lines: list[int] | None, slack: int) -> str:
    total = len(lines)
    n = total - 5
    big = 1 << 62
    if n > 0:
        base = "\n".join(lines[:2] + [_note(n, n, total)] + lines[2:5])
        avail_c = b.chars - len(base) - 1 if b.chars else big
        avail_t = b.tokens - b.counter(base + "\n") - slack if b.tokens else big
    if n <= 0 or avail_c < 0 or avail_t < 0:
        return _prefix(lines, b)
    body_c, body_t = cost_c[5:], (cost_t[5:] if cost_t is not None else None)

    def fits_in(ac: int, at: int) -> Callable[[list[int]], bool]:
        def fits(sel: list[int]) -> bool:
            if sum(body_c[j] for j in sel) > ac:
                return False
            return body_t is None or sum(body_t[j] for j in sel) <= at
        return fits

    sel = _select(n, fits_in(avail_c, avail_t))
    if node_lines:
        body_nodes = [j - 5 for j in node_lines if 5 <= j < total]
        if body_nodes and not set(sel) & set(body_nodes):
            best = -1
            for j in body_nodes:
                if body_c[j] <= avail_c and (body_t is None or body_t[j] <= avail_t):
                    best = j
            if best >= 0:
                rest = _select(n, fits_in(avail_c - body_c[best], avail_t - (body_t[best] if body_t else 0)))
                sel = sorted(set(rest) | {best})
    kept = [lines[5 + j] for j in sel]
    if not kept and avail_c >= 2 and avail_t >= 1:
        last = lines[-1]
        kept = [_cut_to(last, lambda x: len(x) <= avail_c - 1 and (body_t is None or b.counter(x) <= avail_t))]
    return "\n".join(lines[:2] + [_note(len(kept), n, total)] + lines[2:5] + kept)


def _prefix(lines: list[str], b: Budget) -> str:
    """§4.19 step 4: the longest run of whole leading lines that fits, or the first line cut."""
    if not b.fits(lines[0]):
        return _cut_to(lines[0], b.fits)
    lo, hi = 1, len(lines)
    while lo < hi:  # a longer prefix never costs fewer characters; tokens: checked on the text
        mid = (lo + hi + 1) // 2
        if b.fits("\n".join(lines[:mid])):
            lo = mid
        else:
            hi = mid - 1
    return "\n".join(lines[:lo])


# ---------------------------------------------------------------------------------- shrink-to-fit

# Lines of the skeleton, by shape (after any tree prefix): section labels (upper-case words and a colon,
# "AVAILABLE TOOLS: 3", "EVALUATION: …"), "Tool calls: 2" / "Tool Call:" / "Remaining steps: 1", role
# lines "[3] ASSISTANT", "[+] …" headings, tree node lines (separator rules are not: they repeat). Classifying by shape keeps this
# independent of how each renderer builds its lines.
_TREE_PREFIX = re.compile(r"[│├└─ ]*")
_ROLE = re.compile(r"\[\d+\] \S")
# Section labels proper: "INPUT:", "TRACE ERROR:", "AVAILABLE TOOLS: 3", "Tool calls: 2", "Tool Call:".
_SECTION = re.compile(r"(?:[A-Z][A-Z0-9 _()'/&.-]*|Tool calls|Tool Call|Remaining steps)(?::| \d+$|: \d+$)")
_LABEL = re.compile(r"(?:[A-Z][A-Z0-9 _&/()'.-]*|Tool calls|Tool Call|Remaining steps|Error|Tool result)"
                    r"(?::| \d+$)(?: .*)?")
_ROLE = re.compile(r"\[\d+\] \S")
_NODE = re.compile(r"[│ ]*[├└]─ ")
_SEP, _EQ = "-" * 80, "=" * 80
CONTENT, LABEL, CORE = 0, 1, 2  # ranks of a line in a shrunk view that must be sampled: lowest go first
_TOOL_CALLS = re.compile(r"Tool calls: \d+")


def is_skeleton(line: str) -> bool:
    """Whether a (fixed, not text) line is part of the skeleton, by its shape."""
    if _NODE.match(line):
        return True
    s = _strip_tree(line)
    if not s:
        return False
    return bool(_ROLE.match(s) or s.startswith("[+] ") or _LABEL.fullmatch(s))


def _strip_tree(line: str) -> str:
    """A line without its tree prefix and indentation."""
    return line[_TREE_PREFIX.match(line).end():]  # type: ignore[union-attr]


def _is_filler(line: str) -> bool:
    """A blank line (tree prefix only) or a separator rule."""
    s = _strip_tree(line)
    return not s or s == _SEP or s == _EQ


def _is_error_label(line: str) -> bool:
    s = line.strip(" │├└─")
    return s.endswith("ERROR:") or s == "Error:"


@dataclass(slots=True)
class _Text:
    s: str
    prefix: str  # written after each of its "\n" (a trace node's content prefix)
    newlines: list[int]  # positions of "\n" in s
    tokens: int = -1  # counter(s), when known


class _Template:
    """A rendering with its texts out: ``fixed[0] text[0] fixed[1] … text[n-1] fixed[n]``."""

    def __init__(self, fixed: list[str], texts: list[_Text], node_lines: set[int], o: Options, b: Budget,
                 compact: bool = False):
        self.fixed, self.texts, self.node_lines, self.o, self.b, self.compact = fixed, texts, node_lines, o, b, compact
        self.fixed_chars = sum(map(len, fixed))
        self.fixed_newlines = sum(f.count("\n") for f in fixed)
        self.fixed_tokens = sum(map(b.counter, fixed)) if b.tokens else 0
        self.total_chars = sum(len(t.s) for t in texts)

    @classmethod
    def parse(cls, template: str, texts: list[str], node_lines: list[int] | None, o: Options,
              b: Budget) -> "_Template":
        fixed: list[str] = []
        items: list[_Text] = []
        pos = 0
        for i, m in enumerate(_PLACE.finditer(template)):
            if int(m.group(1)) != i:
                raise ValueError("placeholders out of order")
            fixed.append(template[pos:m.start()])
            s = texts[i]
            items.append(_Text(s, m.group(2), [k for k, c in enumerate(s) if c == "\n"] if "\n" in s else []))
            pos = m.end()
        fixed.append(template[pos:])
        if len(items) != len(texts):
            raise ValueError("a placeholder was lost")
        return cls(fixed, items, set(node_lines or ()), o, b)

    def compacted(self) -> "_Template":
        """The same template without its blank lines and separator rules (outside the texts): a shrunk
        view spends its budget on content, not on layout."""
        fixed: list[str] = []
        nodes: set[int] = set()
        tline = removed = 0  # template line of the current chunk; filler lines dropped before it
        last = len(self.fixed) - 1
        for i, f in enumerate(self.fixed):
            chunks = f.split("\n")
            keep: list[str] = []
            end = len(chunks) - 1
            for k, ch in enumerate(chunks):
                starts = k > 0 or i == 0  # the chunk starts a line (else it continues a text's line)
                if starts and (k < end or i == last) and _is_filler(ch):
                    removed += 1
                else:
                    keep.append(ch)
                    if starts and tline + k in self.node_lines:
                        nodes.add(tline + k - removed)
            fixed.append("\n".join(keep))
            tline += end + 1  # its own newlines, and the placeholder's
        return _Template(fixed, self.texts, nodes, self.o, self.b, compact=True)

    # --- the text under a cap

    def piece(self, t: _Text, cap: int | None) -> tuple[str, int]:
        """Text ``t`` under cap ``cap`` (None: §4.16 trunc under the options) and the characters hidden."""
        o = self.o
        if cap is None:
            s = trunc(t.s, o.truncated, o.truncate_buffer, False)[0]
            cut = o.truncated and len(t.s) > o.truncate_buffer
            hidden = len(t.s) - 2 * (o.truncate_buffer // 2) if cut else 0
        else:
            h, note = self._cut(t, cap)
            if note is None:
                s, hidden = t.s, 0
            else:
                n = len(t.s)
                s = t.s[:h] + note + (t.s[n - h:] if h else "")
                hidden = n - 2 * h
        if t.prefix and "\n" in s:
            s = s.replace("\n", "\n" + t.prefix)
        return s, hidden

    @staticmethod
    def _cut(t: _Text, cap: int) -> tuple[int, str | None]:
        """(h, note) of a text cut to ``cap``, or (0, None) when it stays whole: when it is not longer
        than ``cap``, or when cutting would not make it shorter."""
        n = len(t.s)
        if n <= cap:
            return 0, None
        h = cap // 2
        # §4.16's plain note; with nothing kept around it, without the blank lines that frame it.
        note = f"\n\n... ({n - 2 * h} chars truncated) ...\n\n" if h else f"... ({n} chars truncated) ..."
        if 2 * h + len(note) >= n:
            return 0, None
        return h, note

    def note(self, cap: int, hidden: int, sampled: str = "") -> str:
        kept = f"their first and last {cap // 2:,} chars" if cap >= 2 else "only a note"
        return (f"[SHRUNK VIEW: no blank lines or rules; texts over {cap:,} chars keep {kept}; "
                f"{hidden:,} of {self.total_chars:,} text chars hidden.{sampled}]")

    def build(self, cap: int | None) -> tuple[str, int]:
        """The final text (numbered, with the note when anything was hidden) and the characters hidden."""
        parts = [self.fixed[0]]
        hidden = 0
        for t, f in zip(self.texts, self.fixed[1:]):
            s, h = self.piece(t, cap)
            hidden += h
            parts.append(s)
            parts.append(f)
        text = "".join(parts)
        if self.o.include_line_numbers or cap is not None:
            lines = text.split("\n")
            if self.o.include_line_numbers:
                width = len(str(len(lines)))
                lines = [f"L{k:0{width}d}: {x}" for k, x in enumerate(lines, 1)]
            if cap is not None:
                lines.insert(min(2, len(lines)), self.note(cap, hidden))
            text = "\n".join(lines)
        return text, hidden

    # --- what a cap costs, without building the text

    def cost(self, cap: int) -> tuple[int, int]:
        """(characters, tokens) of ``build(cap)``; tokens summed over the parts (an estimate)."""
        count = self.b.counter if self.b.tokens else None
        chars = self.fixed_chars
        tokens = self.fixed_tokens
        newlines = self.fixed_newlines
        hidden = 0
        for t in self.texts:
            h, note = self._cut(t, cap)
            p = len(t.prefix)
            if note is None:
                nl = len(t.newlines)
                chars += len(t.s) + nl * p
                if count is not None:
                    if t.tokens < 0:
                        t.tokens = count(t.s)
                    tokens += t.tokens + (nl * count(t.prefix) if p else 0)
            else:
                n = len(t.s)
                nl = bisect_left(t.newlines, h) + len(t.newlines) - bisect_left(t.newlines, n - h) + 4 if h else 0
                chars += 2 * h + len(note) + nl * p
                hidden += n - 2 * h
                if count is not None:
                    tokens += count(t.s[:h]) + count(note) + (count(t.s[n - h:]) if h else 0)
                    tokens += nl * count(t.prefix) if p else 0
            newlines += nl
        lines = newlines + 1
        if self.o.include_line_numbers:
            label = "L" + "0" * len(str(lines)) + ": "
            chars += lines * len(label)
            if count is not None:
                tokens += lines * count(label)
        note_text = self.note(cap, hidden)  # a shrunk view always says so
        chars += len(note_text) + 1
        if count is not None:
            tokens += count(note_text + "\n")
        return chars, tokens

    def fits(self, cap: int) -> bool:
        c, t = self.cost(cap)
        b = self.b
        return (not b.chars or c <= b.chars) and (not b.tokens or t <= b.tokens)

    # --- the fallback: sampling lines of the text with every text cut to nothing

    def lines_with_kinds(self) -> tuple[list[str], list[int]]:
        """Lines of ``build(0)`` before numbering and note, and the rank of each: ``CORE`` (the title, trace
        node lines, message role lines, section and error labels, the first line of every error text,
        tool-call lines), ``LABEL`` (other skeleton-shaped lines: ``EVALUATION: …``, ``[+]`` headings) or
        ``CONTENT``. Only a line holding no text can be a skeleton line."""
        lines: list[str] = []
        kinds: list[int] = []
        cur: list[str] = []
        cur_text = False
        cur_t = tline = 0  # template line where the current line starts / of the current position

        def end_line() -> None:
            x = "".join(cur)
            lines.append(x)
            if cur_text:
                kinds.append(CONTENT)
            elif cur_t in self.node_lines or _ROLE.match(_strip_tree(x)) or _SECTION.fullmatch(_strip_tree(x)):
                kinds.append(CORE)
            else:
                kinds.append(LABEL if is_skeleton(x) else CONTENT)

        for i, f in enumerate(self.fixed):
            if i:
                chunks = self.piece(self.texts[i - 1], 0)[0].split("\n")
                cur.append(chunks[0])
                cur_text = True
                for c in chunks[1:]:
                    end_line()
                    cur, cur_text, cur_t = [c], True, -1
                tline += 1  # the placeholder's own "\n"
            chunks = f.split("\n")
            cur.append(chunks[0])
            for c in chunks[1:]:
                end_line()
                tline += 1
                cur, cur_text, cur_t = [c], False, tline
        end_line()
        kinds[0] = CORE  # the title
        k = 0
        while k < len(lines) - 1:
            if kinds[k] and _is_error_label(lines[k]):
                j = k + 1
                while j < len(lines) and not lines[j].strip(" │"):
                    j += 1
                if j < len(lines):
                    kinds[j] = CORE
            elif kinds[k] and _TOOL_CALLS.fullmatch(_strip_tree(lines[k])):
                kinds[k] = CORE
                j = k + 1
                while j < len(lines) and _strip_tree(lines[j]).startswith("- "):
                    kinds[j] = CORE
                    j += 1
            k += 1
        return lines, kinds


def _shrink(render: Render, o: Options, b: Budget) -> tuple[str, bool]:
    texts: list[str] = []

    def sink(s: str) -> str:
        texts.append(s)
        return f"{_OPEN}{len(texts) - 1}\n{_CLOSE}"

    tid = get_ident()
    SINKS[tid] = sink
    try:
        elements, nodes = render()
    finally:
        del SINKS[tid]
    full = _Template.parse("\n".join(elements), texts, nodes, o, b)
    text, _ = full.build(None)  # the usual rendering
    if b.fits(text):
        return text, False
    t = full.compacted()
    top = max(0, o.truncate_buffer - _GUARD) if o.truncated else max((len(x.s) for x in t.texts), default=0)
    if t.fits(0):
        lo, hi = 0, top
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if t.fits(mid):
                lo = mid
            else:
                hi = mid - 1
        text, _ = t.build(lo)
        if b.fits(text):
            return text, True
        # Tokens are not additive over the parts: search again on the built texts.
        lo, hi = 0, lo - 1
        if b.fits(t.build(0)[0]):
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if b.fits(t.build(mid)[0]):
                    lo = mid
                else:
                    hi = mid - 1
            return t.build(lo)[0], True
    return _shrink_sampled(t, b), True


def _shrink_sampled(t: _Template, b: Budget) -> str:
    """Every text cut to nothing and still over budget: keep whole ranks of lines, highest first (core
    skeleton, other skeleton lines, content), and an evenly spaced selection of the first rank that does
    not fit whole."""
    lines, ranks = t.lines_with_kinds()
    total = len(lines)
    if t.o.include_line_numbers:
        width = len(str(total))
        lines = [f"L{k:0{width}d}: {x}" for k, x in enumerate(lines, 1)]
    hidden = sum(len(x.s) for x in t.texts if t._cut(x, 0)[1] is not None)
    cost_c, cost_t = _costs(lines, b)
    pools = [[i for i in range(total) if ranks[i] == r] for r in (CORE, LABEL, CONTENT)]
    slack = 0
    while True:
        out = _select_lines(t, lines, cost_c, cost_t, pools, b, hidden, slack)
        if b.fits(out):
            return out
        if not b.tokens:
            return _cut_to(out, b.fits)  # cannot happen: character costs are exact
        slack = max(2 * slack, b.counter(out) - b.tokens, 1)


def _select_lines(t: _Template, lines: list[str], cost_c: list[int], cost_t: list[int] | None,
                  pools: list[list[int]], b: Budget, hidden: int, slack: int) -> str:
    total = len(lines)
    big = 1 << 62
    note = t.note(0, hidden, f" Showing ~100% of {total:,} lines; gaps in line numbers mark omitted lines.")
    avail_c = b.chars - len(note) - 1 if b.chars else big
    avail_t = b.tokens - b.counter(note + "\n") - slack if b.tokens else big
    if avail_c < 0 or avail_t < 0:
        return _cut_to(lines[0], b.fits)
    chosen: list[int] = []
    for pool in pools:
        pc = sum(cost_c[i] for i in pool)
        pt = sum(cost_t[i] for i in pool) if cost_t is not None else 0
        if pc <= avail_c and pt <= avail_t:
            chosen += pool
            avail_c -= pc
            avail_t -= pt
            continue

        def fits(sel: list[int], pool: list[int] = pool, ac: int = avail_c, at: int = avail_t) -> bool:
            if sum(cost_c[pool[j]] for j in sel) > ac:
                return False
            return cost_t is None or sum(cost_t[pool[j]] for j in sel) <= at

        chosen += [pool[j] for j in _select(len(pool), fits)]
        break
    chosen.sort()
    pct = format(100 * len(chosen) / total, ".0f")
    note = t.note(0, hidden, f" Showing ~{pct}% of {total:,} lines; gaps in line numbers mark omitted lines.")
    kept = [lines[i] for i in chosen]
    return "\n".join(kept[:2] + [note] + kept[2:])
