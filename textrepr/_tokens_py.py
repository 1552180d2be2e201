"""Token estimation, pure-Python twin of ``textrepr._tokens`` (selected by ``textrepr.tokens``).

One pass over the code points. A text is read as runs, and each run has a cost in thousandths of a
token taken from a weight table (see ``textrepr.tokens`` for the tables and how they were fitted):

- a run of ASCII letters: a cost by its length (1-3, 4-6, 7-10, 11+ letters) plus a cost per letter
  beyond 10, per lower-to-upper case change (camelCase splits into several tokens) and per upper-case
  letter after an upper-case one (ALL-CAPS words split more than lower-case ones);
- a letter run right after a digit, or a digit run right after a letter (hex ids, ``gpt4o``): a cost;
- a word holding non-ASCII letters (Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari and each other
  Brahmic block): a cost per word plus a cost per non-ASCII letter by script, plus each run of ASCII letters inside it costed as an
  ASCII word (without the digit-change cost);
- a run of ASCII digits: BPE splits digits in groups of three; a cost per group;
- a run of ASCII punctuation: a cost per run plus, for each stretch of one repeated character, a cost per
  character but never more than a run's cost per 32 characters (BPE has tokens for a rule, ``"-" * 80``);
- a run of whitespace that holds a newline or tab: a cost per run plus per character; a run of 2+
  spaces: the same per-run cost; a single space costs nothing (it merges into the next word);
- Han, kana, Hangul, other scripts (Thai, ...), other BMP symbols, astral characters (emoji): a cost per
  code point, by kind.

Monotone under concatenation: ``estimate(a + b) >= max(estimate(a), estimate(b))`` for every a, b
(shrink-to-fit's cap search relies on it), given the constraints ``monotone_weights`` checks. The total is a
sum over runs; joining a and b changes only what touches the seam: (1) a's last run and b's first run(s)
may fuse into one run R, and (2) the run after the seam gains a predecessor. For (2) the only
predecessor-dependent cost is ALNUM, which can only be added. For (1) it suffices that cost(R) is at least
the cost of the a-runs it swallows and at least the cost of the b-runs it swallows (every other run is
unchanged), because the runs of the other side that R swallows cost >= 0. Per kind of R:
- ASCII letters: the length bucket is non-decreasing (W13 <= W46 <= W710 <= W11) and LONG >= 0; the
  camel/caps counts are over adjacent pairs, so a longer run has all the pairs of either part.
- a non-ASCII word swallows a's word (letters and all) and, from b, an ASCII letter run and then b's first
  non-ASCII word: R pays one XWORD, every non-ASCII letter of both, and its ASCII letter runs as ASCII
  words, each at least as long as the one it contains, so R >= each side (this is why ASCII letters inside
  such a word are not free).
- digits: DIGITS per group of three, non-decreasing in the length.
- punctuation: one PRUN per run, and per stretch of one repeated character a cost non-decreasing in its
  length (the smaller of PUNCT per char and PRUN per 32 chars, both non-decreasing): two stretches of one
  character fuse at the seam.
- whitespace: WSRUN + WSCHAR per char grows with the length; a run of 2+ spaces (SPACES) fuses with a
  newline or tab into a whitespace run of at least 3 characters: SPACES <= WSRUN + 3 * WSCHAR.
- Han, kana, Hangul, other scripts, symbols, astral characters: one run per code point, nothing fuses.
Rounding up to whole tokens at the end is monotone too.
"""
from __future__ import annotations

from typing import Sequence

__all__ = ["estimate_with", "monotone_weights", "WEIGHT_COUNT"]

# Indices into a weight table. Non-ASCII letters are costed by script (index by code point:
# ``letter_weight``); 23-35 were added after the first tables, so the older indices kept their places.
W13, W46, W710, W11, LONG, CAMEL, PUNCT, PRUN, DIGITS, SPACES, WSRUN, WSCHAR = range(12)
LATIN, GREEK, HEBREW, DEVANAGARI, XWORD, HAN, OTHER, SYMBOL, ASTRAL = range(12, 21)
CAPS, ALNUM = 21, 22
CYRILLIC, ARABIC, KANA, HANGUL = 23, 24, 25, 26
INDIC = 27  # 27-35: the Brahmic blocks after Devanagari, one per 128 code points (Bengali ... Sinhala)
WEIGHT_COUNT = 36

# Classes of a code point.
_LETTER, _DIGIT, _SPACE, _WS, _PUNCT = 0, 1, 2, 3, 4
_XLETTER = 5  # a letter of an alphabetic script other than ASCII: part of a word
_SINGLE = 6  # a code point costed alone (CJK, kana, Hangul, other scripts, symbols, emoji)


def _ascii_class(o: int) -> int:
    if 97 <= o <= 122 or 65 <= o <= 90:
        return _LETTER
    if 48 <= o <= 57:
        return _DIGIT
    if o == 32:
        return _SPACE
    if 9 <= o <= 13:
        return _WS
    return _PUNCT


_ASCII = tuple(_ascii_class(o) for o in range(128))


