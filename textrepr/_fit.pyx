# cython: language_level=3, boundscheck=False, wraparound=False
"""The hot loops of shrink-to-fit, compiled twin of ``textrepr._fit_py`` (see there)."""

from cpython.unicode cimport (PyUnicode_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_FindChar,
                              PyUnicode_New, PyUnicode_CopyCharacters)

__all__ = ["cut_chars", "fill", "largest_cap", "scan_template", "line_ranks", "skeleton_ranks", "pick_lines", "OPEN", "CLOSE"]

from libc.stdlib cimport malloc, free, qsort

OPEN, CLOSE = "\udb80", "\udb81"

ctypedef fused char_t:
    unsigned char
    unsigned short
    unsigned int

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


cdef Py_ssize_t _cut(list texts, list prefixes, Py_ssize_t cap, bint numbered, Py_ssize_t* out) except -1:
    """``cut_chars``: returns k; chars, newlines and hidden go to ``out``."""
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
    out[0], out[1], out[2] = chars, newlines, hidden
    return k


def cut_chars(list texts, list prefixes, Py_ssize_t cap, bint numbered):
    cdef Py_ssize_t out[3]
    cdef Py_ssize_t k = _cut(texts, prefixes, cap, numbered, out)
    return k, out[0], out[1], out[2]


def fill(list fixed, list texts, list prefixes, Py_ssize_t cap, bint usual=False):
    cdef Py_ssize_t m = len(texts), i, n, h = cap // 2, hidden = 0
    cdef list parts
    cdef str s, p, note
    if len(fixed) != m + 1 or len(prefixes) != m:
        raise ValueError("one prefix per text, and one fixed part around each")
    parts = [None] * (2 * m + 1)
    parts[0] = <str?>fixed[0]
    for i in range(m):
        s = <str?>texts[i]
        p = <str?>prefixes[i]
        n = PyUnicode_GET_LENGTH(s)
        if n > cap:
            if h or usual:
                note = f"\n\n... ({n - 2 * h} chars truncated) ...\n\n"
            else:
                note = f"... ({n} chars truncated) ..."
            if usual or 2 * h + PyUnicode_GET_LENGTH(note) < n:
                s = s[:h] + note + s[n - h:] if h else note
                hidden += n - 2 * h
        if PyUnicode_GET_LENGTH(p) and PyUnicode_FindChar(s, 10, 0, PyUnicode_GET_LENGTH(s), 1) >= 0:
            s = s.replace("\n", "\n" + p)
        parts[2 * i + 1] = s
        parts[2 * i + 2] = <str?>fixed[i + 1]
    return "".join(parts), hidden


cdef inline Py_ssize_t _filler_end(const char_t* d, Py_ssize_t q, Py_ssize_t end) noexcept nogil:
    """Where the "\\n" ending a filler line that starts at ``q`` is (before ``end``), or -1."""
    cdef Py_ssize_t r = q, k
    cdef unsigned int c
    while r < end and (d[r] == 0x2502 or d[r] == 32):  # possessive: the prefix is never given back
        r += 1
    if r < end and d[r] == 10:
        return r
    if r + 80 < end and (d[r] == 45 or d[r] == 61):
        c = d[r]
        for k in range(r + 1, r + 80):
            if d[k] != c:
                return -1
        if d[r + 80] == 10:
            return r + 80
    return -1


