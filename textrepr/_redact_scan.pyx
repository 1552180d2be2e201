# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
# cython: embedsignature=True
"""Compiled twin of ``textrepr._redact_scan_py``: the same names with the same results.

:func:`triggers` lists where a built-in rule's match may start; :func:`prefilter` is the same scan stopped
at the first trigger. A Latin-1 string is tested 256 characters a step after its first 256 (AVX-512: one
byte permute per offset, the first offset case-folded by a GF(2) affine instruction, a '_' kept at the word
it may end; AVX2: 32 a step by nibble products; ``_redact_simd.h``),
UCS2 narrowed to bytes by runs of blocks; a step that keeps a position is re-checked with the exact classes,
and only the positions they keep are checked in place (``_trig_at``), their triggers collected as C triples.
:func:`walk_event` / :func:`walk_value` walk the parsed value with the scan inline (a stack in C, each
object key looked up once by identity): with ``PRE_STARTS`` a string is kept only where a match may start,
its starts found in the same pass, so a clean string costs one scan and no allocation. :func:`raw_clean`
scans a request's whole JSON text once (the same tables, plus a backslash, and ASCII checked in the block
loop) and says when no walk is needed.
"""
from cpython.dict cimport PyDict_GetItemWithError, PyDict_Next, PyDict_SetItem
from cpython.long cimport PyLong_FromVoidPtr
from cpython.ref cimport Py_DECREF, Py_INCREF, Py_XDECREF
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE, PyList_SetItem
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.object cimport PyObject
from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport qsort
from libc.string cimport memchr, memset
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc

from . import _redact_scan_py as _py

__all__ = [
    "PRE_SECRETS", "PRE_PII", "PRE_ALL", "PRE_STARTS", "K_AT_START", "K_AWS", "K_URL", "K_EMAIL", "K_V6", "K_NUM",
    "SECRET_MARKER", "MIN_MATCH", "prefilter", "prefilter_pays", "raw_clean", "triggers", "starts", "starts_of",
    "is_secret", "walk_value", "walk_event", "keys_of",
]

PRE_SECRETS, PRE_PII, PRE_ALL, PRE_STARTS = 1, 2, 4, 8
K_AT_START, K_AWS, K_URL, K_EMAIL, K_V6, K_NUM = 0, 1, 2, 3, 4, 5

cdef extern from "Python.h":
    int PyUnicode_KIND(object)
    void* PyUnicode_DATA(object)
    Py_ssize_t PyUnicode_GET_LENGTH(object)
    uint32_t PyUnicode_READ(int kind, void* data, Py_ssize_t i) nogil

cdef extern from "_redact_simd.h":
    ctypedef struct rs_tables:
        uint8_t lo[4][32]
        uint8_t hi[4][32]
        uint8_t exact[4][128]
        uint8_t fold[4][64]
        uint8_t num
        uint8_t single
        uint8_t behind[128]
        uint8_t single0[4]
        uint8_t words_n[4]
        uint8_t word_len[4][12]
        uint8_t words[4][12][12]
        uint8_t fs_self
        uint8_t fs_before
        uint8_t word_bits
        uint8_t word_n
        uint64_t word_val[16]
        uint64_t word_mask[16]
    int rs_use_simd() nogil
    size_t rs_skip(const rs_tables* t, const uint8_t* p, size_t start, size_t n, uint64_t* mask) nogil
    size_t rs_skip_ascii(const rs_tables* t, const uint8_t* p, size_t start, size_t n, uint64_t* mask,
                         size_t* ascii) nogil
    size_t rs_skip16(const rs_tables* t, const uint16_t* p, size_t start, size_t n, uint64_t* mask) nogil
    void rs_tail(const rs_tables* t, int kind, const void* d, size_t start, size_t n, uint64_t* masks) nogil
    uint64_t rs_block_at(const rs_tables* t, const uint8_t* p) nogil
    int rs_plain_ascii(const uint8_t* p, size_t n) nogil
    int rs_ctz(uint64_t m) nogil
    int rs_simd_enabled

cdef enum:
    F_SECRETS = 1
    F_PII = 2
    F_ALL = 4
    F_STARTS = 8
    F_RAW = 16  # raw_clean's scan of a whole JSON text: secret-key words count anywhere, and "api key" too

cdef unsigned char NUMSEP[128]
cdef unsigned char HEX[128]


cdef void _init_tables():
    cdef int i
    for i in range(128):
        NUMSEP[i] = 0
        HEX[i] = 0
    for i in range(48, 58):
        NUMSEP[i] = 1
        HEX[i] = 1
    for i in range(6):
        HEX[ord("a") + i] = 1
        HEX[ord("A") + i] = 1
    for ch in " .()/-":
        NUMSEP[ord(ch)] = 1


_init_tables()


# Byte classes for the block scan (see _redact_simd.h): eight patterns of up to four character sets at
# offsets 0..3 (None: any character). TRIG_CLS keeps a superset of the positions where _trig_at finds a
# trigger: a digit before three number characters (_NUMBER: the AVX-512 scan keeps only the first digit of a
# run, with number characters up to offset 6); '_ - @' (sk-/rk_ are found at their '-'/'_'); ':' before '/',
# ':' or a hex digit (:// and IPv6); xox and eyJ; the A prefixes; the first letters of a word in any case
# (four, but three for aws and its a- kin). The AVX-512 scan first tests 64-entry classes (offset 0 case-
# folded; offsets 1..3 by the low six bits, where a letter shares its entry with a punctuation character or
# digit), so a pattern's cross product there should stay rare in prose ("making" and "specific" were kept
# when xox, eyJ and the A prefixes shared one pattern).
cdef rs_tables TRIG_CLS
_NUMSEP = "0123456789 .()/-"
_NUMBER = ("0123456789", _NUMSEP, _NUMSEP, _NUMSEP)
_WORD_PATTERNS = [
    ("aA", "wWpPcCuU", "sSiIcCtT"),  # aws api(_key) api(key) acc(ess) aut(horiz)
    ("bBsScC", "eEaAoO", "aAsScCoO", "rRiIkK"),  # bear(er) basi(c) secr(et) cook(ie)
    ("pPtT", "aArRoO", "sSiIkK", "sSvVeE"),  # pass priv(ate) toke(n)
]
_XOX_EYJ = ("xe", "oy", "xJ")  # xox eyJ
_A_PREFIXES = ("A", "IKSBC", "zIC", "aA")  # AIza AKIA ASIA ABIA ACCA
TRIG_PATTERNS = [_NUMBER, ("_-@",), (":", "/:0123456789abcdefABCDEF"), _XOX_EYJ, _A_PREFIXES] + _WORD_PATTERNS
# What _trig_at's word tests look for (the pure twin's lists; raw_clean's "api" + any character + "key" too):
# the AVX-512 re-check keeps a position of the word patterns alone only where one of these begins.
_WORDS = tuple(dict.fromkeys(_py._T_LITERALS + _py._T_KEYS))
_RAW_WORDS = _WORDS + (_py._RAW_API_KEY.pattern,)  # '.': any character
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_-.")
# The words after which each single character may begin a trigger (None: anywhere; the AVX-512 scan keeps
# one after the last letter of a word, or before itself, and where only single characters were kept, after
# a whole word): '_' ends hf_ phx_ gh?_ github_pat_ sk_ rk_, '-' sk- rk- (and '-----BEGIN'). A backslash
# is one only for raw_clean (RAW_CLS: a JSON escape, after which a string is not its bytes).
_SINGLE_BEFORE = {"_": tuple(w[:len(w) - 1] for w in _py._UNDERSCORE_PREFIXES) + ("sk", "rk"),
                  "-": ("sk", "rk"), "@": None, "\\": None}


