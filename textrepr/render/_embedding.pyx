# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``embedding.py`` (issue 16): the same ``render_embedding``, on the typed generation and
message renderers (the pure module's would call the pure ones)."""

from ._common import SEP
from ._generation import error_section, input_lines
from ._messages import embedding_input_lines

__all__ = ["render_embedding"]


def render_embedding(props, o):
    """Line list of an ``$ai_embedding`` event (§4.12); the text ends with ``"\\n"``."""
    cdef list lines = []
    cdef list inp = _input_lines(props.get("$ai_input"), o)
    if inp:
        lines.append(SEP)
        lines.extend(inp)
        lines.append("")
    lines.extend((SEP, "", "OUTPUT:", "", "Embedding vector generated", ""))
    err = error_section(props)
    if err is not None:
        # Three empty lines before the error's SEP, as in the reference (D12).
        lines.append("")
        lines.extend(err)
    return lines


cdef list _input_lines(object v, object o):
    """§4.4, except that an input array holds the embedded texts (D15): a flat array of integers is one
    tokenised text, any other array one text (or message) per element."""
    cdef list out
    if type(v) is not list or not v:
        return input_lines(v, o)
    out = ["", "INPUT:"]
    for x in <list>v:
        if type(x) is not int:
            out.extend(embedding_input_lines(v, o))
            return out
    out.extend(embedding_input_lines([v], o))
    return out
