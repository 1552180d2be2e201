# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``textrepr.render.generation`` (issue 16): the same public names, results and exceptions.

Generation events (FORMAT.md §4.3) and the input/output sections shared with embeddings (§4.4, §4.5).
``render_generation`` appends every section straight into the event's one line list: a section's
leading ``""``/``SEP`` pair is written once its first line is known to exist, instead of building the
section apart and copying it.
"""

from ..parse import loads_strict
from ._common cimport tr_into
from ._common import SEP
from ._error_body import error_body_lines
from .langchain import is_lc_message
from ._messages import choices_lines, message_lines
from ._tools import tool_list_lines
from .values import jdump
from . import generation as _pure  # the reference, for inputs the renderers never pass (its exceptions)

__all__ = ["render_generation", "input_lines", "output_lines", "error_section", "unparsed_lines",
           "not_recorded", "NOT_RECORDED"]

NOT_RECORDED = "[input and output not recorded]"

cdef dict _TYPE_NAMES = {dict: "dict", list: "list", int: "int", float: "float", bool: "bool", str: "str"}
cdef str _SEP = SEP


cdef void _open(list out, bint framed, str title) except *:
    """A section's first lines: (``""`` when ``out`` has lines and) ``SEP`` when ``framed``, then
    ``""`` and ``title``."""
    if framed:
        if out:
            out.append("")
        out.append(_SEP)
    out.append("")
    out.append(title)


cdef void _unparsed_into(list out, str kind, object v) except *:
    cdef object j = jdump(v)
    if len(j) > 500:
        j = j[:500] + "..."
    out.append(f"[Unparsed {kind} format: {_TYPE_NAMES.get(type(v), type(v).__name__)}]")
    out.append(j)


def unparsed_lines(kind, v):
    """``[Unparsed <kind> format: <T>]`` and ``json(v)`` cut to 500 characters (§4.4, §4.5)."""
    cdef list out = []
    if type(kind) is not str:
        return _pure.unparsed_lines(kind, v)
    _unparsed_into(out, <str>kind, v)
    return out


cdef void _input_into(list out, object v, object o, bint framed) except *:
    """§4.4 for a truthy ``v`` (the section is never empty then)."""
    cdef object t = type(v)
    _open(out, framed, "INPUT:")
    if t is str:
        out.append("")
        tr_into(out, v, o)
    elif t is list:
        out.extend(message_lines(v, o))
    elif is_lc_message(v):
        out.extend(message_lines([v], o))  # D17: one LangChain message
    else:
        # JSON strings are deliberately not parsed here (D12); other types are shown as JSON.
        out.append("")
        _unparsed_into(out, "input", v)


def input_lines(v, o):
    """§4.4: the input section after its ``SEP`` (``[]`` when ``v`` is falsy)."""
    cdef list out = []
    if v:
        _input_into(out, v, o, False)
    return out


cdef int _choices_into(list out, object choices, object o, bint framed) except -2:
    """§4.5 step 3 on ``choices``: -1 when it does not apply (not a non-empty array after unwrapping
    ``{"choices": [...]}``), else 1 with the section appended, or 0 when no message results."""
    cdef object inner, body
    if type(choices) is dict:
        inner = (<dict>choices).get("choices")
        if type(inner) is list:
            choices = inner
    if type(choices) is not list or not choices:
        return -1
    body = choices_lines(choices, o)
    if body is None:
        return 0  # no message results: the output is empty, whatever $ai_output holds
    _open(out, framed, "OUTPUT:")
    out.extend(body)
    return 1


cdef void _output_into(list out, dict props, object o, bint framed) except *:
    """§4.5: the output section, when there is one."""
    cdef object oc = props.get("$ai_output_choices")
    cdef object v = props.get("$ai_output")
    cdef object items, parsed
    cdef object out_v = v
    # 1. A Responses object, in either property.
    for v in (oc, out_v):
        if type(v) is dict and (<dict>v).get("object") == "response":
            items = (<dict>v).get("output")
            if type(items) is list and items:
                _open(out, framed, "OUTPUT:")
                out.extend(message_lines(items, o))
                return
    # 2. String output.
    if type(out_v) is str and out_v:
        _open(out, framed, "OUTPUT:")
        out.append("")
        tr_into(out, out_v, o)
        return
    # 3. Choices.
    if _choices_into(out, oc, o, framed) >= 0:
        return
    # 4. D4 additions.
    if type(oc) is str:
        ok, parsed = loads_strict(oc)
        if ok and (type(parsed) is list
                   or (type(parsed) is dict and type((<dict>parsed).get("choices")) is list)):
            if _choices_into(out, parsed, o, framed) >= 0:
                return
        elif oc:
            _open(out, framed, "OUTPUT:")
            out.append("")
            tr_into(out, oc, o)
            return
    if type(out_v) is list or (type(out_v) is dict and type((<dict>out_v).get("choices")) is list):
        if _choices_into(out, out_v, o, framed) >= 0:
            return
    for v in (out_v, oc):
        if is_lc_message(v):
            if _choices_into(out, [v], o, framed) >= 0:  # D17: one LangChain message as the output
                return
    v = out_v or oc
    if v and type(v) is not str:
        _open(out, framed, "OUTPUT:")
        out.append("")
        _unparsed_into(out, "output", v)


def output_lines(props, o):
    """§4.5: the output section after its ``SEP`` (``[]`` when there is none)."""
    cdef list out = []
    if type(props) is not dict:
        return _pure.output_lines(props, o)
    _output_into(out, <dict>props, o, False)
    return out


cdef bint _error_into(list out, dict props, bint lead) except -1:
    """§4.3 item 4 without its leading separator line, when one of the error properties is truthy
    (after a ``""`` when ``lead`` and ``out`` has lines)."""
    cdef object err = props.get("$ai_error")
    if not err and not props.get("$ai_is_error"):
        return False
    if lead and out:
        out.append("")
    out.append("")
    out.append(_SEP)
    out.append("")
    out.append("ERROR:")
    out.append("")
    out.extend(error_body_lines(err))
    out.append("")
    return True


def error_section(props):
    """§4.3 item 4 without its leading separator line: None when neither error property is truthy."""
    cdef list out = []
    if type(props) is not dict:
        return _pure.error_section(props)
    return out if _error_into(out, <dict>props, False) else None


cdef bint _not_recorded(dict props):
    return ("$ai_input" in props and props["$ai_input"] is None
            and (("$ai_output_choices" in props and props["$ai_output_choices"] is None)
                 or ("$ai_output" in props and props["$ai_output"] is None)))


def not_recorded(props):
    """D23: ``$ai_input`` and an output property captured as null (the SDKs' privacy mode)."""
    if type(props) is not dict:
        return _pure.not_recorded(props)
    return _not_recorded(<dict>props)


cdef list _render(dict props, object o):
    cdef list lines = []
    cdef list tools = tool_list_lines(props.get("$ai_tools"), o)
    cdef object v
    if tools:
        lines.append(_SEP)
        lines.extend(tools)
    v = props.get("$ai_input")
    if v:
        _input_into(lines, v, o, True)
    _output_into(lines, props, o, True)
    _error_into(lines, props, True)
    if not lines and _not_recorded(props):
        return [NOT_RECORDED]
    return lines


def render_generation(props, o):
    """Line list of an ``$ai_generation`` event (§4.3); ``[]`` when there is nothing to show."""
    if type(props) is dict:
        return _render(<dict>props, o)
    return _pure.render_generation(props, o)  # not reached from the renderers: the reference's exceptions
