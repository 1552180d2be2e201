"""The redaction prefilter and walk (issue 14): compiled == pure, and the prefilter never hides a trigger.

``prefilter`` decides which strings the rules ever see, so it must keep every string in which the rules'
own triggers (``textrepr.redact._Compiled.candidates``) find anything; the compiled twin must agree with
the pure one on every string and flag set, and ``walk_value`` must collect and replace the same slots.
"""
from __future__ import annotations

import copy
import itertools
from typing import Any, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from conformance import NO_CORPUS, SHARED
from redact_cases import CLEAN, PLANTS

import twins
from textrepr import Redactor
from textrepr import _redact_scan_py as pure

FLAGS = [0, pure.PRE_SECRETS, pure.PRE_PII, pure.PRE_SECRETS | pure.PRE_PII, pure.PRE_ALL]
# The walks' flags also: with PRE_STARTS a string is kept only where a match may start, with its starts.
WALK_FLAGS = FLAGS + [f | pure.PRE_STARTS for f in FLAGS[1:4]]
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


def _walk(mod: Any, root: Any, secret_list: bool, flags: int, skip: Any, exempt: Any) -> tuple[Any, ...]:
    r = Redactor.default()._compiled
    holders: list[Any] = []
    slots: list[Any] = []
    key_holders: list[Any] = []
    key_texts: list[str] = []
    found: dict[int, list[int]] = {}
    n = mod.walk_value(root, secret_list, flags, {}, r.walk_secret_key, holders, slots, key_holders, key_texts,
                       skip, exempt, found)
    return (root, n, [(h[k], k) for h, k in zip(holders, slots)], [(k in h, k) for h, k in zip(key_holders, key_texts)],
            _found_by_text(found, [h[k] for h, k in zip(holders, slots)] + key_texts, flags)
            if flags & pure.PRE_STARTS else found)


def _found_by_text(found: dict[int, list[int]] | None, texts: list[str], flags: int) -> dict[str, list[int]] | None:
    """``found`` (by string id) as text -> starts, checking that it gives each kept string its starts."""
    if found is None:
        return None
    by_id = {id(t): t for t in texts}
    assert set(found) <= set(by_id), "starts of a string the walk did not keep"
    out = {by_id[i]: v for i, v in found.items()}
    for t in texts:
        if not flags & pure.PRE_ALL:
            assert out[t] == pure.starts(t, flags & (pure.PRE_SECRETS | pure.PRE_PII), ()) != [], t
    return out


_markers = st.sampled_from(["", "[REDACTED:email]", "[REDACTED:", "[REDACTED:]", "x]"])


@given(st.one_of(st.lists(_json, max_size=4),
                 st.dictionaries(st.one_of(st.text(max_size=6), st.sampled_from(["id", "password", "note"])),
                                 st.one_of(_json, _markers), max_size=4)),
       st.booleans(), st.sampled_from(WALK_FLAGS), st.sampled_from([(), frozenset(("id", "password"))]),
       st.sampled_from([(), frozenset(("note", "password"))]))
def test_walk_value_compiled_equals_pure(scan: Any, root: Any, secret_list: bool, flags: int, skip: Any,
                                         exempt: Any) -> None:
    a = copy.deepcopy(root)
    got = _walk(scan, a, secret_list, flags, skip, exempt)
    want = _walk(pure, root, secret_list, flags, skip, exempt)
    assert got == want


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



# The compiled scans look at Latin-1 strings 64 or 32 positions at a time (AVX-512 VBMI or AVX2; see
# textrepr/_redact_simd.h), so the twins are also compared on strings long enough for several blocks,
# with triggers at every offset around a block's edges, with the block scans on and off.
_PAD = "the quick brown fox jumps over the lazy dog while a calm river runs under old stone bridges " * 2
# Latin-1 pads, and UCS2 ones (a curly quote; the letters the scans fold to ASCII) for the narrowed scans.
_PADS = [_PAD, _PAD.upper(), "x" * 200, _PAD.replace("o", "\u2019", 3), _PAD.replace("e", "\u017f"),
         _PAD.replace(" ", "\u212a")]
long_texts = st.tuples(st.integers(0, 90), texts, st.sampled_from(_PADS)).map(
    lambda t: t[2][:t[0]] + t[1] + t[2][t[0]:])


def _both_paths(scan: Any) -> Iterator[int]:
    """Each block-scan level in turn (AVX-512 VBMI, AVX2, none); yields the block width in use."""
    try:
        for level in (2, 1, 0):
            yield scan._set_simd(level)
    finally:
        scan._set_simd(2)