def letter_weight(o: int) -> int:
    """The weight index of non-ASCII code point ``o``: a word letter's script, or a lone code point's kind."""
    if o < 0x250 or 0x1E00 <= o < 0x1F00:  # Latin-1, Latin extended (A, B, Additional: Vietnamese)
        return LATIN
    if o < 0x400:  # IPA, modifiers, combining marks, Greek
        return GREEK
    if o < 0x530:
        return CYRILLIC
    if o < 0x600:  # Armenian, Hebrew
        return HEBREW
    if o < 0x900:  # Arabic, Syriac, Thaana, N'Ko, ...
        return ARABIC
    if o < 0x980:
        return DEVANAGARI
    if o < 0xE00:
        return INDIC + ((o - 0x980) >> 7)
    if o < 0x2000:
        return OTHER
    if 0x3040 <= o <= 0x30FF:
        return KANA
    if 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF:
        return HAN
    if 0xAC00 <= o <= 0xD7AF:
        return HANGUL
    if o < 0x10000:
        return SYMBOL
    return ASTRAL


def char_class(o: int) -> int:
    """The class of code point ``o``."""
    if o < 128:
        return _ASCII[o]
    return _XLETTER if letter_weight(o) in _WORD_SCRIPTS else _SINGLE


_WORD_SCRIPTS = frozenset({LATIN, GREEK, CYRILLIC, HEBREW, ARABIC, DEVANAGARI, *range(INDIC, INDIC + 9)})


def monotone_weights(w: Sequence[int]) -> bool:
    """Whether weight table ``w`` keeps the estimate monotone under concatenation (see the module doc)."""
    return (len(w) == WEIGHT_COUNT and min(w) >= 0 and w[W13] <= w[W46] <= w[W710] <= w[W11]
            and w[SPACES] <= w[WSRUN] + 3 * w[WSCHAR])


def _letters(text: str, i: int, n: int, w: Sequence[int]) -> tuple[int, int]:
    """The end of the ASCII letter run starting at ``i``, and its cost (without ALNUM)."""
    camel = caps = 0
    lower = ord(text[i]) >= 97
    j = i + 1
    while j < n:
        o = ord(text[j])
        if o >= 128 or _ASCII[o] != _LETTER:
            break
        if o <= 90:
            if lower:
                camel += 1
            else:
                caps += 1
        lower = o >= 97
        j += 1
    size = j - i
    cost = w[W13] if size <= 3 else w[W46] if size <= 6 else w[W710] if size <= 10 else w[W11]
    if size > 10:
        cost += w[LONG] * (size - 10)
    return j, cost + w[CAMEL] * camel + w[CAPS] * caps


def estimate_with(text: str, w: Sequence[int]) -> int:
    """Estimated tokens of ``text`` under weight table ``w`` (thousandths of a token per feature)."""
    if len(w) != WEIGHT_COUNT:
        raise ValueError(f"a weight table has {WEIGHT_COUNT} entries, not {len(w)}")
    n = len(text)
    total = 0
    i = 0
    while i < n:
        k = char_class(ord(text[i]))
        j = i + 1
        if k == _LETTER:
            j, cost = _letters(text, i, n, w)
            total += cost
            if i and char_class(ord(text[i - 1])) == _DIGIT:
                total += w[ALNUM]
        elif k == _XLETTER:
            total += w[XWORD] + w[letter_weight(ord(text[i]))]
            while j < n:
                c = char_class(ord(text[j]))
                if c == _LETTER:
                    j, cost = _letters(text, j, n, w)
                    total += cost
                elif c == _XLETTER:
                    total += w[letter_weight(ord(text[j]))]
                    j += 1
                else:
                    break
        elif k == _DIGIT:
            while j < n and char_class(ord(text[j])) == _DIGIT:
                j += 1
            total += w[DIGITS] * ((j - i + 2) // 3)
            if i and char_class(ord(text[i - 1])) == _LETTER:
                total += w[ALNUM]
        elif k == _PUNCT:
            total += w[PRUN]
            same = 1  # length of the current run of one repeated character
            while True:
                if j < n and text[j] == text[j - 1]:
                    same += 1
                else:
                    # a rule such as "-" * 80: BPE has tokens for long runs of one character
                    total += min(w[PUNCT] * same, w[PRUN] * ((same + 31) // 32))
                    if j >= n or char_class(ord(text[j])) != _PUNCT:
                        break
                    same = 1
                j += 1
        elif k == _SPACE:
            while j < n and text[j] == " ":
                j += 1
            if j < n and char_class(ord(text[j])) == _WS:
                # spaces then a newline or tab: one whitespace run, from i
                while j < n and char_class(ord(text[j])) in (_WS, _SPACE):
                    j += 1
                total += w[WSRUN] + w[WSCHAR] * (j - i)
            elif j - i >= 2:
                total += w[SPACES]
        elif k == _WS:
            while j < n and char_class(ord(text[j])) in (_WS, _SPACE):
                j += 1
            total += w[WSRUN] + w[WSCHAR] * (j - i)
        else:  # _SINGLE
            total += w[letter_weight(ord(text[i]))]
        i = j
    return (total + 999) // 1000
