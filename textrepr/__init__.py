"""textrepr: LLM-observability events and traces as readable, line-numbered text."""
from __future__ import annotations

from . import markers, tokens
from .api import Rendering, render_event, render_segments, render_trace, text_repr
from .assembly import assemble_trace, assemble_traces
from .renderers import IMPLEMENTATION as _IMPLEMENTATION
from .errors import InvalidRequest, RenderError
from .options import Options
from .redact import Redactor
from .segments import Segment

__all__ = [
    "InvalidRequest", "Options", "Redactor", "RenderError", "Rendering", "Segment", "assemble_trace",
    "assemble_traces", "implementation", "markers", "render_event", "render_segments", "render_trace", "text_repr",
    "tokens",
]
__version__ = "0.1.0"


def implementation() -> str:
    """Which implementation is active: ``"compiled"`` (the Cython core and renderers) or ``"pure"``."""
    return _IMPLEMENTATION
