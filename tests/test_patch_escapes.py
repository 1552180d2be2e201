"""The core's ``patch_escapes`` (the §1.1 lone-surrogate repair of JSON text before orjson): the compiled
byte scan against the pure twin's regex, on texts built from escapes, near misses and backslash runs."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import twins

_TOKENS = ["\\", "\\\\", "u", "d", "D", "8", "b", "B", "c", "F", "0", "g", '"', "x", "é",
           "\\ud800", "\\uDBFF", "\\udc00", "\\uDfFf", "\\ud7ff", "\\ue000", "\\ud8", "\\udc0", "\\u00e9", "\\uD8Ag"]
_TEXTS = st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join)


def _same(raw: bytes | str) -> None:
    twins.require_compiled_run()
    got = twins.outcome(twins.compiled.patch_escapes, raw)
    want = twins.outcome(twins.pure.patch_escapes, raw)
    assert got == want, f"{raw!r:.200}: compiled {got!r:.200} != pure {want!r:.200}"
    if got[0] == "ok":
        assert len(got[1]) == len(raw)


@settings(max_examples=2000)
@given(_TEXTS, st.booleans())
def test_same_as_pure(text: str, as_bytes: bool) -> None:
    _same(text.encode("utf-8") if as_bytes else text)


def test_unchanged_text_is_returned_as_is() -> None:
    twins.require_compiled_run()
    raw = b'{"a": "\\ud83d\\ude00 \\\\ud800 \\u00e9"}' * 1000
    assert twins.compiled.patch_escapes(raw) is raw
    assert twins.compiled.patch_escapes(raw + b'"\\ud800"')[-8:] == b'"\\ufffd"'


def test_edges() -> None:
    for raw in (b"", b"\\", b"\\u", b"\\ud80", b"\\ud800", b"x\\ud800\\", b"\\ud800\\udc0", b"\\ud800\\ud800\\udc00",
                b"\\\\\\ud800", b"\\\\\\\\ud800\\udc00", 5, None, bytearray(b"\\ud800")):
        _same(raw)  # type: ignore[arg-type]