@given(long_texts)
def test_long_strings_compiled_equals_pure_with_and_without_block_scans(scan: Any, s: str) -> None:
    for _ in _both_paths(scan):
        for f in FLAGS[:4]:
            assert scan.prefilter(s, f) == pure.prefilter(s, f), (s, f)
            assert scan.triggers(s, f, ()) == pure.triggers(s, f, ()), (s, f)


# Near misses of the word patterns (their cross products, which the AVX-512 re-check drops in C, and words cut
# short), and words whole in other cases.
_NEAR = ["act", "redact", "search", "because", "SEARCH", "Tok", "tokex", "autho", "acce", "privat", "cooki",
         "beare", "basi", "secre", "pas", "aw", "Api_Key", "ACCESS", "Authoriz", "PRIVATE", "CoOkIe"]


def test_triggers_at_every_offset_of_a_block(scan: Any) -> None:
    """Each trigger piece (and each planted value, and each near miss of a word) at offsets 0..100 of clean
    text (Latin-1, and UCS2 with a curly quote), inside it or at its end: same prefilter and triggers as the
    pure twin, with the block scans on and off."""
    pieces = _TRIGGERS + [p[1] for p in PLANTS] + ["12:07:33", "std::io::Read", " ::1 ", "k-", "sk-"] + _NEAR
    used = set()
    for simd in _both_paths(scan):
        used.add(simd)
        for piece, pad in itertools.product(pieces, (_PAD, _PADS[3])):
            for off in range(0, 101):
                s = pad[:off] + piece + (pad[off:off + 40] if off % 2 else "")  # odd: inside, even: at the end
                for f in (pure.PRE_SECRETS, pure.PRE_PII, pure.PRE_SECRETS | pure.PRE_PII):
                    assert scan.prefilter(s, f) == pure.prefilter(s, f), (piece, off, f)
                    assert scan.triggers(s, f, ()) == pure.triggers(s, f, ()), (piece, off, f)
    assert 0 in used  # the scalar path ran (and the block scans too, where the CPU has them)


@pytest.mark.parametrize("piece", ["hf_", "ghp_", "github_pat_", "sk_", "rk-", "sk-", "-----BEGIN", "a@b"])
def test_pieces_at_every_position_of_a_long_string(scan: Any, piece: str) -> None:
    """A prefix ending in '_' or '-' (which the AVX-512 first test keeps two characters before its '_', so
    that a block may hand it to the next), with its end at every position of a 1.4 KB string, alone or
    after an '@' (a block whose keeps end a block scan's call): across the blocks of 64, the steps of 256
    and (UCS2) the narrowed runs, the compiled prefilter and triggers equal the pure twin's, with the block
    scans on and off."""
    for simd in _both_paths(scan):
        for before, pad in itertools.product(("", "a@b "), (_PAD * 8, _PADS[3] * 8)):  # '@': a kept block
            for end in range(len(piece) + len(before), 1400, 1 if simd == 64 else 7):
                s = pad[:end - len(piece) - len(before)] + before + piece + pad[end:end + 300]
                assert scan.prefilter(s, pure.PRE_SECRETS) == pure.prefilter(s, pure.PRE_SECRETS), (piece, end)
                assert scan.triggers(s, 3, ()) == pure.triggers(s, 3, ()), (piece, end)


@given(texts)
def test_dropped_ipv6_triggers_start_no_match(s: str) -> None:
    """An IPv6 trigger is dropped when the hex-colon run before it follows an ASCII letter or digit
    (``std::io``): the combined pattern of every built-in rule matches nothing at that start."""

    pattern = Redactor.default()._compiled.pattern
    for m in pure._T_V6.finditer(s):
        if not pure._v6_can_start(s, m.start()):
            assert pattern.match(s, pure._back(s, m.start(), pure._HEXCOLON, 40)) is None, (s, m.start())


@pytest.mark.parametrize("s", ["use std::io::Read;", "Vec::new()", "HashMap::new", "2026-12-06T12:07:33Z",
                               "fn f() -> Self::Output", "x::y::z"])
def test_rust_paths_and_times_give_no_ipv6_trigger(s: str) -> None:
    assert [t for t in pure.triggers(s, pure.PRE_PII, ()) if t[2] == pure.K_V6] == []


