"""``raw_clean``: a request's JSON text that surely holds nothing to redact skips the redaction walk (issue 14).

``text_repr`` of bytes answers the usual event request without walking its parsed objects when the text is
ASCII without a backslash and one trigger scan of all of it finds nothing (``redact_scan.raw_clean``). These
tests check that the shortcut never changes an answer: a text it calls clean holds no string that a rule
changes and no secret-named key, and ``text_repr`` of the bytes equals ``text_repr`` of the parsed document
(which always walks), in both implementations.
"""
from __future__ import annotations

from typing import Any, Iterator

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from redact_cases import CLEAN, PLANTS

import twins
import textrepr
from textrepr import Redactor
from textrepr import _redact_scan_py as pure
from textrepr.redact import SECRET_KEY_NAMES
from textrepr.redact_scan import raw_clean

SETS = [("secrets", "pii"), ("secrets",), ("pii",)]
ALL = pure.PRE_SECRETS | pure.PRE_PII
_FLAGS = {("secrets", "pii"): ALL, ("secrets",): pure.PRE_SECRETS, ("pii",): pure.PRE_PII}
_PROSE = "the quick brown fox jumps over the lazy dog while a calm river runs under old stone bridges"


def _request(props: dict[str, Any], redact: Any = True) -> dict[str, Any]:
    return {"event_type": "$ai_generation", "data": {"id": "gen-a", "properties": props},
            "options": {"redact": redact}}


def _key_spellings(name: str) -> list[str]:
    """Object keys that the key test takes for ``name`` (its words joined by any separator, camel case)."""
    words = name.split("_")
    camel = words[0] + "".join(w.capitalize() for w in words[1:])
    out = {name, name.upper(), camel, "x_" + name, "X-" + name.upper(), "db." + camel}
    for sep in (" ", ".", ":", "-", "/"):
        out.add(sep.join(words))
        out.add(sep.join(w.capitalize() for w in words))
    return sorted(out)


def _strings(x: Any, keys_only: bool = False) -> Iterator[str]:
    """The object keys and (unless ``keys_only``) string values inside ``x``."""
    if isinstance(x, str):
        if not keys_only:
            yield x
    elif isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from _strings(v, keys_only)
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v, keys_only)


def test_a_clean_request_is_clean_and_each_kind_of_content_is_not() -> None:
    clean = orjson.dumps(_request({"$ai_input": [{"role": "user", "content": _PROSE}]}))
    assert raw_clean(clean, ALL)
    assert raw_clean(orjson.dumps(_request({"$ai_input": _PROSE}, ["secrets"])), ALL)  # the option's own words
    for text in (_PROSE + "\n", _PROSE + " \u00e9", _PROSE + ' "quoted"', _PROSE + " \\ slash"):
        raw = orjson.dumps(_request({"$ai_input": text}))
        assert not raw_clean(raw, ALL), text  # a backslash escape or a non-ASCII byte: never clean
    assert not raw_clean(b'{"data": {"properties": {"$ai_input": "a\\u0040b"}}}', ALL)
    for _, plant, _needles in PLANTS:
        raw = orjson.dumps(_request({"$ai_input": _PROSE + " " + plant + " " + _PROSE}))
        assert not raw_clean(raw, ALL), plant


@pytest.mark.parametrize("name", SECRET_KEY_NAMES)
def test_every_secret_key_spelling_makes_a_text_unclean(name: str) -> None:
    """The key test normalises a key (camel case and any separator become '_'); raw_clean must miss none of
    its spellings, whatever the value (here one with no trigger at all)."""
    r = Redactor.default()
    for key in _key_spellings(name):
        assert r.is_secret_key(key), key
        raw = orjson.dumps(_request({"$ai_input": _PROSE, "metadata": {key: "plain words"}}))
        for sets in (("secrets", "pii"), ("secrets",)):
            assert not raw_clean(raw, _FLAGS[sets]), (key, sets)


def test_custom_rules_never_take_the_shortcut() -> None:
    assert not raw_clean(b'{"a": "b"}', pure.PRE_ALL)
    assert not pure.raw_clean(b'{"a": "b"}', pure.PRE_ALL)


_pieces = st.sampled_from(
    [p[1] for p in PLANTS] + CLEAN + ["secrets", "Secrets", "secret", "api key", "Api.Key", "apiKey", "api_key",
                                      "password", "token", "sk-", "@", "::", "1234567", "://", "Bearer ", "eyJ"]
    + list(" :=-_.()/0123456789kKAJxbwcpz\"\\\n\u00e9\u212a"))
# ASCII near-misses: pieces of triggers that do not complete one (alone), so that many texts are clean yet
# close to one; joined, they may complete one (sk + - , api + _ + key), which the scan must then see.
_near = st.lists(st.sampled_from(["the", "river", "sk", "rk", "hf", "xo", "ey", "AKI", "AIz", "secre", "ecret",
                                  "passw", "ass", "tok", "oken", "api", "key", "ap", "cooki", "acces", "priv",
                                  "bear", "basi", "auth", "-", "_", " ", ":", ".", "/", "9", "42"]),
                 max_size=10).map("".join)
_texts = st.one_of(st.text(max_size=30), _near,
                   st.lists(st.one_of(_pieces, st.text(max_size=4)), max_size=8).map("".join))
_keys_st = st.one_of(st.sampled_from(["content", "role", "note", "secrets", "api key", "Api.Key", "apiKey", "auth",
                                      "PassWord", "db_password", "x-api-key", "client secret", "$ai_input"]),
                     _near, _texts)
_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), _texts),
                       lambda inner: st.one_of(st.lists(inner, max_size=3),
                                               st.dictionaries(_keys_st, inner, max_size=3)),
                       max_leaves=10)


