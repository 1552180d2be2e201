"""Pure-Python twin of ``textrepr._redact_scan``: the redaction prefilter and the walk over parsed values.

:func:`triggers` lists where a built-in rule's match may start (see ``textrepr.redact``);
:func:`prefilter` says whether a string holds any: a string without one cannot hold a built-in match, so
the walk never keeps it and the rules never run on it (skipping it changes no output). :func:`walk_value`
collects, from a container of parsed JSON, the strings that the prefilter keeps (with their holder and
slot) and replaces the values of secret-named keys.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Optional, Tuple

# What walk_event returns: (secrets replaced, holders, slots, key_holders, key_texts, found).
Walked = Tuple[int, list, list, list, list, Optional[dict]]

__all__ = [
    "PRE_SECRETS", "PRE_PII", "PRE_ALL", "PRE_STARTS", "K_AT_START", "K_AWS", "K_URL", "K_EMAIL", "K_V6", "K_NUM",
    "SECRET_MARKER", "MIN_MATCH", "prefilter", "prefilter_pays", "raw_clean", "triggers", "starts", "starts_of",
    "is_secret", "walk_value", "walk_event", "keys_of",
]

# Flags: which rule sets' triggers to look for; PRE_ALL: every string passes (custom key names or rules,
# whose triggers the prefilter does not know); PRE_STARTS (the walk's): a string is kept only where a match
# may start in it, and those starts are handed over (``found``), so the rules never scan it again.
PRE_SECRETS, PRE_PII, PRE_ALL, PRE_STARTS = 1, 2, 4, 8
# Trigger kinds: where a match may start relative to its trigger (see ``textrepr.redact._Compiled._spans``).
K_AT_START, K_AWS, K_URL, K_EMAIL, K_V6, K_NUM = 0, 1, 2, 3, 4, 5


def prefilter_pays() -> bool:
    """Whether to prefilter each string before the joined trigger scan: not in pure Python, where the
    prefilter (the trigger scan of one string) costs about what the joined scan costs (so every string
    is kept)."""
    return False


def prefilter(s: str, flags: int) -> bool:
    """Whether ``s`` holds a trigger of the rule sets in ``flags`` (always True with ``PRE_ALL``); the
    compiled twin stops its trigger scan at the first one."""
    if flags & PRE_ALL:
        return True
    return bool(triggers(s, flags, ()))


# The rules' own triggers (:func:`triggers`). Case-sensitive provider prefixes: one scan whose first
# characters are rare in prose (k, _, x, A, -); an underscore is kept only after the last letter of hf_,
# phx_, gh?_ or github_pat_. Then "eyJ" by find.
_T_PREFIXES = re.compile(r"k[-_](?<=[sr]k[-_])|_(?:(?<=hf_)|(?<=phx_)|(?<=gh[pousr]_)|(?<=github_pat_))"
                         r"|xox|A(?:Iza|KIA|SIA|BIA|CCA)|-----BEGIN")
_UNDERSCORE_PREFIXES = ("hf_", "phx_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")
# Case-insensitive words, searched with str.find in the lowered text; key words only in a text with a
# ':' or '=' (a key needs one after it).
_T_LITERALS = ("bearer", "basic", "aws", "secret")
_T_KEYS = ("pass", "secret", "token", "api_key", "api-key", "apikey", "authoriz", "cookie", "private", "access")
_AWS_WORDS = frozenset(("aws", "secret", "akia", "asia"))
# Every digit run that begins 7 number characters is a start: a lookahead, so that a run inside the 7
# characters of the previous one ("12345 4111111111111111") still gets its own.
_T_NUM = re.compile(r"[0-9](?<![0-9][0-9])(?=[0-9 .()/-]{6})")
_T_NUM_BYTES = re.compile(rb"0(?<!00)(?=[0.]{6})")  # the literal first: the engine skips to each digit
_NUM_TABLE = bytes(48 if 48 <= i <= 57 else 46 if chr(i) in " .()/-" else 120 for i in range(256))
_T_V6 = re.compile(r":[0-9A-Fa-f]{0,4}:")
_HEXCOLON = frozenset("0123456789abcdefABCDEF:")
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _v6_can_start(big: str, i: int) -> bool:
    """Whether a match can start where ``textrepr.redact`` looks for one from the IPv6 trigger at ``i``:
    the start of the run of hex digits and colons before it (40 back at most). Behind an ASCII letter or
    digit every built-in rule's left edge fails there (``std::io``, ``Vec::new`` in Rust code), and the
    only rules with no such edge (the camel-case secret words) contain a non-hex letter before any ':'."""
    j = i
    stop = max(0, i - 40)
    while j > stop and big[j - 1] in _HEXCOLON:
        j -= 1
    return j == 0 or big[j - 1] not in _ALNUM


def _prefixes(big: str, add: Callable[[tuple[int, int, int]], None]) -> None:
    for m in _T_PREFIXES.finditer(big):
        i = m.start()
        g = m.group()
        if g == "_":
            for lit in _UNDERSCORE_PREFIXES:
                if big.startswith(lit, i + 1 - len(lit)):
                    add((i + 1 - len(lit), i + 1, K_AT_START))
        elif g[0] == "k":  # sk- sk_ rk- rk_
            add((i - 1, i + 2, K_AT_START))
        else:
            add((i, m.end(), K_AWS if g == "AKIA" or g == "ASIA" else K_AT_START))
    i = big.find("eyJ")
    while i >= 0:
        add((i, i + 3, K_AT_START))
        i = big.find("eyJ", i + 1)


def triggers(big: str, flags: int, words: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """The triggers in ``big`` as sorted, distinct ``(start, end, kind)``: those of the rule sets in
    ``flags`` (``PRE_SECRETS``: prefixes, words, secret-key words, '://'; ``PRE_PII``: '@', numbers,
    IPv6 colons) and the extra lower-case key words ``words`` (custom secret keys)."""
    return _triggers(big, flags, words, False)


def _triggers(big: str, flags: int, words: tuple[str, ...], anywhere: bool) -> list[tuple[int, int, int]]:
    """:func:`triggers`; ``anywhere``: secret-key words count without a ':' or '=' (see :func:`raw_clean`)."""
    found: list[tuple[int, int, int]] = []
    add = found.append
    sec = bool(flags & PRE_SECRETS)
    key_words = (_T_KEYS if sec else ()) + words
    keys = bool(key_words) and (anywhere or ":" in big or "=" in big)
    if keys or sec:
        low = big.lower()
        if len(low) != len(big):  # a few non-ASCII letters lower to two characters: align by hand
            low = "".join(ch if len(ch) == 1 else "\x01" for ch in (c.lower() for c in big))
        if sec:
            _prefixes(big, add)
        for lit in (_T_LITERALS if sec else ()) + (key_words if keys else ()):
            i = low.find(lit)
            kind = K_AWS if lit in _AWS_WORDS else K_AT_START
            n = len(lit)
            while i >= 0:
                add((i, i + n, kind))
                i = low.find(lit, i + 1)
    if sec:
        i = big.find("://")
        while i >= 0:
            add((i, i + 3, K_URL))
            i = big.find("://", i + 1)
    if flags & PRE_PII:
        i = big.find("@")
        while i >= 0:
            add((i, i + 1, K_EMAIL))
            i = big.find("@", i + 1)
        if big.isascii():  # digits -> '0', separators -> '.', others -> 'x': a literal-prefix scan of bytes
            for m in _T_NUM_BYTES.finditer(big.encode("ascii").translate(_NUM_TABLE)):
                add((m.start(), m.start() + 7, K_NUM))
        else:
            for m in _T_NUM.finditer(big):
                add((m.start(), m.start() + 7, K_NUM))
        for m in _T_V6.finditer(big):
            if _v6_can_start(big, m.start()):
                add((m.start(), m.end(), K_V6))
    return sorted(set(found))


# An object key that names a secret with "api" and "key" apart ("api key", "Api.Key": the key test turns any
# character other than a letter or digit into '_'); no trigger of a rule, so raw_clean looks for it itself.
_RAW_API_KEY = re.compile(r"api.key", re.IGNORECASE | re.DOTALL)


def raw_clean(raw: bytes, flags: int) -> bool:
    """Whether the JSON text ``raw`` surely holds nothing that the built-in rule sets in ``flags`` redact, so
    that its parsed event needs no walk. Only a text of ASCII without a backslash qualifies: each of its
    strings is then its own bytes, verbatim, between quotes, and a quote begins no trigger and ends
    none, so the triggers of each string (and each key) are among those of the whole text, found in one
    scan. In that scan, secret-key words count anywhere (a secret-named key needs no ':' in itself), and
    so does "api" and "key" one character apart; the JSON string ``"secrets"`` (``redact: ["secrets"]``)
    does not, as no rule redacts it and no key test takes it for a secret's name. False with ``PRE_ALL``
    (custom rules or key names)."""
    if flags & PRE_ALL or not raw.isascii() or b"\\" in raw:
        return False
    big = raw.decode("ascii")
    if flags & PRE_SECRETS and _RAW_API_KEY.search(big):
        return False
    return all(b - a == 6 and big[a - 1:a + 8].lower() == '"secrets"' for a, b, _ in _triggers(big, flags, (), True))


# Where a match may start, from each trigger (``textrepr.redact._Compiled._spans`` tries the rules there):
# at it (literals, words), or stepping back over the characters a match may begin with (a URL scheme, the
# local part of an email, an IPv6 run), the '+'/'(' before a number and an IBAN's country code before it,
# and each 40-character run of an AWS secret near an AWS trigger.
_IBAN_START = re.compile(r"[A-Z]{2}[0-9]{2}")
_LOCAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
_SCHEME = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")
_BACK_CHARS = {K_URL: _SCHEME, K_EMAIL: _LOCAL, K_V6: _HEXCOLON}
_BACK_LIMIT = {K_URL: 21, K_EMAIL: 64, K_V6: 40}
# ``re``, not ``regex``: the same matches (ASCII classes, no flags), found about six times faster in the
# 440-character window around each AWS trigger.
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")


def _back(s: str, i: int, chars: frozenset[str], limit: int) -> int:
    """The start of the run of ``chars`` that ends at ``i`` (at most ``limit`` characters back)."""
    j = i
    stop = max(0, i - limit)
    while j > stop and s[j - 1] in chars:
        j -= 1
    return j


# Pruned starts (a trigger whose own rule cannot match there gives none; any other rule's match holds
# its own trigger): a secret-key word must be followed, after the rest of its rule's word (at most 6 more
# characters, ASCII word characters or any non-ASCII one, which may case-fold to a letter), by an optional
# backslash and quote, spaces or tabs, then ':' or '='; a URL scheme's '://' by an '@' before any ASCII
# space or '/?#"'<>[]', with a ':' and then at least one character before the '@'; "aws" starts no rule.
_KEY_WORDS = frozenset(_T_KEYS)
_KEY_WORD_REST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")
_URL_STOP = frozenset(" \t\n\r/?#@\"'<>[]")


def _key_may_match(s: str, a: int, b: int) -> bool:
    """Whether the secret-field rule may match at the key-word trigger ``s[a:b]`` (True for any other)."""
    w = s[a:b]
    if not (w.isascii() and w.lower() in _KEY_WORDS):
        return True
    n = len(s)
    j = b
    stop = min(n, b + 6)
    while j < stop and (s[j] in _KEY_WORD_REST or s[j] >= "\x80"):
        j += 1
    if j < n and s[j] == "\\":
        j += 1
    if j < n and (s[j] == '"' or s[j] == "'"):
        j += 1
    while j < n and (s[j] == " " or s[j] == "\t"):
        j += 1
    return j < n and (s[j] == ":" or s[j] == "=")


_NUM_CHARS = frozenset("0123456789 .()/-")


def _num_may_match(s: str, a: int) -> bool:
    """Whether a number rule may match at the digit ``a`` (or the '+'/'(' before it): a card number, SSN or
    phone number has 9 digits or more in the run of number characters from ``a`` (the phone validator asks
    for 9); an IPv4 address has three dots in the run of digits and dots, after a first octet of 1-3 digits
    that is not 0 or 127 (which its validator rejects). Each scan stops once it knows."""
    n = len(s)
    j = a
    digits = 0
    while j < n and s[j] in _NUM_CHARS:
        if "0" <= s[j] <= "9":
            digits += 1
            if digits == 9:
                return True
        j += 1
    j = a
    while j < n and "0" <= s[j] <= "9":
        j += 1
    if not 1 <= j - a <= 3 or s[a:j] in ("0", "127"):
        return False
    dots = 0
    while j < n and (s[j] == "." or "0" <= s[j] <= "9"):
        if s[j] == ".":
            dots += 1
            if dots == 3:
                return True
        j += 1
    return False


def _is_aws(s: str, a: int, b: int) -> bool:
    """Whether the trigger ``s[a:b]`` is the word "aws" (in any case), which starts no rule itself."""
    w = s[a:b]
    return w.isascii() and w.lower() == "aws"


def _url_may_match(s: str, b: int) -> bool:
    """Whether the URL-credentials rule may match at the scheme before the '://' that ends at ``b``."""
    n = len(s)
    j = b
    colon = -1
    while j < n and s[j] not in _URL_STOP:
        if colon < 0 and s[j] == ":":
            colon = j
        j += 1
    return j < n and s[j] == "@" and 0 <= colon < j - 1


def starts_of(s: str, found: list[tuple[int, int, int]]) -> list[int]:
    """The sorted, distinct positions of ``s`` where a match may start, from its triggers ``found``."""
    out: list[int] = []
    add = out.append
    for a, b, kind in found:
        if kind == K_AT_START:
            if _key_may_match(s, a, b):
                add(a)
        elif kind == K_AWS:
            if not _is_aws(s, a, b) and _key_may_match(s, a, b):  # AKIA/ASIA: an access key id; "secret": a key
                add(a)
            for w in _AWS_SECRET.finditer(s, max(0, a - 200), min(len(s), b + 240)):
                add(w.start())
        elif kind == K_NUM:  # a number, or the '+'/'(' before it, or an IBAN's country code before it
            if _num_may_match(s, a):
                add(a)
                if a and s[a - 1] in "+(":
                    add(a - 1)
            for w in _IBAN_START.finditer(s, max(0, a - 36), a + 4):
                add(w.start())
        elif kind != K_URL or _url_may_match(s, b):
            add(_back(s, a, _BACK_CHARS[kind], _BACK_LIMIT[kind]))
    return sorted(set(out))


def starts(s: str, flags: int, words: tuple[str, ...]) -> list[int]:
    """``starts_of(s, triggers(s, flags, words))``: where a match may start in ``s``."""
    found = triggers(s, flags, words)
    return starts_of(s, found) if found else []


# No built-in match is shorter (``textrepr.redact._Compiled.text`` leaves a shorter string alone): unless
# every string is kept (``PRE_ALL``: custom rules or key names, a callback), the walk never keeps one.
MIN_MATCH = 5


def _kept(s: str, flags: int, found: dict[int, list[int]] | None) -> bool:
    """Whether the walk keeps the string ``s`` (a value or an object key) for the rules; with
    ``PRE_STARTS``, only when a match may start in it, its starts then in ``found[id(s)]`` (``s`` stays
    alive in the document, so its id names it until the rules have run)."""
    if flags & PRE_ALL:
        return True
    if len(s) < MIN_MATCH:
        return False
    if not flags & PRE_STARTS:
        return prefilter(s, flags)
    got = starts(s, flags & (PRE_SECRETS | PRE_PII), ())
    if got and found is not None:
        found[id(s)] = got
    return bool(got)


SECRET_MARKER = "[REDACTED:secret_field]"
_KNOWN_MAX = 8192  # entries of a secret-key cache (``known``) before it is emptied


def is_secret(known: dict[Any, bool], secret_key: Callable[[str], bool] | None, k: Any) -> bool:
    """``secret_key(k)``, remembered in ``known`` (an object key repeats across events)."""
    if secret_key is None:
        return False
    r = known.get(k)
    if r is None:
        if len(known) >= _KNOWN_MAX:
            known.clear()
        r = known[k] = bool(secret_key(k))
    return r


def _secret(s: str) -> str | None:
    """What a secret value becomes: the marker, or None to keep it (empty, or a marker already)."""
    if not s or (s.startswith("[REDACTED:") and s.endswith("]")):
        return None
    return SECRET_MARKER


def walk_value(root: Any, secret_list: bool, flags: int, known: dict[Any, bool],
               secret_key: Callable[[str], bool] | None, holders: list[Any], slots: list[Any],
               key_holders: list[dict], key_texts: list[str], skip: Any = (), exempt: Any = (),
               found: dict[int, list[int]] | None = None) -> int:
    """Walk the dicts and lists inside ``root`` (iterative: values nest 1024 deep). A string held by a
    secret-named key (``is_secret``), or an item of a list held by one (``secret_list`` for ``root``),
    becomes ``SECRET_MARKER`` (unless empty or a marker already); any other string that the prefilter
    keeps is collected as ``holders[i][slots[i]]``, and so is every string key the prefilter keeps, as
    ``key_texts[j]`` of the dict ``key_holders[j]``. The values of ``root``'s keys in ``skip`` are left
    alone, and its keys in ``exempt`` too (an event's exempt keys). With ``PRE_STARTS`` in ``flags``, the
    starts of each string kept go to ``found`` (see ``_kept``). Returns the number of secret values
    replaced."""
    stack: list[tuple[Any, bool]] = [(root, secret_list)]
    ex = exempt
    n = 0
    while stack:
        x, in_secret = stack.pop()
        if type(x) is dict:
            for k, v in x.items():
                if skip and k in skip:
                    continue
                tv = type(v)
                if tv is str:
                    if is_secret(known, secret_key, k):
                        r = _secret(v)
                        if r is not None:
                            x[k] = r  # same key: no resize while iterating
                            n += 1
                    elif _kept(v, flags, found):
                        holders.append(x)
                        slots.append(k)
                elif tv is dict:
                    stack.append((v, False))
                elif tv is list:
                    stack.append((v, is_secret(known, secret_key, k)))
            keys_of(x, ex, flags, key_holders, key_texts, found)
            skip = ex = ()  # the root's only
        else:
            for i, v in enumerate(x):
                tv = type(v)
                if tv is str:
                    if in_secret:
                        r = _secret(v)
                        if r is not None:
                            x[i] = r
                            n += 1
                    elif _kept(v, flags, found):
                        holders.append(x)
                        slots.append(i)
                elif tv is dict or tv is list:
                    stack.append((v, False))
    return n


def walk_event(ev: dict, flags: int, known: dict[Any, bool], secret_key: Callable[[str], bool] | None,
               skips: tuple[Any, Any], exempt: Any, prop_exempt: Any) -> Walked | None:
    """An event-level object's two walks: its values except those of the keys in ``skips[split]`` (``split``:
    whether its ``properties`` is an object, then walked apart) and its keys except ``exempt``; then its
    properties, except the keys in ``prop_exempt``. Returns ``(secrets replaced, holders, slots,
    key_holders, key_texts, found)`` (see ``walk_value``; ``found`` None without ``PRE_STARTS``), or None
    when nothing was replaced or kept."""
    holders: list[Any] = []
    slots: list[Any] = []
    key_holders: list[dict] = []
    key_texts: list[str] = []
    found: dict[int, list[int]] | None = {} if flags & PRE_STARTS else None
    props = ev.get("properties")
    split = type(props) is dict
    n = walk_value(ev, False, flags, known, secret_key, holders, slots, key_holders, key_texts, skips[split], exempt,
                   found)
    if split:
        n += walk_value(props, False, flags, known, secret_key, holders, slots, key_holders, key_texts, prop_exempt,
                        prop_exempt, found)
    if n or holders or key_holders:
        return n, holders, slots, key_holders, key_texts, found
    return None


def keys_of(d: dict, exempt: Any, flags: int, key_holders: list[dict], key_texts: list[str],
            found: dict[int, list[int]] | None = None) -> None:
    """Collect every string key of ``d`` not in ``exempt`` that the prefilter keeps (see ``walk_value``)."""
    for k in d:
        if type(k) is str and k not in exempt and _kept(k, flags, found):
            key_holders.append(d)
            key_texts.append(k)
