# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``textrepr.render.error_body`` (issue 16): error bodies (FORMAT.md §4.11).

The YAML-like walk keeps its explicit stack (error objects can nest 1024 deep) as typed frames — a
snapshot of the container's values (a dict's items) and a position — instead of Python iterators.
"""
from ..core import disp
from ..parse import loads_loose
from .error_body import NO_DETAILS

__all__ = ["error_body_lines", "NO_DETAILS"]


def error_body_lines(err):
    """Lines under ``ERROR:`` for ``props.$ai_error`` (falsy when only ``$ai_is_error`` is set)."""
    if not err:
        return [NO_DETAILS]
    obj = err
    if type(err) is str:
        ok, v = loads_loose(err)
        obj = v if ok else None
    if type(obj) is dict and obj:
        return _yaml_lines(<dict>obj)
    return [disp(err)]


cdef list _yaml_lines(dict obj):
    cdef list out = []
    cdef list indents = [""]
    cdef list stack = []  # frames: (items or values, next position, level, is_dict), innermost last
    cdef list items = list(obj.items())
    cdef Py_ssize_t pos = 0, level = 0
    cdef bint is_dict = True
    cdef str head
    while True:
        if pos >= len(items):
            if not stack:
                return out
            items, pos, level, is_dict = <tuple>stack.pop()
            continue
        item = items[pos]
        pos += 1
        if is_dict:
            key, v = <tuple>item
            head = indents[level] + key + ":"
        else:
            v = item
            head = indents[level] + "-"
        t = type(v)
        if t is dict or t is list:
            out.append(head)
            if v:
                if level + 1 == len(indents):
                    indents.append(indents[level] + "  ")
                stack.append((items, pos, level, is_dict))
                items = list((<dict>v).items()) if t is dict else <list>v
                pos = 0
                level += 1
                is_dict = t is dict
        else:
            out.append(head + " " + disp(v))
