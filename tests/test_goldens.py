"""The project's own goldens (tests/goldens/): its examples and small events it writes itself, for every event
kind and SDK shape of FORMAT.md §1, rendered under several option sets and checked byte for byte under each
implementation. They need nothing beside the checkout, so a fresh clone checks rendering end to end.

After a deliberate rendering change: ``python scripts/update_goldens.py`` and review ``git diff tests/goldens``.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conformance import diff


def _load_script() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "scripts" / "update_goldens.py"
    spec = importlib.util.spec_from_file_location("update_goldens", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ug = _load_script()
INDEX: dict[str, Any] = json.loads(ug.INDEX.read_text("utf-8")) if ug.INDEX.is_file() else {}
REGENERATE = f"if the change is intended, regenerate with `{ug.COMMAND}` and review `git diff tests/goldens`"


@pytest.mark.parametrize("case", sorted(INDEX))
def test_golden(case: str) -> None:
    want = INDEX[case]
    got = ug.render(ug.ROOT / want["input"], want["options"])
    text = got.pop("text", None)
    assert got == want, f"{case}: status, metadata or error body differ ({REGENERATE})"
    if want["status"] == 200:
        expected = (ug.RENDERED / f"{case}.txt").read_bytes()
        if text.encode("utf-8") != expected:
            pytest.fail(f"{case}: text differs ({REGENERATE}):\n" + diff(expected.decode("utf-8"), text))


def test_goldens_are_complete() -> None:
    """Every input under every option set has a golden, and no golden is stale."""
    expected = {f"{stem}.{name}" for stem, _ in ug.sources() for name in ug.OPTION_SETS}
    assert set(INDEX) == expected, f"the goldens do not match the inputs ({REGENERATE})"
    texts = {p.name for p in ug.RENDERED.glob("*.txt")}
    assert texts == {f"{c}.txt" for c, e in INDEX.items() if e["status"] == 200}, REGENERATE
    assert ug.index_bytes(INDEX) == ug.INDEX.read_bytes(), REGENERATE


def test_goldens_cover_every_kind_and_shape() -> None:
    """Each event kind, both trace forms, errors, invalid requests, truncation and sampling are exercised."""
    default = {c: e for c, e in INDEX.items() if c.endswith(".default") and e["status"] == 200}
    kinds = {e["metadata"]["event_type"] for e in default.values()}
    assert {"$ai_generation", "$ai_span", "$ai_embedding", "$ai_trace"} <= kinds
    assert {e["status"] for e in INDEX.values()} == {200, 400}
    texts = {c: (ug.RENDERED / f"{c}.txt").read_text("utf-8") for c in default}
    joined = "".join(texts.values())
    for needle in ("<<<TRUNCATED|", "<<<GEN_EXPANDABLE|", "<<<TOOLS_EXPANDABLE|", "<<<EVENT_LINK|", "EVALUATION:",
                   "ERROR:", "\u200b"):
        assert needle in joined, needle
    assert any(e["metadata"]["truncated"] for e in INDEX.values() if e["status"] == 200), "no sampled case"
    shapes = ("openai_chat", "openai_responses", "anthropic", "gemini", "langchain", "vercel_v4", "vercel_v5",
              "openai_agents", "claude_agent_sdk", "otel_flattened", "litellm", "manual", "embedding", "evaluation",
              "trace", "error")
    stems = [stem for stem, _ in ug.sources()]
    assert all(any(s.startswith(shape) for s in stems) for shape in shapes), shapes
