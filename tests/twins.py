"""The two implementations and the switch between them (used by conftest, test_twins, benchmarks).

An implementation is a core (``textrepr._core`` or ``textrepr._core_py``) and a renderer family
(``textrepr._crender`` or ``textrepr.render``). ``use_implementation(name)`` points every reference to a
core function or renderer — in every ``textrepr`` module and in every test or benchmark module that
imported one by name — at implementation ``name``'s, so one process runs the same code against both.
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
from textrepr import renderers

try:
    from textrepr import _core as compiled  # type: ignore[attr-defined]
except ImportError:
    compiled = None  # type: ignore[assignment]

REQUIRE_COMPILED = os.environ.get("TEXTREPR_REQUIRE_EXTENSIONS", "") not in ("", "0")
NO_EXTENSIONS = os.environ.get("TEXTREPR_NO_EXTENSIONS", "") not in ("", "0")

# The redaction prefilter and walk of each implementation (issue 14): swapped with the core.
from textrepr import _redact_scan_py as pure_scan  # noqa: E402

SCANS: dict[str, ModuleType] = {"pure": pure_scan}
try:
    from textrepr import _redact_scan as compiled_scan  # type: ignore[attr-defined]  # noqa: E402

    SCANS["compiled"] = compiled_scan
except ImportError:
    compiled_scan = None  # type: ignore[assignment]

# The renderer modules of each implementation: textrepr.render itself, and its compiled build.
RENDERERS: dict[str, dict[str, ModuleType]] = {"pure": renderers.family("textrepr.render")}
try:
    RENDERERS["compiled"] = renderers.family("textrepr._crender")
except ImportError:
    pass

# name -> core module (what test_core and friends call); "compiled" needs the compiled renderers too.
IMPLEMENTATIONS: dict[str, ModuleType] = {"pure": pure}
if compiled is not None and "compiled" in RENDERERS and not NO_EXTENSIONS:
    IMPLEMENTATIONS = {"compiled": compiled, "pure": pure}

# Optional modules with heavy dependencies (swapped too once something imports them), and the CLI entry.
_OPTIONAL = {"textrepr.arrow", "textrepr.ray", "textrepr.__main__"}
_ROOTS = tuple(str(Path(__file__).resolve().parents[1] / d) for d in ("tests", "benchmarks"))


def import_all() -> None:
    """Import every textrepr submodule, so that all core references exist before a swap."""
    for info in pkgutil.walk_packages(textrepr.__path__, "textrepr."):
        if info.name not in _OPTIONAL and info.name not in ("textrepr._core", "textrepr._core_py",
                                                            "textrepr._redact_scan"):
            importlib.import_module(info.name)


def _objects(name: str) -> dict[tuple[str, ...], object]:
    """Implementation ``name``'s swappable objects by key: its core functions, and every function or
    class that one of its renderer modules defines (captured at import, before any swap)."""
    core = IMPLEMENTATIONS[name]
    found: dict[tuple[str, ...], object] = {
        ("core", f): getattr(core, f) for f in core.__all__ if callable(getattr(core, f))
    }
    for mod_name, mod in RENDERERS[name].items():
        for attr, val in vars(mod).items():
            if callable(val) and getattr(val, "__module__", None) == mod.__name__:
                found[("render", mod_name, attr)] = val
    return found


_OBJECTS = {name: _objects(name) for name in IMPLEMENTATIONS}
_KEYS = {id(obj): key for objs in _OBJECTS.values() for key, obj in objs.items()}
# The scan functions, swapped the same way but kept apart (an implementation without its own scan, such
# as one added by register(), uses the pure one).
_SCAN_OBJECTS = {name: {f: getattr(m, f) for f in m.__all__ if callable(getattr(m, f))} for name, m in SCANS.items()}
_SCAN_KEYS = {id(obj): f for objs in _SCAN_OBJECTS.values() for f, obj in objs.items()}


def register(name: str, core: ModuleType, renderers_of: str = "pure") -> None:
    """Add implementation ``name``: core module ``core`` with the renderers of ``renderers_of``
    (benchmarks/report.py measures the pre-issue-3 core this way)."""
    objects = {k: v for k, v in _OBJECTS[renderers_of].items() if k[0] == "render"}
    objects.update((("core", f), getattr(core, f)) for f in core.__all__ if callable(getattr(core, f)))
    IMPLEMENTATIONS[name] = core
    RENDERERS[name] = RENDERERS[renderers_of]
    _OBJECTS[name] = objects
    _KEYS.update((id(obj), key) for key, obj in objects.items())


def _swappable(name: str, mod: ModuleType) -> bool:
    if name.startswith("textrepr"):
        return True
    f = getattr(mod, "__file__", None) or ""
    return f.startswith(_ROOTS)


def use_implementation(name: str) -> None:
    """Point every reference to a core function or renderer at implementation ``name``'s.

    Both renderer families are rebound too (each module's names, its own included), so a test that
    imported ``textrepr.render.X.f`` gets the compiled ``f`` under "compiled", and the pure renderers call
    the pure core under "pure".
    """
    target = _OBJECTS[name]
    scan_target = _SCAN_OBJECTS.get(name, _SCAN_OBJECTS["pure"])
    impls = set(map(id, IMPLEMENTATIONS.values())) | set(map(id, SCANS.values()))
    for modname, mod in list(sys.modules.items()):
        if mod is None or id(mod) in impls or not _swappable(modname, mod):
            continue
        for attr, val in list(vars(mod).items()):
            key = _KEYS.get(id(val))
            if key is not None and target[key] is not val:
                setattr(mod, attr, target[key])
            f = _SCAN_KEYS.get(id(val))
            if f is not None and scan_target[f] is not val:
                setattr(mod, attr, scan_target[f])
    textrepr.core.IMPLEMENTATION = name  # type: ignore[attr-defined]
    textrepr.renderers.IMPLEMENTATION = name  # type: ignore[attr-defined]
    textrepr._IMPLEMENTATION = name  # type: ignore[attr-defined]


def active() -> str:
    return textrepr.implementation()


def typed(name: str) -> ModuleType:
    """The typed Cython twin ``textrepr.render._<name>`` (issue 16), for tests that compare it with the pure
    module ``textrepr.render.<name>``: skips when it is not built, fails under TEXTREPR_REQUIRE_EXTENSIONS=1."""
    import pytest

    try:
        return importlib.import_module(f"textrepr.render._{name}")
    except ImportError as e:
        if REQUIRE_COMPILED:
            pytest.fail(f"TEXTREPR_REQUIRE_EXTENSIONS is set but textrepr.render._{name} is not importable: {e}")
        pytest.skip(f"typed twin textrepr.render._{name} not built (python setup.py build_ext --inplace)")
