# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
# cython: embedsignature=True
"""Compiled twin of ``textrepr._core_py``: the same names with the same results and exceptions.

C loops over the str buffers (any of the three PEP 393 kinds) do the work that dominates large
inputs: JSON encoding, base64 of UTF-8 straight from the characters, the look-alike scan, line
numbering, sampling and the assembly of the final text. Results are always canonical str objects
(the narrowest kind that holds them), so they compare equal to the pure twin's.

Values the fast paths do not cover (subclasses, tuples, non-str dict keys, ...) are handed to the
pure twin, which defines the behaviour.
"""
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.object cimport PyObject, PyTypeObject
from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t
from libc.math cimport isinf
from libc.string cimport memchr, memcpy, memset

import threading

from . import _core_py as _py

cdef extern from "Python.h":
    ctypedef uint8_t Py_UCS1
    ctypedef uint16_t Py_UCS2
    PyTypeObject PyDict_Type
    PyTypeObject PyList_Type
    PyTypeObject PyUnicode_Type
    PyTypeObject PyLong_Type
    PyTypeObject PyFloat_Type
    PyObject* _Py_None "Py_None"
    PyObject* _Py_True "Py_True"
    PyObject* _Py_False "Py_False"
    PyTypeObject* _TYPE "Py_TYPE"(PyObject* o)
    int _KIND "PyUnicode_KIND"(PyObject* o)
    void* _DATA "PyUnicode_DATA"(PyObject* o)
    Py_ssize_t _LEN "PyUnicode_GET_LENGTH"(PyObject* o)
    uint32_t _MAXCHAR "PyUnicode_MAX_CHAR_VALUE"(PyObject* o)
    bint _IS_ASCII "PyUnicode_IS_ASCII"(PyObject* o)
    bint _IS_STR "PyUnicode_Check"(PyObject* o)
    object PyUnicode_New(Py_ssize_t size, uint32_t maxchar)
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    object PyUnicode_Substring(object s, Py_ssize_t start, Py_ssize_t end)
    Py_ssize_t _LIST_SIZE "PyList_GET_SIZE"(PyObject* o)
    PyObject* _LIST_ITEM "PyList_GET_ITEM"(PyObject* o, Py_ssize_t i)
    Py_ssize_t _DICT_SIZE "PyDict_GET_SIZE"(PyObject* o)
    int _DICT_NEXT "PyDict_Next"(PyObject* p, Py_ssize_t* ppos, PyObject** pkey, PyObject** pvalue)
    double _FLOAT_VALUE "PyFloat_AS_DOUBLE"(PyObject* o)
    long long _LONG_VALUE "PyLong_AsLongLongAndOverflow"(PyObject* o, int* overflow) except? -1
    Py_ssize_t PyLong_AsSsize_t(object o) except? -1
    char* PyOS_double_to_string(double val, char format_code, int precision, int flags, int* ptype) except NULL
    int Py_DTSF_ADD_DOT_0
    Py_ssize_t PY_SSIZE_T_MAX

__all__ = [
    "MARK", "PIPE", "b64", "neutralise", "finalise", "trunc", "number_lines", "sample", "assemble",
    "jdump", "jdump2", "int_str", "disp", "has_digit_run", "patch_escapes",
]

# Lone surrogates are built at run time (no surrogate in the C source).
MARK = "<<<" + chr(0xD800)
PIPE = chr(0xDBFF)
LAZY_MIN = 1 << 14  # as in the pure twin
cdef Py_ssize_t _lazy_min = LAZY_MIN
cdef str _LAZY = chr(0xDBFE)
_local = threading.local()

cdef const char* _B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
cdef const char* _HEX = b"0123456789abcdef"


def _set_lazy_min(n):
    """Test hook: set the smallest middle made lazy; returns the previous value."""
    global _lazy_min, LAZY_MIN
    old = _lazy_min
    _lazy_min = n
    LAZY_MIN = n
    return old


# ------------------------------------------------------------------------------------ char access

cdef inline uint32_t _rd(int kind, const void* d, Py_ssize_t i) noexcept nogil:
    if kind == 1:
        return (<const Py_UCS1*>d)[i]
    if kind == 2:
        return (<const Py_UCS2*>d)[i]
    return (<const uint32_t*>d)[i]


cdef inline void _wr(int kind, void* d, Py_ssize_t i, uint32_t c) noexcept nogil:
    if kind == 1:
        (<Py_UCS1*>d)[i] = <Py_UCS1>c
    elif kind == 2:
        (<Py_UCS2*>d)[i] = <Py_UCS2>c
    else:
        (<uint32_t*>d)[i] = c