cdef void _fill(rs_tables* t, list patterns, tuple words):
    cdef int k, j, b
    cdef uint8_t bit
    memset(t, 0, sizeof(rs_tables))
    if len(words) > 16 or max(map(len, words)) > 8 or not all(set(w) <= _WORD_CHARS for w in words):
        raise ValueError("rs_tables holds 16 words of 8 characters at most: a-z _ - and . (any character)")
    for k, word in enumerate(words):
        t.word_val[k] = int.from_bytes(bytes(0 if ch == "." else ord(ch) | 32 for ch in word), "little")
        t.word_mask[k] = int.from_bytes(bytes(0 if ch == "." else 255 for ch in word), "little")
    t.word_n = len(words)
    for k, pat in enumerate(patterns):
        bit = 1 << k
        if pat in _WORD_PATTERNS:
            t.word_bits |= bit
        if pat == _NUMBER:
            t.num = bit
        if len(pat) == 1:  # single characters: exact in both (AVX2 compares them)
            t.single = bit
            for j, b in enumerate(pat[0].encode("ascii")):
                t.single0[j] = b
                t.exact[0][b] |= bit
                words = _SINGLE_BEFORE[chr(b)]
                if words is not None and (len(words) > 12 or max(map(len, words)) > 12):
                    raise ValueError("rs_tables holds 12 words of 12 characters per single character")
                for c in range(128):
                    if words is None or any(w.endswith(chr(c)) for w in words):
                        t.behind[c] |= 1 << j
                for w, word in enumerate(words or ()):
                    t.word_len[j][w] = len(word)
                    for m, ch in enumerate(word.encode("ascii")):
                        t.words[j][w][m] = ch
                t.words_n[j] = len(words or ())
            for j in range(1, 4):
                for b in range(128):
                    t.exact[j][b] |= bit
            continue
        for j in range(4):
            chars = pat[j] if j < len(pat) else None
            for b in (range(256) if chars is None else chars.encode("ascii")):
                t.lo[j][b & 15] |= bit
                t.lo[j][(b & 15) + 16] |= bit
                t.hi[j][b >> 4] |= bit
                t.hi[j][(b >> 4) + 16] |= bit
                if b < 128:
                    t.exact[j][b] |= bit
    _fill_first(t, patterns)


cdef void _fill_first(rs_tables* t, list patterns):
    """The AVX-512 first test's classes (``fold``), by its index (a byte >= 0x80 as its low seven bits:
    already in these): offset 0 folded as RS_FOLD folds, offsets 1..3 the low six bits. Its patterns are the
    exact tables', but for the single characters, split in two: those kept where they are ('@', '-', a
    backslash: fs_self) and '_', which ends a word (fs_before), kept at the word's last two letters, so that
    the '_' of "$ai_model" or "event_type" keeps nothing. The bit this takes is the A prefixes', which join
    bear/basi/secr/cook's (the exact tables keep them apart; joined to xox and eyJ's, three characters then
    any, they kept about every 20th block of base64). A '-' stays where it is: kept before it, its alias 'm'
    at offsets 1..3 would keep "from" and "some"."""
    cdef int k, j, b, x
    cdef uint8_t bit
    first = []  # (pattern, role): 1 fs_self, 2 fs_before
    for pat in patterns:
        if len(pat) == 1:  # the single characters: '_' apart (a '-' ends fewer words and begins '-----BEGIN')
            words = _SINGLE_BEFORE["_"]
            if "_" not in pat[0] or min(map(len, words)) < 2:
                raise ValueError("'_' is a single character that ends words of two letters or more")
            first.append(((pat[0].replace("_", ""),), 1))
            first.append((("".join(sorted({w[len(w) - 2] for w in words})),
                           "".join(sorted({w[len(w) - 1] for w in words})), "_"), 2))
        elif pat == _A_PREFIXES:
            continue
        elif pat == _WORD_PATTERNS[1]:  # four characters both, no case in common: rare together in prose
            first.append((tuple(a + b for a, b in zip(pat, _A_PREFIXES)), 0))  # and in base64
        else:
            first.append((pat, 0))
    if len(first) != 8:
        raise ValueError("the first test holds eight patterns")
    for k, (pat, role) in enumerate(first):
        bit = 1 << k
        if role == 1:
            t.fs_self = bit
        elif role == 2:
            t.fs_before = bit
        for j in range(4):
            chars = pat[j] if j < len(pat) else None
            for b in (range(128) if chars is None else chars.encode("ascii")):
                x = (b & 31) | ((b >> 6) & 1) << 5 if j == 0 else b & 63
                t.fold[j][x] |= bit


_fill(&TRIG_CLS, TRIG_PATTERNS, _WORDS)
# raw_clean's: a backslash kept too, as a single character, and "api" + any character + "key"
cdef rs_tables RAW_CLS
_fill(&RAW_CLS, [p if len(p) != 1 else (p[0] + "\\",) for p in TRIG_PATTERNS], _RAW_WORDS)


def _set_simd(int level) -> int:
    """Allow the block scans up to ``level`` (2: AVX-512 VBMI and GFNI, 1: AVX2, 0: none; tests check each gives
    the same results); returns the block width then in use (64, 32, or 0 for the plain loop)."""
    global rs_simd_enabled
    rs_simd_enabled = level
    return rs_use_simd()


cdef inline bint _at(int kind, void* d, Py_ssize_t n, Py_ssize_t i, const char* w, Py_ssize_t wl) nogil:
    """Whether the case-sensitive literal ``w`` is at ``i``."""
    cdef Py_ssize_t j
    if i < 0 or i + wl > n:
        return False
    for j in range(wl):
        if PyUnicode_READ(kind, d, i + j) != <uint32_t>w[j]:
            return False
    return True


cdef inline uint32_t _low_exact(uint32_t c) nogil:
    """``c.lower()`` where it is one ASCII letter (a character that lowers to two is none)."""
    if 65 <= c <= 90:
        return c + 32
    if c == 0x212A:  # KELVIN SIGN
        return 107
    return c


cdef inline bint _lword(int kind, void* d, Py_ssize_t n, Py_ssize_t i, const char* w, Py_ssize_t wl) nogil:
    cdef Py_ssize_t j
    if i + wl > n:
        return False
    for j in range(wl):
        if _low_exact(PyUnicode_READ(kind, d, i + j)) != <uint32_t>w[j]:
            return False
    return True


# The pure twin's underscore prefixes (hf_ phx_ gh?_ github_pat_), as C strings into bytes this list owns.
cdef list _UNDER_BYTES = [w.encode("ascii") for w in _py._UNDERSCORE_PREFIXES]
if len(_UNDER_BYTES) != 8:
    raise ValueError("_trig_at looks at eight underscore prefixes")
cdef const char* _UNDER_LIST[8]
cdef Py_ssize_t _UNDER_LEN[8]
for _w, _b in enumerate(_UNDER_BYTES):
    _UNDER_LIST[_w] = <bytes>_b
    _UNDER_LEN[_w] = len(<bytes>_b)
cdef unsigned char UNDER_PREV[128]  # the letters before the '_' of those prefixes
UNDER_PREV[:] = [1 if any(w.endswith(chr(c) + "_") for w in _py._UNDERSCORE_PREFIXES) else 0 for c in range(128)]


