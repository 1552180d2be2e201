"""Test configuration: the suite tests the implementation ``textrepr`` selected (compiled when built).

Run it once per implementation: ``pytest`` (compiled) and ``TEXTREPR_NO_EXTENSIONS=1 pytest`` (pure); .ci/run
does both. Tests that compare the twins call both directly (tests/twins.py). With
``TEXTREPR_REQUIRE_EXTENSIONS=1`` (CI) a missing compiled build is an error, not a silent pure run.
"""
from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Iterator

import pytest

# conformance.py and twins.py are shared helper modules, not test files.
sys.path.insert(0, str(Path(__file__).parent))

import textrepr  # noqa: E402
import twins  # noqa: E402


try:
    from hypothesis import HealthCheck, settings

    # ci: a few thousand examples in total across the property tests (tests/test_properties.py spreads them
    # by weight), fast enough to run the suite twice (once per implementation) in .ci/run.
    settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("dev", max_examples=50, deadline=None)
    settings.register_profile(
        "deep", max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck)
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # hypothesis is a test extra
    pass

# When a test fails, hypothesis's pytest plugin writes a patch with libcst, whose import warns (a
# DeprecationWarning from mypy_extensions); under ``filterwarnings = error`` that becomes an INTERNALERROR
# that ends the whole session and hides the failure. Importing it once here, warnings ignored, keeps every
# test file's failures reportable.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        import hypothesis.extra._patching  # noqa: F401
    except ImportError:
        pass


CHECKOUT_PACKAGE = Path(__file__).resolve().parents[1] / "textrepr"


def stale_files() -> list[str]:
    """Sources of the checkout that differ from the imported textrepr (plain ``pytest`` imports an
    installed copy; ``python -m pytest`` the checkout). Empty when the checkout itself is imported."""
    imported = Path(textrepr.__file__).resolve().parent
    if imported == CHECKOUT_PACKAGE.resolve() or not CHECKOUT_PACKAGE.is_dir():
        return []
    stale = []
    for src in sorted(CHECKOUT_PACKAGE.rglob("*")):
        if src.suffix in (".py", ".pyx", ".pyi", ".pxd") and "__pycache__" not in src.parts:
            dst = imported / src.relative_to(CHECKOUT_PACKAGE)
            if not dst.is_file() or dst.read_bytes() != src.read_bytes():
                stale.append(str(src.relative_to(CHECKOUT_PACKAGE.parent)))
    return stale


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"textrepr: {Path(textrepr.__file__).parent} (implementation under test: {twins.ACTIVE}; "
        "TEXTREPR_NO_EXTENSIONS=1 runs the pure twin)"
    ]


def pytest_sessionstart(session: pytest.Session) -> None:
    stale = stale_files()
    if stale:
        raise pytest.UsageError(
            f"the imported textrepr ({Path(textrepr.__file__).parent}) is not this checkout's: {', '.join(stale[:5])}"
            f"{' ...' if len(stale) > 5 else ''} differ. Reinstall it (pip install .) or test the checkout in place "
            "(python setup.py build_ext --inplace && python -m pytest)."
        )
    if twins.REQUIRE_COMPILED and not twins.NO_EXTENSIONS and twins.ACTIVE != "compiled":
        raise pytest.UsageError(
            "TEXTREPR_REQUIRE_EXTENSIONS is set but the compiled core (textrepr._core) or the typed renderers (textrepr.render._*) "
            "are not importable from "
            f"{Path(textrepr.__file__).parent} (build it, or run the installed package)"
        )


@pytest.fixture(scope="session")
def implementation() -> Iterator[str]:
    """The implementation under test ("compiled" or "pure"), for tests whose expectations depend on it."""
    yield twins.ACTIVE
