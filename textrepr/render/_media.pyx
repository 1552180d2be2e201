# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``media.py`` (issue 16): media blocks → one placeholder line, never their data.

Same functions, same results as the pure module (the readable reference). The source-string detail is
one pass in C over the string's code units: the payload size of a base64 ``data:`` URL (``=`` and
whitespace excluded), the base64 shape test of a bare string (whitespace skipped) and the URL-scheme test.
"""
from cpython.unicode cimport PyUnicode_GET_LENGTH, PyUnicode_READ, PyUnicode_KIND, PyUnicode_DATA
from libc.string cimport memchr

from . import media as _pure

__all__ = ["is_media", "media_placeholder", "string_placeholder", "is_data_url", "size_text"]

cdef frozenset _MEDIA_TYPES = _pure._MEDIA_TYPES
cdef frozenset _IMAGE_TYPES = _pure._IMAGE_TYPES
cdef frozenset _AUDIO_TYPES = _pure._AUDIO_TYPES
cdef frozenset _KINDS = _pure._KINDS
cdef tuple _MT_PATHS = _pure._MT_PATHS
cdef tuple _SRC_PATHS = _pure._SRC_PATHS


cdef inline bint _is_media(dict b):
    t = b.get("type")
    if type(t) is str and t in _MEDIA_TYPES:
        return True
    return "inlineData" in b or "inline_data" in b or "fileData" in b or "file_data" in b


def is_media(b) -> bool:
    """True for a media block: a media ``type`` or a Gemini inline/file data key."""
    if type(b) is not dict:
        return _pure.is_media(b)
    return _is_media(<dict>b)


cdef object _first_str(dict b, tuple paths):
    """The first non-empty string found along ``paths``, else None."""
    cdef tuple p
    for p in paths:
        v = b.get(p[0])
        sub = p[1]
        if sub is not None:
            if type(v) is not dict:
                continue
            v = (<dict>v).get(sub)
        if type(v) is str and PyUnicode_GET_LENGTH(v) > 0:
            return v
    return None


cdef str _size(Py_ssize_t n):
    """``size_text`` for ``n >= 0``."""
    cdef Py_ssize_t t
    if n < 1024:
        return f"{n} B"
    if n < 1048576:
        return f"{(n + 512) // 1024} KB"
    if n > 800000000000000:  # 10 * n + 524288 could overflow: Python ints
        return _pure.size_text(n)
    t = (10 * n + 524288) // 1048576
    return f"{t // 10}.{t % 10} MB"


def size_text(n) -> str:
    """Byte size with integer arithmetic, halves rounded up (B / KB / one-decimal MB)."""
    if type(n) is int and 0 <= n <= 800000000000000:
        return _size(n)
    return _pure.size_text(n)


# Character classes of the base64 shape test: 1 ``[A-Za-z0-9+/_-]``, 2 ``=``, 3 whitespace, 0 other.
cdef unsigned char _CLASS[256]
_CLASS[:] = [0] * 256
for _c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-":
    _CLASS[ord(_c)] = 1
_CLASS[61] = 2
for _c in " \t\n\r\f\v":
    _CLASS[ord(_c)] = 3


cdef Py_ssize_t _count_byte(const unsigned char *p, Py_ssize_t start, Py_ssize_t n, unsigned char ch):
    """Occurrences of ``ch`` in ``p[start:n]``: memchr from hit to hit (an absent byte costs one scan)."""
    cdef Py_ssize_t count = 0
    cdef const unsigned char *q = <const unsigned char *>memchr(p + start, ch, <size_t>(n - start))
    while q != NULL:
        count += 1
        start = (q - p) + 1
        q = <const unsigned char *>memchr(p + start, ch, <size_t>(n - start))
    return count


cdef Py_ssize_t _count_pad_ws(str s, Py_ssize_t start) except -1:
    """How many ``=`` and whitespace characters ``s[start:]`` holds (media._count_pad_ws)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s)
    cdef const unsigned char *p
    cdef Py_ssize_t removed = 0, i
    cdef const unsigned char *chars = b"= \t\n\r\f\v"
    if start >= n:
        return 0
    if PyUnicode_KIND(s) != 1:
        return _pure._count_pad_ws(s, start)
    p = <const unsigned char *>PyUnicode_DATA(s)
    for i in range(7):
        removed += _count_byte(p, start, n, chars[i])
    return removed


