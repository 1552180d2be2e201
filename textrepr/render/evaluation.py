"""Evaluation events (FORMAT.md §4.13): one ``EVALUATION: …`` line."""
from __future__ import annotations

from typing import Any

from ..options import Options
from .common import SEP
from .values import disp

__all__ = ["render_evaluation", "evaluation_result"]


def evaluation_result(props: dict[str, Any]) -> str:
    """``<R>`` of §4.13: ``N/A``, the categorical/numeric value, ``true``/``false`` or ``UNKNOWN``."""
    applicable = props.get("$ai_evaluation_applicable")
    if applicable is False or applicable == "false":
        return "N/A"
    rtype = props.get("$ai_evaluation_result_type")
    if rtype == "categorical":
        cat = props.get("$ai_evaluation_categorical_result")
        if type(cat) is list:
            return disp(cat)
    elif rtype == "numeric":
        num = props.get("$ai_evaluation_numeric_result")
        if num is not None:
            return disp(num)
    res = props.get("$ai_evaluation_result")
    # Lower-case words, as the reference prints them (D12).
    if res is True or res == "true":
        return "true"
    if res is False or res == "false":
        return "false"
    return "UNKNOWN"


def render_evaluation(props: dict[str, Any], o: Options) -> list[str]:
    """Line list of an ``$ai_evaluation`` event (§4.13); the text ends with ``"\\n"``."""
    name = disp(props.get("$ai_evaluation_name", "Unknown evaluation"))
    line = f"EVALUATION: {name} | Result: {evaluation_result(props)}"
    runtime = props.get("$ai_evaluation_runtime")
    model = props.get("$ai_evaluation_model")
    if runtime == "llm_judge" and model:
        line += f" (llm_judge/{disp(model)})"
    elif runtime:
        line += f" ({disp(runtime)})"
    reasoning = props.get("$ai_evaluation_reasoning")
    if reasoning:
        line += f" | Reasoning: {disp(reasoning)}"
    return [SEP, "", line, ""]