cdef object _compact(str t, const char_t* d, Py_ssize_t start, Py_ssize_t end, Py_ssize_t* dropped,
                     Py_ssize_t* newlines, str whole):
    """``t[start:end]`` (``whole``) without its filler lines (the "\\n" before each and the line); its "\\n"
    are counted into ``newlines``; a stray CLOSE raises ValueError. Built as one new string: a first pass
    finds the fillers, the size and the widest character kept (a str must have the narrowest kind that
    holds it), a second copies."""
    cdef Py_ssize_t i = start, e, nl = 0, size = 0, fillers = 0, kept, at
    cdef unsigned int mx = 0
    cdef str out
    while i < end:
        if d[i] == 10:
            nl += 1
            e = _filler_end(d, i + 1, end)
            if e >= 0:  # the filler holds no "\\n": the one ending it is counted next
                fillers += 1
                i = e
                continue
        elif d[i] == 0xDB81:
            raise ValueError("a placeholder was lost or moved")
        if d[i] > mx:
            mx = d[i]
        size += 1
        i += 1
    newlines[0] += nl
    if not fillers:
        return whole
    dropped[0] += fillers
    out = PyUnicode_New(size, mx)
    i = kept = start
    at = 0
    while i < end:
        if d[i] == 10:
            e = _filler_end(d, i + 1, end)
            if e >= 0:
                if i > kept:
                    PyUnicode_CopyCharacters(out, at, t, kept, i - kept)
                    at += i - kept
                i = kept = e
                continue
        i += 1
    if end > kept:
        PyUnicode_CopyCharacters(out, at, t, kept, end - kept)
    return out


cdef tuple _scan(str t, const char_t* d, Py_ssize_t n, Py_ssize_t count):
    cdef list fixed = [], compact = [], prefixes = []
    cdef str part
    cdef Py_ssize_t i, start = 0, k = 0, j, p0, v, newlines = 0, dropped = 0, digits
    # The placeholders are found by CPython's character search (fast), the fixed parts between them read
    # once (their "\\n", filler lines, and any stray CLOSE).
    while True:
        i = PyUnicode_FindChar(t, 0xDB80, start, n, 1)
        if i < 0:
            break
        j = i + 1
        v = 0
        while j < n and 48 <= d[j] <= 57 and j - i <= 19:
            v = v * 10 + (d[j] - 48)
            j += 1
        digits = j - i - 1
        if (digits == 0 or v != k or (digits > 1 and d[i + 1] == 48) or j >= n or d[j] != 10
                or k >= count):
            raise ValueError("a placeholder was lost or moved")
        p0 = j = j + 1
        while j < n and d[j] != 0xDB81 and d[j] != 10:
            if d[j] == 0xDB80:
                raise ValueError("a placeholder was lost or moved")
            j += 1
        if j >= n or d[j] != 0xDB81:
            raise ValueError("a placeholder was lost or moved")
        part = t[start:i]
        fixed.append(part)
        compact.append(_compact(t, d, start, i, &dropped, &newlines, part))
        prefixes.append(t[p0:j])
        k += 1
        start = j + 1
    if k != count:
        raise ValueError("a placeholder was lost or moved")
    part = t[start:n]
    fixed.append(part)
    compact.append(_compact(t, d, start, n, &dropped, &newlines, part))
    return fixed, compact, prefixes, newlines, newlines - dropped


def scan_template(str template, Py_ssize_t count):
    cdef int kind = PyUnicode_KIND(template)
    cdef void* data = PyUnicode_DATA(template)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(template)
    if kind == 1:
        return _scan(template, <const unsigned char*>data, n, count)
    if kind == 2:
        return _scan(template, <const unsigned short*>data, n, count)
    return _scan(template, <const unsigned int*>data, n, count)


# --- the shape of a line (``line_ranks``): the regular expressions of ``textrepr._fit_py``, by hand

from cpython.unicode cimport Py_UNICODE_ISDECIMAL, Py_UNICODE_ISSPACE

cdef enum:
    CONTENT = 0
    LABEL = 1
    CORE = 2


cdef inline bint _tree(Py_UCS4 c) noexcept:
    return c == 0x2502 or c == 0x251C or c == 0x2514 or c == 0x2500 or c == 32  # │ ├ └ ─ space


cdef inline bint _word_char(Py_UCS4 c) noexcept:
    """``[A-Z0-9 _()'/&.-]``."""
    return (65 <= c <= 90 or 48 <= c <= 57 or c == 32 or c == 95 or c == 40 or c == 41 or c == 39 or c == 47
            or c == 38 or c == 46 or c == 45)


