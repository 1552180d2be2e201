"""Hypothesis properties of redaction (issue 14): idempotent, deterministic, never raises, bounded growth."""
from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from redact_cases import CLEAN, PLANTS  # noqa: E402

import textrepr  # noqa: E402
from textrepr import Redactor, markers  # noqa: E402
from textrepr.redact import marker  # noqa: E402

REDACTORS = [Redactor.default(), Redactor(sets=["pii"]), Redactor(sets=["secrets"]),
             Redactor(rules={"ticket": r"TCK-\d+"}, keys=["pin"])]

# Pieces that make texts near the rules' edges: planted values, clean look-alikes, separators, digits.
_pieces = st.sampled_from([p[1] for p in PLANTS] + CLEAN + [
    " ", "\n", "@", ":", "=", '"', "'", "\\", "-", ".", "(", ")", "+", "0", "9", "::", "//", "[REDACTED:email]",
    "password", "Bearer ", "Basic ", "TCK-", "AKIA", "sk-", "eyJ", "\u00e9", "\u0130", "\U0001f600", "\x00",
    '{"pin": "', "'token': '",
])
texts = st.one_of(st.text(max_size=200), st.lists(st.one_of(_pieces, st.text(max_size=8)), max_size=12).map("".join))


@given(texts, st.sampled_from(REDACTORS))
def test_idempotent_deterministic_bounded(s: str, r: Redactor) -> None:
    out, counts = r.redact_counted(s)
    assert r.redact(s) == out  # deterministic
    assert r.redact(out) == out  # idempotent
    assert len(out) - len(s) <= sum(n * len(marker(rule)) for rule, n in counts.items())
    if not counts:
        assert out == s


@given(st.lists(texts, min_size=1, max_size=6), st.sampled_from([True, ["pii"], ["secrets"]]),
       st.booleans(), st.sampled_from([0, 300]))
def test_rendering_with_redaction_never_raises_and_never_shows_a_planted_value(
        parts: list[str], redact: object, markers_on: bool, max_length: int) -> None:
    msgs = [{"role": "user", "content": p} for p in parts]
    req = {"event_type": "$ai_generation", "data": {"id": "1", "properties": {"$ai_input": msgs}},
           "options": {"redact": redact, "include_markers": markers_on, "max_length": max_length,
                       "truncate_buffer": 20}}
    a = textrepr.text_repr(req)
    assert a == textrepr.text_repr(req)
    r = {True: Redactor.default(), "pii": Redactor(sets=["pii"]), "secrets": Redactor(sets=["secrets"])}[
        redact if redact is True else redact[0]]  # type: ignore[index]
    full = markers.expand(a["text"])
    for p in parts:
        _, counts = r.redact_counted(p)
        for rule in counts:
            assert marker(rule) in full or not markers_on or a["metadata"]["truncated"]
    assert sum(a["metadata"]["redactions"].values()) == sum(sum(r.redact_counted(p)[1].values()) for p in parts)