# What an ASCII character may begin, for triggers(): bits tested in the loop.
cdef enum:
    T_PREFIX = 1    # _ x A -     (provider prefixes, PEM; sk-/rk_ at their - or _)
    T_E = 2         # e           (eyJ)
    T_COLON = 4     # :           (://, IPv6)
    T_WORD = 8      # b a s, any case (bearer basic aws secret)
    T_KEY = 16      # p s t a c, any case (secret-key words)
    T_AT = 32       # @
    T_DIGIT = 64
    T_BACKSLASH = 128  # (raw_clean's scans only)

cdef unsigned char TRIG[128]


cdef void _init_trig():
    cdef int i
    for i in range(128):
        TRIG[i] = 0
    for ch in "_xA-":
        TRIG[ord(ch)] |= T_PREFIX
    TRIG[ord("e")] |= T_E
    TRIG[ord(":")] |= T_COLON
    for ch in "bas":
        TRIG[ord(ch)] |= T_WORD
        TRIG[ord(ch) - 32] |= T_WORD
    for ch in "pstac":
        TRIG[ord(ch)] |= T_KEY
        TRIG[ord(ch) - 32] |= T_KEY
    TRIG[ord("@")] |= T_AT
    for i in range(48, 58):
        TRIG[i] |= T_DIGIT
    TRIG[92] |= T_BACKSLASH


_init_trig()

# NEXT_OK[c << 7 | next]: whether a trigger can begin (or be anchored) at ASCII ``c`` followed by ``next``
# (0 for the end or a non-ASCII character). One lookup per character, a branch rarely taken: the trigger
# loop then skips base64 and prose without mispredicting on every letter.
cdef unsigned char NEXT_OK[16384]


cdef void _init_next():
    cdef int i, j
    for i in range(16384):
        NEXT_OK[i] = 0
    follow = {"x": "o", "e": "y", ":": "/:0123456789abcdefABCDEF",
              "A": "IKSBCwpucWPUC", "a": "wpucWPUC", "b": "eaEA", "B": "eaEA", "s": "eE", "S": "eE",
              "p": "arAR", "P": "arAR", "t": "oO", "T": "oO", "c": "oO", "C": "oO"}
    for d in "0123456789":
        follow[d] = "0123456789 .()/-"
    for ch, nexts in follow.items():
        for nx in nexts:
            NEXT_OK[(ord(ch) << 7) | ord(nx)] = 1
    for ch in "_@-\\":  # '_' and '-' look behind; '@' and a backslash need nothing after them
        for j in range(128):
            NEXT_OK[(ord(ch) << 7) | j] = 1


_init_next()


cdef inline bint _v6_can_start(int kind, void* d, Py_ssize_t i) nogil:
    """See ``_redact_scan_py._v6_can_start``: the hex-colon run before ``i`` is not behind [A-Za-z0-9]."""
    cdef Py_ssize_t j = i
    cdef Py_ssize_t stop = i - 40 if i > 40 else 0
    cdef uint32_t p
    while j > stop:
        p = PyUnicode_READ(kind, d, j - 1)
        if p >= 128 or not (HEX[p] or p == 58):
            break
        j -= 1
    if j == 0:
        return True
    p = PyUnicode_READ(kind, d, j - 1)
    return p >= 128 or not (48 <= p <= 57 or 97 <= (p | 32) <= 122)


cdef inline bint _second_of_a(uint32_t c) nogil:
    return c == 73 or c == 75 or c == 83 or c == 66 or c == 67  # I K S B C


cdef inline bint _second_of_word(uint32_t c) nogil:
    """Whether ``c`` may follow the first letter of a word: e a w p u c o r (any case)."""
    if c >= 128:
        return False
    c |= 32
    return c == 101 or c == 97 or c == 119 or c == 112 or c == 117 or c == 99 or c == 111 or c == 114


cdef inline bint _keys(int kind, void* d, Py_ssize_t n, Py_ssize_t* r) nogil:
    """Whether the string has a ':' or '=' (looked for once, the first time a secret-key word is met)."""
    cdef Py_ssize_t j
    cdef uint32_t c
    if r[3] < 0:
        r[3] = 0
        if kind == 1:  # libc's vectorised search
            r[3] = memchr(d, 58, n) != NULL or memchr(d, 61, n) != NULL
        else:
            for j in range(n):
                c = PyUnicode_READ(kind, d, j)
                if c == 58 or c == 61:
                    r[3] = 1
                    break
    return r[3] != 0


# The triggers a scan finds, as C triples (no Python object per trigger: most strings that have one have
# no start, and their triggers are only read back by _starts_of).
cdef struct _Trig:
    Py_ssize_t a
    Py_ssize_t b
    int kind

cdef enum:
    _TLOCAL = 16

cdef struct _TBuf:
    _Trig* p
    Py_ssize_t n
    Py_ssize_t cap
    _Trig local[_TLOCAL]


cdef inline void _tinit(_TBuf* t) noexcept nogil:
    t.p = t.local
    t.n = 0
    t.cap = _TLOCAL


cdef inline void _tfree(_TBuf* t) noexcept:
    if t.p != t.local:
        PyMem_Free(t.p)
    t.p = t.local
    t.n = 0
    t.cap = _TLOCAL


cdef int _tgrow(_TBuf* t) except -1:
    cdef _Trig* q = <_Trig*>PyMem_Malloc(2 * t.cap * sizeof(_Trig))
    cdef Py_ssize_t i
    if q == NULL:
        raise MemoryError()
    for i in range(t.n):
        q[i] = t.p[i]
    if t.p != t.local:
        PyMem_Free(t.p)
    t.p = q
    t.cap *= 2
    return 0


cdef inline int _tadd(_TBuf* t, Py_ssize_t a, Py_ssize_t b, int kind) except -1:
    if t.n == t.cap:
        _tgrow(t)
    t.p[t.n].a = a
    t.p[t.n].b = b
    t.p[t.n].kind = kind
    t.n += 1
    return 0