cdef Py_ssize_t _b64_size(str s):
    """Bytes encoded by ``s`` when ``s`` with its whitespace removed fullmatches
    ``[A-Za-z0-9+/_-]+={0,2}``, else -1 (pure: ``_B64.fullmatch`` of ``s``, then of ``s.translate``)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s), i = 0, j, body = 0, pad = 0
    cdef int kind = PyUnicode_KIND(s)
    cdef void *data = PyUnicode_DATA(s)
    cdef const unsigned char *p = <const unsigned char *>data
    cdef unsigned int c
    cdef unsigned char cls
    if kind != 1:  # rare: the per-character form
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            cls = _CLASS[c] if c < 256 else 0
            if cls == 1:
                if pad:
                    return -1
                body += 1
            elif cls == 2:
                pad += 1
                if pad > 2:
                    return -1
            elif cls == 0:
                return -1
        return body * 3 // 4 if body else -1
    while i < n:
        j = i
        while j < n and _CLASS[p[j]] == 1:  # the tight loop: a run of base64 characters
            j += 1
        body += j - i
        if j == n:
            break
        cls = _CLASS[p[j]]
        if cls == 3:
            i = j + 1
            continue
        if cls == 0:
            return -1
        # The first "=": only "=" (two at most) and whitespace may follow.
        for i in range(j, n):
            cls = _CLASS[p[i]]
            if cls == 2:
                pad += 1
                if pad > 2:
                    return -1
            elif cls != 3:
                return -1
        break
    return body * 3 // 4 if body else -1


cdef bint _has_scheme(str s):
    """``s`` starts with ``[A-Za-z][A-Za-z0-9+.-]*://``."""
    cdef Py_ssize_t c = s.find(":"), i
    cdef int kind
    cdef void *data
    cdef unsigned int ch
    if c <= 0 or not s.startswith("//", c + 1):
        return False
    kind = PyUnicode_KIND(s)
    data = PyUnicode_DATA(s)
    ch = PyUnicode_READ(kind, data, 0)
    if not ((ch >= 97 and ch <= 122) or (ch >= 65 and ch <= 90)):
        return False
    for i in range(1, c):
        ch = PyUnicode_READ(kind, data, i)
        if not ((ch >= 97 and ch <= 122) or (ch >= 65 and ch <= 90) or (ch >= 48 and ch <= 57)
                or ch == 43 or ch == 46 or ch == 45):
            return False
    return True


cdef inline bint _data_url(str s):
    return s[:5].lower() == "data:" and s.find(",", 5) >= 0


def is_data_url(s) -> bool:
    """``data:<mt>[;<params>],<payload>`` (scheme case-insensitive; a comma is required)."""
    if type(s) is not str:
        return _pure.is_data_url(s)
    return _data_url(<str>s)


cdef tuple _c_detail(str s):
    """(media type from a data: URL or None, detail text or None) for a source string."""
    cdef Py_ssize_t comma, semi, start, n = PyUnicode_GET_LENGTH(s), size
    cdef str head, mt, params
    if _data_url(s):
        comma = s.find(",", 5)
        head = s[5:comma]
        semi = head.find(";")
        if semi < 0:
            mt = head
            params = ""
        else:
            mt = head[:semi]
            params = head[semi + 1:]
        if "base64" in params:
            start = comma + 1
            return (mt or None), _size((n - start - _count_pad_ws(s, start)) * 3 // 4)
        return (mt or None), f"{n} chars"
    if n <= 64 or _has_scheme(s):
        return None, s
    size = _b64_size(s)
    if size < 0:
        return None, f"{n} chars"
    return None, _size(size)


def _detail(s):
    """``media._detail`` (for the tests)."""
    if type(s) is not str:
        return _pure._detail(s)
    return _c_detail(<str>s)


cdef str _compose(str kind, object mt, object detail):
    cdef str body
    if mt and detail:
        body = f"[{kind}: {mt}, {detail}]"
    elif mt or detail:
        body = f"[{kind}: {mt or detail}]"
    else:
        body = f"[{kind}]"
    if "\r" in body or "\n" in body:
        body = body.replace("\r", " ").replace("\n", " ")
    return body


cdef str _kind(object mt, object btype):
    cdef Py_ssize_t slash
    if mt:
        slash = (<str>mt).find("/")
        major = mt if slash < 0 else (<str>mt)[:slash]
        if major in _KINDS:
            return major
    if type(btype) is str:
        if btype in _IMAGE_TYPES:
            return "image"
        if btype in _AUDIO_TYPES:
            return "audio"
    return "file"


cdef str _placeholder(dict b):
    mt = _first_str(b, _MT_PATHS)
    if mt is None:
        ia = b.get("input_audio")
        if type(ia) is dict:
            fmt = (<dict>ia).get("format")
            if type(fmt) is str:
                mt = "audio/" + fmt
    src = _first_str(b, _SRC_PATHS)
    detail = None
    if src is not None:
        url_mt, detail = _c_detail(<str>src)
        if mt is None:
            mt = url_mt
    return _compose(_kind(mt, b.get("type")), mt, detail)


def media_placeholder(b) -> str:
    """``[<kind>: <media type>, <detail>]`` for a media block; never contains its data."""
    if type(b) is not dict:
        return _pure.media_placeholder(b)
    return _placeholder(<dict>b)


def string_placeholder(s) -> str:
    """Placeholder for a bare media string (a ``data:`` URL found in a Responses item, §4.8)."""
    if type(s) is not str:
        return _pure.string_placeholder(s)
    mt, detail = _c_detail(<str>s)
    return _compose(_kind(mt, None), mt, detail)
