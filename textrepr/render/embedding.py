"""Embedding events (FORMAT.md §4.12)."""
from __future__ import annotations

from typing import Any

from ..options import Options
from .common import SEP
from .generation import error_section, input_lines
from .messages import embedding_input_lines

__all__ = ["render_embedding"]


def render_embedding(props: dict[str, Any], o: Options) -> list[str]:
    """Line list of an ``$ai_embedding`` event (§4.12); the text ends with ``"\\n"``."""
    lines: list[str] = []
    inp = _input_lines(props.get("$ai_input"), o)
    if inp:
        lines.append(SEP)
        lines.extend(inp)
        lines.append("")
    lines.extend((SEP, "", "OUTPUT:", "", "Embedding vector generated", ""))
    err = error_section(props)
    if err is not None:
        # Three empty lines before the error's SEP, as in the reference (D12).
        lines.append("")
        lines.extend(err)
    return lines


def _input_lines(v: Any, o: Options) -> list[str]:
    """§4.4, except that an input array holds the embedded texts (D15): a flat array of integers is one
    tokenised text, any other array one text (or message) per element."""
    if type(v) is not list or not v:
        return input_lines(v, o)
    for x in v:
        if type(x) is not int:
            return ["", "INPUT:", *embedding_input_lines(v, o)]
    return ["", "INPUT:", *embedding_input_lines([v], o)]
