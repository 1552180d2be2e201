"""Trace rendering (FORMAT.md §4.15): header, trace error, trace states, and the node tree.

The tree walk is iterative (explicit stack) so that a chain 1024 levels deep or tens of thousands of
siblings render in linear time whatever the recursion limit is.
"""
from __future__ import annotations

from typing import Any

from ..core import MARK, PIPE, b64, neutralise
from ..options import Options
from .common import EQ, SEP, tr
from .event import event_text
from .langchain import is_lc_message, lc_keyed_arrays
from .span import lc_keyed_lines
from .summary import EXPANDABLE, node_summary, node_tag
from .values import disp, jdump2

__all__ = ["render_trace_lines"]

_DEPTH_LINE = "  [... max depth reached]"


def _is_message_array(v: Any) -> bool:
    """An array whose first element is an object with a ``role`` or ``content`` key."""
    if type(v) is not list or not v:
        return False
    first = v[0]
    return type(first) is dict and ("role" in first or "content" in first)


def _state_lines(state: Any, output: bool, o: Options) -> list[str]:
    """Lines of one trace state (§4.15.2); empty when there is nothing to show."""
    if not state:
        return []
    if is_lc_message(state):
        state = [state]  # D17: one LangChain message is a message array of one
    if _is_message_array(state):
        if output:
            from .messages import choices_lines

            msgs = choices_lines(state, o)
            return ["", "OUTPUT:", *msgs] if msgs else []
        from .generation import input_lines

        return input_lines(state, o)
    lines = ["", "TRACE OUTPUT:" if output else "TRACE INPUT:", ""]
    t = type(state)
    if t is str:
        lines.extend(tr(state, o))
    elif lc_keyed_arrays(state):
        lines.extend(lc_keyed_lines(state, o))
    elif t is dict or t is list:
        lines.extend(tr(jdump2(state), o))
    else:
        lines.append(disp(state))
    return lines


def _field(s: str) -> str:
    """A GEN_EXPANDABLE / EVENT_LINK id or display field: neutralised, then ``|`` -> ``¦`` (D11)."""
    s = neutralise(s)
    if "|" in s:
        s = s.replace("|", "\u00a6")
    return s


def render_trace_lines(trace: dict, hierarchy: list, o: Options) -> tuple[list[str], list[int]]:
    """The trace's line list, and the 0-based indices (in the joined text) of its node lines.

    A node line is the first text line a node produces (§4.19 step 6); content lines, depth lines and
    lines created by a ``\\n`` inside an id or summary are not node lines.
    """
    props = trace.get("properties", {})
    if type(props) is not dict:
        props = {}
    name = (props.get("$ai_span_name") or props.get("$ai_trace_name") or trace.get("traceName") or trace.get("trace_name")
            or trace.get("name") or "TRACE")
    lines: list[str] = [disp(name).upper(), EQ]
    err = props.get("$ai_error")
    if err:
        lines += ["", SEP, "", "TRACE ERROR:", ""]
        lines.append(err if type(err) is str else jdump2(err))

    # The trace's own states; with a hierarchy they come before it (D18), in collapsed mode too.
    for key, camel, snake, output in (
        ("$ai_input_state", "inputState", "input_state", False),
        ("$ai_output_state", "outputState", "output_state", True),
    ):
        state = props.get(key) or trace.get(camel) or trace.get(snake)
        sl = _state_lines(state, output, o)
        if sl:
            lines += ["", SEP]
            lines += sl
    if not hierarchy:
        return lines, []

    lines += ["", SEP, "", "TRACE HIERARCHY:", ""]
    # Text line index of the next element appended to ``lines``.
    line_no = sum(s.count("\n") for s in lines) + len(lines)
    node_lines: list[int] = []
    _walk(hierarchy, o, lines, node_lines, line_no)
    return lines, node_lines


def _walk(hierarchy: list, o: Options, lines: list[str], node_lines: list[int], line_no: int) -> None:
    """Append the node lines of the hierarchy (depth-first, pre-order) with an explicit stack."""
    tree = o.include_hierarchy
    collapsed = o.collapsed
    markers = o.include_markers
    max_depth = o.max_depth

    append = lines.append
    # Stack entries: (sibling list, index, prefix, depth). Iterating a sibling list lazily keeps the
    # stack at one entry per level however wide the tree is.
    stack: list[tuple[list, int, str, int]] = [(hierarchy, 0, "", 0)]
    while stack:
        sibs, k, prefix, depth = stack.pop()
        n = len(sibs)
        if k + 1 < n:
            stack.append((sibs, k + 1, prefix, depth))
        node = sibs[k]
        if tree:
            if k == n - 1:
                conn, child = prefix + "└─ ", prefix + "   "
            else:
                conn, child = prefix + "├─ ", prefix + "│  "
        else:
            conn = child = ""

        children: list = []
        if type(node) is dict:
            ev = node.get("event")
            if type(ev) is not dict:
                ev = node  # bare node (D2/D3)
            kind = ev.get("event", "unknown")
            nid = disp(ev.get("id", "unknown"))
            p = ev.get("properties")
            if type(p) is not dict:
                p = {}
            ch = node.get("children")
            if type(ch) is list:
                children = ch
            elif type(ch) is dict:
                children = [ch]
            tag = node_tag(kind)
            summary = node_summary(kind, p)
        else:
            # Non-object entry (D3): a childless [EVENT] node.
            kind = None
            nid = "unknown"
            p = {}
            tag = "[EVENT]"
            summary = disp(node)

        node_lines.append(line_no)
        if collapsed:
            s = conn + tag + " " + summary
        elif type(kind) is str and kind in EXPANDABLE:
            c = event_text(kind, p, o)
            if markers:
                s = (conn + MARK + "GEN_EXPANDABLE|" + _field(nid) + PIPE + _field(tag + " " + summary)
                     + PIPE + b64(c) + ">>>")
            else:
                pc = child + "    "
                # One element for head + all content lines: no per-line list building.
                s = conn + "[+] " + tag + " " + summary + "\n" + pc + c.replace("\n", "\n" + pc)
        elif markers:
            s = conn + MARK + "EVENT_LINK|" + _field(nid) + PIPE + "[EVENT]>>> " + summary
        else:
            s = conn + tag + " " + summary
        append(s)
        line_no += s.count("\n") + 1

        if children:
            if max_depth is not None and depth + 1 > max_depth:
                append(child + _DEPTH_LINE)
                line_no += 1  # prefixes never hold "\n"
            else:
                stack.append((children, 0, child, depth + 1))
