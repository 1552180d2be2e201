"""Content filters for judges (issue 14): ``include_reasoning`` and ``include_system`` as a pre-pass.

Like redaction, they rewrite the freshly parsed ``data`` in place before rendering: a thinking block, a
reasoning item or a system message keeps its place but its text becomes one line saying what was omitted
and how long it was (``[reasoning omitted: 1,234 chars]``), so the judge knows it exists. The tool list
filter (``include_tools``) lives in ``render/tools.py``, where the section's size is known.
"""
from __future__ import annotations

from typing import Any

from .options import Options
from .renderers import _modules

__all__ = ["apply_filters", "omitted"]

_SYSTEM_ROLES = frozenset(("system", "developer"))


def omitted(what: str, chars: int) -> str:
    """``[<what> omitted: <chars with , separators> chars]``."""
    return f"[{what} omitted: {chars:,} chars]"


def no_filters(o: Options) -> bool:
    """Whether ``apply_filters`` leaves every request alone with these options (the default)."""
    return o.include_reasoning and o.include_system


def apply_filters(data: Any, o: Options) -> None:
    """Apply the ``include_reasoning`` / ``include_system`` filters to ``data`` in place (no-op by default)."""
    if no_filters(o) or type(data) not in (dict, list):
        return
    reasoning = not o.include_reasoning
    system = not o.include_system
    content_text = _modules["content"].content_text
    payload_text = _modules["content"].payload_text
    # Iterative walk (data nests 1024 deep); a replaced dict's old children are not visited.
    stack: list[Any] = [data]
    while stack:
        x = stack.pop()
        if type(x) is dict:
            items: Any = x.items()
        else:
            items = enumerate(x)
        for k, v in list(items):
            if type(v) is dict:
                r = _replacement(v, reasoning, system, content_text, payload_text)
                if r is not None:
                    x[k] = r
                    continue
                stack.append(v)
            elif type(v) is list:
                stack.append(v)


def _replacement(d: dict, reasoning: bool, system: bool, content_text: Any, payload_text: Any) -> dict | None:
    """The object that stands for ``d``, or None to keep (and descend into) it."""
    if reasoning:
        t = d.get("type")
        if t == "thinking" and type(d.get("thinking")) is str:
            return {"type": "text", "text": omitted("reasoning", len(d["thinking"]))}
        if t == "redacted_thinking":
            data = d.get("data")
            return {"type": "text", "text": omitted("reasoning", len(data) if type(data) is str else 0)}
        if t == "reasoning":
            body = d.get("summary") or d.get("content") or d.get("text")
            n = len(payload_text(body)) if body else 0
            line = omitted("reasoning", n)
            return {"type": "reasoning", "summary": line, "text": line}
        if d.get("thought") is True and type(d.get("text")) is str:  # Gemini thought part
            return {"text": omitted("reasoning", len(d["text"]))}
    if system:
        role = d.get("role")
        if type(role) is str and role in _SYSTEM_ROLES and ("content" in d or "parts" in d or "text" in d):
            c = d.get("content")
            parts = d.get("parts")
            if c is None and type(parts) is list:
                n = len(_modules["content"].gemini_parts_text(parts))
            else:
                c = d.get("text") if c is None else c
                n = len(content_text(c)) if c is not None else 0
            return {"role": role, "content": omitted("system message", n)}
    return None
