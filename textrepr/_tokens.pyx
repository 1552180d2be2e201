# cython: language_level=3
"""Token estimation, compiled twin of ``textrepr._tokens_py`` (same classes, runs and weights; see there)."""

from cpython.unicode cimport PyUnicode_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH

from libc.stdint cimport uint8_t, uint16_t, uint32_t

ctypedef fused char_t:
    uint8_t
    uint16_t
    uint32_t

__all__ = ["estimate_with", "WEIGHT_COUNT"]

WEIGHT_COUNT = 36

cdef enum:
    W13 = 0
    W46 = 1
    W710 = 2
    W11 = 3
    LONG = 4
    CAMEL = 5
    PUNCT = 6
    PRUN = 7
    DIGITS = 8
    SPACES = 9
    WSRUN = 10
    WSCHAR = 11
    LATIN = 12
    GREEK = 13
    HEBREW = 14
    DEVANAGARI = 15
    XWORD = 16
    HAN = 17
    OTHER_W = 18
    SYMBOL_W = 19
    ASTRAL_W = 20
    CAPS = 21
    ALNUM = 22
    CYRILLIC = 23
    ARABIC = 24
    KANA = 25
    HANGUL = 26
    INDIC = 27
    NW = 36
    C_LETTER = 0
    C_DIGIT = 1
    C_SPACE = 2
    C_WS = 3
    C_PUNCT = 4
    C_XLETTER = 5
    C_SINGLE = 6

cdef unsigned char ASCII[128]
cdef int _o
for _o in range(128):
    if 97 <= _o <= 122 or 65 <= _o <= 90:
        ASCII[_o] = C_LETTER
    elif 48 <= _o <= 57:
        ASCII[_o] = C_DIGIT
    elif _o == 32:
        ASCII[_o] = C_SPACE
    elif 9 <= _o <= 13:
        ASCII[_o] = C_WS
    else:
        ASCII[_o] = C_PUNCT


cdef inline int weight_of(Py_UCS4 o) noexcept nogil:
    """The weight index of a non-ASCII code point (``letter_weight`` of the pure twin)."""
    if o < 0x250 or 0x1E00 <= o < 0x1F00:
        return LATIN
    if o < 0x400:
        return GREEK
    if o < 0x530:
        return CYRILLIC
    if o < 0x600:
        return HEBREW
    if o < 0x900:
        return ARABIC
    if o < 0x980:
        return DEVANAGARI
    if o < 0xE00:
        return INDIC + ((<int>o - 0x980) >> 7)
    if o < 0x2000:
        return OTHER_W
    if 0x3040 <= o <= 0x30FF:
        return KANA
    if 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF:
        return HAN
    if 0xAC00 <= o <= 0xD7AF:
        return HANGUL
    if o < 0x10000:
        return SYMBOL_W
    return ASTRAL_W


cdef inline int cls(Py_UCS4 o) noexcept nogil:
    if o < 128:
        return ASCII[o]
    if o < 0xE00 or 0x1E00 <= o < 0x1F00:  # the alphabetic scripts: letters of words
        return C_XLETTER
    return C_SINGLE


def estimate_with(str text, w):
    """Estimated tokens of ``text`` under weight table ``w`` (thousandths of a token per feature)."""
    cdef long long wt[NW]
    cdef Py_ssize_t k
    if len(w) != NW:
        raise ValueError(f"a weight table has {NW} entries, not {len(w)}")
    for k in range(NW):
        wt[k] = w[k]
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef long long total
    if kind == 1:
        total = _scan(<const uint8_t*>data, n, wt)
    elif kind == 2:
        total = _scan(<const uint16_t*>data, n, wt)
    else:
        total = _scan(<const uint32_t*>data, n, wt)
    return (total + 999) // 1000


cdef inline Py_ssize_t _letters(const char_t* data, Py_ssize_t i, Py_ssize_t n, const long long* wt,
                                long long* cost) noexcept nogil:
    """The end of the ASCII letter run starting at ``i``; its cost (without ALNUM) goes to ``cost``."""
    cdef long long camel = 0, caps = 0, c
    cdef Py_ssize_t j = i + 1, size
    cdef Py_UCS4 o
    cdef bint lower = data[i] >= 97
    while j < n:
        o = data[j]
        if o >= 128 or ASCII[o] != C_LETTER:
            break
        if o <= 90:
            if lower:
                camel += 1
            else:
                caps += 1
        lower = o >= 97
        j += 1
    size = j - i
    if size <= 3:
        c = wt[W13]
    elif size <= 6:
        c = wt[W46]
    elif size <= 10:
        c = wt[W710]
    else:
        c = wt[W11] + wt[LONG] * (size - 10)
    cost[0] = c + wt[CAMEL] * camel + wt[CAPS] * caps
    return j


cdef long long _scan(const char_t* data, Py_ssize_t n, const long long* wt) noexcept nogil:
    cdef Py_ssize_t i = 0, j
    cdef long long total = 0, cost, same
    cdef Py_UCS4 o
    cdef int c, c2
    while i < n:
        o = data[i]
        c = cls(o)
        j = i + 1
        if c == C_LETTER:
            j = _letters(data, i, n, wt, &cost)
            total += cost
            if i and data[i - 1] < 128 and ASCII[data[i - 1]] == C_DIGIT:
                total += wt[ALNUM]
        elif c == C_XLETTER:
            total += wt[XWORD] + wt[weight_of(o)]
            while j < n:
                c2 = cls(data[j])
                if c2 == C_LETTER:
                    j = _letters(data, j, n, wt, &cost)
                    total += cost
                elif c2 == C_XLETTER:
                    total += wt[weight_of(data[j])]
                    j += 1
                else:
                    break
        elif c == C_DIGIT:
            while j < n and data[j] < 128 and ASCII[data[j]] == C_DIGIT:
                j += 1
            total += wt[DIGITS] * ((j - i + 2) // 3)
            if i and data[i - 1] < 128 and ASCII[data[i - 1]] == C_LETTER:
                total += wt[ALNUM]
        elif c == C_PUNCT:
            total += wt[PRUN]
            same = 1  # length of the current run of one repeated character
            while True:
                if j < n and data[j] == data[j - 1]:
                    same += 1
                else:
                    # a rule such as "-" * 80: BPE has tokens for long runs of one character
                    total += min(wt[PUNCT] * same, wt[PRUN] * ((same + 31) // 32))
                    if j >= n or data[j] >= 128 or ASCII[data[j]] != C_PUNCT:
                        break
                    same = 1
                j += 1
        elif c == C_SPACE:
            while j < n and data[j] == 32:
                j += 1
            if j < n and data[j] < 128 and ASCII[data[j]] == C_WS:
                while j < n and data[j] < 128 and (ASCII[data[j]] == C_WS or ASCII[data[j]] == C_SPACE):
                    j += 1
                total += wt[WSRUN] + wt[WSCHAR] * (j - i)
            elif j - i >= 2:
                total += wt[SPACES]
        elif c == C_WS:
            while j < n and data[j] < 128 and (ASCII[data[j]] == C_WS or ASCII[data[j]] == C_SPACE):
                j += 1
            total += wt[WSRUN] + wt[WSCHAR] * (j - i)
        else:  # C_SINGLE
            total += wt[weight_of(o)]
        i = j
    return total
