"""Test configuration: runs the whole suite once per core implementation (compiled and pure).

Every ``textrepr`` module that imported a core function by name gets the selected implementation's function
of the same name, so a single process can exercise both twins.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Iterator

import pytest

# conformance.py is a shared helper module, not a test file.
sys.path.insert(0, str(Path(__file__).parent))

import textrepr  # noqa: E402
from textrepr import _core_py as _pure  # noqa: E402

try:
    from textrepr import _core as _compiled  # type: ignore[attr-defined]
except ImportError:
    _compiled = None

IMPLEMENTATIONS: dict[str, ModuleType] = {"pure": _pure}
if _compiled is not None and os.environ.get("TEXTREPR_NO_EXTENSIONS", "") in ("", "0"):
    IMPLEMENTATIONS = {"compiled": _compiled, "pure": _pure}

try:
    from hypothesis import HealthCheck, settings

    settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("dev", max_examples=50, deadline=None)
    settings.register_profile(
        "deep", max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck)
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # hypothesis is a test extra
    pass


def use_implementation(name: str) -> None:
    """Point every textrepr module's core-function references at implementation ``name``."""
    target = IMPLEMENTATIONS[name]
    by_id: dict[int, str] = {}
    for impl in IMPLEMENTATIONS.values():
        for fname in impl.__all__:
            obj = getattr(impl, fname)
            if callable(obj):
                by_id[id(obj)] = fname
    for modname, mod in list(sys.modules.items()):
        if not modname.startswith("textrepr") or mod in IMPLEMENTATIONS.values() or mod is None:
            continue
        for attr, val in list(vars(mod).items()):
            fname = by_id.get(id(val))
            if fname is not None:
                setattr(mod, attr, getattr(target, fname))
    textrepr.core.IMPLEMENTATION = name  # type: ignore[attr-defined]
    textrepr._IMPLEMENTATION = name  # type: ignore[attr-defined]


@pytest.fixture(scope="session", params=list(IMPLEMENTATIONS), autouse=True)
def implementation(request: pytest.FixtureRequest) -> Iterator[str]:
    """The core implementation under test; every test runs once per implementation."""
    # Import every module first so that all references exist before the swap.
    import textrepr.api  # noqa: F401

    use_implementation(request.param)
    yield request.param
