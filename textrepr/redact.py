"""Redaction of secrets and personal data before anything is rendered, cut or encoded (issue 14).

A :class:`Redactor` holds named rules. All of them are alternatives of ONE compiled ``regex`` pattern, so a
string costs one scan; a hit is checked by the rule's validator (Luhn, IBAN mod-97, a real IP address, a
credential-looking value ...) and replaced by ``[REDACTED:<rule>]``. :func:`redact_data` applies a redactor
to the parsed ``data`` of a request in place, before the renderer sees it, so no marker payload, note or
sampled line can carry what was redacted. The pattern only runs where a cheap trigger scan says a match can
start, and (compiled) a string without any trigger is dropped by a one-pass prefilter during the walk: see
``textrepr._redact_scan_py`` and docs/safety.md, "How it is fast".

What is never redacted (exempt keys, see docs/safety.md): at an event's level (a single event's ``data``,
a trace, a hierarchy node's ``event`` or bare node) the keys ``id``, ``uuid``, ``timestamp``, ``event``,
``trace_id``, ``created_at``; in its ``properties`` the id and model keys listed in ``PROPERTY_EXEMPT``.
Numbers, booleans and nulls are never changed.
"""
from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import regex

from .redact_scan import (MIN_MATCH, PRE_ALL, PRE_PII, PRE_SECRETS, PRE_STARTS, SECRET_MARKER, is_secret, keys_of,
                          prefilter, prefilter_pays, starts, starts_of, triggers, walk_event, walk_value)

if TYPE_CHECKING:
    from ._redact_scan_py import Walked

__all__ = [
    "Redactor", "RULE_SETS", "SECRET_KEY_NAMES", "EVENT_EXEMPT", "PROPERTY_EXEMPT",
    "redact_data", "resolve", "marker", "finish_event", "EVENT_SKIPS",
]

EVENT_EXEMPT = frozenset(("id", "uuid", "timestamp", "event", "trace_id", "created_at"))
PROPERTY_EXEMPT = frozenset((
    "$ai_trace_id", "$ai_parent_id", "$ai_span_id", "$ai_generation_id", "$ai_session_id",
    "$ai_model", "$ai_provider", "$ai_lib", "$ai_lib_version", "$ai_base_url_host",
))
# Object keys whose value is a secret, compared with the key's last words (``db_password``, ``x-api-key``,
# ``accessToken`` and ``AWS_SECRET_ACCESS_KEY`` all end with one of them).
SECRET_KEY_NAMES = (
    "password", "passwd", "passphrase", "secret", "api_key", "apikey", "token", "authorization",
    "cookie", "private_key", "client_secret", "access_key", "secret_key",
)

# ------------------------------------------------------------------------------------------ rules
# (name, pattern, validator or None). A pattern may capture the part to replace as group ``v``
# (``Bearer <v>``); otherwise the whole match is replaced. Order matters at one start position.

_B = r"(?<![A-Za-z0-9_-])"  # left edge of a token


def _has_digit(s: str) -> bool:
    return any(c.isdigit() for c in s)


def _v_digit(m: Any) -> bool:
    return _has_digit(m.group(0))


def _v_bearer(m: Any) -> bool:
    v = m.group("v")
    return _has_digit(v) or len(v) >= 20


def _v_basic(m: Any) -> bool:
    v = m.group("v")
    try:
        raw = base64.b64decode(v + "=" * (-len(v) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in raw


_AWS_CONTEXT = regex.compile(r"(?i)aws|secret|(?:AKIA|ASIA)[0-9A-Z]{16}")


def _v_aws_secret(m: Any) -> bool:
    s = m.group(0)
    if not (_has_digit(s) and any(c.isupper() for c in s) and any(c.islower() for c in s)):
        return False
    text = m.string
    return _AWS_CONTEXT.search(text, max(0, m.start() - 200), min(len(text), m.end() + 200)) is not None


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i & 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _v_card(m: Any) -> bool:
    s = m.group(0)
    digits = s.replace(" ", "").replace("-", "")
    n = len(digits)
    if not 13 <= n <= 19 or not _luhn(digits):
        return False
    seps = {c for c in s if c == " " or c == "-"}
    if len(seps) > 1:
        return False
    d2 = int(digits[:2])
    d4 = int(digits[:4])
    return (digits[0] == "4" or 51 <= d2 <= 55 or 2221 <= d4 <= 2720 or d2 in (34, 37, 36, 38, 35, 62, 65)
            or digits.startswith("6011") or 644 <= int(digits[:3]) <= 649 or 300 <= int(digits[:3]) <= 305)


def _iban_ok(s: str) -> bool:
    if not 15 <= len(s) <= 34:
        return False
    r = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in r)) % 97 == 1


