"""Dispatch of a single event to its renderer (FORMAT.md §4.2)."""
from __future__ import annotations

from typing import Any, Callable

from ..core import finalise
from ..options import Options

EVENT_KINDS = ("$ai_generation", "$ai_span", "$ai_embedding", "$ai_evaluation")


def event_lines(kind: str, props: dict[str, Any], o: Options) -> list[str]:
    """Line list of one event of ``kind`` (one of ``EVENT_KINDS``)."""
    fn = _RENDERERS.get(kind)
    if fn is None:
        if kind not in EVENT_KINDS:
            kind = "$ai_generation"
        fn = _RENDERERS[kind] = _renderer(kind)
    return fn(props, o)


# kind -> renderer, filled on first use: the renderer modules import this one (trace -> event -> span
# ...), so they cannot be imported at the top.
_RENDERERS: dict[str, Callable[[dict[str, Any], Options], list[str]]] = {}


def _renderer(kind: str) -> Callable[[dict[str, Any], Options], list[str]]:
    if kind == "$ai_span":
        from .span import render_span

        return render_span
    if kind == "$ai_embedding":
        from .embedding import render_embedding

        return render_embedding
    if kind == "$ai_evaluation":
        from .evaluation import render_evaluation

        return render_evaluation
    from .generation import render_generation

    return render_generation


def event_text(kind: str, props: dict[str, Any], o: Options) -> str:
    """Finalised text of one event, without line numbers or sampling (trace node content)."""
    return finalise("\n".join(event_lines(kind, props, o)), o.include_markers)
