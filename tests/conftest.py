"""Test configuration: runs the whole suite once per core implementation (compiled and pure).

Every ``textrepr`` module (and every test module) that imported a core function by name gets the selected
implementation's function of the same name (``twins.use_implementation``), so a single process exercises
both twins. With ``TEXTREPR_REQUIRE_EXTENSIONS=1`` (CI) a missing compiled core is an error, not a skip.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

# conformance.py and twins.py are shared helper modules, not test files.
sys.path.insert(0, str(Path(__file__).parent))

import textrepr  # noqa: E402
import twins  # noqa: E402

IMPLEMENTATIONS = twins.IMPLEMENTATIONS

try:
    from hypothesis import HealthCheck, settings

    # ci: a few thousand examples in total across the property tests (tests/test_properties.py spreads them
    # by weight), fast enough to run twice (once per core implementation) in .ci/run.
    settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("dev", max_examples=50, deadline=None)
    settings.register_profile(
        "deep", max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck)
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # hypothesis is a test extra
    pass


def use_implementation(name: str) -> None:
    """Point every core-function reference at implementation ``name``."""
    twins.use_implementation(name)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"textrepr: {Path(textrepr.__file__).parent} (default core: {textrepr.core.IMPLEMENTATION}; "
        f"suite runs: {', '.join(IMPLEMENTATIONS)})"
    ]


def pytest_sessionstart(session: pytest.Session) -> None:
    if twins.REQUIRE_COMPILED and "compiled" not in IMPLEMENTATIONS:
        raise pytest.UsageError(
            "TEXTREPR_REQUIRE_EXTENSIONS is set but the compiled core textrepr._core is not importable from "
            f"{Path(textrepr.__file__).parent} (build it, or run the installed package)"
        )


@pytest.fixture(scope="session", params=list(IMPLEMENTATIONS), autouse=True)
def implementation(request: pytest.FixtureRequest) -> Iterator[str]:
    """The core implementation under test; every test runs once per implementation."""
    twins.import_all()  # every module's references must exist before the swap
    use_implementation(request.param)
    yield request.param