cdef inline Py_ssize_t _word_end(str s, Py_ssize_t a, Py_ssize_t n):
    """The end of ``[A-Z][A-Z0-9 _()'/&.-]*`` matched at ``a`` (greedy), or -1."""
    if a >= n or not (65 <= s[a] <= 90):
        return -1
    a += 1
    while a < n and _word_char(s[a]):
        a += 1
    return a


cdef inline bint _is_word(str s, Py_ssize_t a, Py_ssize_t b):
    """``s[a:b]`` fullmatches ``[A-Z][A-Z0-9 _()'/&.-]*``."""
    return b > a and _word_end(s, a, b) == b


cdef inline bint _head(str s, Py_ssize_t a, Py_ssize_t b, tuple literals):
    """``s[a:b]`` is a word or one of ``literals``."""
    return _is_word(s, a, b) or s[a:b] in literals


cdef inline Py_ssize_t _digits_start(str s, Py_ssize_t n):
    """Where the run of decimal digits (``\\d``) ending ``s`` starts (``n`` when there is none)."""
    cdef Py_ssize_t i = n
    while i > 0 and Py_UNICODE_ISDECIMAL(s[i - 1]):
        i -= 1
    return i


cdef tuple _CORE_WORDS = ("Tool calls", "Tool Call", "Remaining steps")
cdef tuple _LABEL_WORDS = ("Error", "Tool result")
cdef tuple _KINDS = ("[GEN] ", "[SPAN] ", "[EMBED] ", "[EVAL] ", "[EVENT] ")


cdef int _rank(str s):
    cdef Py_ssize_t n = len(s), p = 0, i, d, e
    cdef Py_UCS4 c
    # C1: [│ ]*+[├└]─ (a tree node line)
    while p < n and (s[p] == 0x2502 or s[p] == 32):
        p += 1
    if p + 2 < n and (s[p] == 0x251C or s[p] == 0x2514) and s[p + 1] == 0x2500 and s[p + 2] == 32:
        return CORE
    # C2: (?:\[\+\] )?\[(?:GEN|SPAN|EMBED|EVAL|EVENT)\] (a flat node line)
    i = 4 if s.startswith("[+] ") else 0
    if s.startswith(_KINDS, i):
        return CORE
    # C3 and the label: after [│├└─ ]*+
    p = 0
    while p < n and _tree(s[p]):
        p += 1
    if p >= n:
        return CONTENT
    c = s[p]
    d = _digits_start(s, n)  # trailing \d+ (d < n when there is one)
    if c == 91:  # "["
        # \[\d+\] \S
        i = p + 1
        while i < n and Py_UNICODE_ISDECIMAL(s[i]):
            i += 1
        if i > p + 1 and i + 2 < n and s[i] == 93 and s[i + 1] == 32 and not Py_UNICODE_ISSPACE(s[i + 2]):
            return CORE
        # label: \[\+\] 
        if s.startswith("[+] ", p):
            return LABEL
        return CONTENT
    if not (65 <= c <= 90):
        return CONTENT
    # C3: (?:word|Tool calls|Tool Call|Remaining steps)(?::| \d+|: \d+)$
    if s[n - 1] == 58 and _head(s, p, n - 1, _CORE_WORDS):  # ":"
        return CORE
    if d < n and d - 1 > p and s[d - 1] == 32:
        if _head(s, p, d - 1, _CORE_WORDS):  # " \d+"
            return CORE
        if d - 2 > p and s[d - 2] == 58 and _head(s, p, d - 2, _CORE_WORDS):  # ": \d+"
            return CORE
    # label: (?:word|Error|Tool result)(?::| \d+$)
    e = _word_end(s, p, n)
    if e >= 0 and e < n and s[e] == 58:
        return LABEL
    for w in _LABEL_WORDS:
        if s.startswith(w, p) and p + len(w) < n and s[p + len(w)] == 58:
            return LABEL
    if d < n and d - 1 > p and s[d - 1] == 32 and _head(s, p, d - 1, _LABEL_WORDS):
        return LABEL
    return CONTENT


