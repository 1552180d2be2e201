"""Token counts for budgets: textrepr's own estimator, exact counters, and counters by name.

``estimate(text)`` is a fast, conservative stand-in for a BPE tokenizer: one pass over the text (compiled
in ``textrepr._tokens``, pure twin ``textrepr._tokens_py``; ``TEXTREPR_NO_EXTENSIONS=1`` selects the
pure one), costing Latin words, digits, punctuation, whitespace runs, CJK, other scripts and emoji
differently. Its weights were fitted (a linear program that minimises the mean overcount while charging
every undercount) on texts cut from the PostHog-shaped corpus and measured with tiktoken's o200k_base and
cl100k_base; benchmarks/README.md has the accuracy table.

Profiles: ``"any"`` (default) is safe for both encodings; ``"o200k"`` is fitted to o200k_base only
(GPT-4o and later) and ``"cl100k"`` to cl100k_base only (GPT-4, GPT-3.5). o200k_base needs far fewer tokens
than cl100k_base for CJK and non-Latin scripts (1.5x to 3.8x by script), so no single count is close to
both there: ``"any"`` overcounts those for o200k models, and ``"o200k"`` undercounts them for cl100k ones.
The non-ASCII weights are refitted by ``benchmarks/fit_weights.py``.
"""
from __future__ import annotations

from typing import Any, Callable

from ._twins import select

__all__ = ["estimate", "estimator", "tiktoken_counter", "counter", "PROFILES", "IMPLEMENTATION"]

_impl, IMPLEMENTATION = select("_tokens", "_tokens_py")
estimate_with: Callable[..., int] = _impl.estimate_with

# Thousandths of a token, in the order of textrepr._tokens_py's indices: words of 1-3, 4-6, 7-10, 11+
# ASCII letters, per letter beyond 10, per camelCase change, per punctuation char, per punctuation run,
# per group of 3 digits, per run of 2+ spaces, per whitespace run with a newline/tab, per char of it,
# per letter Latin, Greek, Hebrew/Armenian, Devanagari, per non-ASCII word, per Han char, other BMP
# scripts, BMP symbols, astral (emoji); per upper-case letter after an upper-case one, per letter/digit
# change inside a word; per letter Cyrillic, Arabic/Syriac/Thaana, per kana, per Hangul syllable; per
# letter of each Brahmic block from Bengali to Sinhala (128 code points each). Every table must keep the estimate monotone under concatenation
# (``textrepr._tokens_py.monotone_weights``: non-negative, non-decreasing word-length buckets, SPACES <=
# WSRUN + 3 * WSCHAR); shrink-to-fit relies on it and tests check it.
PROFILES: dict[str, tuple[int, ...]] = {
    "any": (917, 1245, 1371, 2003, 289, 1757, 370, 411, 1263, 0, 818, 41,
            0, 2009, 117, 311, 3816, 1528, 951, 1609, 2945, 224, 0,
            30, 176, 857, 1406, 758, 2171, 2171, 2171, 1020, 1373, 2171, 2171, 2171),
    "o200k": (929, 1176, 1247, 2196, 252, 1598, 384, 422, 1206, 0, 768, 46,
              832, 0, 365, 407, 266, 916, 556, 2337, 1332, 240, 0,
              393, 410, 599, 848, 383, 1109, 1109, 1109, 303, 482, 1109, 1109, 1109),
    "cl100k": (917, 1245, 1371, 2003, 289, 1757, 370, 411, 1263, 0, 818, 41,
               0, 1917, 100, 296, 3878, 1529, 951, 1561, 2970, 224, 0,
               19, 168, 859, 1406, 747, 2158, 2158, 2158, 1014, 1364, 2158, 2158, 2158),
}
_ANY = PROFILES["any"]


def estimate(text: str) -> int:
    """Estimated token count of ``text``, safe for o200k_base and cl100k_base models."""
    return estimate_with(text, _ANY)


def estimator(profile: str = "any") -> Callable[[str], int]:
    """The estimator of a profile (``"any"``, ``"o200k"`` or ``"cl100k"``) as a counter."""
    if profile == "any":
        return estimate
    try:
        w = PROFILES[profile]
    except KeyError:
        raise ValueError(f"unknown estimator profile {profile!r} (known: {', '.join(PROFILES)})") from None
    return lambda text: estimate_with(text, w)


def tiktoken_counter(encoding: Any) -> Callable[[str], int]:
    """An exact counter from a tiktoken ``Encoding`` or its name (``pip install textrepr[tiktoken]``).

    Special-token text such as ``<|endoftext|>`` is counted as ordinary text.
    """
    if isinstance(encoding, str):
        try:
            import tiktoken
        except ImportError:
            raise ImportError("tiktoken is not installed: pip install 'textrepr[tiktoken]'") from None
        try:
            encoding = tiktoken.get_encoding(encoding)
        except Exception as e:  # unknown name, or no network and no cached rank file
            raise ValueError(f"cannot load tiktoken encoding {encoding!r}: {type(e).__name__}: {e}") from None
    encode = encoding.encode_ordinary
    return lambda text: len(encode(text))


def _chars(text: str) -> int:
    return len(text)


def _utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def counter(name: str) -> Callable[[str], int]:
    """A counter by name: ``estimate`` (profile ``any``), ``estimate:<profile>`` (``estimate:o200k``,
    ``estimate:cl100k``), ``chars``, ``bytes`` (UTF-8) or ``tiktoken:<encoding>`` (e.g. ``tiktoken:o200k_base``)."""
    if name == "estimate":
        return estimate
    if name.startswith("estimate:"):
        return estimator(name[9:])
    if name == "chars":
        return _chars
    if name == "bytes":
        return _utf8_bytes
    if name.startswith("tiktoken:") and len(name) > 9:
        return tiktoken_counter(name[9:])
    raise ValueError(f"unknown tokenizer {name!r}: use estimate, estimate:o200k, estimate:cl100k, chars, bytes or tiktoken:<encoding>")