cdef inline bint _nothing_at(int kind, void* d, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    """Whether _trig_at surely finds nothing at ``i`` (and changes nothing), by the cases the byte classes
    keep most often in code and data: a digit inside a digit run (only a run's first digit begins a
    number), an '_' after no letter that ends a prefix, a '-' neither after 'k' nor before '-'."""
    cdef uint32_t c = PyUnicode_READ(kind, d, i)
    cdef uint32_t p = PyUnicode_READ(kind, d, i - 1) if i > 0 else 0
    if 48 <= c <= 57:
        return 48 <= p <= 57
    if c == 95:
        return p >= 128 or not (UNDER_PREV[p] or p == 107)
    if c == 45:
        return p != 107 and not (i + 1 < n and PyUnicode_READ(kind, d, i + 1) == 45)
    return False


cdef inline int _trig(int kind, void* d, Py_ssize_t n, Py_ssize_t i, int flags, _TBuf* out,
                      Py_ssize_t* r) except -1:
    """_trig_at, unless _nothing_at says it would find nothing (a call saved on most positions kept)."""
    if _nothing_at(kind, d, n, i):
        return 0
    return _trig_at(kind, d, n, i, flags, out, r)


cdef inline bint _quoted_secrets(int kind, void* d, Py_ssize_t n, Py_ssize_t i) nogil:
    """Whether "secret" at ``i`` is the whole JSON string ``"secrets"`` (any case), which no rule redacts as a
    value and no key test takes for a secret's name: ``redact: ["secrets"]`` in a request's options."""
    return (i > 0 and PyUnicode_READ(kind, d, i - 1) == 34 and i + 7 < n
            and PyUnicode_READ(kind, d, i + 6) | 32 == 115 and PyUnicode_READ(kind, d, i + 7) == 34)


cdef int _trig_at(int kind, void* d, Py_ssize_t n, Py_ssize_t i, int flags, _TBuf* out,
                  Py_ssize_t* r) except -1:
    """The triggers that begin (or are anchored) at ``i``; ``r``: where the prefix, number and IPv6 scans
    resume (a match of each does not overlap the next)."""
    cdef Py_ssize_t k, wl, st
    cdef uint32_t c, l, p
    cdef int w
    cdef bint sec = (flags & F_SECRETS) != 0
    cdef bint pii = (flags & F_PII) != 0
    cdef bint hit
    cdef unsigned char t
    cdef uint32_t nx
    c = PyUnicode_READ(kind, d, i)
    if c >= 128:
        return 0
    nx = PyUnicode_READ(kind, d, i + 1) if i + 1 < n else 0
    if nx >= 128:
        nx = 0
    if not NEXT_OK[(c << 7) | nx]:
        return 0
    t = TRIG[c]
    if t & T_BACKSLASH:  # a JSON escape: raw_clean's text is not its strings' characters there
        if flags & F_RAW:
            _tadd(out, i, i + 1, 0)
        return 0
    if sec:
        # Provider prefixes: the matches of one regex scan (they do not overlap).
        if (t & T_PREFIX and (c == 45 or c == 95) and i >= 2 and i - 1 >= r[0]
                and PyUnicode_READ(kind, d, i - 1) == 107
                and (PyUnicode_READ(kind, d, i - 2) == 115 or PyUnicode_READ(kind, d, i - 2) == 114)):
            # sk- sk_ rk- rk_, found at the '-' or '_' (as if at the 'k': the prefix scan resumes after)
            _tadd(out, i - 2, i + 1, 0)
            r[0] = i + 1
        elif t & T_PREFIX and i >= r[0]:
            if c == 95:  # '_' ending one of the underscore prefixes (after f x p o u s r t)
                hit = False
                p = PyUnicode_READ(kind, d, i - 1) if i else 0
                for w in range(8 if p < 128 and UNDER_PREV[p] else 0):
                    wl = _UNDER_LEN[w]
                    st = i + 1 - wl
                    if st >= 0 and _at(kind, d, n, st, _UNDER_LIST[w], wl):
                        _tadd(out, st, i + 1, 0)
                        hit = True
                if hit:
                    r[0] = i + 1
            elif c == 120:  # xox
                if _at(kind, d, n, i + 1, b"ox", 2):
                    _tadd(out, i, i + 3, 0)
                    r[0] = i + 3
            elif c == 65 and i + 1 < n and _second_of_a(PyUnicode_READ(kind, d, i + 1)):
                # AIza AKIA ASIA ABIA ACCA
                if _at(kind, d, n, i + 1, b"KIA", 3) or _at(kind, d, n, i + 1, b"SIA", 3):
                    _tadd(out, i, i + 4, 1)
                    r[0] = i + 4
                elif (_at(kind, d, n, i + 1, b"Iza", 3) or _at(kind, d, n, i + 1, b"BIA", 3)
                        or _at(kind, d, n, i + 1, b"CCA", 3)):
                    _tadd(out, i, i + 4, 0)
                    r[0] = i + 4
            elif c == 45:
                if _at(kind, d, n, i, b"-----BEGIN", 10):
                    _tadd(out, i, i + 10, 0)
                    r[0] = i + 10
        if t & T_E:  # eyJ
            if _at(kind, d, n, i + 1, b"yJ", 2):
                _tadd(out, i, i + 3, 0)
        elif t & T_COLON:  # ://
            if _at(kind, d, n, i + 1, b"//", 2):
                _tadd(out, i, i + 3, 2)
        elif t & (T_WORD | T_KEY) and i + 2 < n and _second_of_word(PyUnicode_READ(kind, d, i + 1)):
            # case-insensitive words (3 letters at least), by their first letter
            l = c | 32
            if l == 98:  # b
                if _lword(kind, d, n, i, b"bearer", 6):
                    _tadd(out, i, i + 6, 0)
                elif _lword(kind, d, n, i, b"basic", 5):
                    _tadd(out, i, i + 5, 0)
            elif l == 115:  # s ("secret" is also a key word: once)
                if _lword(kind, d, n, i, b"secret", 6) and not (flags & F_RAW and _quoted_secrets(kind, d, n, i)):
                    _tadd(out, i, i + 6, 1)
            # Secret-key words count only in a string with a ':' or '=': looked for once the word is there.
            elif l == 97:  # a
                if _lword(kind, d, n, i, b"aws", 3):
                    _tadd(out, i, i + 3, 1)
                elif _lword(kind, d, n, i, b"api_key", 7) or _lword(kind, d, n, i, b"api-key", 7):
                    if _keys(kind, d, n, r):
                        _tadd(out, i, i + 7, 0)
                elif _lword(kind, d, n, i, b"apikey", 6) or _lword(kind, d, n, i, b"access", 6):
                    if _keys(kind, d, n, r):
                        _tadd(out, i, i + 6, 0)
                elif _lword(kind, d, n, i, b"authoriz", 8):
                    if _keys(kind, d, n, r):
                        _tadd(out, i, i + 8, 0)
                elif flags & F_RAW and _lword(kind, d, n, i, b"api", 3) and _lword(kind, d, n, i + 4, b"key", 3):
                    # an object key such as "api key" or "Api.Key" names a secret (the key test turns any
                    # character other than a letter or digit into '_'); in a string it starts no rule
                    _tadd(out, i, i + 7, 0)
            elif l == 112:  # p
                if _lword(kind, d, n, i, b"pass", 4):
                    if _keys(kind, d, n, r):
                        _tadd(out, i, i + 4, 0)
                elif _lword(kind, d, n, i, b"private", 7):
                    if _keys(kind, d, n, r):
                        _tadd(out, i, i + 7, 0)
            elif l == 116:  # t
                if _lword(kind, d, n, i, b"token", 5) and _keys(kind, d, n, r):
                    _tadd(out, i, i + 5, 0)
            elif l == 99:  # c
                if _lword(kind, d, n, i, b"cookie", 6) and _keys(kind, d, n, r):
                    _tadd(out, i, i + 6, 0)
    if pii:
        if t & T_AT:  # '@'
            _tadd(out, i, i + 1, 3)
        elif t & T_DIGIT:
            # Every digit run that begins 7 number characters is a start, even one inside the previous
            # start's 7 ("12345 4111111111111111").
            if (i == 0 or not (48 <= PyUnicode_READ(kind, d, i - 1) <= 57)) and i + 6 < n:
                for k in range(i + 1, i + 7):
                    p = PyUnicode_READ(kind, d, k)
                    if p >= 128 or not NUMSEP[p]:
                        break
                else:
                    _tadd(out, i, i + 7, 5)
        elif c == 58 and i >= r[2]:  # :[hex]{0,4}:
            k = i + 1
            while k < n and k - i <= 4:
                p = PyUnicode_READ(kind, d, k)
                if p >= 128 or not HEX[p]:
                    break
                k += 1
            if k < n and PyUnicode_READ(kind, d, k) == 58:
                if _v6_can_start(kind, d, i):
                    _tadd(out, i, k + 1, 4)
                r[2] = k + 1
    return 0




cdef inline bint _may(int kind, void* d, Py_ssize_t n, Py_ssize_t i) nogil:
    """_trig_at's first check: an ASCII character that, with the next one, can begin a trigger."""
    cdef uint32_t c = PyUnicode_READ(kind, d, i)
    cdef uint32_t nx
    if c >= 128:
        return False
    nx = PyUnicode_READ(kind, d, i + 1) if i + 1 < n else 0
    return NEXT_OK[(c << 7) | (nx if nx < 128 else 0)] != 0


cdef inline int _each(int kind, void* d, Py_ssize_t n, Py_ssize_t start, int flags, _TBuf* out,
                      Py_ssize_t* r, bint first) except -1:
    """_trig_at at every position from ``start`` (1 when ``first`` and one was found)."""
    cdef Py_ssize_t j
    for j in range(start, n):
        if _may(kind, d, n, j):
            _trig(kind, d, n, j, flags, out, r)
            if first and out.n:
                return 1
    return 0


cdef int _triggers(int kind, void* d, Py_ssize_t n, int flags, _TBuf* out, bint first,
                   size_t* ascii=NULL) except -1:
    """Append the triggers to ``out`` (``first``: stop at the first). ``ascii`` (raw_clean's, with F_RAW): set
    to where the bytes the block scan found ASCII end, or to -1 when it found one that is not."""
    cdef Py_ssize_t r[4]
    cdef Py_ssize_t i = 0
    cdef uint64_t mask
    cdef uint64_t masks[2]
    cdef int half
    cdef Py_ssize_t j
    cdef int width = rs_use_simd() if kind != 4 else 0
    cdef const rs_tables* cls = &RAW_CLS if flags & F_RAW else &TRIG_CLS
    r[0] = r[1] = r[2] = 0
    r[3] = 1 if flags & F_RAW else -1  # whether the string has a ':' or '=' (secret-key words count only
    # then): found when needed
    if width:
        # Whole blocks of 32 or 64 with no position that can begin a trigger are skipped; in the others only the
        # positions the byte classes keep are looked at (a superset of those where _trig_at finds one).
        # UCS2 characters are narrowed to bytes for the classes (_redact_simd.h).
        # (a string shorter than one block does not call the skips, which would only load their tables)
        while n - i >= (width + 3 if kind == 1 else 96 if width == 64 else 48):
            if ascii != NULL:
                i = <Py_ssize_t>rs_skip_ascii(cls, <const uint8_t*>d, <size_t>i, <size_t>n, &mask, ascii)
                if ascii[0] == <size_t>-1:
                    return 0
            elif kind == 1:
                i = <Py_ssize_t>rs_skip(cls, <const uint8_t*>d, <size_t>i, <size_t>n, &mask)
            else:
                i = <Py_ssize_t>rs_skip16(cls, <const uint16_t*>d, <size_t>i, <size_t>n, &mask)
            if mask == 0:
                break
            while mask:
                _trig(kind, d, n, i + rs_ctz(mask), flags, out, r)
                if first and out.n:
                    return 0
                mask &= mask - 1
            i += width
        # The tail (fewer than 96 characters). A long Latin-1 string: the block that ends 3 characters
        # before the end (overlapping the last one), then those 3; a short tail: each position; else the
        # tail tested by blocks in a zero-padded copy.
        if i >= n:
            return 0
        if kind == 1 and n >= width + 3:
            j = n - width - 3
            mask = rs_block_at(cls, <const uint8_t*>d + j) >> (i - j) if i - j < width else 0
            while mask:
                _trig(kind, d, n, i + rs_ctz(mask), flags, out, r)
                if first and out.n:
                    return 0
                mask &= mask - 1
            _each(1, d, n, n - 3 if n - 3 > i else i, flags, out, r, first)
        elif n - i <= 12 and not (kind == 1 and width == 64):  # (masked loads: rs_tail)
            if kind == 1:
                _each(1, d, n, i, flags, out, r, first)
            else:
                _each(2, d, n, i, flags, out, r, first)
        else:
            rs_tail(cls, kind, d, <size_t>i, <size_t>n, masks)
            for half in range(2):
                mask = masks[half]
                while mask:
                    _trig(kind, d, n, i + 64 * half + rs_ctz(mask), flags, out, r)
                    if first and out.n:
                        return 0
                    mask &= mask - 1
        return 0
    # The whole string (no block scan, or UCS4): the C compiler specialises each call on its kind.
    if kind == 1:
        _each(1, d, n, i, flags, out, r, first)
    elif kind == 2:
        _each(2, d, n, i, flags, out, r, first)
    else:
        _each(4, d, n, i, flags, out, r, first)
    return 0


cdef bint _pre(str s, int flags) except -1:
    """Whether ``s`` holds a trigger: the trigger scan, stopped at the first."""
    if flags & F_ALL:
        return True
    cdef _TBuf t
    _tinit(&t)
    try:
        _triggers(PyUnicode_KIND(s), PyUnicode_DATA(s), PyUnicode_GET_LENGTH(s), flags, &t, True)
        return t.n != 0
    finally:
        _tfree(&t)


def prefilter_pays() -> bool:
    """Whether to prefilter each string before its trigger scan: yes, compiled (a clean string costs one
    pass and no allocation)."""
    return True


def prefilter(str s not None, int flags) -> bool:
    """Whether ``s`` holds a trigger of the rule sets in ``flags`` (always True with ``PRE_ALL``)."""
    return _pre(s, flags)


cdef int raw_clean_c(bytes raw, int flags) except -1:
    """See ``_redact_scan_py.raw_clean`` (1: clean). The trigger scan first: a real event's text has a trigger
    (a timestamp, a UUID) near its start, and the scan stops there."""
    cdef const uint8_t* p = <const uint8_t*>PyBytes_AS_STRING(raw)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(raw)
    cdef _TBuf t
    if flags & F_ALL:
        return 0
    cdef size_t ascii = 0  # the block scan checks the bytes it passes (AVX-512): the rest are checked after
    _tinit(&t)
    try:
        _triggers(1, <void*>p, n, (flags & 3) | F_RAW, &t, True, &ascii)
        if t.n or ascii == <size_t>-1:
            return 0
    finally:
        _tfree(&t)
    return rs_plain_ascii(p + ascii, <size_t>n - ascii)


def raw_clean(bytes raw not None, int flags) -> bool:
    """See ``_redact_scan_py.raw_clean``."""
    return raw_clean_c(raw, flags) == 1


def triggers(str big not None, int flags, tuple words not None) -> list:
    """The triggers in ``big`` as sorted, distinct ``(start, end, kind)``; see ``_redact_scan_py.triggers``
    (which handles extra key ``words`` itself)."""
    if words:
        return _py.triggers(big, flags, words)
    cdef int kind = PyUnicode_KIND(big)
    cdef void* d = PyUnicode_DATA(big)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(big)
    cdef list out = []
    cdef _TBuf t
    cdef Py_ssize_t i
    _tinit(&t)
    try:
        _triggers(kind, d, n, flags, &t, False)
        for i in range(t.n):
            out.append((t.p[i].a, t.p[i].b, t.p[i].kind))
    finally:
        _tfree(&t)
    out.sort()  # nearly sorted already (a prefix ending in '_' starts a little before it); no duplicates
    return out


# ------------------------------------------------------------------ starts (see _redact_scan_py.starts_of)

cdef unsigned char B64[128]  # [A-Za-z0-9/+]: an AWS secret's characters
cdef unsigned char SCHEME[128]  # [A-Za-z0-9+.-]
cdef unsigned char LOCAL[128]  # [A-Za-z0-9._%+-]
cdef unsigned char URL_STOP[128]  # where a URL's credentials end without their '@' (see _url_may_match)


cdef void _init_back():
    cdef int i
    for i in range(128):
        B64[i] = SCHEME[i] = LOCAL[i] = 48 <= i <= 57 or 65 <= i <= 90 or 97 <= i <= 122
    for ch in "/+":
        B64[ord(ch)] = 1
    for ch in "+.-":
        SCHEME[ord(ch)] = 1
    for ch in "._%+-":
        LOCAL[ord(ch)] = 1
    for i in range(128):
        URL_STOP[i] = 0
    for ch in _py._URL_STOP:
        URL_STOP[ord(ch)] = 1


_init_back()


cdef inline bint _in(const unsigned char* table, uint32_t c) nogil:
    return c < 128 and table[c] != 0


cdef struct _Buf:
    Py_ssize_t* p
    Py_ssize_t n
    Py_ssize_t cap


cdef int _push(_Buf* b, Py_ssize_t v) except -1:
    cdef Py_ssize_t cap
    cdef Py_ssize_t* p
    if b.n == b.cap:
        cap = b.cap * 2 if b.cap else 32
        p = <Py_ssize_t*>PyMem_Realloc(b.p, cap * sizeof(Py_ssize_t))
        if p == NULL:
            raise MemoryError()
        b.p = p
        b.cap = cap
    b.p[b.n] = v
    b.n += 1
    return 0


cdef int _cmp(const void* x, const void* y) noexcept nogil:
    cdef Py_ssize_t a = (<const Py_ssize_t*>x)[0]
    cdef Py_ssize_t b = (<const Py_ssize_t*>y)[0]
    return (a > b) - (a < b)


cdef int _aws_runs(int kind, void* d, Py_ssize_t lo, Py_ssize_t hi, _Buf* b) except -1:
    """The starts of ``re`` ``(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])`` found from ``lo`` with
    endpos ``hi`` (the lookbehind sees before ``lo``; the lookahead sees the end at ``hi``)."""
    # A match is a whole run of exactly 40: one that starts at or after j covers j + 39, so the character there
    # is read first and, when it is not in the set, the 40 before it are skipped unread (prose: a space every
    # few characters). Between steps, j is lo or follows a character not in the set.
    cdef Py_ssize_t j = lo
    cdef Py_ssize_t k, r
    cdef uint32_t c
    while j + 40 <= hi:
        k = j + 39
        if not _in(B64, PyUnicode_READ(kind, d, k)):
            j = k + 1
            continue
        r = k  # the run around j + 39: [r, k)
        while r > j and _in(B64, PyUnicode_READ(kind, d, r - 1)):
            r -= 1
        k += 1
        while k < hi and _in(B64, PyUnicode_READ(kind, d, k)):
            k += 1
        if k - r == 40 and (k == hi or PyUnicode_READ(kind, d, k) != 61):
            c = PyUnicode_READ(kind, d, r - 1) if r > 0 else 0  # the lookbehind (before lo too)
            if c != 61 and not _in(B64, c):
                _push(b, r)
        j = k
    return 0


cdef frozenset _KEY_WORDS = _py._KEY_WORDS


cdef bint _key_may_match(str s, int kind, void* d, Py_ssize_t n, Py_ssize_t a, Py_ssize_t e) except -1:
    """See ``_redact_scan_py._key_may_match`` (the word test in Python: a short trigger of this kind is rare)."""
    if e - a < 4 or e - a > 8:
        return True
    w = s[a:e]
    if not (w.isascii() and w.lower() in _KEY_WORDS):
        return True
    cdef Py_ssize_t j = e
    cdef Py_ssize_t stop = e + 6 if e + 6 < n else n
    cdef uint32_t c
    while j < stop:
        c = PyUnicode_READ(kind, d, j)
        if not (c >= 128 or 65 <= c <= 90 or 97 <= c <= 122 or c == 95 or c == 45):
            break
        j += 1
    if j < n and PyUnicode_READ(kind, d, j) == 92:  # backslash
        j += 1
    if j < n and (PyUnicode_READ(kind, d, j) == 34 or PyUnicode_READ(kind, d, j) == 39):
        j += 1
    while j < n and (PyUnicode_READ(kind, d, j) == 32 or PyUnicode_READ(kind, d, j) == 9):
        j += 1
    return j < n and (PyUnicode_READ(kind, d, j) == 58 or PyUnicode_READ(kind, d, j) == 61)


cdef bint _num_may_match(int kind, void* d, Py_ssize_t n, Py_ssize_t a) noexcept:
    """See ``_redact_scan_py._num_may_match``."""
    cdef Py_ssize_t j = a
    cdef Py_ssize_t digits = 0
    cdef Py_ssize_t dots = 0
    cdef uint32_t c
    while j < n:
        c = PyUnicode_READ(kind, d, j)
        if 48 <= c <= 57:
            digits += 1
            if digits == 9:
                return True
        elif not (c == 32 or c == 46 or c == 40 or c == 41 or c == 47 or c == 45):
            break
        j += 1
    j = a
    while j < n and 48 <= PyUnicode_READ(kind, d, j) <= 57:
        j += 1
    if not 1 <= j - a <= 3:
        return False
    if j - a == 1 and PyUnicode_READ(kind, d, a) == 48:  # 0
        return False
    if (j - a == 3 and PyUnicode_READ(kind, d, a) == 49 and PyUnicode_READ(kind, d, a + 1) == 50
            and PyUnicode_READ(kind, d, a + 2) == 55):  # 127
        return False
    while j < n:
        c = PyUnicode_READ(kind, d, j)
        if c == 46:
            dots += 1
            if dots == 3:
                return True
        elif not 48 <= c <= 57:
            break
        j += 1
    return False


cdef bint _url_may_match(int kind, void* d, Py_ssize_t n, Py_ssize_t b) noexcept:
    """See ``_redact_scan_py._url_may_match``."""
    cdef Py_ssize_t j = b
    cdef Py_ssize_t colon = -1
    cdef uint32_t c
    while j < n:
        c = PyUnicode_READ(kind, d, j)
        if c < 128 and URL_STOP[c]:
            break
        if colon < 0 and c == 58:
            colon = j
        j += 1
    return j < n and PyUnicode_READ(kind, d, j) == 64 and 0 <= colon < j - 1


cdef list _starts_of(str s, list found):
    """_starts_of_buf for triggers given as ``(start, end, kind)`` tuples."""
    cdef _TBuf t
    _tinit(&t)
    try:
        for x in found:
            _tadd(&t, x[0], x[1], x[2])
        return _starts_of_buf(s, &t) or []
    finally:
        _tfree(&t)


cdef list _starts_of_buf(str s, _TBuf* found):
    """The sorted, distinct starts the triggers ``found`` give in ``s``, or None for none."""
    cdef int kind = PyUnicode_KIND(s)
    cdef void* d = PyUnicode_DATA(s)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s)
    cdef _Buf b
    cdef Py_ssize_t a, e, j, stop, lo, hi, limit, i, last
    cdef int k
    cdef uint32_t c
    cdef const unsigned char* table
    cdef list out = None
    b.p = NULL
    b.n = b.cap = 0
    try:
        for i in range(found.n):
            a = found.p[i].a
            e = found.p[i].b
            k = found.p[i].kind
            if k == 0:  # K_AT_START (a secret-key word only where its rule may match)
                if _key_may_match(s, kind, d, n, a, e):
                    _push(&b, a)
            elif k == 1:  # K_AWS (AKIA/ASIA: an access key id; "secret": a key; "aws": no rule), and each
                if not (e - a == 3 and _py._is_aws(s, a, e)) and _key_may_match(s, kind, d, n, a, e):
                    _push(&b, a)  # 40-character run around it
                _aws_runs(kind, d, a - 200 if a > 200 else 0, e + 240 if e + 240 < n else n, &b)
            elif k == 5:  # K_NUM: the '+'/'(' before it, an IBAN's country code before it
                if _num_may_match(kind, d, n, a):
                    _push(&b, a)
                    if a > 0:
                        c = PyUnicode_READ(kind, d, a - 1)
                        if c == 43 or c == 40:
                            _push(&b, a - 1)
                j = a - 36 if a > 36 else 0
                hi = a + 4 if a + 4 < n else n
                while j + 4 <= hi:
                    if (65 <= PyUnicode_READ(kind, d, j) <= 90 and 65 <= PyUnicode_READ(kind, d, j + 1) <= 90
                            and 48 <= PyUnicode_READ(kind, d, j + 2) <= 57
                            and 48 <= PyUnicode_READ(kind, d, j + 3) <= 57):
                        _push(&b, j)
                        j += 4
                    else:
                        j += 1
            elif k != 2 or _url_may_match(kind, d, n, e):  # K_URL, K_EMAIL, K_V6: back over the characters
                if k == 2:  # a match may begin with
                    table, limit = SCHEME, 21
                elif k == 3:
                    table, limit = LOCAL, 64
                else:
                    table, limit = NULL, 40
                j = a
                stop = a - limit if a > limit else 0
                while j > stop:
                    c = PyUnicode_READ(kind, d, j - 1)
                    if table != NULL:
                        if not _in(table, c):
                            break
                    elif c >= 128 or not (HEX[c] or c == 58):
                        break
                    j -= 1
                _push(&b, j)
        if b.n:
            qsort(b.p, b.n, sizeof(Py_ssize_t), _cmp)
            out = []
            last = -1
            for i in range(b.n):
                if b.p[i] != last:
                    last = b.p[i]
                    out.append(last)
    finally:
        PyMem_Free(b.p)
    return out