def line_ranks(list lines):
    """The rank of each line by its shape: 2 (core skeleton), 1 (other skeleton) or 0 (content)."""
    return [_rank(<str?>x) for x in lines]


cdef inline Py_ssize_t _stripped(str s, Py_ssize_t* b):
    """The bounds of ``s.strip(_TREE_CHARS)``: returns its start, sets ``b[0]`` to its end."""
    cdef Py_ssize_t a = 0
    b[0] = len(s)
    while a < b[0] and _tree(s[a]):
        a += 1
    while b[0] > a and _tree(s[b[0] - 1]):
        b[0] -= 1
    return a


cdef bint _error_label(str s):
    """``s.strip(_TREE_CHARS).endswith("ERROR:")``."""
    cdef Py_ssize_t b = 0
    cdef Py_ssize_t a = _stripped(s, &b)
    return b - a >= 6 and s[b - 6:b] == "ERROR:"


cdef bint _calls_label(str s):
    """``s.strip(_TREE_CHARS).startswith("Tool calls: ")``."""
    cdef Py_ssize_t b = 0
    cdef Py_ssize_t a = _stripped(s, &b)
    return b - a >= 12 and s.startswith("Tool calls: ", a)


cdef bint _blank(str s):
    """``not s.strip(_TREE_CHARS)``."""
    cdef Py_ssize_t i
    for i in range(len(s)):
        if not _tree(s[i]):
            return False
    return True


cdef bint _call_line(str s):
    """``s.lstrip(_TREE_CHARS).startswith("- ")``."""
    cdef Py_ssize_t a = 0, n = len(s)
    while a < n and _tree(s[a]):
        a += 1
    return s.startswith("- ", a)


def skeleton_ranks(list lines):
    cdef Py_ssize_t n = len(lines), k, j
    if n == 0:
        return []
    cdef list ranks = [_rank(<str?>x) for x in lines]
    cdef list core = [k for k in range(n) if <int>ranks[k] == CORE]
    cdef list errors = [_error_label(<str>lines[k]) for k in core]
    ranks[0] = CORE
    for k, error in zip(core, errors):
        if error:
            j = k + 1
            while j < n and _blank(<str>lines[j]):
                j += 1
            if j < n:
                ranks[j] = CORE
    for k, error in zip(core, errors):
        if not error and _calls_label(<str>lines[k]):
            j = k + 1
            while j < n and _call_line(<str>lines[j]):
                ranks[j] = CORE
                j += 1
    return ranks


