"""What texts cost cut to a cap (shrink-to-fit's probe), pure-Python twin of ``textrepr._cutcost``.

``cut_chars(texts, prefixes, cap, numbered)`` visits the texts longest first (the caller sorts them) and
stops at the first one not longer than ``cap``. A text longer than ``cap`` keeps its first and last
``cap // 2`` characters around §4.16's plain note, or stays whole when cutting would not make it shorter
(``textrepr.fit._Template._cut`` is the one definition). Returned: how many texts were visited, the characters
of their written forms (each "\\n" of a text written with its trace prefix after it), the "\\n" in those forms
and the characters hidden.

The "\\n" of a cut text's head and tail are counted only when they matter (a prefix, or line numbers).
"""
from __future__ import annotations

__all__ = ["cut_chars"]

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
