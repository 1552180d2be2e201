"""Dispatch of a single event to its renderer (FORMAT.md §4.2)."""
from __future__ import annotations

from typing import Any, Callable

from ..core import finalise
from ..options import Options

EVENT_KINDS = ("$ai_generation", "$ai_span", "$ai_embedding", "$ai_evaluation")


def event_lines(kind: str, props: dict[str, Any], o: Options) -> list[str]:
    """Line list of one event of ``kind`` (any other kind renders as a generation)."""
    table = _RENDERERS or _load_renderers()
    return table.get(kind, table["$ai_generation"])(props, o)


# kind -> renderer, filled on first use: the renderer modules import this one (trace -> event -> span
# ...), so they cannot be imported at the top.
_RENDERERS: dict[str, Callable[[dict[str, Any], Options], list[str]]] = {}


def _load_renderers() -> dict[str, Callable[[dict[str, Any], Options], list[str]]]:
    from .embedding import render_embedding
    from .evaluation import render_evaluation
    from .generation import render_generation
    from .span import render_span

    _RENDERERS.update({"$ai_generation": render_generation, "$ai_span": render_span,
                       "$ai_embedding": render_embedding, "$ai_evaluation": render_evaluation})
    return _RENDERERS


def event_text(kind: str, props: dict[str, Any], o: Options) -> str:
    """Finalised text of one event, without line numbers or sampling (trace node content)."""
    return finalise("\n".join(event_lines(kind, props, o)), o.include_markers)
