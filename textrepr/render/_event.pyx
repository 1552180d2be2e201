# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``textrepr.render.event`` (issue 16): dispatch of a single event to its renderer (§4.2).

The table points at the typed generation, span and embedding renderers and at the pure evaluation one
(small, and calling no other renderer). Nothing imports this module back, so the table is filled at import.
"""
from ..core import finalise
from ._generation import render_generation
from ._span import render_span
from ._embedding import render_embedding
from .evaluation import render_evaluation

__all__ = ["event_lines", "event_text", "EVENT_KINDS"]

EVENT_KINDS = ("$ai_generation", "$ai_span", "$ai_embedding", "$ai_evaluation")

# kind -> renderer (any other kind renders as a generation)
cdef dict _RENDERERS = {"$ai_generation": render_generation, "$ai_span": render_span,
                        "$ai_embedding": render_embedding, "$ai_evaluation": render_evaluation}


def event_lines(kind, props, o):
    """Line list of one event of ``kind`` (any other kind renders as a generation)."""
    cdef object f = _RENDERERS.get(kind)
    if f is None:
        f = _RENDERERS["$ai_generation"]
    return f(props, o)


def event_text(kind, props, o):
    """Finalised text of one event, without line numbers or sampling (trace node content)."""
    return finalise("\n".join(event_lines(kind, props, o)), o.include_markers)
