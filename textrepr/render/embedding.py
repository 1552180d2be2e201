"""Embedding events (FORMAT.md §4.12)."""
from __future__ import annotations

from typing import Any

from ..options import Options
from .common import SEP
from .generation import error_section, input_lines

__all__ = ["render_embedding"]


def render_embedding(props: dict[str, Any], o: Options) -> list[str]:
    """Line list of an ``$ai_embedding`` event (§4.12); the text ends with ``"\\n"``."""
    lines: list[str] = []
    inp = input_lines(props.get("$ai_input"), o)
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