def _v_iban(m: Any) -> tuple[int, int] | bool:
    """An IBAN may be followed by more capital groups (``... 00 BIC``): try shorter prefixes."""
    s = m.group(0)
    while s:
        if _iban_ok(s.replace(" ", "")):
            return m.start(), m.start() + len(s)
        sp = s.rfind(" ")
        if sp < 0:
            return False
        s = s[:sp]
    return False


_DATE_START = regex.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")


def _v_phone(m: Any) -> bool:
    s = m.group(0)
    n = sum(1 for c in s if c.isdigit())
    if not 9 <= n <= 15:
        return False
    if s[0] == "+":
        return True
    if _DATE_START.match(s):
        return False
    if s[0] == "(":  # (212) 555-0199: the area code's own punctuation is not a separator
        s = s[s.find(")") + 1:].lstrip(" .-")
    seps = [c for c in s if not c.isdigit()]
    rest = seps[1:] if seps and seps[0] in "/" else seps
    return len(set(rest)) <= 1


def _v_ipv4(m: Any) -> bool:
    s = m.group(0)
    first = s[:s.find(".")]
    if first in ("0", "127") or s == "255.255.255.255":
        return False
    before = m.string[max(0, m.start() - 12):m.start()].lower()
    return "version" not in before and "ver " not in before and "release" not in before


def _v_ipv6(m: Any) -> bool:
    s = m.group(0)
    if not _has_digit(s):
        return False
    try:
        a = ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return not (a.is_loopback or a.is_unspecified)


_FILE_TLDS = frozenset("png jpg jpeg gif svg webp ico bmp js mjs ts tsx jsx css scss py rb go rs json md txt html htm "
                       "xml yml yaml toml lock zip gz pdf".split())


def _v_email(m: Any) -> bool:
    s = m.group(0)
    at = s.rfind("@")
    if s[:at] == "git":
        return False  # git@host:org/repo: a code-hosting address, not a person
    return s[s.rfind(".") + 1:].lower() not in _FILE_TLDS


def _v_secret_field(m: Any) -> bool:
    v = m.group("v")
    if not v or v.startswith("[REDACTED:"):
        return False
    if m.group("bare") is None:
        return True
    # An unquoted value is only taken when it looks like a credential, not a word or an expression.
    return len(v) >= 6 and _has_digit(v) and any(c.isalpha() for c in v)


_SECRET_WORDS = (r"password|passwd|passphrase|secret|api[_-]?key|apikey|token|authorization|cookie"
                 r"|private[_-]?key|access[_-]?key")
_CAMEL_WORDS = r"Password|Passwd|Passphrase|Secret|ApiKey|Token|Authorization|Cookie|PrivateKey|AccessKey"
_SECRET_FIELD = (
    r"(?:(?<![A-Za-z0-9])(?i:" + _SECRET_WORDS + r")|(?<=[a-z0-9])(?:" + _CAMEL_WORDS + r"))"
    r"(?:\\?[\"'])?[ \t]*[:=][ \t]*(?:"
    r"\"(?P<v>(?:[^\"\\\n]|\\.){1,4096})\"|'(?P<v>(?:[^'\\\n]|\\.){1,4096})'"
    r"|\\\"(?P<v>(?:[^\"\\]|\\[^\"]){1,4096})\\\""
    r"|\\'(?P<v>(?:[^'\\]|\\[^']){1,4096})\\'"
    r"|(?P<bare>(?P<v>[^\s\"'`<>&,;(){}\[\]]{1,512})))"
)

SECRETS: tuple[tuple[str, str, Callable[[Any], Any] | None], ...] = (
    ("private_key", r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[ A-Z0-9]{0,40}"
                    r"PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,.-]*)", None),
    ("jwt", _B + r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", None),
    ("anthropic_api_key", _B + r"sk-ant-[A-Za-z0-9_-]{20,}", None),
    ("openai_api_key", _B + r"sk-[A-Za-z0-9_-]{20,}", _v_digit),
    ("stripe_key", _B + r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}", None),
    ("google_api_key", _B + r"AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])", None),
    ("aws_access_key_id", r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Za-z0-9])", None),
    ("aws_secret_access_key", r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", _v_aws_secret),
    ("github_token", _B + r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})", None),
    ("slack_token", _B + r"xox[abposrce]-[A-Za-z0-9-]{10,}", None),
    ("huggingface_token", _B + r"hf_[A-Za-z0-9]{30,}", None),
    ("posthog_key", _B + r"phx_[A-Za-z0-9_]{30,}", None),
    ("bearer_token", r"(?<![A-Za-z0-9])(?i:bearer)[ \t]+(?P<v>[A-Za-z0-9._~+/=-]{8,})", _v_bearer),
    ("basic_auth", r"(?<![A-Za-z0-9])(?i:basic)[ \t]+(?P<v>[A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])", _v_basic),
    ("url_credentials", r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,20}://"
                        r"(?P<v>[^\s/?#@:\[\]\"'<>]*:[^\s/?#@\"'<>\[\]]+)@", None),
    ("secret_field", _SECRET_FIELD, _v_secret_field),
)

