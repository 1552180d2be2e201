"""Parse and expand the UI markers of a rendered text (FORMAT.md §2.4, §4.17).

``parse`` uses exactly the UI's four patterns (combined, leftmost match first, non-overlapping);
``expand`` replaces every marker by its decoded content and undoes D11 neutralisation, so that
``expand(render(x, markers on))`` equals the plain rendering under the conditions of §2.4.
"""
from __future__ import annotations

import re
from base64 import b64decode
from dataclasses import dataclass

__all__ = ["Segment", "parse", "expand"]

# The UI's JavaScript patterns. JS ``\d`` is ASCII-only, hence ``[0-9]``; ``[^|]`` / ``[^>]`` match
# newlines in both engines.
_MARKER = re.compile(
    r"<<<(?:"
    r"TRUNCATED\|(?P<t_payload>[^|]+)\|(?P<t_hidden>[0-9]+)"
    r"|GEN_EXPANDABLE\|(?P<g_id>[^|]+)\|(?P<g_display>[^|]+)\|(?P<g_payload>[^>]+)"
    r"|TOOLS_EXPANDABLE\|(?P<o_display>[^|]+)\|(?P<o_payload>[^>]+)"
    r"|EVENT_LINK\|(?P<e_id>[^|]+)\|(?P<e_display>[^>]+)"
    r")>>>"
)
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
# Rule 1 of expand: one U+200B removed after ``<<<`` in every neutralised opener.
_NEUTRALISED = re.compile(
    "<<<\u200b(?=\u200b*(?:TRUNCATED|GEN_EXPANDABLE|TOOLS_EXPANDABLE|EVENT_LINK)\\|)"
)


@dataclass(frozen=True)
class Segment:
    """One piece of a rendered text; the ``raw`` fields of ``parse(text)`` concatenate to ``text``."""

    kind: str  # "text", "truncated", "gen", "tools", "event_link"
    raw: str
    start: int
    end: int
    content: str | None = None
    event_id: str | None = None
    display: str | None = None
    hidden: int | None = None


def _decode(payload: str) -> str | None:
    """Strict standard base64 -> UTF-8 text (U+FFFD for invalid sequences); None if not base64."""
    if _B64.fullmatch(payload) is None:
        return None
    data = b64decode(payload)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")


def _to_int(digits: str) -> int:
    """``int(digits)``, also past CPython's 4300-digit conversion limit."""
    if len(digits) <= 4000:
        return int(digits)
    n = 0
    for i in range(0, len(digits), 4000):
        chunk = digits[i:i + 4000]
        n = n * 10 ** len(chunk) + int(chunk)
    return n


def parse(text: str) -> list[Segment]:
    """Split ``text`` into maximal text segments and markers with valid payloads."""
    segs: list[Segment] = []
    text_start = 0  # start of the pending text run
    for m in _MARKER.finditer(text):
        start, end = m.span()
        g = m.groupdict()
        seg: Segment | None = None
        if g["t_payload"] is not None:
            c = _decode(g["t_payload"])
            if c is not None:
                seg = Segment("truncated", m.group(), start, end, content=c, hidden=_to_int(g["t_hidden"]))
        elif g["g_payload"] is not None:
            c = _decode(g["g_payload"])
            if c is not None:
                seg = Segment("gen", m.group(), start, end, content=c, event_id=g["g_id"],
                              display=g["g_display"])
        elif g["o_payload"] is not None:
            c = _decode(g["o_payload"])
            if c is not None:
                seg = Segment("tools", m.group(), start, end, content=c, display=g["o_display"])
        else:
            seg = Segment("event_link", m.group(), start, end, event_id=g["e_id"],
                          display=g["e_display"])
        if seg is None:
            continue  # invalid payload: the match stays part of the surrounding text
        if text_start < start:
            segs.append(Segment("text", text[text_start:start], text_start, start))
        segs.append(seg)
        text_start = end
    if text_start < len(text):
        segs.append(Segment("text", text[text_start:], text_start, len(text)))
    return segs


def _child_prefix(pre: str) -> str:
    if pre.endswith("├─ "):
        return pre[:-3] + "│  "
    if pre.endswith("└─ "):
        return pre[:-3] + "   "
    return pre


def expand(text: str) -> str:
    """Replace every marker by its decoded content, recursively, and undo D11 neutralisation.

    Recursion follows payload nesting only; each level's payload is base64 inside its parent, so
    the depth is at most log_{4/3}(len(text)) (well under 100 for any text that fits in memory).
    """
    out: list[str] = []
    # Whether out[-1] is the (rule-1-transformed) text of a text segment, which framing may trim.
    last_is_text = False
    skip_next = 0  # leading "\n\n" of the next text segment consumed by a framed TRUNCATED marker
    line_start = 0  # index in ``text`` just after the last "\n" before the current segment
    for seg in parse(text):
        kind = seg.kind
        if kind == "text":
            s = seg.raw
            if skip_next:
                s = s[skip_next:]
                skip_next = 0
            if "<<<\u200b" in s:
                s = _NEUTRALISED.sub("<<<", s)
            out.append(s)
            last_is_text = True
        else:
            if kind == "truncated":
                inner = expand(seg.content or "")
                framed = (
                    last_is_text
                    and out[-1].endswith("\n\n")
                    and text.startswith("\n\n", seg.end)
                    and text[seg.start - 2:seg.start] == "\n\n"
                )
                if framed:
                    out[-1] = out[-1][:-2]
                    skip_next = 2
                out.append(inner)
            elif kind == "tools":
                out.append(expand(seg.content or ""))
            elif kind == "gen":
                pre = text[line_start:seg.start]
                p = _child_prefix(pre) + "    "
                inner = expand(seg.content or "")
                out.append("[+] " + (seg.display or "") + "\n" + p + inner.replace("\n", "\n" + p))
            else:
                out.append(seg.display or "")
            last_is_text = False
        nl = seg.raw.rfind("\n")
        if nl >= 0:
            line_start = seg.start + nl + 1
    return "".join(out)
