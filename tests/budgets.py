"""Example budgets of the property tests (every test marked ``properties``, in any module).

Under the ``ci`` profile each test gets ``profile max_examples x weight`` examples. Under ``deep``
(``max_examples >= 100,000``) the profile count is the *total* of the whole ``pytest -m properties`` run,
shared by weight between the tests (each pytest run tests one implementation; test_compiled_equals_pure
runs in the compiled run only).
"""
from __future__ import annotations

from hypothesis import HealthCheck, settings

import twins

WEIGHTS = {
    # tests/test_properties.py
    "status": 2.0, "utf8": 1.0, "determinism": 1.0, "max_length": 1.5, "expand": 1.5, "payloads": 1.0,
    "leaves": 1.5, "notes": 1.0, "no_repr": 1.0, "trunc": 0.5, "line_numbers": 0.5, "options": 1.0,
    "twins": 1.0, "hostile": 1.0,
    # tests/test_parse.py
    "parse_fallback": 1.0, "parse_ints": 0.5, "parse_fuzz": 1.0,
}


def _total() -> float:
    total = sum(WEIGHTS.values())
    if twins.ACTIVE != "compiled":
        total -= WEIGHTS["twins"]  # skipped: compared in the compiled run
    return total


def examples(name: str) -> int:
    profile_max = settings().max_examples
    w = WEIGHTS[name]
    if profile_max >= 100_000:
        return int(profile_max * w / _total()) + 1
    return max(10, int(profile_max * w))


def budget(name: str) -> settings:
    """The settings for one property test: its share of examples, and no health check about size or speed
    (real-shaped requests are big on purpose)."""
    checks = {*settings().suppress_health_check, HealthCheck.too_slow, HealthCheck.data_too_large,
              HealthCheck.large_base_example, HealthCheck.filter_too_much}
    return settings(max_examples=examples(name), suppress_health_check=sorted(checks, key=lambda c: c.value))
