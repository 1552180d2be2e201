"""Colour for a rendered text shown at a terminal: section labels, roles, tree lines, truncation notes.

Only the command line uses it, and only when stdout is a terminal and ``NO_COLOR`` is unset (or ``--color
always``): piped output is never coloured. Colouring adds ANSI codes around parts of lines and changes nothing
else, so stripping the codes gives back the text.
"""
from __future__ import annotations

import os
from typing import IO

import re

__all__ = ["colourize", "wants_colour"]

_RESET = "\x1b[0m"
_DIM = "\x1b[2m"
_LABEL = "\x1b[1;36m"  # INPUT:, OUTPUT:, TRACE HIERARCHY:, AVAILABLE TOOLS: N ...
_ROLE = "\x1b[1;33m"  # [1] USER
_NODE = "\x1b[35m"  # [+] [GEN], [SPAN], [EVENT] ...
_NOTE = "\x1b[2;3m"  # ... (N chars truncated) ..., [SAMPLED VIEW: ...]

# One line: optional "L012: " prefix, optional tree prefix, then the rest.
_LINE = re.compile(r"(L[0-9]+: )?([│├└─ ]*(?:├─ |└─ ))?(.*)", re.S)
_RULE = re.compile(r"[-=]{20,}")
_LABEL_RE = re.compile(r"[A-Z][A-Z0-9 _/()&.-]*:(?: [0-9]+)?")
_ROLE_RE = re.compile(r"\[[0-9]+\] [A-Z0-9_ .-]+")
_NODE_RE = re.compile(r"(?:\[\+\] )?\[(?:GEN|SPAN|EMBED|EVAL|EVENT|TRACE|[A-Z]+)\]")
_NOTE_RE = re.compile(r"\.\.\. \([0-9,]+ chars truncated\) \.\.\.|\[SAMPLED VIEW: .*\]")
_TREE_BODY = re.compile(r"([│ ]+)(.*)", re.S)


def wants_colour(stream: IO[str], mode: str = "auto") -> bool:
    """``always``, ``never``, or ``auto``: a terminal, ``NO_COLOR`` unset or empty, ``TERM`` not ``dumb``."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _paint(code: str, s: str) -> str:
    return f"{code}{s}{_RESET}" if s else s


def _body(rest: str) -> str:
    if _RULE.fullmatch(rest):
        return _paint(_DIM, rest)
    if _LABEL_RE.fullmatch(rest):
        return _paint(_LABEL, rest)
    if _ROLE_RE.fullmatch(rest):
        return _paint(_ROLE, rest)
    m = _NODE_RE.match(rest)
    if m:
        return _paint(_NODE, m.group()) + rest[m.end():]
    m = _NOTE_RE.search(rest)
    if m:
        return rest[:m.start()] + _paint(_NOTE, m.group()) + rest[m.end():]
    return rest


def colourize(text: str) -> str:
    """``text`` with ANSI colours on the lines a reader scans for."""
    out: list[str] = []
    for line in text.split("\n"):
        m = _LINE.match(line)
        assert m is not None  # the pattern matches every string
        num, tree, rest = m.group(1) or "", m.group(2) or "", m.group(3)
        if not tree:
            t = _TREE_BODY.fullmatch(rest) if rest.startswith("│") else None
            if t:  # a node's content under "│      " (plain mode expands nodes in place)
                tree, rest = t.group(1), t.group(2)
        out.append(_paint(_DIM, num) + _paint(_DIM, tree) + _body(rest))
    return "\n".join(out)
