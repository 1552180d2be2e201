"""Error bodies of generations and embeddings (FORMAT.md §4.11): YAML-like lines for objects."""
from __future__ import annotations

from typing import Any, Iterator

from ..parse import loads_loose
from .values import disp

__all__ = ["error_body_lines", "NO_DETAILS"]

NO_DETAILS = "An error occurred (no details available)"
_END = object()


def error_body_lines(err: Any) -> list[str]:
    """Lines under ``ERROR:`` for ``props.$ai_error`` (falsy when only ``$ai_is_error`` is set)."""
    if not err:
        return [NO_DETAILS]
    obj = err
    if type(err) is str:
        ok, v = loads_loose(err)
        obj = v if ok else None
    if type(obj) is dict and obj:
        return _yaml_lines(obj)
    return [disp(err)]


def _yaml_lines(obj: dict) -> list[str]:
    # An explicit stack of iterators, one per open container: error objects can nest 1024 deep.
    out: list[str] = []
    indents = [""]
    stack: list[tuple[Iterator[Any], int, bool]] = [(iter(obj.items()), 0, True)]
    while stack:
        it, level, is_dict = stack[-1]
        item = next(it, _END)
        if item is _END:
            stack.pop()
            continue
        if is_dict:
            key, v = item
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
                stack.append((iter(v.items()) if t is dict else iter(v), level + 1, t is dict))
        else:
            out.append(head + " " + disp(v))
    return out