PII: tuple[tuple[str, str, Callable[[Any], Any] | None], ...] = (
    ("email", r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
              r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])", _v_email),
    ("card_number", r"(?<![\w.+-])\d(?:[ -]?\d){12,18}(?![\w-]|\.\d)", _v_card),
    ("us_ssn", r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])", None),
    ("iban", r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,32}(?![A-Za-z0-9])", _v_iban),
    ("ipv4", r"(?<![\w.:-])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
             r"(?![\w-]|\.\d)", _v_ipv4),
    ("ipv6", r"(?<![\w:.])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
             r"|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?)"
             r"(?![\w:])", _v_ipv6),
    ("phone", r"(?<![\w+.-])(?:\+[1-9]\d{0,3}(?:[ .-]?\(\d{1,5}\)|[ .-]?\d{1,6}){1,6}"
              r"|\([2-9]\d{2}\)[ .-]?\d{3}[ .-]\d{4}"
              r"|[2-9]\d{2}(?P<sep>[-. ])\d{3}(?P=sep)\d{4}"
              r"|0\d{1,4}(?:[ ./-]\d{2,8}){1,4})(?![\w-]|[.:]\d)", _v_phone),
)

RULE_SETS: dict[str, tuple[tuple[str, str, Callable[[Any], Any] | None], ...]] = {"secrets": SECRETS, "pii": PII}

def marker(rule: str) -> str:
    """The text that replaces a match of ``rule``."""
    return f"[REDACTED:{rule}]"


def _normalise_key(k: str) -> str:
    out: list[str] = []
    prev = ""
    for c in k:
        if c.isupper() and (prev.islower() or prev.isdigit()):
            out.append("_")
        out.append(c.lower() if c.isalnum() else "_")
        prev = c
    return "".join(out)


# ------------------------------------------------------------------------------------------ Redactor


@dataclass(frozen=True)
class Redactor:
    """Named redaction rules: built-in rule sets, extra regexes, extra secret key names, a callback.

    ``rules``: ``{name: pattern}`` (or pairs) of extra ``regex`` patterns (no numbered backreferences);
    ``keys``: extra object-key names whose values are secrets; ``callback``: ``str -> str`` applied to every
    string after the rules (e.g. a Presidio analyzer); ``sets``: the built-in rule sets to use.
    Immutable and hashable; the compiled pattern is built once per distinct redactor.
    """

    rules: Any = ()
    keys: Any = ()
    callback: Callable[[str], str] | None = None
    sets: Any = ("secrets", "pii")
    _compiled: Any = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        from .errors import InvalidRequest

        rules = tuple(self.rules.items()) if isinstance(self.rules, Mapping) else tuple(tuple(r) for r in self.rules)
        for r in rules:
            if len(r) != 2 or type(r[0]) is not str or type(r[1]) is not str or not r[0]:
                raise InvalidRequest({"redactor": [f"A rule is a (name, pattern) pair of strings, not {r!r}."]})
        keys = (self.keys,) if isinstance(self.keys, str) else tuple(self.keys)
        if any(type(k) is not str or not k for k in keys):
            raise InvalidRequest({"redactor": ["Secret key names must be non-empty strings."]})
        sets = (self.sets,) if isinstance(self.sets, str) else tuple(self.sets)
        bad = [s for s in sets if s not in RULE_SETS]
        if bad:
            raise InvalidRequest({"redactor": [f'"{bad[0]}" is not a valid choice.']})
        if self.callback is not None and not callable(self.callback):
            raise InvalidRequest({"redactor": ["The callback must be callable."]})
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "sets", tuple(s for s in RULE_SETS if s in sets))
        object.__setattr__(self, "_compiled", _compile(rules, keys, self.sets))

    def __reduce__(self) -> Any:  # pickled by its arguments (batch workers); the compiled part is rebuilt
        return (Redactor, (self.rules, self.keys, self.callback, self.sets))

    @classmethod
    def default(cls) -> "Redactor":
        """Every built-in rule (``redact: true``)."""
        return _builtin(("secrets", "pii"))

    def redact(self, s: str) -> str:
        """``s`` with every match replaced (counts are discarded)."""
        return self._compiled.text(s, {}, self.callback)

    def redact_counted(self, s: str) -> tuple[str, dict[str, int]]:
        """``s`` redacted and the number of replacements per rule."""
        counts: dict[str, int] = {}
        return self._compiled.text(s, counts, self.callback), counts

    def is_secret_key(self, key: str) -> bool:
        """Whether an object key's value is a secret (case-insensitive, by the key's last words)."""
        return self._compiled.secret_key(key)


