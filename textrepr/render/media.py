"""Media blocks → one placeholder line, never their data (FORMAT.md §4.7 "Media blocks", D4)."""
from __future__ import annotations

import re
from typing import Any

__all__ = ["is_media", "media_placeholder", "string_placeholder", "is_data_url", "size_text"]

_MEDIA_TYPES = frozenset((
    "image_url", "input_image", "image", "input_audio", "audio", "file", "input_file", "document",
    "image_generation_call",
))
_MEDIA_KEYS = ("inlineData", "inline_data", "fileData", "file_data")
_IMAGE_TYPES = frozenset(("image_url", "input_image", "image", "image_generation_call"))
_AUDIO_TYPES = frozenset(("input_audio", "audio"))
_KINDS = frozenset(("image", "audio", "video"))

# (key, subkey or None): the media-type lookup order.
_MT_PATHS: tuple[tuple[str, str | None], ...] = (
    ("media_type", None), ("mediaType", None), ("mime_type", None), ("mimeType", None),
    ("source", "media_type"), ("inlineData", "mimeType"), ("inline_data", "mime_type"),
    ("fileData", "mimeType"), ("file_data", "mime_type"),
)
# The source-string lookup order.
_SRC_PATHS: tuple[tuple[str, str | None], ...] = (
    ("image_url", None), ("image_url", "url"), ("url", None), ("source", "url"), ("source", "data"),
    ("file_url", None), ("file_uri", None), ("fileUri", None), ("fileData", "fileUri"),
    ("file_data", "file_uri"), ("inlineData", "data"), ("inline_data", "data"),
    ("input_audio", "data"), ("data", None), ("image", None), ("file", None), ("file", "file_data"),
    ("file_data", None), ("result", None), ("file_id", None), ("file", "file_id"),
    ("source", "file_id"), ("filename", None), ("file", "filename"),
)

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_B64 = re.compile(r"[A-Za-z0-9+/_\-]+={0,2}")
_WS = " \t\n\r\f\v"
_WS_DEL = {ord(c): None for c in _WS}
_PAD_WS = "=" + _WS


def is_media(b: dict) -> bool:
    """True for a media block: a media ``type`` or a Gemini inline/file data key."""
    t = b.get("type")
    if type(t) is str and t in _MEDIA_TYPES:
        return True
    for k in _MEDIA_KEYS:
        if k in b:
            return True
    return False


def _first_str(b: dict, paths: tuple[tuple[str, str | None], ...]) -> str | None:
    """The first non-empty string found along ``paths`` (empty strings carry nothing to show)."""
    for k, sub in paths:
        v = b.get(k)
        if sub is not None:
            if type(v) is not dict:
                continue
            v = v.get(sub)
        if type(v) is str and v:
            return v
    return None


def size_text(n: int) -> str:
    """Byte size with integer arithmetic, halves rounded up (B / KB / one-decimal MB)."""
    if n < 1024:
        return f"{n} B"
    if n < 1048576:
        return f"{(n + 512) // 1024} KB"
    t = (10 * n + 524288) // 1048576
    return f"{t // 10}.{t % 10} MB"


def _has_scheme(s: str) -> bool:
    """``s`` starts with ``[A-Za-z][A-Za-z0-9+.-]*://``; a scheme ends at the first ``:``, so
    one C-speed ``find`` replaces a regex that would backtrack over a long base64 run."""
    c = s.find(":")
    return c > 0 and s.startswith("//", c + 1) and _SCHEME.fullmatch(s, 0, c) is not None


def is_data_url(s: str) -> bool:
    """``data:<mt>[;<params>],<payload>`` (scheme case-insensitive; a comma is required)."""
    return s[:5].lower() == "data:" and s.find(",", 5) >= 0


def _count_pad_ws(s: str, start: int) -> int:
    """How many ``=`` and whitespace characters ``s[start:]`` holds, without copying it. A payload
    usually has none of them, or only its ``=`` padding at the end: ``find`` (memchr, far faster than
    ``count``) skips to the first occurrence and ``count`` runs from there, so each absent character
    costs one memchr scan instead of a full counting pass."""
    removed = 0
    for c in _PAD_WS:
        i = s.find(c, start)
        if i >= 0:
            removed += s.count(c, i)
    return removed


def _detail(s: str) -> tuple[str | None, str | None]:
    """(media type from a data: URL or None, detail text or None) for a source string."""
    if is_data_url(s):
        comma = s.find(",", 5)
        head = s[5:comma]
        semi = head.find(";")
        mt = head if semi < 0 else head[:semi]
        params = "" if semi < 0 else head[semi + 1:]
        if "base64" in params:
            start = comma + 1
            return (mt or None), size_text((len(s) - start - _count_pad_ws(s, start)) * 3 // 4)
        return (mt or None), f"{len(s)} chars"
    if len(s) <= 64 or _has_scheme(s):
        return None, s
    if _B64.fullmatch(s):
        m = s
    else:
        m = s.translate(_WS_DEL)
        if not _B64.fullmatch(m):
            return None, f"{len(s)} chars"
    n = len(m)
    n -= 2 if m.endswith("==") else 1 if m.endswith("=") else 0
    return None, size_text(n * 3 // 4)


def _compose(kind: str, mt: str | None, detail: str | None) -> str:
    if mt and detail:
        body = f"[{kind}: {mt}, {detail}]"
    elif mt or detail:
        body = f"[{kind}: {mt or detail}]"
    else:
        body = f"[{kind}]"
    if "\r" in body or "\n" in body:
        body = body.replace("\r", " ").replace("\n", " ")
    return body


def _kind(mt: str | None, btype: Any) -> str:
    if mt:
        slash = mt.find("/")
        major = mt if slash < 0 else mt[:slash]
        if major in _KINDS:
            return major
    if type(btype) is str:
        if btype in _IMAGE_TYPES:
            return "image"
        if btype in _AUDIO_TYPES:
            return "audio"
    return "file"


def media_placeholder(b: dict) -> str:
    """``[<kind>: <media type>, <detail>]`` for a media block; never contains its data."""
    mt = _first_str(b, _MT_PATHS)
    if mt is None:
        ia = b.get("input_audio")
        if type(ia) is dict:
            fmt = ia.get("format")
            if type(fmt) is str:
                mt = "audio/" + fmt
    src = _first_str(b, _SRC_PATHS)
    detail = None
    if src is not None:
        url_mt, detail = _detail(src)
        if mt is None:
            mt = url_mt
    return _compose(_kind(mt, b.get("type")), mt, detail)


def string_placeholder(s: str) -> str:
    """Placeholder for a bare media string (a ``data:`` URL found in a Responses item, §4.8)."""
    mt, detail = _detail(s)
    return _compose(_kind(mt, None), mt, detail)
