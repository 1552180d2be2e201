"""The two core implementations and the switch between them (used by conftest, test_twins, benchmarks).

``use_implementation(name)`` points every reference to a core function — in every ``textrepr`` module
and in every test or benchmark module that imported one by name — at implementation ``name``'s function,
so one process can run the same code against the compiled core and its pure-Python twin.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

import textrepr
from textrepr import _core_py as pure

try:
    from textrepr import _core as compiled  # type: ignore[attr-defined]
except ImportError:
    compiled = None  # type: ignore[assignment]

REQUIRE_COMPILED = os.environ.get("TEXTREPR_REQUIRE_EXTENSIONS", "") not in ("", "0")
NO_EXTENSIONS = os.environ.get("TEXTREPR_NO_EXTENSIONS", "") not in ("", "0")

IMPLEMENTATIONS: dict[str, ModuleType] = {"pure": pure}
if compiled is not None and not NO_EXTENSIONS:
    IMPLEMENTATIONS = {"compiled": compiled, "pure": pure}

# Optional modules with heavy dependencies (swapped too once something imports them), and the CLI entry.
_OPTIONAL = {"textrepr.arrow", "textrepr.ray", "textrepr.__main__"}
_ROOTS = tuple(str(Path(__file__).resolve().parents[1] / d) for d in ("tests", "benchmarks"))


def import_all() -> None:
    """Import every textrepr submodule, so that all core references exist before a swap."""
    for info in pkgutil.walk_packages(textrepr.__path__, "textrepr."):
        if info.name not in _OPTIONAL and info.name not in ("textrepr._core", "textrepr._core_py"):
            importlib.import_module(info.name)


def _swappable(name: str, mod: ModuleType) -> bool:
    if name.startswith("textrepr"):
        return True
    f = getattr(mod, "__file__", None) or ""
    return f.startswith(_ROOTS)


def use_implementation(name: str) -> None:
    """Point every core-function reference at implementation ``name`` ("compiled" or "pure")."""
    target = IMPLEMENTATIONS[name]
    by_id: dict[int, str] = {}
    for impl in IMPLEMENTATIONS.values():
        for fname in impl.__all__:
            obj = getattr(impl, fname)
            if callable(obj):
                by_id[id(obj)] = fname
    impls = set(map(id, IMPLEMENTATIONS.values()))
    for modname, mod in list(sys.modules.items()):
        if mod is None or id(mod) in impls or not _swappable(modname, mod):
            continue
        for attr, val in list(vars(mod).items()):
            fname = by_id.get(id(val))
            if fname is not None and getattr(target, fname) is not val:
                setattr(mod, attr, getattr(target, fname))
    textrepr.core.IMPLEMENTATION = name  # type: ignore[attr-defined]
    textrepr._IMPLEMENTATION = name  # type: ignore[attr-defined]


def active() -> str:
    return textrepr.implementation()