@lru_cache(maxsize=8)
def _builtin(sets: tuple[str, ...]) -> Redactor:
    return Redactor(sets=sets)


def resolve(redact: Any, redactor: Redactor | None) -> Redactor | None:
    """The redactor a rendering uses: the ``redactor=`` keyword, else the ``redact`` option's built-in sets."""
    if redactor is not None:
        if not isinstance(redactor, Redactor):
            from .errors import InvalidRequest

            raise InvalidRequest({"redactor": ["Expected a textrepr.Redactor."]})
        return redactor
    if redact is True:
        return _builtin(("secrets", "pii"))
    if redact:
        return _builtin(tuple(redact))
    return None


# Triggers: cheap scans that find where a match can start, so the combined pattern only runs anchored
# (``match`` at a candidate start), never scanning a clean string. Each has a prefix the regex engine
# skips to quickly (a literal or a small first-character set). Every built-in match holds a trigger, and
# the start is recovered from the trigger: at it (literals, words, numbers), or by stepping back over the
# characters a match may begin with (the local part of an email, a URL scheme, an IPv6 run).
# The triggers themselves are found by ``_redact_scan`` (compiled) or its twin ``_redact_scan_py``.
# On ASCII text, ``regex`` and ``re`` read ``\w``, ``\d`` and character classes alike, and ``\s`` differs only
# on \x1c-\x1f (whitespace to ``re``, not to ``regex``): spelled out inside a class, ``re`` matches as
# ``regex`` does, a few times faster on the anchored attempts that fail (the common case).
_ASCII_WS = "\\t\\n\\x0b\\x0c\\r "