@pytest.mark.parametrize("s", ["addr 2001:db8::1 here", "(::ffff:10.0.0.1)", "fe80::1%eth0", "[::1]:80"])
def test_addresses_keep_their_ipv6_trigger(s: str) -> None:
    assert [t for t in pure.triggers(s, pure.PRE_PII, ()) if t[2] == pure.K_V6] != []


_aws_pieces = st.sampled_from(["AbCdEfGhIj", "0123456789", "k/+L", "=", " ", "-", ".", "\u00e9", "x"])


@given(st.lists(_aws_pieces, max_size=16).map("".join), st.integers(0, 170), st.integers(0, 170))
def test_aws_secret_window_scan_same_with_re_as_with_regex(s: str, a: int, b: int) -> None:
    """textrepr.redact scans the window around an AWS trigger with ``re`` (faster); ``regex`` finds the
    same 40-character runs, window edges included."""
    import regex

    _AWS_SECRET = pure._AWS_SECRET

    ref = regex.compile(_AWS_SECRET.pattern)
    assert ([m.span() for m in _AWS_SECRET.finditer(s, a, b)] == [m.span() for m in ref.finditer(s, a, b)])


def _rule_match(m: Any, marks: Any) -> Any:
    if m is None:
        return None
    regs = m.regs
    rule = next(n for i, n in marks if regs[i][0] >= 0)
    v = m.span("v") if "v" in m.re.groupindex else (-1, -1)  # no v group: the whole match, as v unset
    return m.span(), rule, v


def _check_dispatch(sets: tuple[str, ...], s: str) -> None:
    """At every start, the rules that can begin with its character match exactly as all of them do (and so do
    their ``re`` spellings, in an ASCII string)."""
    c = Redactor(sets=sets)._compiled
    for ch in map(chr, range(128)):
        c.at(ch)  # compile every per-character pattern up front (not within hypothesis's deadline)
        c.at(ch, True)
    for st in range(len(s) + 1):
        want = _rule_match(c.pattern.match(s, st), c.marks)
        for ascii in (False, True) if s.isascii() else (False,):
            pattern, marks, _ = c.at(s[st] if st < len(s) else "", ascii)
            got = None if pattern is None else _rule_match(pattern.match(s, st), marks)
            assert got == want, (s, st, ascii)


@pytest.mark.parametrize("sets", [("secrets", "pii"), ("secrets",), ("pii",)])
@given(s=texts)
def test_first_character_dispatch_matches_like_the_combined_pattern(sets: tuple[str, ...], s: str) -> None:
    """At every start, the rules that can begin with its character match exactly as all of them do."""
    _check_dispatch(sets, s)


# ASCII near misses of every rule, for the ``re`` spellings used on ASCII strings (textrepr.redact._ascii_re):
# the planted values cut and joined, whitespace ``re`` and ``regex`` read differently (\x1c-\x1f), PEM
# lines, separators and edges.
_ascii_pieces = st.one_of(
    st.sampled_from([p[1] for p in PLANTS if p[1].isascii()] + [c for c in CLEAN if c.isascii()] +
                    [t for t in _TRIGGERS if t.isascii()] +
                    ["\x1c", "\x1d", "\x1e", "\x1f", "\x0b", "\x0c", "\r\n", "\t", "-----END RSA PRIVATE KEY-----",
                     "-----BEGIN PRIVATE KEY-----\n", "MIIEvQ", "==", "user:pw@", "https://", "a@b.co", "+44 ",
                     "(212) 555-0199", "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32", "::1", "10.0.0.",
                     "123-45-6789", "_", "/", "+", ".", "-", ":", "@", " "]),
    st.text(st.characters(max_codepoint=127), max_size=6))