cdef inline void _wr_ascii(int kind, void* d, Py_ssize_t i, const char* s, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    if kind == 1:
        memcpy(<char*>d + i, s, n)
    else:
        for k in range(n):
            _wr(kind, d, i + k, <Py_UCS1>s[k])


cdef void _copy(int ok, void* od, Py_ssize_t o, int ik, const void* idata, Py_ssize_t start,
                Py_ssize_t n) noexcept nogil:
    """Copy n characters between kinds (narrowing only when the caller knows the characters fit)."""
    cdef Py_ssize_t k
    if ok == ik:
        memcpy(<char*>od + o * ok, <const char*>idata + start * ik, n * ik)
    elif ok == 2 and ik == 1:
        for k in range(n):
            (<Py_UCS2*>od)[o + k] = (<const Py_UCS1*>idata)[start + k]
    elif ok == 4 and ik == 1:
        for k in range(n):
            (<uint32_t*>od)[o + k] = (<const Py_UCS1*>idata)[start + k]
    elif ok == 4 and ik == 2:
        for k in range(n):
            (<uint32_t*>od)[o + k] = (<const Py_UCS2*>idata)[start + k]
    else:  # narrowing: a slice of a wider string whose characters fit
        for k in range(n):
            _wr(ok, od, o + k, _rd(ik, idata, start + k))


cdef extern from "<wchar.h>":
    ctypedef int wchar_t
    const wchar_t* wmemchr(const wchar_t* s, wchar_t c, size_t n) nogil


cdef Py_ssize_t _find2(const Py_UCS2* p, Py_ssize_t i, Py_ssize_t end, uint32_t c) noexcept nogil:
    """First c in a UCS2 range: four characters per 64-bit word (SWAR zero-lane test)."""
    cdef uint64_t pat = 0x0001000100010001ULL * c, w, x
    while i < end and (i & 3):
        if p[i] == c:
            return i
        i += 1
    while i + 4 <= end:
        memcpy(&w, p + i, 8)
        x = w ^ pat
        if (x - 0x0001000100010001ULL) & ~x & 0x8000800080008000ULL:
            break
        i += 4
    while i < end:
        if p[i] == c:
            return i
        i += 1
    return -1


cdef inline Py_ssize_t _find_char(int kind, const void* d, Py_ssize_t i, Py_ssize_t end,
                                  uint32_t c) noexcept nogil:
    """Index of the first c in s[i:end], or -1 (memchr / wmemchr / word-wise scans)."""
    cdef const char* p
    cdef const wchar_t* q
    if i >= end:
        return -1
    if kind == 1:
        if c > 255:
            return -1
        p = <const char*>memchr(<const char*>d + i, <int>c, end - i)
        return -1 if p == NULL else p - <const char*>d
    if kind == 2:
        if c > 0xFFFF:
            return -1
        if sizeof(wchar_t) == 2:
            q = wmemchr(<const wchar_t*>d + i, <wchar_t>c, end - i)
            return -1 if q == NULL else q - <const wchar_t*>d
        return _find2(<const Py_UCS2*>d, i, end, c)
    if sizeof(wchar_t) == 4:
        q = wmemchr(<const wchar_t*>d + i, <wchar_t>c, end - i)
        return -1 if q == NULL else q - <const wchar_t*>d
    while i < end:
        if (<const uint32_t*>d)[i] == c:
            return i
        i += 1
    return -1


cdef inline Py_ssize_t _find3(int kind, const void* d, Py_ssize_t i, Py_ssize_t end) noexcept nogil:
    """First p >= i with s[p:p+3] == "<<<" and p + 3 <= end, or -1."""
    while i + 3 <= end:
        i = _find_char(kind, d, i, end - 2, 60)
        if i < 0:
            return -1
        if _rd(kind, d, i + 1) == 60 and _rd(kind, d, i + 2) == 60:
            return i
        i += 1
    return -1


cdef inline bint _word_at(int kind, const void* d, Py_ssize_t j, Py_ssize_t end, const char* w,
                          Py_ssize_t wl) noexcept nogil:
    cdef Py_ssize_t k
    if end - j < wl:
        return False
    for k in range(wl):
        if _rd(kind, d, j + k) != <Py_UCS1>w[k]:
            return False
    return True


cdef bint _lookahead(int kind, const void* d, Py_ssize_t j, Py_ssize_t end) noexcept nogil:
    """U+200B* then TRUNCATED| / GEN_EXPANDABLE| / TOOLS_EXPANDABLE| / EVENT_LINK| at j, before end."""
    cdef uint32_t c
    while j < end and _rd(kind, d, j) == 0x200B:
        j += 1
    if j >= end:
        return False
    c = _rd(kind, d, j)
    if c == 84:  # T
        return _word_at(kind, d, j, end, b"TRUNCATED|", 10) or _word_at(kind, d, j, end, b"TOOLS_EXPANDABLE|", 17)
    if c == 71:  # G
        return _word_at(kind, d, j, end, b"GEN_EXPANDABLE|", 15)
    if c == 69:  # E
        return _word_at(kind, d, j, end, b"EVENT_LINK|", 11)
    return False


cdef Py_ssize_t _count_lookalikes(int kind, const void* d, Py_ssize_t i, Py_ssize_t end) noexcept nogil:
    """Number of look-alikes in s[i:end] (non-overlapping, left to right, like re.sub)."""
    cdef Py_ssize_t cnt = 0, p
    while True:
        p = _find3(kind, d, i, end)
        if p < 0:
            return cnt
        if _lookahead(kind, d, p + 3, end):
            cnt += 1
            i = p + 3
        else:
            i = p + 1


cdef uint32_t _range_maxchar(PyObject* s, Py_ssize_t a, Py_ssize_t b) noexcept:
    """A max-char bound for s[a:b] that gives its canonical kind (ASCII and Latin-1 not told apart)."""
    cdef int kind = _KIND(s)
    cdef const void* d = _DATA(s)
    cdef Py_ssize_t i
    if kind == 4 and (a > 0 or b < _LEN(s)):
        for i in range(a, b):
            if (<const uint32_t*>d)[i] > 0xFFFF:
                return 0x10FFFF
        return 0xFFFF
    return _MAXCHAR(s)


cdef str _neutralised(str s, Py_ssize_t a, Py_ssize_t end, Py_ssize_t cnt):
    """neutralise(s[a:end]), knowing it holds cnt look-alikes (cnt > 0)."""
    cdef PyObject* sp = <PyObject*>s
    cdef int kind = _KIND(sp)
    cdef const void* d = _DATA(sp)
    cdef uint32_t mc = _range_maxchar(sp, a, end)
    cdef object out = PyUnicode_New(end - a + cnt, mc if mc > 0xFFFF else 0xFFFF)
    cdef PyObject* op = <PyObject*>out
    cdef int ok = _KIND(op)
    cdef void* od = _DATA(op)
    cdef Py_ssize_t o = 0, i = a, seg = a, p
    while True:
        p = _find3(kind, d, i, end)
        if p < 0:
            break
        if _lookahead(kind, d, p + 3, end):
            _copy(ok, od, o, kind, d, seg, p + 3 - seg)
            o += p + 3 - seg
            _wr(ok, od, o, 0x200B)
            o += 1
            seg = p + 3
            i = p + 3
        else:
            i = p + 1
    _copy(ok, od, o, kind, d, seg, end - seg)
    return out


def neutralise(str s not None):
    """Insert U+200B after ``<<<`` in every marker look-alike (FORMAT.md §4.17, D11)."""
    cdef PyObject* sp = <PyObject*>s
    cdef Py_ssize_t n = _LEN(sp)
    cdef Py_ssize_t cnt = _count_lookalikes(_KIND(sp), _DATA(sp), 0, n)
    if cnt == 0:
        return s
    return _neutralised(s, 0, n, cnt)


# ----------------------------------------------------------------------------------------- base64

ctypedef fused chars:
    Py_UCS1
    Py_UCS2
    uint32_t


cdef extern from *:
    """
    /* UTF-8 length of s[a:b] in blocks of 4096 characters: branch-free sums into narrow accumulators, so
       that the compiler vectorises the inner loops (built for AVX2 and the baseline, picked at load time,
       where GCC can). The scan variants also note the first block in which "<<<" starts, so that the
       look-alike search over a payload needs no pass of its own when there is none. */
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
    #define TR_CLONES __attribute__((target_clones("avx2", "default")))
    #else
    #define TR_CLONES
    #endif
    #define TR_BLOCK 4096
    /* NAME(p, a, b, lt): bytes of the UTF-8 form of p[a:b], or -1 if it holds a surrogate; with LT,
       *lt = the start of the first block holding a "<<<" start (no "<<<" starts in [a, *lt)), or b. */
    #define TR_SCAN(NAME, T, ACC, LT, EXTRA, SUR)                                                  \
    TR_CLONES static Py_ssize_t NAME(const T* p, Py_ssize_t a, Py_ssize_t b, Py_ssize_t* lt) {   \
        Py_ssize_t n = b - a, i = a, j, end, stop;                                               \
        if (LT) *lt = b;                                                                         \
        while (i < b) {                                                                          \
            ACC e = 0, s = 0, l = 0;                                                             \
            end = b - i > TR_BLOCK ? i + TR_BLOCK : b;                                           \
            stop = !(LT) ? i : end < b - 2 ? end : b - 2;  /* where a whole "<<<" fits */        \
            for (j = i; j < stop; j++) {                                                         \
                uint32_t c = p[j];                                                               \
                e += (ACC)(EXTRA);                                                               \
                s |= (ACC)(SUR);                                                                 \
                l |= (ACC)((c == 60) & (p[j + 1] == 60) & (p[j + 2] == 60));                     \
            }                                                                                    \
            for (; j < end; j++) {                                                               \
                uint32_t c = p[j];                                                               \
                e += (ACC)(EXTRA);                                                               \
                s |= (ACC)(SUR);                                                                 \
            }                                                                                    \
            if (s) return -1;                                                                    \
            if ((LT) && l && *lt == b) *lt = i;                                                  \
            n += e;                                                                              \
            i = end;                                                                             \
        }                                                                                        \
        return n;                                                                                \
    }
    #define TR_X1 (c >= 0x80)
    #define TR_X2 ((c >= 0x80) + (c >= 0x800))
    #define TR_X4 ((c >= 0x80) + (c >= 0x800) + (c >= 0x10000))
    #define TR_SUR ((uint32_t)(c - 0xD800) < 0x800)
    TR_SCAN(tr_len1, uint8_t, uint16_t, 0, TR_X1, 0)
    TR_SCAN(tr_len2, uint16_t, uint16_t, 0, TR_X2, TR_SUR)
    TR_SCAN(tr_len4, uint32_t, uint32_t, 0, TR_X4, TR_SUR)
    TR_SCAN(tr_scan1, uint8_t, uint16_t, 1, TR_X1, 0)
    TR_SCAN(tr_scan2, uint16_t, uint16_t, 1, TR_X2, TR_SUR)
    TR_SCAN(tr_scan4, uint32_t, uint32_t, 1, TR_X4, TR_SUR)
    """
    Py_ssize_t tr_len1(const Py_UCS1* p, Py_ssize_t a, Py_ssize_t b, Py_ssize_t* lt) noexcept nogil
    Py_ssize_t tr_len2(const Py_UCS2* p, Py_ssize_t a, Py_ssize_t b, Py_ssize_t* lt) noexcept nogil
    Py_ssize_t tr_len4(const uint32_t* p, Py_ssize_t a, Py_ssize_t b, Py_ssize_t* lt) noexcept nogil
    Py_ssize_t tr_scan1(const Py_UCS1* p, Py_ssize_t a, Py_ssize_t b, Py_ssize_t* lt) noexcept nogil
    Py_ssize_t tr_scan2(const Py_UCS2* p, Py_ssize_t a, Py_ssize_t b, Py_ssize_t* lt) noexcept nogil
    Py_ssize_t tr_scan4(const uint32_t* p, Py_ssize_t a, Py_ssize_t b, Py_ssize_t* lt) noexcept nogil


cdef Py_ssize_t _utf8_len(int kind, const void* d, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """Length of the UTF-8 form of s[a:b], or -1 if it holds a surrogate."""
    if kind == 1:
        return tr_len1(<const Py_UCS1*>d, a, b, NULL)
    if kind == 2:
        return tr_len2(<const Py_UCS2*>d, a, b, NULL)
    return tr_len4(<const uint32_t*>d, a, b, NULL)


cdef Py_ssize_t _payload_len(PyObject* sp, Py_ssize_t a, Py_ssize_t b, Py_ssize_t* cnt) noexcept:
    """UTF-8 length of neutralise(s[a:b]) and (in cnt) its look-alike count, in one pass over s[a:b]
    (an ASCII text is searched with memchr only); -1 if s[a:b] holds a surrogate (cnt is not set)."""
    cdef int kind = _KIND(sp)
    cdef const void* d = _DATA(sp)
    cdef Py_ssize_t lt = a, nb
    if _IS_ASCII(sp):
        nb = b - a
    elif kind == 1:
        nb = tr_scan1(<const Py_UCS1*>d, a, b, &lt)
    elif kind == 2:
        nb = tr_scan2(<const Py_UCS2*>d, a, b, &lt)
    else:
        nb = tr_scan4(<const uint32_t*>d, a, b, &lt)
    if nb < 0:
        return -1
    cnt[0] = _count_lookalikes(kind, d, lt, b) if lt < b else 0
    return nb + 3 * cnt[0]  # each inserted U+200B is 3 bytes


cdef enum:
    CHUNK = 12288  # bytes of UTF-8 per base64 round (a multiple of 3)


cdef inline Py_ssize_t _b64_triples(const Py_UCS1* src, Py_ssize_t n, Py_UCS1* out) noexcept nogil:
    """Base64 of the first n // 3 * 3 bytes of src; returns the number of bytes consumed."""
    cdef Py_ssize_t i = 0, o = 0, full = n - n % 3
    cdef uint32_t v
    while i < full:
        v = (<uint32_t>src[i] << 16) | (<uint32_t>src[i + 1] << 8) | src[i + 2]
        out[o] = _B64[v >> 18]
        out[o + 1] = _B64[(v >> 12) & 63]
        out[o + 2] = _B64[(v >> 6) & 63]
        out[o + 3] = _B64[v & 63]
        o += 4
        i += 3
    return full


cdef inline void _b64_tail(const Py_UCS1* src, Py_ssize_t n, Py_UCS1* out) noexcept nogil:
    """The final group of 1 or 2 bytes, with "=" padding."""
    if n == 1:
        out[0] = _B64[src[0] >> 2]
        out[1] = _B64[(src[0] & 3) << 4]
        out[2] = 61
        out[3] = 61
    elif n == 2:
        out[0] = _B64[src[0] >> 2]
        out[1] = _B64[((src[0] & 3) << 4) | (src[1] >> 4)]
        out[2] = _B64[(src[1] & 15) << 2]
        out[3] = 61


cdef void _b64_write_t(const chars* p, Py_ssize_t a, Py_ssize_t b, Py_UCS1* out) noexcept nogil:
    """UTF-8 encode s[a:b] chunk by chunk into a small buffer and base64 each chunk."""
    cdef Py_UCS1 buf[CHUNK + 8]
    cdef Py_ssize_t blen = 0, i = a, used, o = 0
    cdef uint32_t c
    while i < b:
        while i < b and blen <= CHUNK - 4:
            # Runs of ASCII (most text, even in UCS2/UCS4 strings) go four characters at a time.
            while i + 4 <= b and blen <= CHUNK - 4 and (p[i] | p[i + 1] | p[i + 2] | p[i + 3]) < 0x80:
                buf[blen] = <Py_UCS1>p[i]
                buf[blen + 1] = <Py_UCS1>p[i + 1]
                buf[blen + 2] = <Py_UCS1>p[i + 2]
                buf[blen + 3] = <Py_UCS1>p[i + 3]
                blen += 4
                i += 4
            if i >= b or blen > CHUNK - 4:
                break
            c = p[i]
            i += 1
            if c < 0x80:
                buf[blen] = <Py_UCS1>c
                blen += 1
            elif c < 0x800:
                buf[blen] = <Py_UCS1>(0xC0 | (c >> 6))
                buf[blen + 1] = <Py_UCS1>(0x80 | (c & 0x3F))
                blen += 2
            elif c < 0x10000:
                buf[blen] = <Py_UCS1>(0xE0 | (c >> 12))
                buf[blen + 1] = <Py_UCS1>(0x80 | ((c >> 6) & 0x3F))
                buf[blen + 2] = <Py_UCS1>(0x80 | (c & 0x3F))
                blen += 3
            else:
                buf[blen] = <Py_UCS1>(0xF0 | (c >> 18))
                buf[blen + 1] = <Py_UCS1>(0x80 | ((c >> 12) & 0x3F))
                buf[blen + 2] = <Py_UCS1>(0x80 | ((c >> 6) & 0x3F))
                buf[blen + 3] = <Py_UCS1>(0x80 | (c & 0x3F))
                blen += 4
        used = _b64_triples(buf, blen, out + o)
        o += used // 3 * 4
        memcpy(buf, buf + used, blen - used)  # at most 2 bytes carried over
        blen -= used
    _b64_tail(buf, blen, out + o)


cdef void _b64_write(int kind, const void* d, Py_ssize_t a, Py_ssize_t b, bint ascii,
                     Py_UCS1* out) noexcept nogil:
    """Base64 of the UTF-8 bytes of s[a:b] into out (4 * ceil(nbytes / 3) characters)."""
    cdef Py_ssize_t used
    if ascii:  # the characters are the bytes
        used = _b64_triples(<const Py_UCS1*>d + a, b - a, out)
        _b64_tail(<const Py_UCS1*>d + a + used, b - a - used, out + used // 3 * 4)
    elif kind == 1:
        _b64_write_t(<const Py_UCS1*>d, a, b, out)
    elif kind == 2:
        _b64_write_t(<const Py_UCS2*>d, a, b, out)
    else:
        _b64_write_t(<const uint32_t*>d, a, b, out)


cdef Py_ssize_t _b64_range_len(str s, Py_ssize_t a, Py_ssize_t b) except -1:
    """UTF-8 length of s[a:b]; raises like ``s[a:b].encode()`` on a surrogate."""
    cdef PyObject* sp = <PyObject*>s
    cdef Py_ssize_t nb
    if _IS_ASCII(sp):
        return b - a
    nb = _utf8_len(_KIND(sp), _DATA(sp), a, b)
    if nb < 0:
        s[a:b].encode("utf-8")  # raises the canonical UnicodeEncodeError
        raise AssertionError("unreachable")
    return nb


cdef str _b64_out(str s, Py_ssize_t a, Py_ssize_t b, Py_ssize_t nb):
    """Base64 of s[a:b], whose UTF-8 form (no surrogate) is nb bytes long."""
    cdef PyObject* sp = <PyObject*>s
    cdef object out = PyUnicode_New(4 * ((nb + 2) // 3), 127)
    _b64_write(_KIND(sp), _DATA(sp), a, b, _IS_ASCII(sp), <Py_UCS1*>_DATA(<PyObject*>out))
    return out


cdef str _b64_range(str s, Py_ssize_t a, Py_ssize_t b):
    return _b64_out(s, a, b, _b64_range_len(s, a, b))


def b64(str s not None):
    """Standard base64 of the UTF-8 bytes of ``s``."""
    return _b64_range(s, 0, _LEN(<PyObject*>s))


cdef str _b64_middle(str s, Py_ssize_t a, Py_ssize_t b):
    """b64(neutralise(s[a:b])) without copying s[a:b] when it holds no look-alike."""
    cdef PyObject* sp = <PyObject*>s
    cdef Py_ssize_t cnt = 0
    cdef Py_ssize_t nb = _payload_len(sp, a, b, &cnt)
    cdef str m
    if nb < 0:  # a surrogate: raise what encoding the neutralised middle raises
        cnt = _count_lookalikes(_KIND(sp), _DATA(sp), a, b)
        m = _neutralised(s, a, b, cnt) if cnt else s[a:b]
        _b64_range_len(m, 0, _LEN(<PyObject*>m))
        raise AssertionError("unreachable")
    if cnt:
        m = _neutralised(s, a, b, cnt)
        return _b64_out(m, 0, _LEN(<PyObject*>m), nb)
    return _b64_out(s, a, b, nb)


# ----------------------------------------------------------------------------- trunc, lazy markers

cdef Py_ssize_t _bound(object x, str what) except -1:
    """A non-negative int option as Py_ssize_t, clamped (a longer text cannot exist)."""
    if x < 0:
        raise ValueError(what + " must be >= 0")
    if x > PY_SSIZE_T_MAX:
        return PY_SSIZE_T_MAX
    return PyLong_AsSsize_t(x)


cdef dict _registry():
    cdef object reg = getattr(_local, "reg", None)
    if reg is None:
        reg = {}
        _local.reg = reg
    return reg


cdef inline Py_ssize_t _marker_len(Py_ssize_t nbytes, Py_ssize_t hidden):
    """Length of "<<<TRUNCATED|" + base64 of nbytes bytes + "|hidden>>>"."""
    return 13 + 4 * ((nbytes + 2) // 3) + 1 + _digits(hidden) + 3


cdef str _lazy_marker(str s, Py_ssize_t h, Py_ssize_t hidden):
    """A placeholder for the TRUNCATED marker of s[h:len(s)-h], registered with a lower bound of its
    length (the middle is not read here: _exact_sizes reads it only if sampling needs to know)."""
    cdef dict reg = _registry()
    key = _py._key(reg, s, h)
    if key not in reg:
        reg[key] = (s, h, hidden, _marker_len(hidden, hidden))
    return key


cdef int _exact_sizes(dict reg, Py_ssize_t m) except -1:
    """Make every registered size exact, unless 0 < m < the lower bound it holds (see the pure twin)."""
    cdef Py_ssize_t h, cnt = 0, nb
    cdef str s
    for key, e in reg.items():
        if 0 < m < <Py_ssize_t>e[3]:
            continue
        s = e[0]
        h = e[1]
        nb = _payload_len(<PyObject*>s, h, _LEN(<PyObject*>s) - h, &cnt)
        if nb >= 0:  # a surrogate keeps the bound: materialising raises the canonical error
            reg[key] = (s, h, e[2], _marker_len(nb, e[2]), nb, cnt)  # + what _materialise needs
    return 0


cdef str _materialise(tuple entry):
    """The finalised marker of a registry entry, written in place (must not be neutralised again)."""
    cdef str s = entry[0]
    cdef Py_ssize_t h = entry[1]
    cdef bytes tail = ("|" + str(entry[2]) + ">>>").encode("ascii")
    cdef PyObject* sp = <PyObject*>s
    cdef Py_ssize_t end = _LEN(sp) - h
    cdef Py_ssize_t cnt = 0, nb, final
    cdef object out
    cdef Py_UCS1* od
    cdef str m
    if len(entry) == 6:  # sized by _exact_sizes: the middle was read once already
        nb = entry[4]
        cnt = entry[5]
    else:
        nb = _payload_len(sp, h, end, &cnt)
    if nb < 0:
        _b64_middle(s, h, end)  # raises the canonical error
        raise AssertionError("unreachable")
    final = 13 + 4 * ((nb + 2) // 3) + len(tail)
    if final < <Py_ssize_t>entry[3]:
        raise AssertionError("lazy marker shorter than its registered size")
    if cnt:
        m = _neutralised(s, h, end, cnt)
        sp = <PyObject*>m
        h = 0
        end = _LEN(sp)
    out = PyUnicode_New(final, 127)
    od = <Py_UCS1*>_DATA(<PyObject*>out)
    memcpy(od, b"<<<TRUNCATED|", 13)
    _b64_write(_KIND(sp), _DATA(sp), h, end, _IS_ASCII(sp), od + 13)
    memcpy(od + final - len(tail), <const char*>tail, len(tail))
    return out


cdef str _fill(str text, dict reg):
    cdef list parts = text.split(_LAZY)
    cdef Py_ssize_t i
    for i in range(1, len(parts), 2):
        parts[i] = _materialise(reg[_LAZY + parts[i] + _LAZY])
    return "".join(parts)


def trunc(str s not None, truncated, buffer, markers):
    """Middle truncation of one text (FORMAT.md §4.16): one or five line-list elements."""
    cdef Py_ssize_t B = _bound(buffer, "buffer")
    cdef Py_ssize_t n = _LEN(<PyObject*>s)
    cdef Py_ssize_t h, hidden
    if not truncated or n <= B:
        return [s]
    h = B // 2
    hidden = n - 2 * h
    first = s[:h]
    last = s[n - h:] if h else ""
    if markers:
        if hidden >= _lazy_min:
            return [first, "", _lazy_marker(s, h, hidden), "", last]
        return [first, "", MARK + "TRUNCATED|" + _b64_middle(s, h, n - h) + "|" + str(hidden) + ">>>", "", last]
    return [first + "\n\n... (" + str(hidden) + " chars truncated) ...\n\n" + last]


# --------------------------------------------------------------------------------------- finalise

cdef uint32_t _pipes_max2(Py_UCS2* p, Py_ssize_t n) noexcept nogil:
    """PIPE -> "|" in place; returns the max char (a branch-free loop the compiler vectorises)."""
    cdef Py_ssize_t i
    cdef uint32_t mx = 0, c
    for i in range(n):
        c = p[i]
        c = 124 if c == 0xDBFF else c
        p[i] = <Py_UCS2>c
        mx = c if c > mx else mx
    return mx


cdef void _pipes4(uint32_t* p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        p[i] = 124 if p[i] == 0xDBFF else p[i]


cdef str _finalise_text(str text):
    """Neutralise look-alikes, drop MARK's surrogate, PIPE -> "|" (placeholders are left alone).

    Same result as the pure twin's regex sub + two replaces: look-alikes are found in the input, a
    MARK is "<<<" + U+D800 where no look-alike starts, and scanning resumes after each match.
    """
    cdef PyObject* tp = <PyObject*>text
    cdef int kind = _KIND(tp), ok
    cdef const void* d = _DATA(tp)
    cdef Py_ssize_t n = _LEN(tp)
    cdef Py_ssize_t first = _find3(kind, d, 0, n)
    cdef Py_ssize_t i, p, ins = 0, marks = 0, o, seg, size
    cdef uint32_t mx
    cdef object out
    cdef void* od
    if first < 0:
        return text
    i = first
    while True:
        p = _find3(kind, d, i, n)
        if p < 0:
            break
        if _lookahead(kind, d, p + 3, n):
            ins += 1
            i = p + 3
        elif p + 3 < n and _rd(kind, d, p + 3) == 0xD800:
            marks += 1
            i = p + 4
        else:
            i = p + 1
    if ins == 0 and marks == 0 and (kind == 1 or _find_char(kind, d, 0, n, 0xDBFF) < 0):
        return text
    size = n + ins - marks
    # The input's kind, or UCS2 for inserted U+200B; narrowed below if dropping surrogates allows it.
    out = PyUnicode_New(size, 0x10FFFF if kind == 4 else 0xFFFF)
    ok = _KIND(<PyObject*>out)
    od = _DATA(<PyObject*>out)
    o = 0
    seg = 0
    i = first
    while True:
        p = _find3(kind, d, i, n)
        if p < 0:
            break
        if _lookahead(kind, d, p + 3, n):
            _copy(ok, od, o, kind, d, seg, p + 3 - seg)
            o += p + 3 - seg
            _wr(ok, od, o, 0x200B)
            o += 1
            seg = p + 3
            i = p + 3
        elif p + 3 < n and _rd(kind, d, p + 3) == 0xD800:
            _copy(ok, od, o, kind, d, seg, p + 3 - seg)
            o += p + 3 - seg
            seg = p + 4
            i = p + 4
        else:
            i = p + 1
    _copy(ok, od, o, kind, d, seg, n - seg)
    if ok == 4:
        _pipes4(<uint32_t*>od, size)
        return out
    mx = _pipes_max2(<Py_UCS2*>od, size)
    if mx < 256:  # only surrogates made it UCS2: the canonical string is narrower
        return PyUnicode_FromKindAndData(2, od, size)
    return out


def finalise(str text not None, markers):
    """Neutralise look-alikes in event text and turn renderer-made ``MARK``/``PIPE`` into text."""
    if not markers:
        return text
    text = _finalise_text(text)
    reg = getattr(_local, "reg", None)
    if reg and _LAZY in text:
        text = _fill(text, reg)
    return text


# ------------------------------------------------------------------------ numbering and sampling

cdef extern from *:
    """
    /* Line lengths of a UCS1/UCS2 buffer, 16 bytes at a time (SSE2, the x86-64 baseline; elsewhere a plain
     * loop): every '\n' found from *pstart on appends its line's length to lens[t++] and moves *pstart past
     * it. Stops when t reaches cap (the caller grows lens and calls again) or at the end of the buffer
     * (the last line, after the last '\n', is left to the caller). Returns t. */
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif
    static Py_ssize_t tr_line_lens(int kind, const void* d, Py_ssize_t* pstart, Py_ssize_t n,
                                   Py_ssize_t* lens, Py_ssize_t t, Py_ssize_t cap) {
        Py_ssize_t start = *pstart, i = start;
        if (t >= cap) return t;
    #if defined(__SSE2__)
        if (kind == 1) {
            const unsigned char* p = (const unsigned char*)d;
            const __m128i nl = _mm_set1_epi8(10);
            for (; i + 16 <= n; i += 16) {
                unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i*)(p + i)), nl));
                while (m) {
                    Py_ssize_t q = i + __builtin_ctz(m);
                    m &= m - 1;
                    lens[t++] = q - start;
                    start = q + 1;
                    if (t == cap) { *pstart = start; return t; }
                }
            }
        } else {
            const unsigned short* p = (const unsigned short*)d;
            const __m128i nl = _mm_set1_epi16(10);
            for (; i + 8 <= n; i += 8) {
                unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_loadu_si128((const __m128i*)(p + i)), nl));
                while (m) {
                    Py_ssize_t q = i + (__builtin_ctz(m) >> 1);
                    m &= m - 1;
                    m &= m - 1;  /* both bytes of the lane */
                    lens[t++] = q - start;
                    start = q + 1;
                    if (t == cap) { *pstart = start; return t; }
                }
            }
        }
    #endif
        for (; i < n; i++) {
            if ((kind == 1 ? ((const unsigned char*)d)[i] : ((const unsigned short*)d)[i]) == 10) {
                lens[t++] = i - start;
                start = i + 1;
                if (t == cap) break;
            }
        }
        *pstart = start;
        return t;
    }
    """
    Py_ssize_t tr_line_lens(int kind, const void* d, Py_ssize_t* pstart, Py_ssize_t n, Py_ssize_t* lens,
                            Py_ssize_t t, Py_ssize_t cap) noexcept nogil

cdef Py_ssize_t _digits(Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t w = 1
    while n >= 10:
        n //= 10
        w += 1
    return w


cdef Py_ssize_t _count_lines(list els) except -1:
    cdef Py_ssize_t t = 0, i, p, n
    cdef PyObject* e
    for i in range(len(els)):
        e = _LIST_ITEM(<PyObject*>els, i)
        n = _LEN(e)
        t += 1
        p = _find_char(_KIND(e), _DATA(e), 0, n, 10)
        while p >= 0:
            t += 1
            p = _find_char(_KIND(e), _DATA(e), p + 1, n, 10)
    return t


cdef str _numbered(list els, Py_ssize_t total_lines, Py_ssize_t size):
    """Every line of the elements joined by "\\n", numbered (§4.18); size is the exact result length."""
    cdef Py_ssize_t W = _digits(total_lines)
    cdef uint32_t mc = 127, m
    cdef Py_ssize_t i, j, n, start, nl, end, o = 0, ne = len(els)
    cdef PyObject* e
    cdef int ek
    cdef const void* ed
    cdef char dig[24]
    cdef object out
    cdef PyObject* op
    cdef int ok
    cdef void* od
    for i in range(ne):
        m = _MAXCHAR(_LIST_ITEM(<PyObject*>els, i))
        if m > mc:
            mc = m
    out = PyUnicode_New(size, mc)
    op = <PyObject*>out
    ok = _KIND(op)
    od = _DATA(op)
    memset(dig, 48, W)
    for i in range(ne):
        e = _LIST_ITEM(<PyObject*>els, i)
        ek = _KIND(e)
        ed = _DATA(e)
        n = _LEN(e)
        start = 0
        while True:
            nl = _find_char(ek, ed, start, n, 10)
            end = n if nl < 0 else nl
            j = W - 1
            while dig[j] == 57:
                dig[j] = 48
                j -= 1
            dig[j] += 1
            _wr(ok, od, o, 76)  # L
            _wr_ascii(ok, od, o + 1, dig, W)
            _wr(ok, od, o + 1 + W, 58)
            _wr(ok, od, o + 2 + W, 32)
            o += W + 3
            _copy(ok, od, o, ek, ed, start, end - start)
            o += end - start
            if nl < 0:
                break
            _wr(ok, od, o, 10)
            o += 1
            start = nl + 1
        if i + 1 < ne:
            _wr(ok, od, o, 10)
            o += 1
    if o != size:
        raise AssertionError("numbered length mismatch")
    return out


def number_lines(str text not None):
    """Prefix every line with ``L<k>: ``, zero-padded to the digit count of the line total (§4.18)."""
    cdef list els = [text]
    cdef Py_ssize_t t = _count_lines(els)
    return _numbered(els, t, _LEN(<PyObject*>text) + t * (_digits(t) + 3))


cdef struct Lines:
    Py_ssize_t* lens        # final length of every line (without prefix)
    Py_ssize_t* elem_first  # line index of each element's first line; [n_el] = total
    Py_ssize_t total


cdef void _lines_free(Lines* L) noexcept:
    PyMem_Free(L.lens)
    PyMem_Free(L.elem_first)
    L.lens = NULL
    L.elem_first = NULL


cdef int _lines_build(Lines* L, list els, dict lazy) except -1:
    """Line lengths of the elements joined by "\\n"; a lazy element is one line of its final length."""
    cdef Py_ssize_t ne = len(els), cap = ne + 16, t = 0, i, p, start, n
    cdef PyObject* e
    cdef int ek
    cdef const void* ed
    cdef Py_ssize_t* grown
    L.lens = <Py_ssize_t*>PyMem_Malloc(cap * sizeof(Py_ssize_t))
    L.elem_first = <Py_ssize_t*>PyMem_Malloc((ne + 1) * sizeof(Py_ssize_t))
    if L.lens == NULL or L.elem_first == NULL:
        raise MemoryError()
    for i in range(ne):
        L.elem_first[i] = t
        e = _LIST_ITEM(<PyObject*>els, i)
        if lazy is not None and i in lazy:
            if t == cap:
                cap *= 2
                grown = <Py_ssize_t*>PyMem_Realloc(L.lens, cap * sizeof(Py_ssize_t))
                if grown == NULL:
                    raise MemoryError()
                L.lens = grown
            L.lens[t] = lazy[i][3]
            t += 1
            continue
        ek = _KIND(e)
        ed = _DATA(e)
        n = _LEN(e)
        start = 0
        while True:
            if t == cap:
                cap *= 2
                grown = <Py_ssize_t*>PyMem_Realloc(L.lens, cap * sizeof(Py_ssize_t))
                if grown == NULL:
                    raise MemoryError()
                L.lens = grown
            if ek != 4:
                t = tr_line_lens(ek, ed, &start, n, L.lens, t, cap)
                if t == cap:
                    continue  # full: grow, then go on from start
                L.lens[t] = n - start  # the last line
                t += 1
                break
            p = _find_char(ek, ed, start, n, 10)
            if p < 0:
                L.lens[t] = n - start
                t += 1
                break
            L.lens[t] = p - start
            t += 1
            start = p + 1
    L.elem_first[ne] = t
    L.total = t
    return 0


cdef bint _fits(const Py_ssize_t* body, Py_ssize_t n, Py_ssize_t step, Py_ssize_t k,
                Py_ssize_t avail) noexcept nogil:
    """sum(cost[j] for j in sel(k)) <= avail, cost[j] = body[j] + step (§4.19 step 5)."""
    cdef Py_ssize_t i, total = 0, q = 0, r = 0, dq, dr, d
    if k == 0:
        return avail >= 0
    if k == 1:
        return body[n - 1] + step <= avail
    d = k - 1
    dq = (n - 1) // d
    dr = (n - 1) % d
    # index i*(n-1)//(k-1), stepped without a multiplication that could overflow
    for i in range(k):
        total += body[q] + step
        if total > avail:
            return False
        q += dq
        r += dr
        if r >= d:
            r -= d
            q += 1
    return True


cdef Py_ssize_t _search(const Py_ssize_t* body, Py_ssize_t n, Py_ssize_t step, Py_ssize_t avail) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _fits(body, n, step, mid, avail):
            lo = mid
        else:
            hi = mid - 1
    return lo


cdef void _sel(Py_ssize_t n, Py_ssize_t k, Py_ssize_t* out) noexcept nogil:
    cdef Py_ssize_t i, q = 0, r = 0, d, dq, dr
    if k == 1:
        out[0] = n - 1
        return
    if k == 0:
        return
    d = k - 1
    dq = (n - 1) // d
    dr = (n - 1) % d
    for i in range(k):
        out[i] = q
        q += dq
        r += dr
        if r >= d:
            r -= d
            q += 1


cdef class _Walker:
    """Yields final lines in increasing index order from the elements, without splitting them."""
    cdef list els
    cdef dict lazy
    cdef Lines* L
    cdef bint numbered
    cdef Py_ssize_t W, ei, pos, li

    cdef str line(self, Py_ssize_t t, Py_ssize_t limit):
        """Final line t (prefix included), at most limit characters if limit >= 0."""
        cdef PyObject* e
        cdef Py_ssize_t n, nl, end
        cdef str prefix = ""
        cdef str body
        while self.L.elem_first[self.ei + 1] <= t:
            self.ei += 1
            self.pos = 0
            self.li = self.L.elem_first[self.ei]
        e = _LIST_ITEM(<PyObject*>self.els, self.ei)
        n = _LEN(e)
        while self.li < t:
            self.pos = _find_char(_KIND(e), _DATA(e), self.pos, n, 10) + 1
            self.li += 1
        if self.numbered:
            prefix = "L" + str(t + 1).zfill(self.W) + ": "
            if limit >= 0:
                if limit <= len(prefix):
                    return prefix[:limit]
                limit -= len(prefix)
        if self.lazy is not None and self.ei in self.lazy:
            body = _materialise(self.lazy[self.ei])
            if limit >= 0:
                body = body[:limit]
        else:
            nl = _find_char(_KIND(e), _DATA(e), self.pos, n, 10)
            end = n if nl < 0 else nl
            if limit >= 0 and end - self.pos > limit:
                end = self.pos + limit
            body = PyUnicode_Substring(<object>e, self.pos, end)
        return prefix + body if self.numbered else body


cdef tuple _sampled(list els, dict lazy, bint numbered, Py_ssize_t m, object node_lines, Lines* pre):
    """§4.19 for a text longer than m given as elements (joined by "\\n").

    ``pre``: the elements' line table if the caller built it already (freed here), else NULL.
    """
    cdef Lines L
    cdef Py_ssize_t* sel = NULL
    cdef Py_ssize_t* sel2 = NULL
    cdef Py_ssize_t* body
    cdef Py_ssize_t T, n, extra, avail = -1, used, k, i, nsel, best, ns2, step, lo, hi, mid
    cdef bint chosen
    cdef _Walker w
    if pre != NULL:
        L = pre[0]
    else:
        L.lens = NULL
        L.elem_first = NULL
    try:
        if pre == NULL:
            _lines_build(&L, els, lazy)
        T = L.total
        n = T - 5
        extra = _digits(T) + 3 if numbered else 0
        w = _Walker.__new__(_Walker)
        w.els = els
        w.lazy = lazy
        w.L = &L
        w.numbered = numbered
        w.W = _digits(T)
        w.ei = 0
        w.pos = 0
        w.li = 0
        if n > 0:
            avail = m - (L.lens[0] + L.lens[1] + L.lens[2] + L.lens[3] + L.lens[4] + 5 * extra
                         + len(_py._note(n, n, T)) + 5)
        if n <= 0 or avail < 0:
            used = L.lens[0] + extra
            if used > m:
                return w.line(0, m), True
            k = 1
            while k < T and used + 1 + L.lens[k] + extra <= m:
                used += 1 + L.lens[k] + extra
                k += 1
            return "\n".join([w.line(i, -1) for i in range(k)]), True
        step = extra + 1
        body = L.lens + 5
        k = _search(body, n, step, avail)
        sel = <Py_ssize_t*>PyMem_Malloc((k + 2) * sizeof(Py_ssize_t))
        if sel == NULL:
            raise MemoryError()
        _sel(n, k, sel)
        nsel = k
        if node_lines:
            nodes = [j - 5 for j in node_lines if 5 <= j < 5 + n]
            if nodes:
                chosen = False
                for j in nodes:  # sel is strictly increasing: binary search
                    lo, hi = 0, nsel
                    while lo < hi:
                        mid = (lo + hi) // 2
                        if sel[mid] < j:
                            lo = mid + 1
                        else:
                            hi = mid
                    if lo < nsel and sel[lo] == j:
                        chosen = True
                        break
                if not chosen:
                    best = -1
                    for j in nodes:
                        if body[<Py_ssize_t>j] + step <= avail and j > best:
                            best = j
                    if best >= 0:
                        ns2 = _search(body, n, step, avail - (body[best] + step))
                        sel2 = <Py_ssize_t*>PyMem_Malloc((ns2 + 1) * sizeof(Py_ssize_t))
                        if sel2 == NULL:
                            raise MemoryError()
                        _sel(n, ns2, sel2)
                        PyMem_Free(sel)
                        sel = <Py_ssize_t*>PyMem_Malloc((ns2 + 1) * sizeof(Py_ssize_t))
                        if sel == NULL:
                            raise MemoryError()
                        nsel = 0
                        i = 0
                        while i < ns2 and sel2[i] < best:
                            sel[nsel] = sel2[i]
                            nsel += 1
                            i += 1
                        sel[nsel] = best
                        nsel += 1
                        if i < ns2 and sel2[i] == best:
                            i += 1
                        while i < ns2:
                            sel[nsel] = sel2[i]
                            nsel += 1
                            i += 1
        head = [w.line(i, -1) for i in range(5)]
        if nsel:
            kept = [w.line(5 + sel[i], -1) for i in range(nsel)]
        elif avail >= 2:
            kept = [w.line(T - 1, avail - 1)]
        else:
            kept = []
        return "\n".join(head[:2] + [_py._note(len(kept), n, T)] + head[2:] + kept), True
    finally:
        PyMem_Free(sel)
        PyMem_Free(sel2)
        _lines_free(&L)


def sample(str text not None, max_length, node_lines):
    """Bound ``len(text)`` by ``max_length`` with line sampling (FORMAT.md §4.19)."""
    cdef Py_ssize_t m = _bound(max_length, "max_length")
    if m == 0 or _LEN(<PyObject*>text) <= m:
        return text, False
    return _sampled([text], None, False, m, node_lines, NULL)


def assemble(elements, markers, line_numbers, max_length, node_lines):
    """The final text of a line list and whether sampling changed it.

    Same result as ``sample(number_lines(finalise("\\n".join(elements), markers)), max_length,
    node_lines)`` (numbering only when ``line_numbers``), without building texts sampling drops.
    Empties this thread's lazy-marker registry.
    """
    cdef Py_ssize_t m = _bound(max_length, "max_length")
    reg = getattr(_local, "reg", None) if markers else None
    try:
        if reg:
            _exact_sizes(reg, m)
        return _assemble(elements, markers, line_numbers, m, node_lines, reg)
    finally:
        if reg:
            reg.clear()


cdef tuple _assemble(object elements, bint markers, bint numbered, Py_ssize_t m, object node_lines,
                     dict reg):
    cdef list els = elements if type(elements) is list else list(elements)
    cdef Py_ssize_t ne = len(els), i, size = 0, t = 0
    cdef PyObject* e
    cdef bint any_lt = False
    cdef dict lazy = None
    for i in range(ne):
        e = _LIST_ITEM(<PyObject*>els, i)
        if not _IS_STR(e):
            "\n".join(els)  # raises the canonical TypeError
        if markers and not any_lt and _find3(_KIND(e), _DATA(e), 0, _LEN(e)) >= 0:
            any_lt = True
    if ne == 0:
        els = [""]
        ne = 1
    if any_lt or reg:
        fin = []
        for x in els:
            if any_lt:
                if "<<<" in x:
                    x = _finalise_text(x)
                elif PIPE in x:
                    x = x.replace(PIPE, "|")
            if reg and _LAZY in x:
                if x in reg:
                    if lazy is None:
                        lazy = {}
                    lazy[len(fin)] = reg[x]
                else:
                    x = _fill(x, reg)
            fin.append(x)
        els = fin
    for i in range(ne):
        size += _LEN(_LIST_ITEM(<PyObject*>els, i))
    size += ne - 1
    if lazy is not None:
        for i, entry in lazy.items():
            size += entry[3] - _LEN(_LIST_ITEM(<PyObject*>els, i))
    if not numbered:
        if m == 0 or size <= m:
            return "\n".join(_materialised(els, lazy)), False
        return _sampled(els, lazy, False, m, node_lines, NULL)
    # Numbered: the line table gives the line count, and sampling reuses it.
    cdef Lines L
    L.lens = NULL
    L.elem_first = NULL
    try:
        _lines_build(&L, els, lazy)
    except BaseException:
        _lines_free(&L)
        raise
    t = L.total
    size += t * (_digits(t) + 3)
    if m == 0 or size <= m:
        _lines_free(&L)
        return _numbered(_materialised(els, lazy), t, size), False
    return _sampled(els, lazy, True, m, node_lines, &L)


cdef list _materialised(list els, dict lazy):
    cdef Py_ssize_t i
    if lazy is not None:
        for i, entry in lazy.items():
            els[i] = _materialise(entry)
    return els


# ------------------------------------------------------------------------------------------- JSON

class _Delegate(Exception):
    """A value outside the fast path: the pure twin encodes it."""


cdef struct Writer:
    char* buf
    int kind
    Py_ssize_t n
    Py_ssize_t cap


cdef int _w_init(Writer* w) except -1:
    w.cap = 256
    w.n = 0
    w.kind = 1
    w.buf = <char*>PyMem_Malloc(w.cap)
    if w.buf == NULL:
        raise MemoryError()
    return 0


cdef int _w_grow(Writer* w, Py_ssize_t extra, int kind) except -1:
    """Room for extra more characters of at least the given kind."""
    cdef Py_ssize_t need = w.n + extra, cap = w.cap, i
    cdef char* nb
    if kind <= w.kind and need <= cap:
        return 0
    while cap < need:
        cap *= 2
    if kind <= w.kind:
        nb = <char*>PyMem_Realloc(w.buf, cap * w.kind)
        if nb == NULL:
            raise MemoryError()
        w.buf = nb
        w.cap = cap
        return 0
    nb = <char*>PyMem_Malloc(cap * kind)
    if nb == NULL:
        raise MemoryError()
    _copy(kind, nb, 0, w.kind, w.buf, 0, w.n)
    PyMem_Free(w.buf)
    w.buf = nb
    w.cap = cap
    w.kind = kind
    return 0


cdef inline int _w_ascii(Writer* w, const char* s, Py_ssize_t n) except -1:
    if w.n + n > w.cap:
        _w_grow(w, n, 1)
    _wr_ascii(w.kind, w.buf, w.n, s, n)
    w.n += n
    return 0


cdef inline int _w_char(Writer* w, uint32_t c) except -1:
    if w.n + 1 > w.cap:
        _w_grow(w, 1, 1)
    _wr(w.kind, w.buf, w.n, c)
    w.n += 1
    return 0


cdef int _w_indent(Writer* w, Py_ssize_t spaces) except -1:
    cdef Py_ssize_t k
    _w_grow(w, spaces + 1, 1)
    _wr(w.kind, w.buf, w.n, 10)
    if w.kind == 1:
        memset(w.buf + w.n + 1, 32, spaces)
    else:
        for k in range(spaces):
            _wr(w.kind, w.buf, w.n + 1 + k, 32)
    w.n += spaces + 1
    return 0


cdef inline Py_ssize_t _plain_run(const chars* p, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    """End of the run of characters from i that a JSON string writes as they are."""
    cdef uint32_t c
    while i < n:
        c = p[i]
        if c < 0x20 or c == 34 or c == 92:
            return i
        i += 1
    return n


cdef int _w_json_str(Writer* w, PyObject* s) except -1:
    """A JSON string as json.dumps(ensure_ascii=False) writes it."""
    cdef int kind = _KIND(s)
    cdef const void* d = _DATA(s)
    cdef Py_ssize_t n = _LEN(s), i = 0, end
    cdef uint32_t c
    cdef char esc[6]
    _w_grow(w, n + 2, kind)
    _wr(w.kind, w.buf, w.n, 34)
    w.n += 1
    while True:
        if kind == 1:
            end = _plain_run(<const Py_UCS1*>d, i, n)
        elif kind == 2:
            end = _plain_run(<const Py_UCS2*>d, i, n)
        else:
            end = _plain_run(<const uint32_t*>d, i, n)
        if end > i:
            _w_grow(w, end - i, kind)
            _copy(w.kind, w.buf, w.n, kind, d, i, end - i)
            w.n += end - i
        if end >= n:
            break
        c = _rd(kind, d, end)
        i = end + 1
        if c == 34:
            _w_ascii(w, b'\\"', 2)
        elif c == 92:
            _w_ascii(w, b"\\\\", 2)
        elif c == 10:
            _w_ascii(w, b"\\n", 2)
        elif c == 13:
            _w_ascii(w, b"\\r", 2)
        elif c == 9:
            _w_ascii(w, b"\\t", 2)
        elif c == 8:
            _w_ascii(w, b"\\b", 2)
        elif c == 12:
            _w_ascii(w, b"\\f", 2)
        else:
            esc[0] = 92
            esc[1] = 117
            esc[2] = 48
            esc[3] = 48
            esc[4] = _HEX[c >> 4]
            esc[5] = _HEX[c & 15]
            _w_ascii(w, esc, 6)
    _w_char(w, 34)
    return 0


cdef int _w_pystr(Writer* w, str s) except -1:
    cdef PyObject* sp = <PyObject*>s
    cdef Py_ssize_t n = _LEN(sp)
    _w_grow(w, n, _KIND(sp))
    _copy(w.kind, w.buf, w.n, _KIND(sp), _DATA(sp), 0, n)
    w.n += n
    return 0


cdef int _w_scalar(Writer* w, PyObject* v) except -1:
    cdef PyTypeObject* t = _TYPE(v)
    cdef double x
    cdef char* r
    cdef long long ll
    cdef int overflow = 0
    cdef char num[32]
    cdef int k
    cdef unsigned long long u
    if t == &PyUnicode_Type:
        return _w_json_str(w, v)
    if v == _Py_None:
        return _w_ascii(w, b"null", 4)
    if v == _Py_True:
        return _w_ascii(w, b"true", 4)
    if v == _Py_False:
        return _w_ascii(w, b"false", 5)
    if t == &PyLong_Type:
        ll = _LONG_VALUE(v, &overflow)
        if overflow:
            return _w_pystr(w, int_str(<object>v))
        u = (0ULL - <unsigned long long>ll) if ll < 0 else <unsigned long long>ll
        k = 32
        while True:
            k -= 1
            num[k] = 48 + <char>(u % 10)
            u //= 10
            if u == 0:
                break
        if ll < 0:
            k -= 1
            num[k] = 45
        return _w_ascii(w, num + k, 32 - k)
    if t == &PyFloat_Type:
        x = _FLOAT_VALUE(v)
        if x != x:
            return _w_ascii(w, b"NaN", 3)
        if isinf(x):
            return _w_ascii(w, b"Infinity", 8) if x > 0 else _w_ascii(w, b"-Infinity", 9)
        r = PyOS_double_to_string(x, <char>114, 0, Py_DTSF_ADD_DOT_0, NULL)  # 'r': repr's shortest form
        try:
            k = 0
            while r[k]:
                k += 1
            _w_ascii(w, r, k)
        finally:
            PyMem_Free(r)
        return 0
    raise _Delegate()


cdef struct Frame:
    PyObject* obj
    Py_ssize_t pos
    bint is_dict
    bint started


cdef str _encode(object root, int indent):
    """json.dumps(root, ensure_ascii=False[, indent=indent]) for exact JSON types, iteratively."""
    cdef Writer w
    cdef Frame* stack = NULL
    cdef Frame* f
    cdef Py_ssize_t depth = 0, cap = 16
    cdef PyObject* v = <PyObject*>root
    cdef PyObject* key
    cdef PyObject* val
    cdef PyTypeObject* t
    w.buf = NULL
    try:
        _w_init(&w)
        stack = <Frame*>PyMem_Malloc(cap * sizeof(Frame))
        if stack == NULL:
            raise MemoryError()
        while True:
            t = _TYPE(v)
            if t == &PyDict_Type or t == &PyList_Type:
                if (_DICT_SIZE(v) if t == &PyDict_Type else _LIST_SIZE(v)) == 0:
                    _w_ascii(&w, b"{}" if t == &PyDict_Type else b"[]", 2)
                else:
                    if depth == cap:
                        cap *= 2
                        f = <Frame*>PyMem_Realloc(stack, cap * sizeof(Frame))
                        if f == NULL:
                            raise MemoryError()
                        stack = f
                    stack[depth].obj = v
                    stack[depth].pos = 0
                    stack[depth].is_dict = t == &PyDict_Type
                    stack[depth].started = False
                    depth += 1
                    _w_char(&w, 123 if t == &PyDict_Type else 91)
            else:
                _w_scalar(&w, v)
            # The next value: the next member of the innermost open container, closing finished ones.
            while depth:
                f = &stack[depth - 1]
                if f.is_dict:
                    if _DICT_NEXT(f.obj, &f.pos, &key, &val):
                        if _TYPE(key) != &PyUnicode_Type:
                            raise _Delegate()
                        if f.started:
                            _w_char(&w, 44)
                            if not indent:
                                _w_char(&w, 32)
                        f.started = True
                        if indent:
                            _w_indent(&w, indent * depth)
                        _w_json_str(&w, key)
                        _w_ascii(&w, b": ", 2)
                        v = val
                        break
                elif f.pos < _LIST_SIZE(f.obj):
                    if f.started:
                        _w_char(&w, 44)
                        if not indent:
                            _w_char(&w, 32)
                    f.started = True
                    if indent:
                        _w_indent(&w, indent * depth)
                    v = _LIST_ITEM(f.obj, f.pos)
                    f.pos += 1
                    break
                depth -= 1
                if indent:
                    _w_indent(&w, indent * depth)
                _w_char(&w, 125 if f.is_dict else 93)
            else:
                return PyUnicode_FromKindAndData(w.kind, w.buf, w.n)
    finally:
        PyMem_Free(w.buf)
        PyMem_Free(stack)


def jdump(v):
    """``json.dumps(v, ensure_ascii=False)``: compact, ``", "`` / ``": "`` separators."""
    try:
        return _encode(v, 0)
    except _Delegate:
        return _py.jdump(v)


def jdump2(v):
    """``json.dumps(v, ensure_ascii=False, indent=2)``."""
    try:
        return _encode(v, 2)
    except _Delegate:
        return _py.jdump2(v)


def int_str(n):
    """Decimal form of any int, also past CPython's 4300-digit str() limit."""
    return _py.int_str(n)


def disp(v):
    """Display form (§1.1): strings as-is, None/True/False Python-style, containers as JSON."""
    cdef PyObject* p = <PyObject*>v
    cdef PyTypeObject* t = _TYPE(p)
    if t == &PyUnicode_Type:
        return v
    if p == _Py_None:
        return "None"
    if p == _Py_True:
        return "True"
    if p == _Py_False:
        return "False"
    if t == &PyLong_Type:
        return _py.int_str(v)
    if t == &PyFloat_Type:
        return repr(v)
    if t == &PyDict_Type or t == &PyList_Type:
        return jdump(v)
    return str(v)


# ------------------------------------------------------------------------------- big-integer detection

cdef inline bint _isdig(uint32_t c) noexcept nogil:
    return c - 48 < 10


cdef bint _digit_run(int kind, const void* d, Py_ssize_t n) noexcept nogil:
    # Skip-ahead: look at every 19th unit; a non-digit there rules out every run that would cover it.
    cdef Py_ssize_t i = 18, j
    while i < n:
        if not _isdig(_rd(kind, d, i)):
            i += 19
            continue
        j = i - 1
        while j > i - 19 and _isdig(_rd(kind, d, j)):
            j -= 1
        if j == i - 19:
            return True
        i = j + 19
    return False


def has_digit_run(s):
    """Whether ``s`` (bytes or str) holds 19 ASCII digits in a row."""
    cdef PyObject* p
    if type(s) is bytes:
        return _digit_run(1, <const char*>(<bytes>s), len(<bytes>s))
    if type(s) is str:
        p = <PyObject*>s
        return _digit_run(_KIND(p), _DATA(p), _LEN(p))
    raise TypeError(f"expected bytes or str, not {type(s).__name__}")


# ------------------------------------------------------------------------------ lone-surrogate escapes

cdef inline bint _hex(unsigned char c) noexcept nogil:
    return (48 <= c <= 57) or (97 <= c <= 102) or (65 <= c <= 70)


cdef inline int _esc(const unsigned char* p, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    """At p[i] (a backslash): 1 for a high-surrogate escape \\uD8xx-\\uDBxx, 2 for a low one \\uDCxx-\\uDFxx,
    else 0."""
    cdef unsigned char c
    if i + 6 > n or p[i + 1] != 117 or (p[i + 2] != 100 and p[i + 2] != 68) or not _hex(p[i + 4]) \
            or not _hex(p[i + 5]):
        return 0
    c = p[i + 3]
    if c == 56 or c == 57 or c == 97 or c == 98 or c == 65 or c == 66:  # 8 9 a b A B
        return 1
    if (99 <= c <= 102) or (67 <= c <= 70):  # c-f C-F
        return 2
    return 0


cdef extern from "Python.h":
    bytes PyBytes_FromStringAndSize(const char* v, Py_ssize_t n)
    char* PyBytes_AS_STRING(object o)


def patch_escapes(raw):
    """``raw`` (JSON text) with every lone-surrogate escape replaced by ``\\ufffd`` (the §1.1 repair, for
    orjson); a valid pair stays. Every replacement has the length of what it replaces."""
    if type(raw) is not bytes:
        return _py.patch_escapes(raw)
    cdef const unsigned char* p = <const unsigned char*>(<bytes>raw)
    cdef Py_ssize_t n = len(<bytes>raw), i = 0, j, at
    cdef const unsigned char* q
    cdef int kind
    cdef bint odd, pair
    cdef bytes out = None
    cdef unsigned char* o = NULL
    cdef Py_ssize_t done = 0  # raw[:done] is in out already
    # The escapes the pure twin's regex matches, left to right and without overlap (each starts with a
    # backslash): a high-surrogate escape with its low partner when one follows, or a lone one of either.
    while i < n:
        q = <const unsigned char*>memchr(p + i, 92, n - i)
        if q == NULL:
            break
        i = q - p
        kind = _esc(p, i, n)
        if kind == 0:
            i += 1
            continue
        pair = kind == 1 and i + 6 < n and p[i + 6] == 92 and _esc(p, i + 6, n) == 2
        j = i  # backslashes right before the match: an odd run escapes its backslash
        while j and p[j - 1] == 92:
            j -= 1
        odd = (i - j) & 1
        at = -1  # where "\\ufffd" goes
        if odd:
            if pair:
                at = i + 6
        elif not pair:
            at = i
        if at >= 0:
            if out is None:  # one copy, built as it goes (replacements keep the length)
                out = PyBytes_FromStringAndSize(NULL, n)
                o = <unsigned char*>PyBytes_AS_STRING(out)
            memcpy(o + done, p + done, at - done)
            memcpy(o + at, b"\\ufffd", 6)
            done = at + 6
        i += 12 if pair else 6
    if out is None:
        return raw
    memcpy(o + done, p + done, n - done)
    return out
