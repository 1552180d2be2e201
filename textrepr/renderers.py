"""Selects the renderers: ``textrepr._crender`` (``textrepr.render`` compiled by Cython) or the sources.

The compiled renderers go with the compiled core: they are used when ``textrepr.core`` selected the
extension and every compiled renderer module imports; otherwise the pure-Python ``textrepr.render``
package is used (``TEXTREPR_NO_EXTENSIONS=1`` selects it through the core).
"""
from __future__ import annotations

import importlib
from types import ModuleType

from .core import IMPLEMENTATION as _CORE

# Every module of textrepr.render (setup.py compiles each one; test_twins checks the two lists agree).
MODULES = (
    "common", "content", "embedding", "error_body", "evaluation", "event", "generation", "items",
    "langchain", "literal", "media", "messages", "span", "summary", "tools", "trace", "values",
)


def family(package: str) -> dict[str, ModuleType]:
    """Every renderer module of ``package`` (``textrepr.render`` or ``textrepr._crender``), imported."""
    return {name: importlib.import_module(f"{package}.{name}") for name in MODULES}


def _select() -> tuple[str, dict[str, ModuleType]]:
    if _CORE == "compiled":
        try:
            return "compiled", family("textrepr._crender")
        except ImportError:
            pass
    return "pure", family("textrepr.render")


IMPLEMENTATION, _modules = _select()
EVENT_KINDS = _modules["event"].EVENT_KINDS
event_lines = _modules["event"].event_lines
render_trace_lines = _modules["trace"].render_trace_lines