ascii_texts = st.lists(_ascii_pieces, max_size=8).map("".join).map(
    lambda t: t[:len(t) // 2] + t[len(t) // 2 + 1:] if len(t) > 8 else t)  # and cut one character out


@pytest.mark.parametrize("sets", [("secrets", "pii"), ("secrets",), ("pii",)])
@given(s=ascii_texts)
def test_ascii_re_spellings_match_like_the_combined_pattern(sets: tuple[str, ...], s: str) -> None:
    _check_dispatch(sets, s)


def test_ascii_re_spelling_of_whitespace() -> None:
    """``\\s`` inside a class is spelled as ``regex`` reads it on ASCII; outside one there is no spelling."""
    from textrepr.redact import _ascii_re

    p = _ascii_re(r"[^\s/]+")
    assert p is not None and p.match("a\x1cb c").group() == "a\x1cb"
    assert _ascii_re(r"a\sb") is None and _ascii_re(r"(?P<v>a)|(?P<v>b)") is None
    assert _ascii_re(r"[\s\S]*?x").match("\x1c\nx").group() == "\x1c\nx"


# Starts (where the rules are tried): the compiled twin computes them from its triggers in C. Near misses
# for the windows it scans: base64 runs of 39-41 characters, '=' and '/' around them, IBAN-like country
# codes and digits, URL schemes, email local parts and hex-colon runs of every length before a trigger.
_start_pieces = st.sampled_from([
    "A" * 39, "b" * 40, "Z9/+" * 10, "x" * 41, "=", "/", "+", " ", "-", ".", "_", "%", ":", "::", "@", "://",
    "GB82", "DE", "44", "gb82", "G", "8", "+", "(", "https", "user.name", "fe80", "AKIA", "aws", "secret",
    "1234567", "12 34 5", "\u00e9", "\u2019", "k"])
start_texts = st.one_of(texts, st.lists(_start_pieces, max_size=24).map("".join))


@given(start_texts, st.sampled_from(FLAGS[:4]))
def test_starts_compiled_equals_pure(scan: Any, s: str, flags: int) -> None:
    assert scan.starts(s, flags, ()) == pure.starts(s, flags, ()), (s, flags)
    assert scan.starts(s, flags, ("pin",)) == pure.starts(s, flags, ("pin",))


@given(st.data(), start_texts)
def test_starts_of_any_trigger_compiled_equals_pure(scan: Any, data: Any, s: str) -> None:
    """Triggers anywhere (not only where the scan finds them): every window edge of every kind."""
    found = data.draw(st.lists(st.tuples(st.integers(0, len(s)), st.integers(0, 6), st.integers(0, 5)).map(
        lambda t: (t[0], min(len(s), t[0] + t[1]), t[2])), max_size=6))
    assert scan.starts_of(s, found) == pure.starts_of(s, found), (s, found)


@given(start_texts)
def test_starts_from_joined_scan_equal_those_of_each_string(s: str) -> None:
    """The pure twin's starts from the triggers of one joined scan are those of the string's own scan."""
    c = Redactor.default()._compiled
    got = c.candidates([s, "x", s + "\u2019"])
    for i, t in enumerate([s, "x", s + "\u2019"]):
        assert got.get(i, []) == pure.starts(t, c.trig_flags, ()), (s, i)


@given(st.dictionaries(st.sampled_from(["id", "event", "note", "password", "properties"]),
                       st.one_of(_json, _markers, st.dictionaries(st.sampled_from(["$ai_model", "x", "token"]), _json,
                                                                  max_size=3)), max_size=5),
       st.sampled_from(WALK_FLAGS), st.booleans())
def test_walk_event_compiled_equals_pure(scan: Any, ev: dict, flags: int, node: bool) -> None:
    from textrepr import redact

    r = Redactor.default()._compiled
    args = (flags, {}, r.walk_secret_key, redact._EVENT_SKIPS[node], redact.EVENT_EXEMPT, redact.PROPERTY_EXEMPT)
    a = copy.deepcopy(ev)
    got = scan.walk_event(a, *args)
    want = pure.walk_event(ev, *args)
    assert a == ev
    if want is None:
        assert got is None
    else:
        n, holders, slots, key_holders, key_texts, found = got
        kept = [h[k] for h, k in zip(holders, slots)]
        assert (n, [(h[k], k) for h, k in zip(holders, slots)], key_texts) == \
            (want[0], [(h[k], k) for h, k in zip(want[1], want[2])], want[4])
        assert _found_by_text(found, kept + key_texts, flags) == \
            _found_by_text(want[5], [h[k] for h, k in zip(want[1], want[2])] + want[4], flags)
        assert (found is None) == (not flags & pure.PRE_STARTS)


# Pruned starts: a secret-key word gives a start only where its rule may match (the rest of the word, quote,
# spaces, then ':' or '='), a URL's '://' only where credentials and their '@' may follow, "aws"/"secret"
# none of their own. Near misses: words cut, suffixes of every length, case-folding non-ASCII letters,
# quotes and backslashes, URLs with ':'/'@' in every place.
_prune_pieces = st.sampled_from([
    "password", "passwd", "passphrase", "pass", "PASS", "Password", "secret", "Secret", "token", "TOKEN", "api_key",
    "api-key", "apikey", "ApiKey", "authorization", "authoriz", "cookie", "private_key", "private-key", "privateKey",
    "access_key", "AccessKey", "access", "aws", "AWS", "x", "db", "\u017f", "\u212a", "word", "wd", "phrase", "_key",
    "Key", "ed", "s", ":", "=", " ", "\t", '"', "'", "\\", "\\\"", "-", "_", "1", "hunter22", "https://", "ftp://",
    "://", "user", "u:p", "u:pw@", ":@", "@", "/", "?", "#", "h", ".", "[", "\n", "\u00e9"])
_key_forms = st.tuples(  # key word, rest of a word, quote, spaces, separator, spaces, value: each slot may miss
    st.sampled_from(["", "x", "my_", "db", " ", "\u00e9"]),
    st.sampled_from(["pass", "PASS", "secret", "Secret", "token", "api_key", "api-key", "apikey", "Api", "authoriz",
                     "cookie", "private", "privateK", "access", "aws", "to\u212aen", "toke"]),
    st.sampled_from(["", "word", "wd", "phrase", "phra\u017fe", "ation", "_key", "-key", "Key", "ed", "s", "_number",
                     "ey", "\u00e9", "wordx", "abcdefg"]),
    st.sampled_from(["", "\\", '"', "'", '\\"', "\\'", "''"]),
    st.sampled_from(["", " ", "\t", "  ", "\n", "\u00a0"]),
    st.sampled_from([":", "=", "", " is", ";", ":="]),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(['"hunter22"', "'s3cr3t'", "hunter22", "abc", '"x"', "[1]", "\\\"pw\\\""])).map("".join)
_url_forms = st.tuples(
    st.sampled_from(["", " ", "x", "("]), st.sampled_from(["https", "ftp", "a+b", "h", "1x", "postgres"]),
    st.sampled_from(["://", ":/", "//"]), st.sampled_from(["", "user", "u.s", "us er", "\u00e9", "a/b", "[x]"]),
    st.sampled_from([":", "", "::", ":@"]), st.sampled_from(["", "pw", "p:w", "p w", "p/w", "\u00a0", "p#"]),
    st.sampled_from(["@", "", "@@", "/@", " @"]), st.sampled_from(["host", "", "h/x", "@h"])).map("".join)
_num_forms = st.lists(st.sampled_from([  # digits and separators around 9 digits, 3 dots, first octets
    "0", "1", "10", "12", "127", "1270", "192", "255", "2", "555", "0199", "4111", "123", "45", "6789", ".", "..", " ", "-", "/",
    "(", ")", "+", "+44", "(212)", "x", ":", "\u0663", "\u00a0", "GB82"]), max_size=12).map("".join)
prune_texts = st.one_of(_key_forms, _url_forms, _num_forms,
                        st.lists(st.one_of(_prune_pieces, _key_forms, _url_forms, _num_forms), max_size=6).map("".join))


def _spans_everywhere(c: Any, s: str) -> list[tuple[int, int, str]]:
    """The rules anchored at every position (no trigger, no pruning): what the starts must find."""
    return c._spans(s, list(range(len(s) + 1)))


@pytest.mark.parametrize("sets", [("secrets", "pii"), ("secrets",)])
@given(s=st.one_of(prune_texts, texts))
def test_pruned_starts_find_every_match(implementation: str, sets: tuple[str, ...], s: str) -> None:
    c = Redactor(sets=sets)._compiled
    cands = c.candidates([s]).get(0, [])
    assert c._spans(s, cands) == _spans_everywhere(c, s), (s, cands)


@given(prune_texts, st.sampled_from(FLAGS[:4]))
def test_pruned_starts_compiled_equals_pure(scan: Any, s: str, flags: int) -> None:
    assert scan.starts(s, flags, ()) == pure.starts(s, flags, ()), (s, flags)
    assert scan.starts(s, flags, ("pin",)) == pure.starts(s, flags, ("pin",))


def test_aws_runs_around_a_trigger_compiled_equals_pure(scan: Any) -> None:
    """The 40-character runs an AWS trigger's window holds (the compiled scan reads the 40th character of a
    possible run first and skips the rest when it cannot be one): runs of 38 to 42 characters, bounded by
    '=', '+', a space or nothing, at every distance from the trigger up to past both window edges, in
    Latin-1 and UCS2 text, give the pure twin's starts."""
    run = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/+AbCdEf"
    for trig, pad in itertools.product(("aws ", "the secret ", "AKIAABCDEFGHIJKLMNOP "), (_PAD * 4, _PADS[3] * 4)):
        for n, (before, after) in itertools.product(range(38, 43), [("", ""), ("=", ""), ("", "="), (" ", "+"),
                                                                     ("+", " ")]):
            for dist in (*range(0, 50, 7), *range(180, 280, 3)):
                for s in (pad[:dist] + before + run[:n] + after + " " + trig + pad[:60],
                          trig + pad[:dist] + before + run[:n] + after + pad[:30]):
                    assert scan.starts(s, pure.PRE_SECRETS, ()) == pure.starts(s, pure.PRE_SECRETS, ()), (s, n)


@pytest.mark.parametrize("s, pruned", [
    ("The secret number is 42", True), ("let secret_number = 42", True), ("we pass it to the thread", True),
    ("see https://api.openai.com/v1 now", True), ("at file:///app/node_modules/x.js", True),
    ("password: hunter22", False), ('{"api_key": "abc"}', False), ("pass\\\": 'x'", False),
    ("passphra\u017fe=abc123", False), ("https://user:pw@host/x", False), ("the privateKey  =x", False),
    ("HTTP/1.1 200 OK", True), ("hello v0.1.0 (file:///x)", True), ("127.0.0.1:7878", True),
    ("call 555-0199 (x) 2", True), ("10.0.0.1", False), ("call 212 555 0199", False), ("4111-1111-1111-1111", False)])
def test_pruned_starts_on_examples(s: str, pruned: bool) -> None:
    """Key words in prose and URLs without credentials give no start; the rules' own forms keep theirs."""
    words = ("secret", "pass", "https", "file", "api_key", "private", "user") + tuple("0123456789")
    first = next(i for i in range(len(s)) if s[i:].lower().startswith(words))
    c = Redactor()._compiled
    assert (first not in c.candidates([s]).get(0, [])) == pruned, s


def test_walk_key_cache_answers_per_redactor(scan: Any) -> None:
    """The compiled walk remembers each object key's answers by the key's identity, per secret-key cache,
    secret-key test and flags: the same key objects walked for redactors that disagree on them (and with
    other flags) in turn must get each redactor's own answers, as the pure twin gives them."""
    keys = ["note", "password", "sessionToken", "token_count", "content", "api_key_hint"]
    plain = Redactor.default()._compiled
    custom = Redactor(keys=("note", "content"))._compiled
    none = Redactor(sets=("pii",))._compiled
    for _ in range(3):
        for c in (plain, custom, none):
            for flags in (c.walk_flags, pure.PRE_SECRETS | pure.PRE_PII, pure.PRE_ALL):
                doc = {k: f"value of {k} sk-{'a' * 24} here" for k in keys}
                got = _walk_with(scan, copy.deepcopy(doc), flags, c)
                want = _walk_with(pure, doc, flags, c)
                assert got == want, (c.key_names, flags)


def _walk_with(mod: Any, root: dict, flags: int, c: Any) -> tuple[Any, ...]:
    holders: list[Any] = []
    slots: list[Any] = []
    key_holders: list[Any] = []
    key_texts: list[str] = []
    n = mod.walk_value(root, False, flags, c.known, c.walk_secret_key, holders, slots, key_holders, key_texts)
    return root, n, [(h[k], k) for h, k in zip(holders, slots)], key_texts
# The AVX-512 scan (level 2) tests 128 positions a step in case-folded classes (a byte's bits 5 and 7
# dropped: a letter's cases, control characters and punctuation, Latin-1 bytes and ASCII share a class), then
# each half of a step kept there in the exact classes; the number pattern is kept only at the first digit of
# a run with number characters up to offset 6. So: triggers and near misses at every offset of strings whose
# lengths put them in either half of a step, in the last single block or in the tail; the case variants and
# aliases the fold lets through; digit runs across every block edge.
_FOLD_PIECES = ["AKIA", "akia", "Akia", "aKIA", "ASIA", "asia", "AIza", "aiZA", "ACCA", "acca", "eyJ", "EYJ", "eYj",
                "xox", "XOX", "xOx", "@", "`", "sk-", "sk\r", "hf_", "hf\x7f", "::1", ":\x1a1", "://", "\u00e9AKIA",
                "AKIA\u00e9", "A\u00c9IA", "A\u00cbIA", "x\u00efx", "\u00c1KIA", "e\u00f9J", "\u00b9234567",
                "1\u00a0234567", "1\u00b2\u00b3\u00b94567", "1234567", "12345678901234",
                "\x11\x12\x13\x14\x15\x16\x17", "123456",
                "(555) 1", "1.2.3.4", "12 34 56 78 90", "1-2", "9" * 70, "secret", "SECRET", "Pass", "tOKEN", "bAsIc",
                "k-", "k_", "x_", "t_", "K-", "\u212a-", "\u212a_", "--", "-----BEGIN", "__init__", "sk__", "a-b_c@d"]
_FOLD_LENGTHS = [60, 63, 64, 66, 67, 68, 70, 95, 96, 97, 127, 128, 130, 131, 132, 135, 160, 195, 198, 199, 200, 259,
                 262, 263, 300]


def _compare_at_each_level(scan: Any, cases: list[str]) -> None:
    flags = (pure.PRE_SECRETS, pure.PRE_PII, pure.PRE_SECRETS | pure.PRE_PII)
    want = {(s, f): (pure.prefilter(s, f), pure.triggers(s, f, ())) for s in cases for f in flags}
    for _ in _both_paths(scan):
        for (s, f), (pre, trig) in want.items():
            assert scan.prefilter(s, f) == pre, (s, f)
            assert scan.triggers(s, f, ()) == trig, (s, f)


@pytest.mark.parametrize("piece", _FOLD_PIECES)
def test_pieces_at_every_offset_of_every_step_length(scan: Any, piece: str) -> None:
    """Each piece at every offset of clean strings of 60..300 characters (both halves of a 128-position
    step, the single block after the steps, the block at the end and the tail), Latin-1 and UCS2."""
    cases = []
    for n, pad in itertools.product(_FOLD_LENGTHS, (_PAD * 2, _PADS[3] * 2)):
        for off in range(0, n - len(piece) + 1, 1 if n in (64, 131, 263) else 3):
            cases.append(pad[:off] + piece + pad[off + len(piece):n])
    assert all(len(c) >= 60 for c in cases)
    _compare_at_each_level(scan, cases)


def test_digit_runs_across_block_edges(scan: Any) -> None:
    """Digit runs and number-like runs starting and ending at every position around the edges of a step:
    the number pattern keeps only a run's first digit, and needs number characters up to offset 6."""
    runs = ["1234567", "123456", "12345678", "1 234 567", "(12)3-4.5/6", "12 34", "1" * 20, "0.0123, -0.0456"]
    cases = []
    for run, pad in itertools.product(runs, (_PAD * 3, _PADS[3] * 3, "x" * 300)):
        for end in list(range(54, 76)) + list(range(118, 140)) + list(range(182, 204)):
            for n in (end, end + 3, 267):
                start = end - len(run)
                if 0 <= start and end <= n:
                    cases.append(pad[:start] + run + pad[end:n])
    _compare_at_each_level(scan, cases)


_fold_alphabet = st.sampled_from(list("aAkKiIsSzZcCbBeEyYjJxXoOpPtTrRwWuUvV0123456789 .()/-_@:`\r\x7f\x1a\x11\t\n") +
                                 ["\u00e9", "\u00c1", "\u00b2", "\u00a0", "\u00ef", "\u00cb", "\u2019", "\u212a"])


@given(st.lists(_fold_alphabet, min_size=60, max_size=300).map("".join))
def test_fold_aliases_compiled_equals_pure_at_every_level(scan: Any, s: str) -> None:
    """Strings of the characters the case-folded classes confuse with trigger characters."""
    _compare_at_each_level(scan, [s])


def test_level_two_needs_gfni_and_falls_back(scan: Any) -> None:
    """The block width follows the level asked (capped by the CPU): 64 only with AVX-512 VBMI and GFNI."""
    try:
        widths = [scan._set_simd(level) for level in (2, 1, 0)]
    finally:
        scan._set_simd(2)
    assert widths[2] == 0 and widths[1] in (0, 32) and widths[0] in (widths[1], 64)


def test_long_ucs2_strings_around_each_narrowed_run(scan: Any) -> None:
    """UCS2 strings are narrowed a run of blocks at a time (runs of 2, 4, 8, 16 blocks of 64: starting at
    0, 128, 384, 896, 1920, 2944, ...): a trigger or digit run just before, on and after each run's and
    block's edge, in strings whose last run is cut short; Latin-1 alike."""
    edges = [0, 64, 128, 192, 384, 448, 896, 960, 1920, 2944, 3968]
    cases = []
    for piece, n in itertools.product(["AKIA", "1234567", "@", "xox", "::1", "sk-", "hf_", "--", "to\u212aen"],
                                      (1000, 2100, 4100)):
        for pad in ((_PADS[3] * 25)[:n], (_PAD * 25)[:n]):
            for pos in {max(0, min(n - len(piece), e + d)) for e in edges for d in range(-9, 4)}:
                cases.append(pad[:pos] + piece + pad[pos + len(piece):])
    pad = (_PADS[3] * 25)[:2100]
    for run, block in ((128, 256), (384, 512), (384, 640), (896, 1024), (896, 1408), (1920, 2048)):
        # a digit before the run's first block, none before the block (a later one in the run) the number
        # starts: what precedes the run is not what precedes the block
        cases.append(pad[:run - 1] + "5" + pad[run:block - 1] + " 1234567" + pad[block + 7:])
    _compare_at_each_level(scan, cases)


def _strings_in(x: Any) -> Iterator[str]:
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for k, v in x.items():
            yield from _strings_in(k)
            yield from _strings_in(v)
    elif isinstance(x, list):
        for v in x:
            yield from _strings_in(v)


@pytest.mark.skipif(not (SHARED / "corpus" / "events").is_dir(), reason=NO_CORPUS)
def test_corpus_strings_same_triggers_at_every_level(scan: Any) -> None:
    """Every string of 5 characters or more in the corpus events (keys too): the same prefilter answer and
    triggers as the pure twin at each block-scan level."""
    import json

    strings = sorted({s for p in sorted((SHARED / "corpus" / "events").glob("*.json"))
                      for s in _strings_in(json.loads(p.read_text("utf-8"))) if len(s) >= 5})
    assert sum(map(len, strings)) > 100_000
    _compare_at_each_level(scan, strings)


@pytest.mark.parametrize("depth", [1, 31, 32, 33, 200])
def test_walk_of_wide_and_deep_values_compiled_equals_pure(scan: Any, depth: int) -> None:
    """The compiled walk keeps its stack in C (64 entries, then on the heap): values nested ``depth`` deep
    (two containers a level) and lists wider than that, with strings to keep, secret-named keys and secret
    lists at every level."""
    flags = pure.PRE_SECRETS | pure.PRE_PII | pure.PRE_STARTS

    def build() -> tuple[Any, Any]:
        leaf: Any = {"email": "mail bob@example.com now", "password": "hunter22", "cookie": ["a=1", "b=2"]}
        for i in range(depth):
            leaf = {f"k{i}": [f"call +1 415 555 01{i % 100:02d}", leaf], "token": f"tok-{i}"}
        wide = [{"note": f"see https://u:p{i}@host.example/x"} for i in range(150)] + [{"deep": leaf}]
        return leaf, wide

    c = Redactor.default()._compiled
    for got, want in zip(build(), build()):
        assert _walk_with(scan, got, flags, c)[1:] == _walk_with(pure, want, flags, c)[1:]
        assert got == want


def test_many_triggers_in_one_string_compiled_equals_pure(scan: Any) -> None:
    """More triggers than the compiled scan holds inline (16; then on the heap), of every kind."""
    pieces = ["a@b.example", "sk-" + "x" * 30, "https://u:p@h.example", "+1 415 555 0100", "fe80::1",
              "Bearer abc.def.ghi", "AKIAABCDEFGHIJKLMNOP", "eyJhbGciOi", "ghp_" + "a" * 36, "192.168.0.1"]
    for n in (15, 16, 17, 200):
        s = " ".join(pieces[i % len(pieces)] for i in range(n))
        for f in FLAGS[:4]:
            assert scan.triggers(s, f, ()) == pure.triggers(s, f, ()), (n, f)
            assert scan.starts(s, f, ()) == pure.starts(s, f, ()), (n, f)
            assert scan.prefilter(s, f) == pure.prefilter(s, f), (n, f)


def test_finish_event_scans_a_kept_string_the_walk_found_no_starts_for() -> None:
    """redact.finish_event takes the walk's starts; a kept string without them (a walk without PRE_STARTS
    for that string) is scanned by the rules themselves: the same result as a full redaction."""
    from textrepr.redact import finish_event, redact_data

    r = Redactor.default()
    ev = {"id": "e", "properties": {"$ai_input": [{"role": "user", "content": "mail bob@example.com now"}]}}
    want = copy.deepcopy(ev)
    counts = redact_data(want, r, False)
    msg = ev["properties"]["$ai_input"][0]
    got = finish_event(r, (0, [msg], ["content"], [], [], {}))  # kept, but no starts handed over
    assert (ev, got) == (want, counts) and counts == {"email": 1}
