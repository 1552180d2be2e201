# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``textrepr.render.literal`` (issue 16): span state strings (FORMAT.md §4.14, D8).

The states of real traces are small Python reprs (``{'a': 3, 'b': [1, 2.5, None]}``), where the pure
parser's cost is its per-token regex match and Python state machine. Here one typed pass over the
characters parses the common part of the §4.14 subset: lists, dicts, quoted strings without escapes or
prefixes, decimal ints and floats, ``True``/``False``/``None``. Whatever that pass does not accept — an
escape, a string prefix, parentheses, a long int, deep nesting, anything the subset rejects — goes to the
pure parser, which decides: so this twin only ever accepts what the pure one accepts, with the same value.
"""
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_KIND, PyUnicode_READ
from libc.math cimport isinf

from ..parse import loads_strict
from . import literal as _pure

__all__ = ["parse_state_string", "parse_literal"]

# CPython's bracket limit of the pure parser (its _MAX_DEPTH); at this depth the pure parser decides.
cdef Py_ssize_t _MAX_DEPTH = 1024
# An ipart (sign included) shorter than this fits a long long: converted in C, as the pure int() would.
cdef Py_ssize_t _SHORT_INT = 19
cdef object _NOKEY = object()  # dict frame awaiting its next key
cdef object _PURE = object()   # the pure parser decides


cdef inline bint _ws(Py_UCS4 c) noexcept:
    return c == 32 or c == 9 or c == 13 or c == 10


cdef inline bint _digit(Py_UCS4 c) noexcept:
    return 48 <= c <= 57


cdef inline bint _word(int kind, void* d, Py_ssize_t i, Py_ssize_t n, const char* w, Py_ssize_t m) noexcept:
    """Whether the text holds the ASCII word w (m characters) at i."""
    cdef Py_ssize_t k
    if i + m > n:
        return False
    for k in range(m):
        if PyUnicode_READ(kind, d, i + k) != <Py_UCS4>w[k]:
            return False
    return True


cdef object _fast(str s):
    """The value of ``s`` when the typed pass accepts it, else ``_PURE``."""
    cdef Py_ssize_t n = len(s), i = 0, j, k, d
    cdef Py_UCS4 c, q
    cdef list conts = []  # open containers, innermost last
    cdef list keys = []   # per open container: the pending dict key, or _NOKEY
    cdef bint want_value = True, want_colon = False, can_close = False, done = False
    cdef long long acc
    cdef object v = None, result = None, top, key
    cdef int kind = PyUnicode_KIND(s)
    cdef void* data = PyUnicode_DATA(s)
    while True:
        while i < n and _ws(PyUnicode_READ(kind, data, i)):
            i += 1
        if i == n:
            return result if done else _PURE
        if done:
            return _PURE
        c = PyUnicode_READ(kind, data, i)
        if c == u'[' or c == u'{':
            if not want_value or len(conts) >= _MAX_DEPTH:
                return _PURE
            if c == u'{':
                if conts and type(conts[len(conts) - 1]) is dict and keys[len(keys) - 1] is _NOKEY:
                    return _PURE  # a dict as a dict key
                conts.append({})
            else:
                conts.append([])
            keys.append(_NOKEY)
            can_close = True
            i += 1
            continue
        if c == u']' or c == u'}':
            if want_colon or (want_value and not can_close) or not conts:
                return _PURE
            top = conts[len(conts) - 1]
            if (c == u']') != (type(top) is list):
                return _PURE
            conts.pop()
            keys.pop()
            v = top
            i += 1
        elif c == u',':
            if want_value or want_colon:
                return _PURE
            want_value = True
            can_close = True
            i += 1
            continue
        elif c == u':':
            if not want_colon:
                return _PURE
            want_colon = False
            want_value = True
            can_close = False
            i += 1
            continue
        elif not want_value:
            return _PURE
        elif c == u"'" or c == u'"':
            j = i + 1
            while True:
                if j == n:
                    return _PURE
                q = PyUnicode_READ(kind, data, j)
                if q == c:
                    break
                if q == u'\\' or q == u'\r' or q == u'\n':
                    return _PURE
                j += 1
            v = s[i + 1:j]
            i = j + 1
        elif _digit(c) or c == u'+' or c == u'-':
            j = i + 1 if (c == u'+' or c == u'-') else i
            if j == n or not _digit(PyUnicode_READ(kind, data, j)):
                return _PURE
            if PyUnicode_READ(kind, data, j) == u'0':
                j += 1
            else:
                while j < n and _digit(PyUnicode_READ(kind, data, j)):
                    j += 1
            k = j  # end of the int part
            if j + 1 < n and PyUnicode_READ(kind, data, j) == u'.' and _digit(PyUnicode_READ(kind, data, j + 1)):
                j += 2
                while j < n and _digit(PyUnicode_READ(kind, data, j)):
                    j += 1
            if j < n and (PyUnicode_READ(kind, data, j) == u'e' or PyUnicode_READ(kind, data, j) == u'E'):
                q = PyUnicode_READ(kind, data, j + 1) if j + 1 < n else 0
                if q == u'+' or q == u'-':
                    if j + 2 < n and _digit(PyUnicode_READ(kind, data, j + 2)):
                        j += 3
                        while j < n and _digit(PyUnicode_READ(kind, data, j)):
                            j += 1
                elif _digit(q):
                    j += 2
                    while j < n and _digit(PyUnicode_READ(kind, data, j)):
                        j += 1
            if j > k:  # a fraction or an exponent: a float, as the pure float() of the same text
                v = float(s[i:j])
                if isinf(<double>v):
                    return _PURE  # the pure parser rejects an overflow to infinity
            elif k - i < _SHORT_INT:
                acc = 0
                for d in range(i + 1 if (c == u'+' or c == u'-') else i, k):
                    acc = acc * 10 + (<long long>PyUnicode_READ(kind, data, d) - 48)
                v = -acc if c == u'-' else acc
            else:
                return _PURE
            i = j
        elif _word(kind, data, i, n, b"True", 4):
            v = True
            i += 4
        elif _word(kind, data, i, n, b"False", 5):
            v = False
            i += 5
        elif _word(kind, data, i, n, b"None", 4):
            v = None
            i += 4
        else:
            return _PURE  # a string prefix, parentheses, or anything else
        # A value is complete: attach it to the innermost container.
        if not conts:
            result = v
            done = True
            continue
        top = conts[len(conts) - 1]
        if type(top) is dict:
            key = keys[len(keys) - 1]
            if key is _NOKEY:
                if type(v) is not str:
                    return _PURE
                keys[len(keys) - 1] = v
                want_value = False
                want_colon = True
                continue
            (<dict>top)[key] = v
            keys[len(keys) - 1] = _NOKEY
        else:
            (<list>top).append(v)
        want_value = False


def parse_literal(s):
    """Parse ``s`` as a literal of the §4.14 subset: (True, value) or (False, None)."""
    if type(s) is str:
        v = _fast(<str>s)
        if v is not _PURE:
            return True, v
    return _pure.parse_literal(s)


def parse_state_string(s):
    """D8: strict JSON first, else the Python-literal subset. Values are repaired (no surrogates)."""
    ok, v = loads_strict(s)
    if ok:
        return True, v
    return parse_literal(s)
