# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``common.py``: the separators and ``tr``, plus ``tr_into`` for the typed renderers (cimported
through ``_common.pxd``), which appends the truncated lines straight into the caller's list."""
from threading import get_ident

from ..core import trunc
from ..sink import SINKS

__all__ = ["EQ", "SEP", "tr"]

SEP = "-" * 80
EQ = "=" * 80

cdef dict _SINKS = SINKS  # fit's template recorders (issue 13); mutated in place, never rebound


cdef void tr_into(list out, object s, object o) except *:
    """``tr(s, o)`` appended to ``out``."""
    if _SINKS:
        sink = _SINKS.get(get_ident())
        if sink is not None:
            out.append(sink(s))
            return
    out.extend(trunc(s, o.truncated, o.truncate_buffer, o.include_markers))


def tr(s, o):
    """``trunc(s)`` of FORMAT.md §4.16 under options ``o`` (or, while textrepr.fit records a template on this
    thread, a placeholder for ``s``)."""
    if _SINKS:
        sink = _SINKS.get(get_ident())
        if sink is not None:
            return [sink(s)]
    return trunc(s, o.truncated, o.truncate_buffer, o.include_markers)
