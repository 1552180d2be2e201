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
  and gets the plain ``... (N chars truncated) ...`` note; a shrunk view drops blank lines and separator
  rules, and says so in one note line. Only when the skeleton does not fit with every text cut to a note
  are lines sampled: content lines first, core skeleton lines last. The loops over the whole template
  (scan, cap search, writing a view, line ranks and the sampled choice) are in ``textrepr._fit``
  (compiled) / ``textrepr._fit_py`` (pure): under a character budget a request costs a handful of calls
  whatever its number of texts, which is what keeps small requests cheap.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from operator import add, mul
from threading import get_ident
from typing import Callable, Iterable, NamedTuple, Sequence

from ._core_py import _note  # §4.19's note; this sampling is Python in both builds
from ._fit_py import _SHAPE, pick_many, select as _select  # §4.19 step 5 over several cost lists
from ._twins import select
from ._fit_py import CLOSE as _CLOSE, NOTE as _NOTE, OPEN as _OPEN
from ._fit_py import grouped_len as _grouped_len
from .core import assemble, number_lines, trunc
from .options import Options
from .sink import SINKS
from .tokens import estimate

# The hot loops (template scan and compaction, the cap search, line shapes): the compiled twin
# textrepr._fit when built, else textrepr._fit_py (textrepr._twins.select, as every twin pair).
_fit = select("_fit", "_fit_py")[0]
fill, largest_cap, scan_template = _fit.fill, _fit.largest_cap, _fit.scan_template
pick_lines, skeleton_ranks = _fit.pick_lines, _fit.skeleton_ranks

__all__ = ["Budget", "budget", "finish", "sample", "is_skeleton"]

Counter = Callable[[str], int]
Render = Callable[[], "tuple[list[str], list[int] | None]"]

# Placeholders (textrepr._fit_py) hold lone surrogates, which parsed input never contains, so they cannot
# be forged. The "\n" inside makes a trace node's content prefix show up after it (the tree renderer
# prefixes every "\n" of a node's content), so the prefix a text's own lines need is known.
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
    chars = list(map((1).__add__, map(len, lines)))
    # "\n" + line, not line + "\n": a line's indentation joins the newline before it into one whitespace run.
    tokens = [b.counter("\n" + x) for x in lines] if b.tokens else None
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

    costs = [body_c] if body_t is None else [body_c, body_t]
    sel = _select(costs, [avail_c, avail_t])
    if node_lines:
        body_nodes = [j - 5 for j in node_lines if 5 <= j < total]
        if body_nodes and not set(sel) & set(body_nodes):
            best = -1
            for j in body_nodes:
                if body_c[j] <= avail_c and (body_t is None or body_t[j] <= avail_t):
                    best = j
            if best >= 0:
                rest = _select(costs, [avail_c - body_c[best], avail_t - (body_t[best] if body_t else 0)])
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



def is_skeleton(line: str) -> bool:
    """Whether a line is shaped like a skeleton line (node, role, label or heading line)."""
    return bool(_SHAPE.match(line))


class _Text(NamedTuple):
    s: str
    prefix: str  # written after each of its "\n" (a trace node's content prefix)
    newlines: int  # how many "\n" s holds (-1 when s is longer than any whole text: never needed)