cdef bint _sel_fits(const Py_ssize_t* cost, Py_ssize_t m, Py_ssize_t k, Py_ssize_t avail) noexcept:
    """``_core_py._fits``: the costs of ``sel(k)`` over ``m`` candidates sum to at most ``avail``."""
    cdef Py_ssize_t i, total = 0
    if k == 0:
        return avail >= 0
    if k == 1:
        return cost[m - 1] <= avail
    for i in range(k):
        total += cost[i * (m - 1) // (k - 1)]
        if total > avail:
            return False
    return True


def pick_lines(list costs, list ranks, Py_ssize_t avail):
    cdef Py_ssize_t n = len(ranks), i, j, m, lo, hi, mid, total
    cdef int rank
    cdef Py_ssize_t* pool
    cdef Py_ssize_t* pool_cost
    cdef list chosen = []
    if len(costs) != n:
        raise ValueError("one cost per line")
    pool = <Py_ssize_t*>malloc((2 * n + 1) * sizeof(Py_ssize_t))
    if pool == NULL:
        raise MemoryError()
    pool_cost = pool + n
    try:
        for rank in (CORE, LABEL, CONTENT):
            m = 0
            total = 0
            for i in range(n):
                if <int>ranks[i] == rank:
                    pool[m] = i
                    pool_cost[m] = costs[i]
                    total += pool_cost[m]
                    m += 1
            if total <= avail:
                chosen.extend([pool[j] for j in range(m)])
                avail -= total
                continue
            lo, hi = 0, m
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if _sel_fits(pool_cost, m, mid, avail):
                    lo = mid
                else:
                    hi = mid - 1
            if lo == 1:
                chosen.append(pool[m - 1])
            elif lo > 1:
                chosen.extend([pool[j * (m - 1) // (lo - 1)] for j in range(lo)])
            break
    finally:
        free(pool)
    chosen.sort()
    return chosen


cdef inline Py_ssize_t _grouped_len(Py_ssize_t x) noexcept nogil:
    cdef Py_ssize_t d = _digits(x)
    return d + (d - 1) // 3


cdef struct _Len:
    Py_ssize_t n
    Py_ssize_t i


cdef int _longer_first(const void* a, const void* b) noexcept nogil:
    """Length descending, then template order: the stable order of ``sorted(..., reverse=True)``."""
    cdef const _Len* x = <const _Len*>a
    cdef const _Len* y = <const _Len*>b
    if x.n != y.n:
        return -1 if x.n > y.n else 1
    return -1 if x.i < y.i else (1 if x.i > y.i else 0)


cdef bint _cap_fits(list texts, list prefixes, const Py_ssize_t* whole_chars, const Py_ssize_t* whole_newlines,
                    Py_ssize_t fixed_chars, Py_ssize_t fixed_newlines, bint numbered, Py_ssize_t note_cut,
                    Py_ssize_t note_zero, Py_ssize_t budget, Py_ssize_t cap) except -1:
    cdef Py_ssize_t out[3]
    cdef Py_ssize_t k = _cut(texts, prefixes, cap, numbered, out), chars = out[0], newlines = out[1]
    cdef Py_ssize_t hidden = out[2], lines
    chars += fixed_chars + whole_chars[k]
    lines = fixed_newlines + newlines + whole_newlines[k] + 1
    if numbered:
        chars += lines * (_digits(lines) + 3)
    if cap >= 2:
        chars += note_cut + _grouped_len(cap) + _grouped_len(cap // 2) + _grouped_len(hidden)
    else:
        chars += note_zero + _grouped_len(hidden)
    return chars + 1 <= budget


def largest_cap(list texts, list prefixes, Py_ssize_t fixed_chars, Py_ssize_t fixed_newlines, bint numbered,
                tuple note, Py_ssize_t budget, Py_ssize_t top):
    cdef Py_ssize_t note_cut = note[0], note_zero = note[1], lo, hi, mid, m = len(texts), i, n, nl
    cdef _Len* order
    cdef Py_ssize_t* whole
    cdef list strs, plens
    cdef str s
    if len(prefixes) != m:
        raise ValueError("one prefix per text")
    order = <_Len*>malloc((m + 1) * sizeof(_Len) + 2 * (m + 1) * sizeof(Py_ssize_t))
    if order == NULL:
        raise MemoryError()
    whole = <Py_ssize_t*>(order + m + 1)  # whole[0..m]: chars; whole[m+1..2m+1]: newlines
    try:
        for i in range(m):
            order[i].n = PyUnicode_GET_LENGTH(<str?>texts[i])
            order[i].i = i
        qsort(order, m, sizeof(_Len), _longer_first)
        strs = [texts[order[i].i] for i in range(m)]
        plens = [PyUnicode_GET_LENGTH(<str?>prefixes[order[i].i]) for i in range(m)]
        whole[m] = whole[2 * m + 1] = 0
        for i in range(m - 1, -1, -1):
            s = <str>strs[i]
            n = order[i].n
            nl = _newlines(s, 0, n) if n <= top else 0
            whole[i] = whole[i + 1] + n + nl * <Py_ssize_t>plens[i]
            whole[m + 1 + i] = whole[m + 2 + i] + nl
        if not _cap_fits(strs, plens, whole, whole + m + 1, fixed_chars, fixed_newlines, numbered, note_cut,
                         note_zero, budget, 0):
            return -1
        lo, hi = 0, top
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if _cap_fits(strs, plens, whole, whole + m + 1, fixed_chars, fixed_newlines, numbered, note_cut,
                         note_zero, budget, mid):
                lo = mid
            else:
                hi = mid - 1
        return lo
    finally:
        free(order)
