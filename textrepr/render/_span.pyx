# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``textrepr.render.span`` (issue 16): the same public names, results and exceptions.

Span events (FORMAT.md §4.14). Every section is appended straight into the event's one line list.
"""

from ._common cimport tr_into
from ._common import EQ, SEP
from ._content import payload_text
from .langchain import LC_TYPES
from ._literal import parse_state_string
from ._messages import message_lines
from ._tools import sig
from . import span as _pure  # the reference, for inputs the renderers never pass (its exceptions)
from .values import disp, jdump2

__all__ = ["render_span", "state_body", "lc_keyed_lines", "AGENT_KEYS"]

AGENT_KEYS = ("$ai_handoff_from_agent", "$ai_handoff_to_agent", "$ai_agent_handoffs", "$ai_agent_tools",
              "$ai_agent_output_type", "$ai_span_data")

cdef str _SEP = SEP
cdef str _EQ = EQ


cdef frozenset _LC_TYPES = LC_TYPES


# The D17 checks of render.langchain, typed: span states run them on every element of every array.
cdef bint _is_lc_message(object v) except -1:
    """``langchain.is_lc_message``."""
    if type(v) is not dict or "content" not in <dict>v:
        return False
    t = (<dict>v).get("type")
    if type(t) is not str or t not in _LC_TYPES:
        return False
    return "additional_kwargs" in <dict>v or "response_metadata" in <dict>v or "usage_metadata" in <dict>v


cdef bint _is_lc_array(object v) except -1:
    """``langchain.is_lc_array``."""
    if type(v) is not list:
        return False
    for x in <list>v:
        if _is_lc_message(x):
            return True
    return False


cdef bint _lc_keyed_arrays(object v) except -1:
    """``langchain.lc_keyed_arrays``."""
    if type(v) is not dict or not v:
        return False
    for x in (<dict>v).values():
        if not _is_lc_array(x):
            return False
    return True


cdef void _string_state(list out, str s, object o) except *:
    # D8: only text that looks like a container is parsed; prose is never handed to the parser.
    cdef Py_ssize_t i = 0, n = len(s)
    cdef Py_UCS4 c
    while i < n:
        c = s[i]
        if c != u' ' and c != u'\t' and c != u'\r' and c != u'\n':
            break
        i += 1
    if i < n and (s[i] == u'{' or s[i] == u'['):
        ok, v = parse_state_string(s)
        if ok and (type(v) is dict or type(v) is list):
            if _is_lc_message(v) or _is_lc_array(v) or _has_lc_messages(v):
                _state_into(out, v, o)  # D17: LangChain messages, as in a JSON state
                return
            tr_into(out, jdump2(v), o)
            return
    tr_into(out, s, o)


cdef bint _has_lc_messages(object v) except -1:
    """A parsed state that the object rules show as messages: ``messages`` or every value holding
    LangChain messages (D17)."""
    return type(v) is dict and (_is_lc_array((<dict>v).get("messages")) or _lc_keyed_arrays(v))


cdef void _tool_call_with_context(list out, dict state, object o) except *:
    cdef object st = state.get("state", {})
    cdef object tc = state.get("tool_call", {})
    cdef object msgs, steps
    if type(st) is dict:
        msgs = (<dict>st).get("messages")
        if type(msgs) is list and msgs:
            out.extend(message_lines(msgs, o))
        steps = (<dict>st).get("remaining_steps")
        if steps is not None:
            out.append("")
            out.append("Remaining steps: " + disp(steps))
    if type(tc) is dict and tc:
        out.append("")
        out.append("Tool Call:")
        out.append("  " + sig(disp((<dict>tc).get("name", "unknown")), (<dict>tc).get("args", {})))


cdef void _tool_state(list out, dict state, object o) except *:
    cdef object head = "[TOOL RESULT]"
    cdef object name = state.get("name")
    cdef object status
    if name:
        head += " " + disp(name)
    status = state.get("status")
    if status:
        head += " (" + disp(status) + ")"
    t = payload_text(state.get("content", ""))
    out.append(head)
    out.append("")
    if t:
        tr_into(out, t, o)
    else:
        out.append("[tool output not recorded]")


cdef void _lc_keyed_into(list out, dict state, object o) except *:
    cdef bint first = True
    for k, msgs in state.items():
        if not first:
            out.append("")
            out.append(_SEP)
            out.append("")
        first = False
        out.append(k.upper() + ":")
        out.extend(message_lines(msgs, o))


def lc_keyed_lines(state, o):
    """D17: ``{"history": [...], ...}`` — each array's messages under an upper-cased ``<KEY>:`` label."""
    cdef list lines = []
    if type(state) is dict:
        _lc_keyed_into(lines, <dict>state, o)
        return lines
    for k, msgs in state.items():  # not reached from the renderers: the reference's steps
        if lines:
            lines.extend(("", _SEP, ""))
        lines.append(k.upper() + ":")
        lines.extend(message_lines(msgs, o))
    return lines