def starts_of(str s not None, list found not None) -> list:
    """See ``_redact_scan_py.starts_of``."""
    return _starts_of(s, found)


def starts(str s not None, int flags, tuple words not None) -> list:
    """See ``_redact_scan_py.starts``: the trigger scan and the starts, in C."""
    if words:
        return _py.starts(s, flags, words)
    cdef _TBuf t
    _tinit(&t)
    try:
        _triggers(PyUnicode_KIND(s), PyUnicode_DATA(s), PyUnicode_GET_LENGTH(s), flags, &t, False)
        return (_starts_of_buf(s, &t) if t.n else None) or []
    finally:
        _tfree(&t)


SECRET_MARKER = _py.SECRET_MARKER
MIN_MATCH = _py.MIN_MATCH
cdef Py_ssize_t _MIN_MATCH = MIN_MATCH
# walk_event's scratch lists, so that a clean event allocates nothing; taken by one call at a time
# (``_scratch_busy``: a secret-key callback runs Python code, during which another thread may walk).
cdef list _S_HOLDERS = []
cdef list _S_SLOTS = []
cdef list _S_KEY_HOLDERS = []
cdef list _S_KEY_TEXTS = []
cdef dict _S_FOUND = {}
cdef bint _scratch_busy = False
cdef str _MARKER = SECRET_MARKER
cdef Py_ssize_t _KNOWN_MAX = _py._KNOWN_MAX


