"""Refit the estimator's non-ASCII weights (textrepr.tokens.PROFILES) against tiktoken counts.

    python benchmarks/fit_weights.py        # prints the fitted tables (needs scipy, tiktoken, ../shared)

A linear program per profile: the estimate is linear in its weights, so for each sample text the count of
every non-ASCII feature (words, letters per script, lone code points per kind) is read with a unit weight
table, and the ASCII part is kept at the profile's current weights. Minimised: the mean of estimate ÷ target
over each class (classes weigh alike) plus a heavy charge for every sample the estimate falls below its
target. Targets: ``o200k`` → o200k_base, ``cl100k`` → cl100k_base, ``any`` → the larger of the two (safe for
both). A weight no sample exercises gets the largest fitted weight of its kind (a script with no data is
costed like the dearest known one).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE.parent / "tests")]

import accuracy  # noqa: E402
import bpe  # noqa: E402
from textrepr import _tokens_py as tp  # noqa: E402
from textrepr import tokens  # noqa: E402

FREE = [tp.LATIN, tp.GREEK, tp.HEBREW, tp.DEVANAGARI, tp.XWORD, tp.HAN, tp.OTHER, tp.SYMBOL, tp.ASTRAL,
        tp.CYRILLIC, tp.ARABIC, tp.KANA, tp.HANGUL, *range(tp.INDIC, tp.INDIC + 9)]
LETTERS = [tp.LATIN, tp.GREEK, tp.HEBREW, tp.DEVANAGARI, tp.CYRILLIC, tp.ARABIC, *range(tp.INDIC, tp.INDIC + 9)]
SINGLES = [tp.HAN, tp.OTHER, tp.KANA, tp.HANGUL]
PENALTY = 30.0  # per unit of relative shortfall below the target
MARGIN = 1.0  # the estimate is asked to reach MARGIN * target


def _raw(text: str, w: list[int]) -> int:
    return tp.estimate_with(text, w) * 1000  # whole tokens, rounded up: a slight overcount is safe


def rows() -> list[tuple[str, str]]:
    """(class, text): the measured samples, and each seed dialog language whole (scripts with few windows)."""
    out = [(c, t) for c, texts in accuracy.samples().items() for t in texts]
    dialogs = json.loads((accuracy.CORPUS / "seed" / "dialogs.json").read_bytes())["dialogs"]
    for lang in sorted(dialogs):
        text = "\n".join(line for d in dialogs[lang] for line in d if type(line) is str)
        out.append((accuracy.classify(text), text))
    return out


def fit(profile: str, base: list[int], data: list[tuple[str, str]], targets: list[int]) -> list[int]:
    import numpy as np
    from scipy.optimize import linprog

    ascii_only = [0 if i in FREE else v for i, v in enumerate(base)]
    fixed = np.array([_raw(t, ascii_only) for _, t in data], dtype=float)
    unit = []
    for k in FREE:
        w = [0] * tp.WEIGHT_COUNT
        w[k] = 1000
        unit.append([tp.estimate_with(t, w) for _, t in data])
    feats = np.array(unit, dtype=float).T  # samples x free weights, counts
    tgt = np.array(targets, dtype=float)
    per = np.array([1.0 / sum(1 for c2, _ in data if c2 == c) for c, _ in data])
    n, m = feats.shape
    # variables: m weights (thousandths), n shortfalls s_i >= MARGIN - E_i / T_i
    cost = np.concatenate([(per / tgt) @ feats / 1000, PENALTY * per])
    a_ub = np.hstack([-(feats / 1000) / tgt[:, None], -np.eye(n)])
    b_ub = -(MARGIN - fixed / 1000 / tgt)
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=[(0, 20000)] * m + [(0, None)] * n, method="highs")
    if not res.success:
        raise RuntimeError(f"{profile}: {res.message}")
    out = list(base)
    used = feats.sum(axis=0) > 0
    for j, k in enumerate(FREE):
        out[k] = int(round(res.x[j])) if used[j] else -1
    for group in (LETTERS, SINGLES):
        top = max(out[k] for k in group)
        for k in group:
            if out[k] < 0:
                out[k] = top
    for k in FREE:
        out[k] = max(out[k], 0)
    return out


def main() -> None:
    encs = bpe.encodings()
    data = rows()
    o = [encs["o200k_base"](t) or 1 for _, t in data]
    c = [encs["cl100k_base"](t) or 1 for _, t in data]
    goals = {"any": [max(a, b) for a, b in zip(o, c)], "o200k": o, "cl100k": c}
    for profile, targets in goals.items():
        base = list(tokens.PROFILES.get(profile, tokens.PROFILES["any"]))
        w = fit(profile, base, data, targets)
        assert tp.monotone_weights(w), profile
        print(f'    "{profile}": {tuple(w)},')


if __name__ == "__main__":
    main()
