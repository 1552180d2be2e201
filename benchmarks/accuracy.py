"""Samples for measuring textrepr.tokens.estimate against real BPE counts (tests and benchmarks only).

``rendered_texts()``: every corpus event and trace rendered in plain mode (default options otherwise).
``class_samples()``: texts by script class (English, code, JSON, CJK, mixed), cut from the corpus's leaf
strings and rendered texts at line boundaries into windows of about 2,000 characters and classified by
their characters, so that each class is measured on real content.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import textrepr
from textrepr import tokens

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CLASSES = ("English", "code", "JSON", "CJK", "mixed")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_CODE = re.compile(r"^\s*(def |class |import |from |fn |let |pub |use |impl |return |if |for |while |#|//)|[;{}]\s*$",
                   re.M)


@cache
def rendered_texts() -> tuple[tuple[str, str], ...]:
    out = []
    for sub in ("events", "traces"):
        for p in sorted((CORPUS / sub).glob("*.json")):
            doc = json.loads(p.read_bytes())
            if doc.get("expect_invalid"):
                continue
            req = {"event_type": doc["event_type"], "data": doc["data"], "options": {"include_markers": False}}
            try:
                out.append((f"{sub}/{p.name}", textrepr.text_repr(req)["text"]))
            except textrepr.InvalidRequest:
                continue
    return tuple(out)


def _leaves(v: object, out: list[str]) -> None:
    if type(v) is str:
        out.append(v)
    elif type(v) is dict:
        for x in v.values():
            _leaves(x, out)
    elif type(v) is list:
        for x in v:
            _leaves(x, out)


def _windows(s: str, size: int = 2000) -> list[str]:
    out, start = [], 0
    while start < len(s):
        end = s.rfind("\n", start + size // 2, start + size) + 1 if len(s) - start > size else len(s)
        if end <= start:
            end = min(len(s), start + size)
        out.append(s[start:end])
        start = end
    return out


def classify(s: str) -> str:
    n = len(s) or 1
    if len(_CJK.findall(s)) >= 0.3 * n:
        return "CJK"
    t = s.strip()
    if t[:1] in "[{" and t[-1:] in "]}":
        try:
            json.loads(t)
            return "JSON"
        except ValueError:
            pass
    if sum(ord(c) > 127 for c in s) > 0.05 * n:
        return "mixed"
    if len(_CODE.findall(s)) >= max(3, s.count("\n") // 4):
        return "code"
    return "English"


@cache
def class_samples() -> dict[str, tuple[str, ...]]:
    texts: list[str] = []
    for sub in ("events", "traces"):
        for p in sorted((CORPUS / sub).glob("*.json")):
            _leaves(json.loads(p.read_bytes()).get("data"), texts)
            _leaves_json(json.loads(p.read_bytes()).get("data"), texts)
    for sub in ("code", "docs"):
        for p in sorted((CORPUS / "seed" / sub).glob("*")):
            texts.append(p.read_text(encoding="utf-8"))
    dialogs = json.loads((CORPUS / "seed" / "dialogs.json").read_bytes())["dialogs"]
    for lang in sorted(dialogs):
        texts.append("\n".join(line for d in dialogs[lang] for line in d if type(line) is str))
    texts.extend(t for _, t in rendered_texts())
    seen: set[str] = set()
    out: dict[str, list[str]] = {c: [] for c in CLASSES}
    for t in texts:
        if len(t) < 40:
            continue
        for w in _windows(t):
            if len(w) >= 40 and w not in seen:
                seen.add(w)
                out[classify(w)].append(w)
    # At most 300 per class, spread evenly: a measurement, not a census.
    return {c: tuple(v[i * len(v) // 300] for i in range(300)) if len(v) > 300 else tuple(v) for c, v in out.items()}


def _leaves_json(v: object, out: list[str], depth: int = 0) -> None:
    """The JSON dumps textrepr shows for objects (states, tool arguments), down to depth 3."""
    if depth > 3:
        return
    if type(v) is dict:
        out.append(json.dumps(v, indent=2, ensure_ascii=False))
        for x in v.values():
            _leaves_json(x, out, depth + 1)
    elif type(v) is list:
        for x in v:
            _leaves_json(x, out, depth + 1)


@dataclass(frozen=True)
class Row:
    """The estimator against one encoding on one class of samples."""

    samples: int
    under_share: float  # share of samples undercounted by more than 5%
    mean_over: float  # mean of estimate / exact - 1
    max_over: float

    def __str__(self) -> str:
        return (f"n={self.samples} under>5%={100 * self.under_share:.1f}% mean over={100 * self.mean_over:+.1f}% "
                f"max over={100 * self.max_over:+.1f}%")


def samples() -> dict[str, tuple[str, ...]]:
    """Every class, and "rendered": the corpus's rendered texts themselves."""
    out = dict(class_samples())
    out["rendered"] = tuple(t for _, t in rendered_texts() if t)
    return out


@dataclass(frozen=True)
class Gap:
    """How far apart two encodings are on a set of texts: the per-text ratio cl100k_base ÷ o200k_base."""

    samples: int
    mean: float
    p2: float
    p50: float
    p98: float
    floor_over_o200k: float  # the least mean overcount of o200k_base by a count safe for cl100k_base

    def __str__(self) -> str:
        return (f"n={self.samples} cl100k/o200k mean={self.mean:.2f} p2={self.p2:.2f} median={self.p50:.2f} "
                f"p98={self.p98:.2f} best safe count over o200k={100 * self.floor_over_o200k:+.1f}%")


def encoding_gap(texts: tuple[str, ...], o200k: Callable[[str], int], cl100k: Callable[[str], int]) -> Gap:
    """The gap between the encodings, and its consequence: an estimate E within both goals needs
    E >= 0.95 * max(o200k, cl100k) on 98% of texts; the least mean E / o200k such an E can have (the 2% of
    texts with the largest ratio left out, E = 0 there) is ``floor_over_o200k`` + 1."""
    pairs = [(o200k(s), cl100k(s)) for s in texts]
    r = sorted(c / o for o, c in pairs if o)
    n = len(r)
    kept = r[:n - int(0.02 * n)]
    return Gap(n, sum(r) / n, r[int(0.02 * n)], r[n // 2], r[min(n - 1, int(0.98 * n))],
               sum(0.95 * max(x, 1.0) for x in kept) / n - 1)


def measure(encodings: dict[str, Callable[[str], int]]) -> dict[tuple[str, str, str], Row]:
    """(profile, class, encoding) -> Row, for every estimator profile."""
    table: dict[tuple[str, str, str], Row] = {}
    groups = samples()
    exact = {(c, name): [count(s) for s in texts] for c, texts in groups.items() for name, count in encodings.items()}
    for profile in tokens.PROFILES:
        est = tokens.estimator(profile)
        for c, texts in groups.items():
            guesses = [est(s) for s in texts]
            for name in encodings:
                ratios = [g / e for g, e in zip(guesses, exact[(c, name)]) if e]
                table[(profile, c, name)] = Row(len(ratios), sum(r < 0.95 for r in ratios) / len(ratios),
                                                sum(ratios) / len(ratios) - 1, max(ratios) - 1)
    return table
