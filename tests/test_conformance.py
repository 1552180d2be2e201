"""Every golden and adversarial case of ../shared/corpus/golden (FORMAT.md §6.1, §6.2 item 13).

Cases listed in tests/known_failures.txt run as strict xfail: the list can only shrink.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import conformance as c

pytestmark = c.needs_corpus

_KNOWN = c.known_failures()


def _params(files: list[Path]) -> list[object]:
    out = []
    for p in files:
        cid = c.case_id(p)
        marks = [pytest.mark.xfail(strict=True, reason="listed in tests/known_failures.txt")] if cid in _KNOWN else []
        out.append(pytest.param(p, id=cid, marks=marks))
    return out


@pytest.mark.parametrize("path", _params(c.golden_files()))
def test_golden(path: Path) -> None:
    problems = c.check_golden(path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", _params(c.adversarial_files()))
def test_adversarial(path: Path) -> None:
    problems = c.check_adversarial(path)
    assert not problems, "\n".join(problems)


def test_corpus_is_complete() -> None:
    # Guards against a moved corpus silently running nothing.
    assert len(c.golden_files()) >= 600
    assert len(c.adversarial_files()) >= 45


def test_known_failures_exist() -> None:
    ids = {c.case_id(p) for p in c.golden_files() + c.adversarial_files()}
    assert _KNOWN <= ids, sorted(_KNOWN - ids)
