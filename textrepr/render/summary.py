"""One-line trace node summaries (FORMAT.md §4.15.4)."""
from __future__ import annotations

from typing import Any

from .values import disp

__all__ = ["lat", "cost", "node_summary", "node_tag", "EXPANDABLE"]

# Node prefix by event type; the first four are expandable (§4.15.3).
_TAGS = {
    "$ai_generation": "[GEN]",
    "$ai_span": "[SPAN]",
    "$ai_embedding": "[EMBED]",
    "$ai_evaluation": "[EVAL]",
}
EXPANDABLE = frozenset(_TAGS)


def _as_float(x: Any) -> float | None:
    """Python ``float(x)``, or None where it raises (containers, bad strings, huge ints)."""
    t = type(x)
    if t is float:
        return x
    if t is dict or t is list or x is None:
        return None
    try:
        return float(x)
    except (ValueError, OverflowError, TypeError):
        return None


def lat(x: Any) -> str:
    """Latency: ``1.23s`` when ``float(x)`` works (``"nan"`` gives ``nans``), else ``disp(x)``."""
    v = _as_float(x)
    if v is None:
        return disp(x)
    return format(v, ".2f") + "s"


def cost(x: Any) -> str:
    """Cost: ``$0.0012`` when ``float(x)`` works, else ``disp(x)``."""
    v = _as_float(x)
    if v is None:
        return disp(x)
    return "$" + format(v, ".4f")


def node_tag(kind: Any) -> str:
    """``[GEN]``, ``[SPAN]``, ``[EMBED]``, ``[EVAL]`` or ``[EVENT]``."""
    if type(kind) is str:
        return _TAGS.get(kind, "[EVENT]")
    return "[EVENT]"


def _gen_like(p: dict[str, Any], default: str, ttft: bool) -> tuple[str, list[str]]:
    name = disp(p.get("$ai_span_name") or p.get("$ai_model") or default)
    parts: list[str] = []
    v = p.get("$ai_latency")
    if v is not None:
        parts.append(lat(v))
    if ttft:
        v = p.get("$ai_time_to_first_token")
        if v is not None:
            parts.append("TTFT: " + lat(v))
    v = p.get("$ai_total_cost_usd")
    if v is not None:
        parts.append(cost(v))
    v = p.get("$ai_model")
    if v:
        parts.append(disp(v))
    if p.get("$ai_is_error") or p.get("$ai_error"):
        parts.append("ERROR")
    return name, parts


def node_summary(kind: Any, p: dict[str, Any]) -> str:
    """Summary of a node whose event type is ``kind`` and properties ``p`` (an object)."""
    if kind == "$ai_generation" and type(kind) is str:
        name, parts = _gen_like(p, "generation", True)
    elif kind == "$ai_embedding" and type(kind) is str:
        name, parts = _gen_like(p, "embedding", False)
    elif kind == "$ai_span" and type(kind) is str:
        name = disp(p.get("$ai_span_name", "span"))
        parts = []
        v = p.get("$ai_latency")
        if v is not None:
            parts.append(lat(v))
        if p.get("$ai_is_error"):
            parts.append("ERROR")
    elif kind == "$ai_evaluation" and type(kind) is str:
        name = disp(p.get("$ai_evaluation_name", "evaluation"))
        parts = []
        v = p.get("$ai_evaluation_runtime")
        if v:
            parts.append(disp(v))
        applicable = p.get("$ai_evaluation_applicable")
        result = p.get("$ai_evaluation_result")
        # Strict JSON false/true (not 0/1) or the strings, as §4.13.
        if applicable is False or applicable == "false":
            parts.append("N/A")
        elif result is True or result == "true":
            parts.append("true")
        elif result is False or result == "false":
            parts.append("false")
    else:
        return disp(kind)
    if parts:
        return name + " (" + ", ".join(parts) + ")"
    return name