cdef void _state_into(list out, object state, object o) except *:
    cdef object first, msgs
    cdef object t = type(state)
    if t is str:
        _string_state(out, <str>state, o)
    elif t is list:
        first = (<list>state)[0] if state else None
        if type(first) is dict and ("role" in <dict>first or "content" in <dict>first) or _is_lc_array(state):
            out.extend(message_lines(state, o))
        else:
            tr_into(out, jdump2(state), o)
    elif t is dict:
        if (<dict>state).get("__type") == "tool_call_with_context":
            _tool_call_with_context(out, <dict>state, o)
            return
        msgs = (<dict>state).get("messages")
        if type(msgs) is list and msgs:
            out.extend(message_lines(msgs, o))
        elif _is_lc_message(state):
            out.extend(message_lines([state], o))  # D17: one LangChain message
        elif (<dict>state).get("type") == "tool":
            _tool_state(out, <dict>state, o)
        elif _lc_keyed_arrays(state):
            _lc_keyed_into(out, <dict>state, o)
        else:
            tr_into(out, jdump2(state), o)
    else:
        out.append(disp(state))


def state_body(state, o):
    """Lines under ``INPUT STATE:`` / ``OUTPUT STATE:`` for a truthy state (§4.14)."""
    cdef list out = []
    _state_into(out, state, o)
    return out


cdef object _list_text(object v):
    """An agent list (handoffs, tools: names) as ``a, b``; other values by ``disp``."""
    cdef list parts
    if type(v) is not list:
        return disp(v)
    parts = []
    for x in <list>v:
        parts.append(disp(x))
    return ", ".join(parts)


cdef void _details_into(list out, dict props, object o) except *:
    """D16: the OpenAI Agents details of a span (nothing when none of its keys is truthy)."""
    cdef list lines = []
    cdef object src = props.get("$ai_handoff_from_agent")
    cdef object dst = props.get("$ai_handoff_to_agent")
    cdef object v, data, st
    if src or dst:
        lines.append(f"handoff: {disp(src) if src else '?'} -> {disp(dst) if dst else '?'}")
    v = props.get("$ai_agent_handoffs")
    if v:
        lines.append("handoffs: " + _list_text(v))
    v = props.get("$ai_agent_tools")
    if v:
        lines.append("tools: " + _list_text(v))
    v = props.get("$ai_agent_output_type")
    if v:
        lines.append("output type: " + _list_text(v))
    data = props.get("$ai_span_data")
    if data:
        if lines:
            lines.append("")
        lines.append("data:")
        _state_into(lines, data, o)
    if not lines:
        return
    out.append(_SEP)
    out.append("")
    out.append("DETAILS:")
    out.append("")
    st = props.get("$ai_span_type")
    if st:
        out.append("type: " + disp(st))
    out.extend(lines)


cdef list _render(dict props, object o):
    cdef list lines = [disp(props.get("$ai_span_name", "Span")).upper(), _EQ]
    cdef object err = props.get("$ai_error")
    cdef object t, state
    if err:
        t = type(err)
        lines.append(_SEP)
        lines.append("")
        lines.append("ERROR:")
        lines.append("")
        lines.append(err if t is str else jdump2(err) if t is dict else disp(err))
    for key in AGENT_KEYS:
        if key in props:
            _details_into(lines, props, o)
            break
    state = props.get("$ai_input_state")
    if state:
        lines.append(_SEP)
        lines.append("")
        lines.append("INPUT STATE:")
        lines.append("")
        _state_into(lines, state, o)
    state = props.get("$ai_output_state")
    if state:
        lines.append(_SEP)
        lines.append("")
        lines.append("OUTPUT STATE:")
        lines.append("")
        _state_into(lines, state, o)
    return lines


def render_span(props, o):
    """Line list of an ``$ai_span`` event (§4.14)."""
    if type(props) is dict:
        return _render(<dict>props, o)
    return _pure.render_span(props, o)  # not reached from the renderers: the reference's exceptions