@pytest.mark.parametrize("sets", SETS)
@given(props=st.dictionaries(_keys_st, _values, max_size=4))
def test_a_clean_text_holds_nothing_to_redact(sets: tuple[str, ...], props: dict[str, Any]) -> None:
    """Where raw_clean says clean, no string of the document (key or value) is changed by the rules and no
    key is a secret's name: the walk would find nothing."""
    r = Redactor(sets=sets)
    req = _request(props, list(sets))
    raw = orjson.dumps(req)
    if not raw_clean(raw, _FLAGS[sets]):
        return
    for s in _strings(req):
        assert r.redact(s) == s, s
    if "secrets" in sets:
        for k in _strings(req, keys_only=True):
            assert not r.is_secret_key(k), k


@given(props=st.dictionaries(_keys_st, _values, max_size=4), redact=st.sampled_from([True, ["secrets"], ["pii"]]))
def test_text_repr_of_the_bytes_equals_that_of_the_document(props: dict[str, Any], redact: Any) -> None:
    """The bytes take the shortcut where they are clean; the parsed document always walks."""
    req = _request(props, redact)
    raw = orjson.dumps(req)
    assert textrepr.text_repr(raw) == textrepr.text_repr(orjson.loads(raw))


@pytest.fixture(scope="session")
def scan() -> Iterator[Any]:
    twins.require_compiled_run()
    yield twins.SCANS["compiled"]


_raw_texts = st.one_of(
    st.binary(max_size=80),
    _texts.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.dictionaries(_keys_st, _values, max_size=4).map(lambda p: orjson.dumps(_request(p))),
    st.tuples(st.integers(0, 200), _texts).map(
        lambda t: orjson.dumps(_request({"$ai_input": (_PROSE * 3)[:t[0]] + t[1] + _PROSE}))))


@given(_raw_texts)
def test_raw_clean_compiled_equals_pure_at_every_block_scan_level(scan: Any, raw: bytes) -> None:
    try:
        for level in (2, 1, 0):
            scan._set_simd(level)
            for f in (ALL, pure.PRE_SECRETS, pure.PRE_PII, 0, pure.PRE_ALL):
                assert scan.raw_clean(raw, f) == pure.raw_clean(raw, f), (raw, f, level)
    finally:
        scan._set_simd(2)


def test_raw_clean_rejects_non_bytes(scan: Any) -> None:
    with pytest.raises(TypeError):
        scan.raw_clean("text", ALL)  # type: ignore[arg-type]


@pytest.mark.parametrize("redact", [True, ["secrets"], ["pii"], False])
@pytest.mark.parametrize("number", ["12345678901234567890123", "-98765432109876543210", "1.5e300", "12"])
def test_a_big_integer_is_exact_whatever_the_redaction(redact: Any, number: str) -> None:
    """A clean text with the pii rules has no 7-digit run, so the request skips the 19-digit check too; any
    other request still gets it: an integer beyond 64 bits stays exact (the text path and the parsed
    document's agree)."""
    req = _request({"$ai_input": [{"role": "user", "content": _PROSE}], "$ai_output_choices": "ok"}, redact)
    raw = orjson.dumps(req).replace(b'"ok"', b'{"tokens": ' + number.encode() + b"}")
    assert textrepr.text_repr(raw) == textrepr.text_repr(raw.decode())
    if number.lstrip("-").isdigit() and len(number) > 19:
        assert number in textrepr.text_repr(raw)["text"]


def test_event_body_takes_only_bytes_as_the_text() -> None:
    from textrepr.request import event_body

    doc = _request({"$ai_input": _PROSE})
    with pytest.raises(TypeError):
        event_body(doc, lambda o: True, None, orjson.dumps(doc).decode())  # type: ignore[arg-type]


# A long clean request (several of the AVX-512 scan's 256-byte steps, its 64-byte steps and its tail), and
# what is planted in it one at a time: a byte >= 0x80, a backslash, triggers, and the near misses of the word
# patterns that the scan's C word check drops ("act", "search") or keeps (a word cut by the text's end).
_LONG = orjson.dumps(_request({"$ai_input": [{"role": "user", "content": (_PROSE + " ") * 40}],
                               "$ai_output_choices": [{"role": "assistant", "content": _PROSE.upper() * 8}]}))
_PLANTED = [b"\xc3\xa9", b"\xff", b"\\n", b"act", b"redact", b"search", b"because", b"SEARCH", b"Tok", b"tokex",
            b"token", b"TOKEN", b"api key", b"Api.Key", b"apikex", b"autho", b"authoriz", b"access", b"acce",
            b"aws", b"AWS", b"bearer", b"basi", b"secret", b"cookie", b"pass", b"privat", b"_", b"hf_", b"sk-",
            b"@", b"1234567", b"eyJ", b"xox", b"AKIA", b"://"]


def test_raw_clean_compiled_equals_pure_with_a_piece_planted_anywhere_in_a_long_text(scan: Any) -> None:
    """Each piece over a letter of a 4 KB request at positions across the block scan's steps and at its end:
    the compiled and pure raw_clean agree, at every block-scan level and rule set."""
    assert pure.raw_clean(_LONG, ALL)
    starts = [k for k in range(0, len(_LONG) - 8, 29) if _LONG[k:k + 1].isalpha()]
    try:
        for level in (2, 1, 0):
            scan._set_simd(level)
            for piece in _PLANTED:
                for k in starts + [len(_LONG) - 3 - len(piece)]:
                    raw = _LONG[:k] + piece + _LONG[k + len(piece):]
                    for f in (ALL, pure.PRE_SECRETS):
                        assert scan.raw_clean(raw, f) == pure.raw_clean(raw, f), (piece, k, f, level)
    finally:
        scan._set_simd(2)