def _ascii_re(src: str) -> "re.Pattern[str] | None":
    r"""``src`` compiled with ``re``, to match ASCII strings exactly as ``regex`` matches them; None when it
    cannot be (a ``\s``/``\S`` outside a class, a construct ``re`` lacks, a repeated group name)."""
    src = src.replace("[\\s\\S]", "[\\x00-\\x7f]")  # any character, in an ASCII string
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            esc = src[i:i + 2]
            if esc in ("\\s", "\\S"):
                if not in_class or esc == "\\S":
                    return None
                out.append(_ASCII_WS)
            else:
                out.append(esc)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            if src[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if src[i + 1:i + 2] == "]":  # a leading ']' is a member
                out.append("]")
                i += 1
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    try:
        return re.compile("".join(out))
    except re.error:
        return None


def _marks(pattern: Any, names: dict[str, str]) -> tuple[tuple[int, str], ...]:
    if pattern is None:
        return ()
    index = pattern.groupindex
    return tuple((index[n], n) for n in names if n in index)


_L = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_D = "0123456789"
# The ASCII characters each built-in rule's match can begin with (its first token; case-insensitive words
# in both cases). At a start with an ASCII character only the rules that can begin with it are tried, in
# their order in the combined pattern, so the same rule wins (tests/test_redact_scan.py checks it).
_FIRST: dict[str, str] = {
    "private_key": "-", "jwt": "e", "anthropic_api_key": "s", "openai_api_key": "s", "stripe_key": "sr",
    "google_api_key": "A", "aws_access_key_id": "A", "aws_secret_access_key": _L + _D + "/+",
    "github_token": "g", "slack_token": "x", "huggingface_token": "h", "posthog_key": "p",
    "bearer_token": "bB", "basic_auth": "bB", "url_credentials": _L, "secret_field": "pPsSaAtTcC",
    "email": _L + _D, "card_number": _D, "us_ssn": _D, "iban": _L[:26], "ipv4": _D,
    "ipv6": _D + "abcdefABCDEF:", "phone": _D + "+(",
}


class _Compiled:
    """The combined pattern, triggers and validators of one redactor."""

    def __init__(self, rules: tuple[tuple[str, str], ...], keys: tuple[str, ...], sets: tuple[str, ...]) -> None:
        parts: list[str] = []
        self.validators: dict[str, Callable[[Any], Any] | None] = {}
        self.names: dict[str, str] = {}  # marker group name -> rule name
        for s in sets:
            for name, pat, val in RULE_SETS[s]:
                parts.append(f"(?:{pat})(?P<{name}>)")  # the empty group tells which rule matched
                self.validators[name] = val
                self.names[name] = name
        if keys:
            g = "secret_field_custom"
            alts = "|".join(regex.escape(k) for k in keys)
            parts.append(f"(?:(?<![A-Za-z0-9])(?i:{alts})" + _SECRET_FIELD[_SECRET_FIELD.index("(?:\\\\?"):]
                         + f")(?P<{g}>)")
            self.validators[g] = _v_secret_field
            self.names[g] = "secret_field"
        self.pattern = regex.compile("|".join(parts)) if parts else None
        self.parts = parts
        # Per first character (ASCII), the rules that can begin with it; None when a custom key name can
        # begin a match anywhere (then the combined pattern is always used).
        self.first: dict[str, tuple[int, ...]] | None = None
        if not keys and parts:
            rule_names = list(self.names)
            self.first = {chr(c): tuple(i for i, n in enumerate(rule_names) if chr(c) in _FIRST[n])
                          for c in range(128)}
        self.subs: dict[tuple[tuple[int, ...], bool], tuple[Any, tuple[tuple[int, str], ...], bool]] = {}
        # at(c, ascii) by start character (ASCII ones), for each kind of string: one lookup per start.
        self.by_char: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
        self.n_builtin = len(self.names)
        self.custom = None
        if rules:
            cparts = []
            for i, (name, pat) in enumerate(rules):
                g = f"custom_{i}"
                try:
                    regex.compile(pat)
                except regex.error as e:
                    from .errors import InvalidRequest

                    raise InvalidRequest({"redactor": [f"Rule {name!r}: invalid pattern ({e})."]}) from None
                cparts.append(f"(?:{pat})(?P<{g}>)")
                self.validators[g] = None
                self.names[g] = name
            self.custom = regex.compile("|".join(cparts))
        # The marker groups of each pattern as (group index, name), in the pattern's order (see _accept).
        self.marks = _marks(self.pattern, self.names)
        self.has_v = self.pattern is not None and "v" in self.pattern.groupindex
        self.custom_marks = _marks(self.custom, self.names)
        self.custom_has_v = self.custom is not None and "v" in self.custom.groupindex
        self.pii = "pii" in sets
        self.trig_flags = (PRE_SECRETS if "secrets" in sets else 0) | (PRE_PII if self.pii else 0)
        self.custom_words = tuple(k.lower() for k in keys)
        self.any_secret_keys = "secrets" in sets or bool(keys)
        names = SECRET_KEY_NAMES if "secrets" in sets else ()
        self.key_names = tuple(names) + tuple(_normalise_key(k) for k in keys)
        self.secret_key = lru_cache(maxsize=4096)(self._secret_key)
        # The walk's view of it: None when no key can be secret, and its answers by key (redact_scan.is_secret).
        self.walk_secret_key = self._secret_key if self.any_secret_keys else None
        self.known: dict[Any, bool] = {}
        # The prefilter knows the built-in triggers only: custom rules or key names let every string through.
        self.pre_flags = (PRE_ALL if rules or keys else
                          (PRE_SECRETS if "secrets" in sets else 0) | (PRE_PII if self.pii else 0))
        # The walk's: compiled, a string is kept only where a match may start, its starts found in the same
        # pass (PRE_STARTS); pure, every string goes through the joined trigger scan (prefiltering each
        # string first would cost as much again there).
        self.walk_flags = (PRE_ALL if not prefilter_pays() else
                           self.pre_flags if self.pre_flags & PRE_ALL else self.pre_flags | PRE_STARTS)

    def _secret_key(self, key: str) -> bool:
        if not self.key_names:
            return False
        k = _normalise_key(key)
        for name in self.key_names:
            if k == name or (k.endswith(name) and k[-len(name) - 1] == "_"):
                return True
        return False

    def candidates(self, texts: list[str]) -> dict[int, list[int]]:
        """For each string that a trigger hits: where a match may start in it (``redact_scan.starts``, sorted).
        Compiled, each string is scanned on its own (one pass, starts found in C). The pure twin scans the
        strings joined by NUL (which no trigger spans):
        a few C-speed scans per document, not per string; ASCII strings are joined apart from the others, so
        one emoji does not widen (and slow) them all. A secret-key word counts only beside a ':' or '=' in
        the scanned text, but the rule it starts needs one in its own string: the results are the same."""
        if len(texts) == 1 or prefilter_pays():  # compiled: one pass per string costs less than a join
            out: dict[int, list[int]] = {}
            flags = self.trig_flags
            words = self.custom_words
            for i, t in enumerate(texts):
                found = starts(t, flags, words)
                if found:
                    out[i] = found
            return out
        ascii_ix: list[int] = []
        other_ix: list[int] = []
        for i, t in enumerate(texts):
            (ascii_ix if t.isascii() else other_ix).append(i)
        found_by: dict[int, list[tuple[int, int, int]]] = {}
        for group in (ascii_ix, other_ix):
            if not group:
                continue
            parts = [texts[i] for i in group]
            found = triggers("\x00".join(parts), self.trig_flags, self.custom_words)
            if not found:
                continue
            ends = list(accumulate(len(t) + 1 for t in parts))  # part j ends (exclusive) at ends[j] - 1
            for a, b, kind in found:
                j = bisect_right(ends, a)
                off = ends[j] - len(parts[j]) - 1
                found_by.setdefault(group[j], []).append((a - off, b - off, kind))
        return {i: starts_of(texts[i], f) for i, f in found_by.items()}

    def text(self, s: str, counts: dict[str, int], callback: Callable[[str], str] | None,
             cands: list[int] | None = None) -> str:
        """``s`` redacted; ``cands``: where a match may start in it, when already found (None: scan it now)."""
        if cands is None and prefilter_pays() and not prefilter(s, self.pre_flags):
            cands = []  # no trigger: nothing built-in can match
        if len(s) >= MIN_MATCH or self.custom is not None:  # no built-in match is shorter
            if self.custom is not None:
                spans = self._custom_spans(s)
                if self.pattern is not None:
                    c = self.candidates([s]).get(0) if cands is None else cands
                    if c:
                        spans = _merge(self._spans(s, c), spans)
            else:
                c = self.candidates([s]).get(0) if cands is None else cands
                spans = self._spans(s, c) if c else []
            if spans:
                s = self._apply(s, spans, counts)
                # A marker can give a neighbour the boundary it lacked (``-----END ...-----sk-...``): redo
                # until nothing changes, so that redacting twice is redacting once.
                for _ in range(8):
                    again = self._spans(s, self.candidates([s]).get(0) or []) if self.pattern is not None else []
                    if self.custom is not None:
                        again = _merge(again, self._custom_spans(s))
                    again = [sp for sp in again if s[sp[0]:sp[1]] != marker(sp[2])]
                    if not again:
                        break
                    s = self._apply(s, again, counts)
        if callback is not None:
            r = callback(s)
            if type(r) is not str:
                r = str(r)
            if r != s:
                counts["callback"] = counts.get("callback", 0) + 1
                s = r
        return s

    def _spans(self, s: str, starts: list[int]) -> list[tuple[int, int, str]]:
        """Matches of the combined pattern, anchored at the (sorted) starts the triggers give."""
        spans: list[tuple[int, int, str]] = []
        pos = 0
        ascii = s.isascii()
        table = self.by_char[ascii]
        n = len(s)
        for st in starts:
            if st < pos:
                continue
            c = s[st] if st < n else ""
            got = table.get(c)
            if got is None:
                got = self.at(c, ascii)
                if c < "\x80":
                    table[c] = got
            pattern, marks, has_v = got
            if pattern is None:
                continue
            m = pattern.match(s, st)
            if m is None:
                continue
            span = self._accept(m, marks, has_v)
            if span is not None:
                spans.append(span)
                pos = span[1]
        return spans

    def at(self, c: str, ascii: bool = False) -> tuple[Any, tuple[tuple[int, str], ...], bool]:
        """The pattern to match at a start whose character is ``c`` (with its marker groups and whether it
        has a ``v`` group): the built-in rules that can begin with ``c``, or the combined pattern. In an
        ASCII string (``ascii``), their ``re`` spelling where there is one (:func:`_ascii_re`)."""
        if self.first is None or c == "" or c >= "\x80":
            return self.pattern, self.marks, self.has_v
        rules = self.first[c]
        key = (rules, ascii)
        got = self.subs.get(key)
        if got is None:
            if rules:
                src = "|".join(self.parts[i] for i in rules)
                p = (_ascii_re(src) if ascii else None) or regex.compile(src)
                got = (p, _marks(p, self.names), "v" in p.groupindex)
            else:
                got = (None, (), False)
            self.subs[key] = got
        return got

    def _accept(self, m: Any, marks: tuple[tuple[int, str], ...], has_v: bool) -> tuple[int, int, str] | None:
        # regex's lastgroup is unreliable with a repeated group name (v): find the rule's marker group, the
        # first that took part (one call for all the groups' spans).
        regs = m.regs
        g = next(n for i, n in marks if regs[i][0] >= 0)
        names = self.names
        val = self.validators[g]
        r: Any = True if val is None else val(m)
        if not r:
            return None
        if type(r) is tuple:
            return r[0], r[1], names[g]
        if has_v and m.start("v") >= 0:
            return m.start("v"), m.end("v"), names[g]
        return m.start(), m.end(), names[g]

    def _custom_spans(self, s: str) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []
        search = self.custom.search
        m = search(s)
        while m is not None:
            span = self._accept(m, self.custom_marks, self.custom_has_v)
            if span is not None and span[1] > span[0]:
                spans.append(span)
                m = search(s, max(m.end(), m.start() + 1))
            else:
                m = search(s, m.start() + 1)
        return spans

    @staticmethod
    def _apply(s: str, spans: list[tuple[int, int, str]], counts: dict[str, int]) -> str:
        out: list[str] = []
        done = 0
        for a, b, rule in spans:
            if b <= a:
                continue
            out.append(s[done:a])
            out.append(marker(rule))
            counts[rule] = counts.get(rule, 0) + 1
            done = b
        out.append(s[done:])
        return "".join(out)


def _merge(a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping union of two sorted span lists; the earlier start wins, built-in first on a tie."""
    if not b:
        return a
    out: list[tuple[int, int, str]] = []
    end = 0
    for sp in sorted(a + b, key=lambda x: x[0]):
        if sp[0] >= end:
            out.append(sp)
            end = sp[1]
    return out


@lru_cache(maxsize=64)
def _compile(rules: tuple[tuple[str, str], ...], keys: tuple[str, ...], sets: tuple[str, ...]) -> _Compiled:
    return _Compiled(rules, keys, sets)


# ------------------------------------------------------------------------------------------ data walk


def redact_data(data: Any, redactor: Redactor | None, trace: bool) -> dict[str, int] | None:
    """Redact, in place, every string of a request's parsed ``data`` (a single event's object, or
    ``{"trace": ..., "hierarchy": [...]}`` when ``trace``) except the exempt keys. Returns the counts per
    rule, or None when ``redactor`` is None. ``data`` must be owned by the caller (a fresh parse).

    One walk collects the strings (compiled: only those the prefilter keeps); the triggers scan them (pure:
    joined into one text, a few C-speed scans per document); only the strings a trigger hit are matched
    and rewritten."""
    if redactor is None:
        return None
    counts: dict[str, int] = {}
    if type(data) is not dict:
        return counts
    c = redactor._compiled
    if not trace:  # one compiled call; a clean event stops here
        got = walk_event(data, c.walk_flags if redactor.callback is None else PRE_ALL, c.known, c.walk_secret_key,
                         EVENT_SKIPS, EVENT_EXEMPT, PROPERTY_EXEMPT)
        if got is None and redactor.callback is None:
            return counts
        if redactor.callback is None:
            return _finish_event(c, got, counts)
    w = _Walker(c, redactor.callback)
    if trace:
        tr = data.get("trace")
        if type(tr) is dict:
            w.event(tr)
        h = data.get("hierarchy")
        if type(h) is list:
            w.hierarchy(h)
        for k, v in data.items():
            if k != "trace" and k != "hierarchy" and k not in EVENT_EXEMPT:
                w.assign(data, k, v)
        keys_of(data, _TRACE_ROOT_EXEMPT, w.flags, w.key_holders, w.key_texts, w.found)
    elif got is not None:
        w.add(got)
    if w.secrets:
        counts["secret_field"] = w.secrets
    if w.holders or w.key_holders:
        w.finish(counts, redactor.callback)
    return counts


_NODE_EXEMPT = EVENT_EXEMPT | {"children"}
_TRACE_ROOT_EXEMPT = EVENT_EXEMPT | {"trace", "hierarchy"}
_NODE_KEYS_EXEMPT = frozenset(("event", "children"))
# Values an event-level walk leaves alone: (bare hierarchy node, properties walked apart) -> keys.
_SKIP = {(node, split): (_NODE_EXEMPT if node else EVENT_EXEMPT) | ({"properties"} if split else set())
         for node in (False, True) for split in (False, True)}
_EVENT_SKIPS = {node: (_SKIP[node, False], _SKIP[node, True]) for node in (False, True)}
EVENT_SKIPS = _EVENT_SKIPS[False]  # a single event's (``walk_event``'s ``skips``)


def finish_event(redactor: Redactor, got: Walked) -> dict[str, int]:
    """The rest of ``redact_data`` on a single event after ``walk_event`` found something (``got``), with a
    redactor without callback: the strings kept are redacted in place; the counts per rule, sorted by name
    (``metadata.redactions``). The fast path (``textrepr.request``) walks the event itself, then calls this."""
    counts = _finish_event(redactor._compiled, got, {})
    return dict(sorted(counts.items()))


def _finish_event(c: _Compiled, got: Walked, counts: dict[str, int]) -> dict[str, int]:
    w = _Walker(c, None)
    w.add(got)  # with the starts the walk found (PRE_STARTS): finish() does not scan those strings again
    if w.secrets:
        counts["secret_field"] = w.secrets
    if w.holders or w.key_holders:
        w.finish(counts, None)
    return counts


class _Walker:
    """Collects the redactable strings of a document (values and object keys), then rewrites them."""

    __slots__ = ("c", "known", "secret_key", "flags", "holders", "slots", "key_holders", "key_texts", "secrets",
                 "found")

    def __init__(self, c: _Compiled, callback: Callable[[str], str] | None) -> None:
        self.c = c
        self.known = c.known
        self.secret_key = c.walk_secret_key
        self.flags = c.walk_flags if callback is None else PRE_ALL  # a callback sees every string
        self.holders: list[Any] = []  # container of each collected value string
        self.slots: list[Any] = []  # its key or index
        self.key_holders: list[dict] = []  # dict of each collected key
        self.key_texts: list[str] = []  # the key
        self.secrets = 0  # values of secret-named keys replaced
        self.found: dict[int, list[int]] = {}  # id of a kept string -> its starts, when the walk found them

    def event(self, ev: dict, node: bool = False) -> None:
        """An event-level object: exempt keys kept, ``properties`` with its own exemptions. For a bare
        hierarchy node (``node``), ``children`` is left to :meth:`hierarchy`. One compiled call (two walks: the
        event's other values, then its properties)."""
        got = walk_event(ev, self.flags, self.known, self.secret_key, _EVENT_SKIPS[node],
                         _NODE_EXEMPT if node else EVENT_EXEMPT, PROPERTY_EXEMPT)
        if got is not None:
            self.add(got)

    def add(self, got: Walked) -> None:
        """Take in what ``walk_event`` found."""
        n, holders, slots, key_holders, key_texts, found = got
        if found:
            self.found.update(found)
        self.secrets += n
        self.holders += holders
        self.slots += slots
        self.key_holders += key_holders
        self.key_texts += key_texts

    def hierarchy(self, nodes: list) -> None:
        stack = [nodes]
        while stack:
            sibs = stack.pop()
            for i, node in enumerate(sibs):
                if type(node) is not dict:
                    self.assign(sibs, i, node)
                    continue
                ev = node.get("event")
                if type(ev) is dict:
                    self.event(ev)
                    for k, v in node.items():
                        if k != "event" and k != "children":
                            self.assign(node, k, v)
                    keys_of(node, _NODE_KEYS_EXEMPT, self.flags, self.key_holders, self.key_texts, self.found)
                else:
                    self.event(node, True)  # a bare node is its own event
                ch = node.get("children")
                if type(ch) is list:
                    stack.append(ch)
                elif type(ch) is dict:
                    stack.append([ch])  # a one-child list, as the renderer reads it

    def assign(self, holder: Any, k: Any, v: Any) -> None:
        """Collect the value ``v`` held at ``holder[k]`` (``k`` an object key or a list index)."""
        t = type(v)
        if t is str:
            if type(k) is str and is_secret(self.known, self.secret_key, k):
                if v and not (v.startswith("[REDACTED:") and v.endswith("]")):
                    holder[k] = SECRET_MARKER
                    self.secrets += 1
            elif prefilter(v, self.flags):  # its starts found by finish()
                self.holders.append(holder)
                self.slots.append(k)
        elif t is dict or t is list:
            # Every string inside, except the items of a list held by a secret-named key, which are
            # secrets themselves (``"cookie": ["a=1", "b=2"]``).
            secret_list = type(k) is str and is_secret(self.known, self.secret_key, k)
            self.secrets += walk_value(v, secret_list, self.flags, self.known, self.secret_key, self.holders,
                                       self.slots, self.key_holders, self.key_texts, (), (), self.found)

    def _candidates(self, texts: list[str]) -> dict[int, list[int]]:
        """``c.candidates(texts)``, taking the starts the walk already found (a string the walk kept with
        PRE_STARTS has some; one kept by the prefilter alone is scanned here)."""
        found = self.found
        if not found:
            return self.c.candidates(texts)
        cands: dict[int, list[int]] = {}
        rest: list[int] = []
        for i, t in enumerate(texts):
            got = found.get(id(t))
            if got is None:
                rest.append(i)
            else:
                cands[i] = got
        if rest:
            for j, got in self.c.candidates([texts[i] for i in rest]).items():
                cands[rest[j]] = got
        return cands

    def finish(self, counts: dict[str, int], callback: Callable[[str], str] | None) -> None:
        """Redact the collected strings (values, then the object keys the prefilter keeps) in place. The
        triggers scan the kept strings joined (:meth:`_Compiled.candidates`); clean strings never get here."""
        c = self.c
        n = len(self.holders)
        texts = [h[k] for h, k in zip(self.holders, self.slots)]
        texts += self.key_texts
        cands = self._candidates(texts) if c.custom is None and callback is None else None
        renamed: dict[int, tuple[dict, dict[str, str]]] = {}
        for i in (range(len(texts)) if cands is None else sorted(cands)):
            old = texts[i]
            new = c.text(old, counts, callback, None if cands is None else cands[i])
            if new == old:
                continue
            if i < n:
                self.holders[i][self.slots[i]] = new
            else:
                d = self.key_holders[i - n]
                renamed.setdefault(id(d), (d, {}))[1][old] = new
        for d, names in renamed.values():
            _rename_keys(d, names)


def _rename_keys(d: dict, names: dict[str, str]) -> None:
    """Rename keys of ``d`` in place, keeping their order and keeping them distinct (``#2`` suffixes)."""
    items = list(d.items())
    d.clear()
    for k, v in items:
        nk = names.get(k, k)
        base, n = nk, 1
        while nk in d:
            n += 1
            nk = f"{base}#{n}"
        d[nk] = v
