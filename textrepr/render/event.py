"""Dispatch of a single event to its renderer (FORMAT.md §4.2)."""
from __future__ import annotations

from typing import Any

from ..core import finalise
from ..options import Options

EVENT_KINDS = ("$ai_generation", "$ai_span", "$ai_embedding", "$ai_evaluation")


def event_lines(kind: str, props: dict[str, Any], o: Options) -> list[str]:
    """Line list of one event of ``kind`` (one of ``EVENT_KINDS``)."""
    # Imported here so that a renderer module may itself import this one (trace -> event -> span ...).
    if kind == "$ai_span":
        from .span import render_span

        return render_span(props, o)
    if kind == "$ai_embedding":
        from .embedding import render_embedding

        return render_embedding(props, o)
    if kind == "$ai_evaluation":
        from .evaluation import render_evaluation

        return render_evaluation(props, o)
    from .generation import render_generation

    return render_generation(props, o)


def event_text(kind: str, props: dict[str, Any], o: Options) -> str:
    """Finalised text of one event, without line numbers or sampling (trace node content)."""
    return finalise("\n".join(event_lines(kind, props, o)), o.include_markers)