class _Template:
    """A rendering with its texts out: ``fixed[0] text[0] fixed[1] … text[n-1] fixed[n]``."""

    def __init__(self, fixed: list[str], texts: list[_Text], o: Options, b: Budget, fixed_newlines: int):
        self._setup(fixed, [t.s for t in texts], [t.prefix for t in texts], o, b, fixed_newlines)
        self.texts = texts

    def _setup(self, fixed: list[str], strs: list[str], prefixes: list[str], o: Options, b: Budget,
               fixed_newlines: int) -> None:
        self.fixed, self.strs, self.prefixes, self.o, self.b = fixed, strs, prefixes, o, b
        self.fixed_chars = sum(map(len, fixed))
        self.fixed_newlines = fixed_newlines
        self._compact: tuple[list[str], int] = fixed, fixed_newlines  # parse() sets the compacted parts
        self.fixed_tokens = sum(map(b.counter, fixed)) if b.tokens else 0
        self.total_chars = sum(map(len, strs))

    @cached_property
    def texts(self) -> list[_Text]:
        """The texts with their prefixes and "\n" counts (built when a path needs them: the search under
        a character budget and the views under a cap work on ``strs`` and ``prefixes``)."""
        o = self.o
        # A text longer than truncate_buffer is cut under every cap and in the usual rendering: its "\n" are
        # never counted whole (-1: unknown; it reads as "has some", and only the kept parts are counted).
        limit = o.truncate_buffer if o.truncated else self.total_chars
        counts = [s.count("\n") if len(s) <= limit else -1 for s in self.strs]
        return list(map(_Text, self.strs, self.prefixes, counts))

    @classmethod
    def parse(cls, template: str, texts: list[str], o: Options, b: Budget) -> "_Template":
        """The template of a rendering (one pass: ``textrepr._fit``), its compacted form kept for later."""
        fixed, compact, prefixes, newlines, compact_newlines = scan_template(template, len(texts))
        t = cls.__new__(cls)
        t._setup(fixed, texts, prefixes, o, b, newlines)
        t._compact = compact, compact_newlines
        return t

    def compacted(self) -> "_Template":
        """The same template without its blank lines and separator rules outside the texts: a shrunk view
        spends its budget on content, not on layout."""
        t = _Template.__new__(_Template)
        t._setup(self._compact[0], self.strs, self.prefixes, self.o, self.b, self._compact[1])
        if "texts" in self.__dict__:  # built already: the same texts
            t.texts = self.texts
        return t

    # --- the text under a cap

    def piece(self, t: _Text, cap: int | None) -> tuple[str, int]:
        """Text ``t`` under cap ``cap`` (None: §4.16 trunc under the options) and the characters hidden: the
        definition ``fill`` (compiled) applies to every text at once in ``build``."""
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
        return _note_text(cap, hidden, self.total_chars, sampled)

    def build(self, cap: int | None) -> tuple[str, int]:
        """The final text (numbered, with the note when anything was hidden) and the characters hidden."""
        o = self.o
        if cap is not None:  # every text cut to the cap (one compiled pass; ``piece`` text by text)
            text, hidden = fill(self.fixed, self.strs, self.prefixes, cap)
        else:  # §4.16's trunc under the options
            buffer = min(o.truncate_buffer, _BIG) if o.truncated else _BIG
            text, hidden = fill(self.fixed, self.strs, self.prefixes, buffer, True)
        if o.include_line_numbers:
            text = number_lines(text)
        if cap is not None:  # the note goes after the second line, unnumbered (as §4.19's)
            i = text.find("\n")
            j = text.find("\n", i + 1) if i >= 0 else -1
            note = self.note(cap, hidden)
            text = text + "\n" + note if j < 0 else text[:j + 1] + note + "\n" + text[j + 1:]
        return text, hidden

    # --- what a cap costs, without building the text

    def _whole_sums(self) -> None:
        """Texts longest first, and suffix sums of what each costs whole: a probe then visits only the
        texts longer than its cap."""
        count = self.b.counter if self.b.tokens else None
        order = sorted(self.texts, key=_length, reverse=True)  # stable: equal lengths keep their order
        n = len(order)
        strs, plens, nls = [t.s for t in order], [len(t.prefix) for t in order], [t.newlines for t in order]
        chars = _suffix_sums(map(add, map(len, strs), map(mul, nls, plens)))
        lines = _suffix_sums(nls)
        toks = [0] * (n + 1)
        self._tokens = [0] * n  # counter(s) of each text, in that order
        if count is not None:
            for i in range(n - 1, -1, -1):
                t = order[i]
                self._tokens[i] = count(t.s)
                toks[i] = toks[i + 1] + self._tokens[i] + (t.newlines * count(t.prefix) if t.prefix and t.newlines else 0)
        self._order, self._whole = order, (chars, lines, toks)
        self._strs, self._plens = strs, plens

    def cost(self, cap: int) -> tuple[int, int]:
        """(characters, tokens) of ``build(cap)``; tokens summed over the parts (an estimate)."""
        if not hasattr(self, "_order"):
            self._whole_sums()
        count = self.b.counter if self.b.tokens else None
        chars = self.fixed_chars
        tokens = self.fixed_tokens
        newlines = self.fixed_newlines
        numbered = self.o.include_line_numbers
        hidden = 0
        order = self._order
        k = 0
        while k < len(order) and len(order[k].s) > cap:
            t = order[k]
            k += 1
            h, note = self._cut(t, cap)
            p = len(t.prefix)
            if note is None:  # cutting would not make it shorter
                nl = t.newlines
                chars += len(t.s) + nl * p
                if count is not None:
                    tokens += self._tokens[k - 1] + (nl * count(t.prefix) if p else 0)
            else:
                n = len(t.s)
                # Newlines matter only under a prefix or line numbers; counted in the kept parts (C speed).
                if h and (p or numbered) and t.newlines:
                    nl = t.s.count("\n", 0, h) + t.s.count("\n", n - h) + 4
                else:
                    nl = 4 if h else 0
                chars += 2 * h + len(note) + nl * p
                hidden += n - 2 * h
                if count is not None:
                    tokens += count(t.s[:h]) + count(note) + (count(t.s[n - h:]) if h else 0)
                    tokens += nl * count(t.prefix) if p else 0
            newlines += nl
        whole_c, whole_nl, whole_t = self._whole
        chars += whole_c[k]
        newlines += whole_nl[k]
        tokens += whole_t[k]
        lines = newlines + 1
        if numbered:
            label = "L" + "0" * len(str(lines)) + ": "
            chars += lines * len(label)
            if count is not None:
                tokens += lines * count(label)
        note_text = self.note(cap, hidden)  # a shrunk view always says so
        chars += len(note_text) + 1
        if count is not None:
            tokens += count(note_text + "\n")
        return chars, tokens

    def largest_cap(self, top: int) -> int:
        """The largest cap in ``[0, top]`` that ``fits`` (by binary search; -1 when not even 0 fits)."""
        if not self.b.tokens:  # characters only: the whole search in one compiled call
            total = _grouped_len(self.total_chars)
            return largest_cap(self.strs, self.prefixes, self.fixed_chars, self.fixed_newlines,
                               self.o.include_line_numbers, (_NOTE_CUT + total, _NOTE_ZERO + total),
                               min(self.b.chars, _BIG), top)
        if not self.fits(0):
            return -1
        lo, hi = 0, top
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.fits(mid):
                lo = mid
            else:
                hi = mid - 1
        return lo

    def note_len(self, cap: int, hidden: int) -> int:
        """``len(self.note(cap, hidden))``, by arithmetic (a probe formats no text)."""
        base = (_NOTE_CUT + _grouped_len(cap) + _grouped_len(cap // 2)) if cap >= 2 else _NOTE_ZERO
        return base + _grouped_len(hidden) + _grouped_len(self.total_chars)

    def standard_chars(self) -> int:
        """``len(build(None))`` without building it: §4.16 trunc under the options."""
        o = self.o
        limit = o.truncate_buffer if o.truncated else self.total_chars
        h = o.truncate_buffer // 2
        numbered = o.include_line_numbers
        chars, newlines = self.fixed_chars, self.fixed_newlines
        for s, p in zip(self.strs, map(len, self.prefixes)):
            n = len(s)
            if n <= limit:  # whole; its "\n" matter under a prefix or line numbers
                chars += n
                if p or numbered:
                    nl = s.count("\n")
                    chars += nl * p
                    newlines += nl
            else:  # §4.16's cut and plain note
                nl = (s.count("\n", 0, h) + s.count("\n", n - h) if h else 0) + 4
                chars += 2 * h + _NOTE + len(str(n - 2 * h)) + nl * p
                newlines += nl
        if o.include_line_numbers:
            chars += (newlines + 1) * (len(str(newlines + 1)) + 3)
        return chars

    def fits(self, cap: int) -> bool:
        c, t = self.cost(cap)
        b = self.b
        return (not b.chars or c <= b.chars) and (not b.tokens or t <= b.tokens)

    # --- the fallback: sampling lines of the text with every text cut to nothing

    def lines_with_kinds(self) -> tuple[str, list[str], list[int], int]:
        """The text of ``build(0)`` before numbering and note, its lines, the rank of each, by its shape:
        ``CORE`` (the title, trace node lines, message role lines, section and error labels, the first line
        of every error text, tool-call lines), ``LABEL`` (other skeleton-shaped lines: ``EVALUATION: …``,
        ``[+]`` headings) or ``CONTENT``; and the text characters hidden."""
        text, hidden = fill(self.fixed, self.strs, self.prefixes, 0)
        lines = text.split("\n")
        return text, lines, skeleton_ranks(lines), hidden


def _note_text(cap: int, hidden: int, total: int, sampled: str = "") -> str:
    """The note line of a shrunk view: its cap, how much of the ``total`` text characters it hides."""
    cut = f"texts over {cap:,} chars keep their first and last {cap // 2:,}" if cap >= 2 else "texts cut to a note"
    return (f"[SHRUNK VIEW: {cut}; {hidden:,} of {total:,} text chars hidden; "
            f"no blank lines or rules{sampled}.]")


# len(_note_text(cap, hidden, total)) less the grouped lengths of its numbers (cap >= 2: cap, cap // 2, hidden,
# total; below: hidden, total)
_NOTE_CUT = len(_note_text(2, 0, 0)) - 4
_NOTE_ZERO = len(_note_text(0, 0, 0)) - 2
_PLACEHOLDERS = [f"{_OPEN}{i}\n{_CLOSE}" for i in range(256)]  # the usual ones, made once
_BIG = 1 << 62  # above any text's cost, and a machine integer


def _length(t: _Text) -> int:
    return len(t.s)


def _suffix_sums(values: Iterable[int]) -> list[int]:
    """``[sum(values[i:]) for i in range(len(values) + 1)]`` in one pass."""
    out = list(accumulate(reversed(list(values)), initial=0))
    out.reverse()
    return out


def _shrink(render: Render, o: Options, b: Budget) -> tuple[str, bool]:
    texts: list[str] = []

    def sink(s: str) -> str:
        texts.append(s)
        i = len(texts) - 1
        return _PLACEHOLDERS[i] if i < len(_PLACEHOLDERS) else f"{_OPEN}{i}\n{_CLOSE}"

    tid = get_ident()
    SINKS[tid] = sink
    try:
        elements, _ = render()  # node lines are told by their shape (the template's lines move)
    finally:
        del SINKS[tid]
    full = _Template.parse("\n".join(elements), texts, o, b)
    if b.tokens or (full.fixed_chars <= b.chars and full.standard_chars() <= b.chars):  # fixed: a lower bound
        text, _ = full.build(None)  # the usual rendering
        if b.fits(text):
            return text, False
    t = full.compacted()
    top = max(0, o.truncate_buffer - _GUARD) if o.truncated else max(map(len, t.strs), default=0)
    lo = t.largest_cap(top)
    if lo >= 0:
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
    not fit whole (``pick_lines``: one compiled call when only characters are bounded)."""
    text, lines, ranks, hidden = t.lines_with_kinds()
    if t.o.include_line_numbers:
        lines = number_lines(text).split("\n")
    cost_c, cost_t = _costs(lines, b)
    slack = 0
    while True:
        out = _select_lines(t, lines, cost_c, cost_t, ranks, b, hidden, slack)
        if b.fits(out):
            return out
        if not b.tokens:
            return _cut_to(out, b.fits)  # cannot happen: character costs are exact
        slack = max(2 * slack, b.counter(out) - b.tokens, 1)


def _select_lines(t: _Template, lines: list[str], cost_c: list[int], cost_t: list[int] | None,
                  ranks: list[int], b: Budget, hidden: int, slack: int) -> str:
    total = len(lines)
    note: str | None = t.note(0, hidden, f"; ~100% of {total:,} lines shown")
    avail_c = b.chars - len(note) - 1 if b.chars else _BIG
    avail_t = b.tokens - b.counter(note + "\n") - slack if b.tokens else _BIG
    if avail_c < 0 or avail_t < 0:  # no room for the note: the lines matter more
        note = None
        avail_c = b.chars if b.chars else _BIG
        avail_t = b.tokens - slack if b.tokens else _BIG
    if cost_t is None:  # a budget beyond every line's cost keeps them all (and stays a machine integer)
        chosen = pick_lines(cost_c, ranks, min(avail_c, _BIG))
    else:
        chosen = pick_many([cost_c, cost_t], ranks, [avail_c, avail_t])
    kept = list(map(lines.__getitem__, chosen))
    if note is None:
        return "\n".join(kept)
    pct = format(100 * len(chosen) / total, ".0f")
    return "\n".join(kept[:2] + [t.note(0, hidden, f"; ~{pct}% of {total:,} lines shown")] + kept[2:])
