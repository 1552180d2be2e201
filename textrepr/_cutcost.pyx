# cython: language_level=3, boundscheck=False, wraparound=False
"""What texts cost cut to a cap, compiled twin of ``textrepr._cutcost_py`` (see there)."""

from cpython.unicode cimport PyUnicode_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH

__all__ = ["cut_chars"]

cdef enum:
    NOTE = 30
    BARE_NOTE = 26


cdef inline Py_ssize_t _digits(Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t d = 1
    while n >= 10:
        n //= 10
        d += 1
    return d


cdef Py_ssize_t _newlines(str s, Py_ssize_t start, Py_ssize_t end):
    """The "\\n" in ``s[start:end]``."""
    cdef int kind = PyUnicode_KIND(s)
    cdef void* data = PyUnicode_DATA(s)
    cdef Py_ssize_t i, c = 0
    if kind == 1:
        for i in range(start, end):
            c += (<const unsigned char*>data)[i] == 10
    elif kind == 2:
        for i in range(start, end):
            c += (<const unsigned short*>data)[i] == 10
    else:
        for i in range(start, end):
            c += (<const unsigned int*>data)[i] == 10
    return c


def cut_chars(list texts, list prefixes, Py_ssize_t cap, bint numbered):
    cdef Py_ssize_t chars = 0, newlines = 0, hidden = 0, h = cap // 2, k = 0, n, p, note, nl
    cdef Py_ssize_t size = len(texts)
    cdef str s
    if len(prefixes) < size:
        raise ValueError("one prefix length per text")
    while k < size:
        s = <str?>texts[k]
        n = PyUnicode_GET_LENGTH(s)
        if n <= cap:
            break
        p = prefixes[k]
        k += 1
        if h:
            note = NOTE + _digits(n - 2 * h)
            nl = 4
        else:
            note = BARE_NOTE + _digits(n)
            nl = 0
        if 2 * h + note >= n:
            nl = _newlines(s, 0, n)
            chars += n + nl * p
        else:
            if h and (p or numbered):
                nl += _newlines(s, 0, h) + _newlines(s, n - h, n)
            chars += 2 * h + note + nl * p
            hidden += n - 2 * h
        newlines += nl
    return k, chars, newlines, hidden
