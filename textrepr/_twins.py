"""The one rule that picks between a compiled extension and its pure-Python twin (as propcache/yarl do).

The compiled module is used when it is built and ``TEXTREPR_NO_EXTENSIONS`` is unset (or ``0``); otherwise the
pure twin. ``core``, ``tokens``, ``fit``, ``redact_scan`` and ``request`` select their pair with ``select``; ``renderers``
follows the core's choice for the typed renderer family.
"""
from __future__ import annotations

import importlib
import os
from types import ModuleType

NO_EXTENSIONS = os.environ.get("TEXTREPR_NO_EXTENSIONS", "") not in ("", "0")


def select(compiled: str, pure: str) -> tuple[ModuleType, str]:
    """``(module, "compiled")`` for ``textrepr.<compiled>`` when it may and can be imported, else
    ``(textrepr.<pure>, "pure")``."""
    if not NO_EXTENSIONS:
        try:
            return importlib.import_module(f"textrepr.{compiled}"), "compiled"
        except ImportError:
            pass
    return importlib.import_module(f"textrepr.{pure}"), "pure"


def export(namespace: dict[str, object], module: ModuleType) -> list[str]:
    """Copy ``module.__all__`` into a selector's ``namespace``; returns that list for its ``__all__``."""
    names = list(module.__all__)
    namespace.update((n, getattr(module, n)) for n in names)
    return names