cdef inline bint _is_secret(dict known, object secret_key, object k) except -1:
    cdef PyObject* r
    if secret_key is None:
        return False
    r = PyDict_GetItemWithError(known, k)
    if r != NULL:
        return (<object>r) is True
    if len(known) >= _KNOWN_MAX:
        known.clear()
    cdef object b = True if secret_key(k) else False
    known[k] = b
    return b is True


cdef inline object _secret(str v):
    """See ``_redact_scan_py._secret``."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(v)
    if n == 0 or (n >= 11 and v.startswith("[REDACTED:") and PyUnicode_READ(PyUnicode_KIND(v), PyUnicode_DATA(v),
                                                                     n - 1) == 93):
        return None
    return _MARKER


def is_secret(dict known not None, object secret_key, object k) -> bool:
    """See ``_redact_scan_py.is_secret``."""
    return _is_secret(known, secret_key, k)


cdef object _starts_or_none(str s, int flags):
    """``starts(s, flags, ())``, or None where it is empty (a clean string allocates nothing)."""
    cdef _TBuf t
    _tinit(&t)
    try:
        _triggers(PyUnicode_KIND(s), PyUnicode_DATA(s), PyUnicode_GET_LENGTH(s), flags, &t, False)
        return _starts_of_buf(s, &t) if t.n else None
    finally:
        _tfree(&t)


cdef inline bint _kept(str s, int flags, object found) except -1:
    """See ``_redact_scan_py._kept``."""
    if flags & F_ALL:
        return True
    if PyUnicode_GET_LENGTH(s) < _MIN_MATCH:
        return False
    if not flags & F_STARTS:
        return _pre(s, flags)
    got = _starts_or_none(s, flags & 3)
    if got is None:
        return False
    if found is not None:
        PyDict_SetItem(found, PyLong_FromVoidPtr(<void*>s), got)
    return True


# What the walk needs of an object key (whether its value is a secret; whether the key itself is kept, and
# its starts), remembered by the key's identity: JSON object keys repeat across events, and orjson hands
# out the same string object for a repeated short key, so most lookups are one pointer compare. Each entry
# owns references to its key, secret-key cache and callback (an address cannot be reused while held).
cdef struct _KeyInfo:
    PyObject* key
    PyObject* known
    PyObject* secret_key
    PyObject* starts  # the key's starts (PRE_STARTS), or NULL
    int flags
    bint secret
    bint kept

cdef enum:
    _KC_BITS = 10

cdef _KeyInfo _KC[1 << _KC_BITS]


cdef _KeyInfo* _key_info(str k, dict known, object secret_key, int flags) except NULL:
    cdef size_t h = ((<size_t><PyObject*>k >> 4) * <size_t>0x9E3779B97F4A7C15ULL) >> (8 * sizeof(size_t) - _KC_BITS)
    cdef _KeyInfo* e = &_KC[h]
    if e.key == <PyObject*>k and e.known == <PyObject*>known and e.secret_key == <PyObject*>secret_key \
            and e.flags == flags:
        return e
    cdef bint secret = _is_secret(known, secret_key, k)
    cdef bint kept
    cdef object st = None
    if flags & F_ALL:
        kept = True
    elif PyUnicode_GET_LENGTH(k) < _MIN_MATCH:
        kept = False
    elif flags & F_STARTS:
        st = _starts_or_none(k, flags & 3)
        kept = st is not None
    else:
        kept = _pre(k, flags)
    # Stored only now that no Python code will run (the callback above may have walked and used this slot).
    cdef PyObject* old_key = e.key
    cdef PyObject* old_known = e.known
    cdef PyObject* old_secret_key = e.secret_key
    cdef PyObject* old_starts = e.starts
    Py_INCREF(k)
    Py_INCREF(known)
    Py_INCREF(secret_key)
    e.key = <PyObject*>k
    e.known = <PyObject*>known
    e.secret_key = <PyObject*>secret_key
    if st is None:
        e.starts = NULL
    else:
        Py_INCREF(st)
        e.starts = <PyObject*>st
    e.flags = flags
    e.secret = secret
    e.kept = kept
    Py_XDECREF(old_key)
    Py_XDECREF(old_known)
    Py_XDECREF(old_secret_key)
    Py_XDECREF(old_starts)
    return e


cdef inline int _keep_key(dict d, str k, _KeyInfo* e, list key_holders, list key_texts, object found) except -1:
    key_holders.append(d)
    key_texts.append(k)
    if e.starts != NULL and found is not None:
        PyDict_SetItem(found, PyLong_FromVoidPtr(<void*>k), <object>e.starts)
    return 0


def walk_value(object root, bint secret_list, int flags, dict known not None, object secret_key, list holders,
               list slots, list key_holders, list key_texts, object skip=(), object exempt=(),
               object found=None) -> int:
    """Walk the dicts and lists inside ``root``; see ``_redact_scan_py.walk_value``."""
    return _walk_value(root, secret_list, flags, known, secret_key, holders, slots, key_holders, key_texts, skip,
                       exempt, found)


def walk_event(dict ev not None, int flags, dict known not None, object secret_key, tuple skips not None,
               object exempt, object prop_exempt):
    """See ``_redact_scan_py.walk_event``: one call for an event's two walks (into the scratch lists, copied
    out only when something was kept)."""
    return walk_event_c(ev, flags, known, secret_key, skips, exempt, prop_exempt)


cdef object walk_event_c(dict ev, int flags, dict known, object secret_key, tuple skips, object exempt,
                         object prop_exempt):
    """walk_event, for a C caller (``_request.pyx``, the usual request's path: no Python call)."""
    global _scratch_busy
    cdef bint mine = not _scratch_busy
    cdef list holders = _S_HOLDERS if mine else []
    cdef list slots = _S_SLOTS if mine else []
    cdef list key_holders = _S_KEY_HOLDERS if mine else []
    cdef list key_texts = _S_KEY_TEXTS if mine else []
    cdef object found = None
    cdef Py_ssize_t n
    if flags & F_STARTS:
        found = _S_FOUND if mine else {}
    _scratch_busy = True
    props = ev.get("properties")
    cdef bint split = type(props) is dict
    try:
        n = _walk_value(ev, False, flags, known, secret_key, holders, slots, key_holders, key_texts,
                        skips[1] if split else skips[0], exempt, found)
        if split:
            n += _walk_value(props, False, flags, known, secret_key, holders, slots, key_holders, key_texts,
                             prop_exempt, prop_exempt, found)
        if n or PyList_GET_SIZE(holders) or PyList_GET_SIZE(key_holders):
            return n, holders[:], slots[:], key_holders[:], key_texts[:], None if found is None else dict(found)
        return None
    finally:
        if mine:
            _scratch_busy = False
        if PyList_GET_SIZE(holders):
            del holders[:]
            del slots[:]
        if PyList_GET_SIZE(key_holders):
            del key_holders[:]
            del key_texts[:]
        if found is not None and len(<dict>found):
            (<dict>found).clear()


cdef struct _Item:  # a container waiting on the walk's stack (an owned reference)
    PyObject* x
    bint in_secret  # a list held by a secret-named key: its strings are secrets

cdef enum:
    _STACK0 = 64  # the walk's stack on the C stack; deeper values grow it on the heap


cdef int _stack_push(_Item** st, Py_ssize_t* cap, Py_ssize_t* top, _Item* local, object x, bint in_secret) except -1:
    cdef _Item* p
    cdef Py_ssize_t i
    if top[0] == cap[0]:
        p = <_Item*>PyMem_Malloc(2 * cap[0] * sizeof(_Item))
        if p == NULL:
            raise MemoryError()
        for i in range(top[0]):
            p[i] = st[0][i]
        if st[0] != local:
            PyMem_Free(st[0])
        st[0] = p
        cap[0] *= 2
    Py_INCREF(x)
    st[0][top[0]].x = <PyObject*>x
    st[0][top[0]].in_secret = in_secret
    top[0] += 1
    return 0


cdef Py_ssize_t _walk_value(object root, bint secret_list, int flags, dict known, object secret_key, list holders,
                            list slots, list key_holders, list key_texts, object skip, object exempt,
                            object found) except -1:
    """walk_value: one stack of containers (the same order as the pure twin's), kept in C. A dict's values
    and keys in one pass, each string key looked up once (``_key_info``)."""
    cdef _Item local[_STACK0]
    cdef _Item* st = local
    cdef Py_ssize_t cap = _STACK0
    cdef Py_ssize_t top = 0
    cdef object x, k, v, r
    cdef PyObject* pk
    cdef PyObject* pv
    cdef Py_ssize_t pos, i
    cdef bint in_secret, secret
    cdef type tv
    cdef Py_ssize_t replaced = 0
    cdef _KeyInfo* e
    _stack_push(&st, &cap, &top, local, root, secret_list)
    try:
        while top:
            top -= 1
            x = <object>st[top].x  # a new reference: the stack's is dropped
            Py_DECREF(x)
            in_secret = st[top].in_secret
            if type(x) is dict:
                pos = 0
                while PyDict_Next(x, &pos, &pk, &pv):
                    k = <object>pk
                    if type(k) is str:
                        e = _key_info(<str>k, known, secret_key, flags)
                        secret = e.secret
                        if e.kept and (not exempt or k not in exempt):
                            _keep_key(<dict>x, <str>k, e, key_holders, key_texts, found)
                    else:
                        secret = _is_secret(known, secret_key, k)
                    if skip and k in skip:
                        continue
                    v = <object>pv
                    tv = type(v)
                    if tv is str:
                        if secret:
                            r = _secret(<str>v)
                            if r is not None:
                                PyDict_SetItem(x, k, r)  # same key: no resize while iterating
                                replaced += 1
                        elif _kept(<str>v, flags, found):
                            holders.append(x)
                            slots.append(k)
                    elif tv is dict:
                        _stack_push(&st, &cap, &top, local, v, False)
                    elif tv is list:
                        _stack_push(&st, &cap, &top, local, v, secret)
                skip = exempt = ()  # the root's only
            else:
                i = 0
                while i < PyList_GET_SIZE(x):
                    v = <object>PyList_GET_ITEM(x, i)
                    tv = type(v)
                    if tv is str:
                        if in_secret:
                            r = _secret(<str>v)
                            if r is not None:
                                x[i] = r
                                replaced += 1
                        elif _kept(<str>v, flags, found):
                            holders.append(x)
                            slots.append(i)
                    elif tv is dict or tv is list:
                        _stack_push(&st, &cap, &top, local, v, False)
                    i += 1
    finally:
        while top:
            top -= 1
            Py_XDECREF(st[top].x)
        if st != local:
            PyMem_Free(st)
    return replaced


def keys_of(dict d not None, object exempt, int flags, list key_holders, list key_texts, object found=None):
    """See ``_redact_scan_py.keys_of`` (a trace's root and nodes: no key cache needed)."""
    for k in d:
        if type(k) is str and (not exempt or k not in exempt) and _kept(<str>k, flags, found):
            key_holders.append(d)
            key_texts.append(k)
