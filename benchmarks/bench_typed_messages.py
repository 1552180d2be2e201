"""Issue 16: the typed twins ``_messages``/``_content``/``_media`` against the pure modules, same run.

    pytest benchmarks/bench_typed_messages.py -s                          # the pure/typed table at the end
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_typed_messages.py      # CI smoke run (option set A only)

The inputs are the calls the pure pipeline makes into these modules while rendering the corpus events and
traces and the goldens (tests/typed_calls.py; option sets A, B, E and variants, or A alone in quick mode).
Each benchmark times one pass over one group of calls; the summary gives min(pure) / min(typed).
"""
from __future__ import annotations

from typing import Any, Callable

import pytest

import twins
import typed_calls
import workloads
from textrepr.render import content, media, messages

ROUNDS = 3 if workloads.QUICK else 15
SETS = ("A",) if workloads.QUICK else tuple(typed_calls.OPTION_SETS)
PURE = {"messages": messages, "content": content, "media": media}
# Benchmark name -> the recorded (module, function) pairs it replays.
GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "message_walk": (("messages", "message_lines"), ("messages", "choices_lines"),
                     ("messages", "embedding_input_lines")),
    "normalise_choice": (("messages", "normalise_choice"), ("messages", "is_responses_item")),
    "content_walk": (("content", "content_text"), ("content", "payload_text"), ("content", "gemini_parts_text"),
                     ("content", "block_text")),
    "media": (("media", "is_media"), ("media", "media_placeholder"), ("media", "string_placeholder"),
              ("media", "is_data_url"), ("media", "size_text")),
}
RESULTS: dict[str, dict[str, float]] = {}
COUNTS: dict[str, int] = {}


@pytest.fixture(scope="module")
def calls() -> list[typed_calls.Call]:
    if not workloads.CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    return typed_calls.recorded("messages", SETS)


def _pass(mods: dict[str, Any], calls: list[typed_calls.Call]) -> Callable[[], None]:
    bound = [(getattr(mods[m], f), a, k) for m, f, a, k in calls]

    def go() -> None:
        for f, a, k in bound:
            f(*a, **k)
    return go


@pytest.mark.parametrize("impl", ["pure", "typed"])
@pytest.mark.parametrize("group", list(GROUPS))
def test_typed_messages(benchmark: Any, calls: list[typed_calls.Call], group: str, impl: str) -> None:
    mods = PURE if impl == "pure" else {name: twins.typed(name) for name in PURE}
    mine = [c for c in calls if (c[0], c[1]) in GROUPS[group]]
    COUNTS[group] = len(mine)
    benchmark.pedantic(_pass(mods, mine), rounds=ROUNDS, iterations=1, warmup_rounds=1)
    RESULTS.setdefault(group, {})[impl] = benchmark.stats.stats.min
    benchmark.extra_info.update({"calls": len(mine), "impl": impl})


def test_summary() -> None:  # runs last in this file: prints the pure/typed table (pytest -s)
    rows = [f"typed messages/content/media: min over {ROUNDS} rounds per pass over the recorded calls "
            f"(option sets {','.join(SETS)})"]
    for group, r in RESULTS.items():
        if "pure" in r and "typed" in r:
            rows.append(f"  {group:16s} {COUNTS[group]:7d} calls  pure {r['pure'] * 1e3:9.2f} ms  "
                        f"typed {r['typed'] * 1e3:9.2f} ms  speed-up {r['pure'] / r['typed']:5.2f}x")
    print("\n" + "\n".join(rows))
    assert all(t > 0 for r in RESULTS.values() for t in r.values())
