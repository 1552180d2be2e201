"""Pure-Python twin of ``textrepr._redact_scan``: the redaction prefilter and the walk over parsed values.

:func:`prefilter` says whether any built-in rule's trigger (see ``textrepr.redact``) occurs in a string;
a string without one cannot hold a built-in match, so the walk never keeps it and the rules never run on
it. It is a superset test of those triggers, exact to the character, so skipping a string it rejects
changes no output. :func:`walk_value` collects, from a container of parsed JSON, the strings that the
prefilter keeps (with their holder and slot) and replaces the values of secret-named keys.
"""
from __future__ import annotations

import re
from typing import Any, Callable

__all__ = ["PRE_SECRETS", "PRE_PII", "PRE_ALL", "prefilter", "walk_value"]

# Flags: which rule sets' triggers to look for; PRE_ALL: every string passes (custom key names or rules,
# whose triggers the prefilter does not know).
PRE_SECRETS, PRE_PII, PRE_ALL = 1, 2, 4

# Triggers of the secrets set: provider prefixes, JWT, PEM, URL (case-sensitive) ...
# (each alternative begins with a character rare in prose, so the scan skips fast: k, _, x, A, -, J, :).
_SECRETS = re.compile(r"k[-_](?<=[sr]k[-_])|_(?:(?<=hf_)|(?<=phx_)|(?<=gh[pousr]_)|(?<=github_pat_))"
                      r"|xox|A(?:Iza|KIA|SIA|BIA|CCA)|-----BEGIN|J(?<=eyJ)|://")
# ... and words in any case, found in the lowered text. Besides the ASCII capitals, four letters are folded
# to ASCII (as re's IGNORECASE would): a few more strings pass than the rules' own triggers need, never fewer.
_WORDS = ("bearer", "basic", "aws", "secret")
_FOLD = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
# Secret-key words: they count only in a string that has a ':' or '='.
_KEY_WORDS = ("pass", "secret", "token", "api_key", "api-key", "apikey", "authoriz", "cookie", "private", "access")
# PII: an '@', a digit followed by six digits or separators, an IPv6-like ':hex:'.
_PII = re.compile(r"@|[0-9][0-9 .()/-]{6}|:[0-9A-Fa-f]{0,4}:")


def prefilter(s: str, flags: int) -> bool:
    """Whether ``s`` holds a trigger of the rule sets in ``flags`` (always True with ``PRE_ALL``)."""
    if flags & PRE_ALL:
        return True
    if flags & PRE_PII and _PII.search(s) is not None:
        return True
    if flags & PRE_SECRETS:
        if _SECRETS.search(s) is not None:
            return True
        # Another non-ASCII letter may lower to several characters, but never to an ASCII one.
        low = s.lower() if s.isascii() else s.translate(_FOLD).lower()
        if any(w in low for w in _WORDS):
            return True
        if (":" in s or "=" in s) and any(w in low for w in _KEY_WORDS):
            return True
    return False


def walk_value(root: Any, secret_list: bool, flags: int, secret_key: Callable[[str], bool] | None,
               secret: Callable[[str], str], holders: list[Any], slots: list[Any], key_dicts: list[Any]) -> None:
    """Walk the dicts and lists inside ``root`` (iterative: values nest 1024 deep). A string held by a
    secret-named key, or an item of a list held by one (``secret_list`` for ``root``), is replaced by
    ``secret(value)``; any other string that the prefilter keeps is collected as ``holders[i][slots[i]]``.
    Every dict met is appended to ``key_dicts`` (its keys are redacted too)."""
    stack: list[tuple[Any, bool]] = [(root, secret_list)]
    while stack:
        x, in_secret = stack.pop()
        if type(x) is dict:
            for k, v in x.items():
                tv = type(v)
                if tv is str:
                    if secret_key is not None and secret_key(k):
                        x[k] = secret(v)  # same key: no resize while iterating
                    elif prefilter(v, flags):
                        holders.append(x)
                        slots.append(k)
                elif tv is dict:
                    stack.append((v, False))
                elif tv is list:
                    stack.append((v, secret_key is not None and secret_key(k)))
            key_dicts.append(x)
        else:
            for i, v in enumerate(x):
                tv = type(v)
                if tv is str:
                    if in_secret:
                        x[i] = secret(v)
                    elif prefilter(v, flags):
                        holders.append(x)
                        slots.append(i)
                elif tv is dict or tv is list:
                    stack.append((v, False))
