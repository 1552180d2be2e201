"""textrepr: LLM-observability events and traces as readable, line-numbered text."""
from __future__ import annotations

from . import markers
from .api import Rendering, render_event, render_trace, text_repr
from .renderers import IMPLEMENTATION as _IMPLEMENTATION
from .errors import InvalidRequest, RenderError
from .options import Options
from .redact import Redactor

__all__ = [
    "InvalidRequest", "Options", "Redactor", "RenderError", "Rendering", "implementation", "markers",
    "render_event", "render_trace", "text_repr",
]
__version__ = "0.1.0"


def implementation() -> str:
    """Which implementation is active: ``"compiled"`` (the Cython core and renderers) or ``"pure"``."""
    return _IMPLEMENTATION
