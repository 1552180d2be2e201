"""Generation events (FORMAT.md §4.3) and the input/output sections shared with embeddings (§4.4, §4.5)."""
from __future__ import annotations

from typing import Any

from ..options import Options
from ..parse import loads_strict
from .common import SEP, tr
from .error_body import error_body_lines
from .langchain import is_lc_message
from .messages import choices_lines, message_lines
from .tools import tool_list_lines
from .values import jdump

__all__ = ["render_generation", "input_lines", "output_lines", "error_section", "unparsed_lines",
           "not_recorded", "NOT_RECORDED"]

NOT_RECORDED = "[input and output not recorded]"

_TYPE_NAMES = {dict: "dict", list: "list", int: "int", float: "float", bool: "bool", str: "str"}


def unparsed_lines(kind: str, v: Any) -> list[str]:
    """``[Unparsed <kind> format: <T>]`` and ``json(v)`` cut to 500 characters (§4.4, §4.5)."""
    j = jdump(v)
    if len(j) > 500:
        j = j[:500] + "..."
    return [f"[Unparsed {kind} format: {_TYPE_NAMES.get(type(v), type(v).__name__)}]", j]


def input_lines(v: Any, o: Options) -> list[str]:
    """§4.4: the input section after its ``SEP`` (``[]`` when ``v`` is falsy)."""
    if not v:
        return []
    t = type(v)
    if t is str:
        return ["", "INPUT:", "", *tr(v, o)]
    if t is list:
        return ["", "INPUT:", *message_lines(v, o)]
    if is_lc_message(v):
        return ["", "INPUT:", *message_lines([v], o)]  # D17: one LangChain message
    # JSON strings are deliberately not parsed here (D12); other types are shown as JSON.
    return ["", "INPUT:", "", *unparsed_lines("input", v)]


def _choices_step(choices: Any, o: Options) -> list[str] | None:
    """§4.5 step 3 on ``choices``: None when it does not apply (not a non-empty array after
    unwrapping ``{"choices": [...]}``), else the section lines (``[]`` when no message results)."""
    if type(choices) is dict:
        inner = choices.get("choices")
        if type(inner) is list:
            choices = inner
    if type(choices) is not list or not choices:
        return None
    body = choices_lines(choices, o)
    if body is None:
        return []  # no message results: the output is empty, whatever $ai_output holds
    return ["", "OUTPUT:", *body]


def output_lines(props: dict[str, Any], o: Options) -> list[str]:
    """§4.5: the output section after its ``SEP`` (``[]`` when there is none)."""
    oc = props.get("$ai_output_choices")
    out = props.get("$ai_output")
    # 1. A Responses object, in either property.
    for v in (oc, out):
        if type(v) is dict and v.get("object") == "response":
            items = v.get("output")
            if type(items) is list and items:
                return ["", "OUTPUT:", *message_lines(items, o)]
    # 2. String output.
    if type(out) is str and out:
        return ["", "OUTPUT:", "", *tr(out, o)]
    # 3. Choices.
    r = _choices_step(oc, o)
    if r is not None:
        return r
    # 4. D4 additions.
    if type(oc) is str:
        ok, parsed = loads_strict(oc)
        if ok and (type(parsed) is list
                   or (type(parsed) is dict and type(parsed.get("choices")) is list)):
            r = _choices_step(parsed, o)
            if r is not None:
                return r
        elif oc:
            return ["", "OUTPUT:", "", *tr(oc, o)]
    if type(out) is list or (type(out) is dict and type(out.get("choices")) is list):
        r = _choices_step(out, o)
        if r is not None:
            return r
    for v in (out, oc):
        if is_lc_message(v):
            r = _choices_step([v], o)  # D17: one LangChain message as the output
            if r is not None:
                return r
    v = out or oc
    if v and type(v) is not str:
        return ["", "OUTPUT:", "", *unparsed_lines("output", v)]
    return []


def error_section(props: dict[str, Any]) -> list[str] | None:
    """§4.3 item 4 without its leading separator line: None when neither error property is truthy."""
    err = props.get("$ai_error")
    if not err and not props.get("$ai_is_error"):
        return None
    return ["", SEP, "", "ERROR:", "", *error_body_lines(err), ""]


def render_generation(props: dict[str, Any], o: Options) -> list[str]:
    """Line list of an ``$ai_generation`` event (§4.3); ``[]`` when there is nothing to show."""
    lines: list[str] = []
    tools = tool_list_lines(props.get("$ai_tools"), o)
    if tools:
        lines.append(SEP)
        lines.extend(tools)
    for section in (input_lines(props.get("$ai_input"), o), output_lines(props, o)):
        if section:
            if lines:
                lines.append("")
            lines.append(SEP)
            lines.extend(section)
    err = error_section(props)
    if err is not None:
        if lines:
            lines.append("")
        lines.extend(err)
    if not lines and not_recorded(props):
        return [NOT_RECORDED]
    return lines


def not_recorded(props: dict[str, Any]) -> bool:
    """D23: ``$ai_input`` and an output property captured as null (the SDKs' privacy mode)."""
    return ("$ai_input" in props and props["$ai_input"] is None
            and (("$ai_output_choices" in props and props["$ai_output_choices"] is None)
                 or ("$ai_output" in props and props["$ai_output"] is None)))
