"""Selects the renderer family: the typed Cython twins or the pure-Python modules of ``textrepr.render``.

Each hot renderer ``textrepr/render/<name>.py`` has a typed twin ``textrepr/render/_<name>.pyx`` (the names in
``TYPED``); the twins call each other and the pure modules that have no twin. The compiled family goes with the
compiled core: it is used when ``textrepr.core`` selected the extension and every twin imports. Otherwise —
``TEXTREPR_NO_EXTENSIONS=1``, or a build without extensions — the pure modules are used. This is the only
place that chooses; everything else calls ``event_lines`` / ``render_trace_lines`` from here.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from .core import IMPLEMENTATION as _CORE

# Every module of textrepr.render, and those with a typed twin (test_twins checks both lists against the files).
MODULES = (
    "common", "content", "embedding", "error_body", "evaluation", "event", "generation", "items",
    "langchain", "literal", "media", "messages", "span", "summary", "tools", "trace", "values",
)
TYPED = ("common", "content", "embedding", "error_body", "event", "generation", "literal", "media", "messages", "span",
         "summary", "tools", "trace")


def family(implementation: str) -> dict[str, ModuleType]:
    """Module name -> the module implementation ``implementation`` ("compiled" or "pure") renders with."""
    typed = implementation == "compiled"
    return {name: importlib.import_module(f"textrepr.render.{'_' if typed and name in TYPED else ''}{name}")
            for name in MODULES}


def _select() -> tuple[str, dict[str, ModuleType]]:
    if _CORE == "compiled":
        try:
            return "compiled", family("compiled")
        except ImportError:
            pass
    return "pure", family("pure")


IMPLEMENTATION, _modules = _select()
EVENT_KINDS = _modules["event"].EVENT_KINDS
event_lines = _modules["event"].event_lines
render_trace_lines = _modules["trace"].render_trace_lines
