"""The redaction prefilter and walk (issue 14): compiled == pure, and the prefilter never hides a trigger.

``prefilter`` decides which strings the rules ever see, so it must keep every string in which the rules'
own triggers (``textrepr.redact._Compiled.candidates``) find anything; the compiled twin must agree with
the pure one on every string and flag set, and ``walk_value`` must collect and replace the same slots.
"""
from __future__ import annotations

import copy
from typing import Any, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redact_cases import CLEAN, PLANTS

import twins
from textrepr import Redactor
from textrepr import _redact_scan_py as pure

FLAGS = [0, pure.PRE_SECRETS, pure.PRE_PII, pure.PRE_SECRETS | pure.PRE_PII, pure.PRE_ALL]
_TRIGGERS = ["sk-", "rk_", "sk_", "hf_", "phx_", "ghp_", "gho_", "github_pat_", "xox", "AIza", "AKIA", "ASIA",
             "ABIA", "ACCA", "eyJ", "-----BEGIN", "://", "bearer", "BASIC", "aws", "Secret", "pass", "TOKEN",
             "to\u212aen", "api_key", "api-key", "apikey", "authoriz", "cookie", "private", "access", "@", "::",
             ":ab:", ":12345:", "1234567", "12 34 5", "(555) 1", "\u0130", "\u0131", "\u017f", "\u212a", "\u00df"]
_pieces = st.sampled_from([p[1] for p in PLANTS] + CLEAN + _TRIGGERS + list(" :=-_.()/0123456789kKAJxbwcpz"))
texts = st.one_of(st.text(max_size=60),
                  st.lists(st.one_of(_pieces, st.text(max_size=4)), max_size=10).map("".join))


@pytest.fixture(scope="session")
def scan() -> Iterator[Any]:
    """The compiled scan module; the comparisons run in the compiled run of the suite (skipped in the pure
    run, failed under TEXTREPR_REQUIRE_EXTENSIONS when not built)."""
    twins.require_compiled_run()
    yield twins.SCANS["compiled"]


@given(texts)
def test_prefilter_compiled_equals_pure(scan: Any, s: str) -> None:
    for f in FLAGS:
        assert scan.prefilter(s, f) == pure.prefilter(s, f), (s, f)


def test_prefilter_rejects_non_str(scan: Any) -> None:
    for mod in (scan, pure):
        with pytest.raises(TypeError):
            mod.prefilter(None, 1)  # type: ignore[arg-type]


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["a", "text", "password", "cookie", "x_token", "n"]),
                                            inner, max_size=4)),
    max_leaves=12)


def _walk(mod: Any, root: Any, secret_list: bool, flags: int) -> tuple[Any, list[Any], list[int]]:
    r = Redactor.default()._compiled
    holders: list[Any] = []
    slots: list[Any] = []
    dicts: list[Any] = []
    mod.walk_value(root, secret_list, flags, r.secret_key, lambda v: "<" + v + ">", holders, slots, dicts)
    return root, [(h[k], k) for h, k in zip(holders, slots)], [id(d) for d in dicts]


@given(st.one_of(st.lists(_json, max_size=4), st.dictionaries(st.text(max_size=6), _json, max_size=4)),
       st.booleans(), st.sampled_from(FLAGS))
def test_walk_value_compiled_equals_pure(scan: Any, root: Any, secret_list: bool, flags: int) -> None:
    a = copy.deepcopy(root)
    got = _walk(scan, a, secret_list, flags)
    want = _walk(pure, root, secret_list, flags)
    assert got[0] == want[0] and got[1] == want[1]
    assert len(got[2]) == len(want[2])


@pytest.mark.parametrize("sets", [("secrets", "pii"), ("secrets",), ("pii",)])
@given(s=texts)
def test_prefilter_keeps_every_string_a_trigger_hits(implementation: str, sets: tuple[str, ...], s: str) -> None:
    """The prefilter is a superset of the rules' triggers: a string it rejects has no candidate start."""
    from textrepr import redact_scan

    c = Redactor(sets=sets)._compiled
    if not redact_scan.prefilter(s, c.pre_flags):
        assert c.candidates([s]) == {}, s


def test_prefilter_on_clean_prose_and_on_planted_values() -> None:
    flags = pure.PRE_SECRETS | pure.PRE_PII
    prose = "the quick brown fox jumps over the lazy dog while a calm river runs under old stone bridges"
    for s in (prose, prose.upper(), prose.title()):
        assert not pure.prefilter(s, flags)
    for _, value, _ in PLANTS:
        assert pure.prefilter(value, flags), value


def test_selector_picks_the_scan_of_the_implementation_under_test(implementation: str) -> None:
    """textrepr.redact (through the selector) uses the scan of the implementation this run tests."""
    import textrepr.redact
    import textrepr.redact_scan

    mod = twins.SCANS[implementation]
    assert textrepr.redact.prefilter is mod.prefilter
    assert textrepr.redact.walk_value is mod.walk_value
    assert textrepr.redact_scan.prefilter is mod.prefilter


@given(texts, st.sampled_from(FLAGS[:4]))
def test_triggers_compiled_equals_pure(scan: Any, s: str, flags: int) -> None:
    assert scan.triggers(s, flags, ()) == pure.triggers(s, flags, ())
    assert scan.triggers(s, flags, ("pin",)) == pure.triggers(s, flags, ("pin",))


@given(st.lists(st.tuples(st.sampled_from(["text", "password", "note", "url"]), texts), max_size=6),
       st.sampled_from([("secrets", "pii"), ("secrets",), ("pii",)]))
def test_redact_data_same_in_both_implementations(scan: Any, fields: list[tuple[str, str]],
                                                  sets: tuple[str, ...]) -> None:
    """Compiled (per-string prefilter and triggers) and pure (every string, joined trigger scan) redact a
    document alike, counts included."""
    from textrepr.redact import redact_data

    doc = {"id": "x", "properties": {"$ai_input": [{"role": "user", "content": v, k: v} for k, v in fields]},
           "notes": {k: v for k, v in fields}}
    assert redact_data is not None
    twins.same_as_pure("redact_cases:redacted_copy", doc, sets)  # here: compiled scan; the worker: pure
