"""Pure-Python hot core: JSON forms, middle truncation, marker safety, assembly of the final text.

The compiled twin (``_core.pyx``) exports the same names with the same results and exceptions;
``textrepr.core`` picks one.

Renderer-made markers are written with ``MARK`` (``"<<<"`` + a lone surrogate) instead of ``"<<<"``.
Repaired event text can never hold a surrogate, so ``finalise`` can neutralise every look-alike in
event text (D11) with one pass over the whole text and then turn ``MARK`` back into ``"<<<"``.

Lazy TRUNCATED markers: the payload of a long middle (``LAZY_MIN`` characters or more) is often
dropped again by ``max_length`` sampling, and when it is kept, a marker built eagerly is copied again by
``finalise`` (its ``MARK`` dropped, narrowed to ASCII). So ``trunc`` returns a short placeholder element
instead and registers (text, cut, hidden, size) in a per-thread registry, without reading the middle: the size is a
lower bound of the marker's length (one UTF-8 byte per character, no look-alike). ``assemble`` first makes
every size exact unless it already exceeds ``max_length`` (then only comparisons with ``max_length``
depend on it, and they come out the same), counts the placeholder with that size and base64-encodes the
middle only when the line is kept; ``finalise`` (used for trace node contents) materialises every
placeholder in its text. ``assemble`` empties the registry.
"""
from __future__ import annotations

import json
import re
from json.encoder import c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring as _encode_str  # the C function when available
import threading
from base64 import b64encode
from operator import add
from typing import Any, Callable, Iterable

__all__ = [
    "MARK", "PIPE", "b64", "neutralise", "finalise", "trunc", "number_lines", "sample", "assemble",
    "jdump", "jdump2", "int_str", "disp", "has_digit_run", "patch_escapes",
]

MARK = "<<<\ud800"
# Field separator after an event-made marker field: a field ending in e.g. "<<<EVENT_LINK" must not form a
# look-alike with the "|" that follows it.
PIPE = "\udbff"
_LOOKALIKE = re.compile("<<<(?=\u200b*(?:TRUNCATED|GEN_EXPANDABLE|TOOLS_EXPANDABLE|EVENT_LINK)\\|)")

# ----------------------------------------------------------------------------------------------- JSON


def int_str(n: int) -> str:
    """Decimal form of any int, also past CPython's 4300-digit str() limit."""
    try:
        return str(n)
    except ValueError:
        pass
    neg = n < 0
    n = -n if neg else n
    # Divide and conquer in chunks below the limit.
    chunks: list[str] = []
    base = 10**1000
    while n:
        n, r = divmod(n, base)
        chunks.append(str(r).rjust(1000, "0") if n else str(r))
    return ("-" if neg else "") + "".join(reversed(chunks))


_dumps2 = json.JSONEncoder(ensure_ascii=False, check_circular=False, indent=2).encode
if c_make_encoder is not None:
    # One C encoder for every call (JSONEncoder.encode builds a new one each time).
    _c_encode = c_make_encoder(None, json.JSONEncoder().default, _encode_str, None, ": ", ", ", False, False, True)

    def _dumps(v: Any) -> str:
        return "".join(_c_encode(v, 0))
else:  # pragma: no cover - CPython always has the C accelerator
    _dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode  # type: ignore[assignment]


def _encode_iter(v: Any, indent: int | None) -> str:
    """Iterative encoder: same output as the json module, no recursion, no int-size limit.

    Used only when the json module refuses (nesting past the recursion limit, huge ints)."""
    out: list[str] = []
    # Stack items: a value to encode with its level, or a literal string to emit.
    stack: list[Any] = [(v, 0)]
    while stack:
        item = stack.pop()
        if type(item) is str:
            out.append(item)
            continue
        o, level = item
        t = type(o)
        if t is dict or t is list:
            if not o:
                out.append("{}" if t is dict else "[]")
                continue
            if indent is None:
                sep, first, end = ", ", "", ""
            else:
                first = "\n" + " " * (indent * (level + 1))
                sep = "," + first
                end = "\n" + " " * (indent * level)
            out.append(("{" if t is dict else "[") + first)
            stack.append(end + ("}" if t is dict else "]"))
            pending: list[Any] = []
            if t is dict:
                for i, (k, x) in enumerate(o.items()):
                    if i:
                        pending.append(sep)
                    pending.append(_dumps(k) + ": ")
                    pending.append((x, level + 1))
            else:
                for i, x in enumerate(o):
                    if i:
                        pending.append(sep)
                    pending.append((x, level + 1))
            stack.extend(reversed(pending))
        elif t is int:
            out.append(int_str(o))
        else:
            out.append(_dumps(o))
    return "".join(out)


def jdump(v: Any) -> str:
    """``json.dumps(v, ensure_ascii=False)``: compact, ``", "`` / ``": "`` separators."""
    try:
        return _dumps(v)
    except (ValueError, RecursionError):
        return _encode_iter(v, None)


class _Unusual(Exception):
    """A value outside ``_indent2``'s exact JSON types."""


_END: Any = object()
_INF = float("inf")


def _indent2(v: Any) -> str:
    """``json.dumps(v, ensure_ascii=False, indent=2)`` for exact JSON types, without the json module's
    per-call generator set-up (its indent encoder is pure Python); iterative, so any depth works."""
    out: list[str] = []
    ap = out.append
    stack: list[tuple[Any, bool, str, str]] = []  # (iterator, is dict, item separator, closing text)
    while True:
        t = type(v)
        if t is str:
            ap(_encode_str(v))
        elif t is dict or t is list:
            if not v:
                ap("{}" if t is dict else "[]")
            else:
                pad = "  " * (len(stack) + 1)
                if t is dict:
                    it = iter(v.items())
                    stack.append((it, True, ",\n" + pad, "\n" + pad[2:] + "}"))
                    k, v = next(it)
                    if type(k) is not str:
                        raise _Unusual
                    ap("{\n" + pad + _encode_str(k) + ": ")
                else:
                    it = iter(v)
                    stack.append((it, False, ",\n" + pad, "\n" + pad[2:] + "]"))
                    ap("[\n" + pad)
                    v = next(it)
                continue
        elif v is None:
            ap("null")
        elif v is True:
            ap("true")
        elif v is False:
            ap("false")
        elif t is int:
            ap(int.__repr__(v))  # ValueError past 4300 digits: the caller falls back
        elif t is float:
            ap(float.__repr__(v) if v == v and v not in (_INF, -_INF) else
               "NaN" if v != v else "Infinity" if v > 0 else "-Infinity")
        else:
            raise _Unusual
        while stack:
            it, is_dict, sep, close = stack[-1]
            nxt = next(it, _END)
            if nxt is _END:
                stack.pop()
                ap(close)
                continue
            if is_dict:
                k, v = nxt
                if type(k) is not str:
                    raise _Unusual
                ap(sep + _encode_str(k) + ": ")
            else:
                v = nxt
                ap(sep)
            break
        else:
            return "".join(out)


def jdump2(v: Any) -> str:
    """``json.dumps(v, ensure_ascii=False, indent=2)``."""
    try:
        return _indent2(v)
    except (_Unusual, ValueError):
        pass
    try:
        return _dumps2(v)
    except (ValueError, RecursionError):
        return _encode_iter(v, 2)


def disp(v: Any) -> str:
    """Display form (§1.1): strings as-is, None/True/False Python-style, containers as JSON."""
    t = type(v)
    if t is str:
        return v
    if v is None:
        return "None"
    if v is True:
        return "True"
    if v is False:
        return "False"
    if t is int:
        return int_str(v)
    if t is float:
        return repr(v)
    if t is dict or t is list:
        return jdump(v)
    return str(v)


# ------------------------------------------------------------------------------------- markers, trunc


def b64(s: str) -> str:
    """Standard base64 of the UTF-8 bytes of ``s``."""
    return b64encode(s.encode("utf-8")).decode("ascii")


def neutralise(s: str) -> str:
    """Insert U+200B after ``<<<`` in every marker look-alike (FORMAT.md §4.17, D11)."""
    if "<<<" not in s:
        return s
    return _LOOKALIKE.sub("<<<\u200b", s)


LAZY_MIN = 1 << 14  # below it, the registry costs more than the copies it saves
_LAZY = "\udbfe"  # placeholder delimiter; like MARK, no repaired event text can hold it
_local = threading.local()
_CHUNK = 1 << 20


def _set_lazy_min(n: int) -> int:
    """Test hook: set the smallest middle made lazy; returns the previous value."""
    global LAZY_MIN
    old, LAZY_MIN = LAZY_MIN, n
    return old


def _registry() -> dict[str, tuple[str, int, int, int]]:
    reg: dict[str, tuple[str, int, int, int]] | None = getattr(_local, "reg", None)
    if reg is None:
        reg = _local.reg = {}
    return reg


def _utf8_len(s: str, a: int, b: int) -> int:
    """Length of the UTF-8 form of ``s[a:b]``, in bounded memory (strict: raises on surrogates)."""
    if s.isascii():
        return b - a
    return sum(len(s[i:min(i + _CHUNK, b)].encode("utf-8")) for i in range(a, b, _CHUNK))


def _marker_len(nbytes: int, hidden: int) -> int:
    """Length of ``<<<TRUNCATED|`` + base64 of ``nbytes`` bytes + ``|hidden>>>``."""
    return 13 + 4 * ((nbytes + 2) // 3) + 1 + len(str(hidden)) + 3


def _key(reg: dict[str, tuple[Any, ...]], s: str, h: int) -> str:
    """The placeholder of ``trunc(s)`` cut at ``h``: the same for equal texts and cuts (a render gives the
    same lines every time, whichever twin made them), another for a different text of the same length."""
    base = f"{_LAZY}{len(s)}.{h}."
    i = 0
    while True:
        key = f"{base}{i}{_LAZY}"
        e = reg.get(key)
        if e is None or e[0] is s or e[0] == s:
            return key
        i += 1


def _lazy_marker(s: str, h: int, hidden: int) -> str:
    """A placeholder for the TRUNCATED marker of ``s[h:len(s)-h]``, registered with a lower bound of its
    length (the middle is not read here: ``_exact_sizes`` reads it only if sampling needs to know)."""
    reg = _registry()
    key = _key(reg, s, h)
    if key not in reg:
        reg[key] = (s, h, hidden, _marker_len(hidden, hidden))
    return key


def _exact_sizes(reg: dict[str, tuple[str, int, int, int]], max_length: int) -> None:
    """Make every registered size exact, unless ``0 < max_length <`` the lower bound it holds.

    A size larger than ``max_length`` is only ever compared with ``max_length`` or less (a line that
    long can be neither kept whole nor sampled), so a lower bound above it decides the same way.
    A middle holding a surrogate keeps its bound: materialising it raises the canonical error.
    """
    for key, (s, h, hidden, size) in reg.items():
        if 0 < max_length < size:
            continue
        end = len(s) - h
        try:
            nbytes = _utf8_len(s, h, end)
        except UnicodeEncodeError:
            continue
        if s.find("<<<", h, end) >= 0:
            nbytes += 3 * len(_LOOKALIKE.findall(s, h, end))  # each inserted U+200B is 3 bytes
        reg[key] = (s, h, hidden, _marker_len(nbytes, hidden))


def _materialise(entry: tuple[str, int, int, int]) -> str:
    """The finalised marker text of a registry entry (must not be neutralised again)."""
    s, h, hidden, _ = entry
    return f"<<<TRUNCATED|{b64(neutralise(s[h:len(s) - h]))}|{hidden}>>>"


def _fill(text: str, reg: dict[str, tuple[str, int, int, int]]) -> str:
    """Replace every placeholder in ``text`` by its marker."""
    parts = text.split(_LAZY)
    for i in range(1, len(parts), 2):
        parts[i] = _materialise(reg[_LAZY + parts[i] + _LAZY])
    return "".join(parts)


def trunc(s: str, truncated: bool, buffer: int, markers: bool) -> list[str]:
    """Middle truncation of one text (FORMAT.md §4.16): one or five line-list elements."""
    if buffer < 0:
        raise ValueError("buffer must be >= 0")
    n = len(s)
    if not truncated or n <= buffer:
        return [s]
    h = buffer // 2
    hidden = n - 2 * h
    first = s[:h]
    last = s[n - h:] if h else ""
    if markers:
        if hidden >= LAZY_MIN:
            return [first, "", _lazy_marker(s, h, hidden), "", last]
        middle = s[h:n - h]
        return [first, "", f"{MARK}TRUNCATED|{b64(neutralise(middle))}|{hidden}>>>", "", last]
    return [f"{first}\n\n... ({hidden} chars truncated) ...\n\n{last}"]


def _finalise_text(text: str) -> str:
    """Neutralise look-alikes and turn ``MARK``/``PIPE`` into text (placeholders are left alone)."""
    if "<<<" not in text:
        return text
    # Every run of 3+ "<" adds at least one to count("<<<"); a MARK ends one run, a look-alike
    # another. So when the counts agree, every "<<<" belongs to a MARK: no regex pass needed.
    if text.count("<<<") != text.count(MARK):
        text = _LOOKALIKE.sub("<<<\u200b", text)
    text = text.replace(MARK, "<<<")
    if PIPE in text:
        text = text.replace(PIPE, "|")
    return text


def finalise(text: str, markers: bool) -> str:
    """Neutralise look-alikes in event text and turn renderer-made ``MARK``/``PIPE`` into text."""
    if not markers:
        return text
    text = _finalise_text(text)
    reg = getattr(_local, "reg", None)
    if reg and _LAZY in text:
        text = _fill(text, reg)
    return text


# ----------------------------------------------------------------------- line numbers and sampling


def _prefixer(total: int) -> Callable[[int], str]:
    """``k -> "L" + k zero-padded to the digit count of total + ": "`` (§4.18)."""
    return ("L{:0%dd}: " % len(str(total))).format


def number_lines(text: str) -> str:
    """Prefix every line with ``L<k>: ``, zero-padded to the digit count of the line total (§4.18)."""
    lines = text.split("\n")
    return "\n".join(map(add, map(_prefixer(len(lines)), range(1, len(lines) + 1)), lines))


def _note(k: int, n: int, total: int) -> str:
    return (f"[SAMPLED VIEW: Showing ~{format(100 * k / n, '.0f')}% of {total:,} lines. "
            "Gaps in line numbers indicate omitted content.]")


def _fits(cost: list[int], k: int, avail: int) -> bool:
    """``sum(cost[j] for j in sel(k)) <= avail`` (step 5), with an early exit every chunk."""
    n = len(cost)
    if k == 0:
        return avail >= 0
    if k == 1:
        return cost[n - 1] <= avail
    d = k - 1
    m1 = n - 1
    get = cost.__getitem__
    total = 0
    for lo in range(0, k, 4096):
        total += sum(map(get, [i * m1 // d for i in range(lo, min(k, lo + 4096))]))
        if total > avail:
            return False
    return True


def _select(cost: list[int], avail: int) -> list[int]:
    """Step 5's evenly spaced selection, found by the prescribed (non-monotone) binary search."""
    n = len(cost)
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _fits(cost, mid, avail):
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return []
    if lo == 1:
        return [n - 1]
    d = lo - 1
    return [i * (n - 1) // d for i in range(lo)]


def _plan(lens: list[int], extra: int, m: int, node_lines: Iterable[int] | None) -> tuple[str, Any]:
    """§4.19 on line lengths only; the final lines are ``lens[i] + extra`` characters long.

    Returns ("cut", m): the first line cut to m; ("prefix", k): the first k lines; ("sample", (S, cut)):
    the head, the note and the body lines S (0-based body indices) or, if ``cut`` is not None, the
    last line cut to ``cut`` characters.
    """
    total = len(lens)
    n = total - 5
    avail = -1
    if n > 0:
        # len("\n".join(head[:2] + [note(n)] + head[2:])): the longest possible note.
        avail = m - (sum(lens[:5]) + 5 * extra + len(_note(n, n, total)) + 5)
    if n <= 0 or avail < 0:
        # Step 4, prefix mode: the longest run of whole leading lines that fits.
        used = lens[0] + extra
        if used > m:
            return "cut", m
        k = 1
        while k < total and used + 1 + lens[k] + extra <= m:
            used += 1 + lens[k] + extra
            k += 1
        return "prefix", k
    cost = list(map((extra + 1).__add__, lens[5:]))
    sel = _select(cost, avail)
    if node_lines:
        body_nodes = [j - 5 for j in node_lines if 5 <= j < 5 + n]
        if body_nodes:
            chosen = set(sel)
            if not any(j in chosen for j in body_nodes):
                best = -1
                for j in body_nodes:
                    if cost[j] <= avail and j > best:
                        best = j
                if best >= 0:
                    sel = sorted(set(_select(cost, avail - cost[best])) | {best})
    if not sel and avail >= 2:
        return "sample", (sel, avail - 1)
    return "sample", (sel, None)


def _build(plan: tuple[str, Any], line: Callable[[int], str], total: int) -> str:
    """The sampled text of ``plan``; ``line(i)`` is the final form of line i."""
    kind, arg = plan
    if kind == "cut":
        return line(0)[:arg]
    if kind == "prefix":
        return "\n".join(map(line, range(arg)))
    sel, cut = arg
    kept = [line(5 + j) for j in sel] if cut is None else [line(total - 1)[:cut]]
    head = [line(i) for i in range(5)]
    return "\n".join(head[:2] + [_note(len(kept), total - 5, total)] + head[2:] + kept)


def _check_bound(max_length: int) -> None:
    if max_length < 0:
        raise ValueError("max_length must be >= 0")


def sample(text: str, max_length: int, node_lines: list[int] | None) -> tuple[str, bool]:
    """Bound ``len(text)`` by ``max_length`` with line sampling (FORMAT.md §4.19).

    ``node_lines``: for a trace, the 0-based indices (in ``text.split("\\n")``) of node lines, for
    the step-6 guarantee; ``None`` for single events. Returns (text, truncated).
    """
    _check_bound(max_length)
    m = max_length
    if m == 0 or len(text) <= m:
        return text, False
    lines = text.split("\n")
    return _build(_plan(list(map(len, lines)), 0, m, node_lines), lines.__getitem__, len(lines)), True


def assemble(elements: list[str], markers: bool, line_numbers: bool, max_length: int,
             node_lines: list[int] | None) -> tuple[str, bool]:
    """The final text of a line list and whether sampling changed it.

    Same result as ``sample(number_lines(finalise("\\n".join(elements), markers)), max_length,
    node_lines)`` (numbering only when ``line_numbers``), but a text that sampling will cut is never
    numbered or materialised as a whole: line costs are computed from lengths and only kept lines
    are built. Empties this thread's lazy-marker registry.
    """
    _check_bound(max_length)
    reg = getattr(_local, "reg", None) if markers else None
    try:
        if reg:
            _exact_sizes(reg, max_length)
        return _assemble(elements, markers, line_numbers, max_length, node_lines, reg)
    finally:
        if reg:
            reg.clear()


def _assemble(elements: list[str], markers: bool, line_numbers: bool, m: int, node_lines: list[int] | None,
              reg: dict[str, tuple[str, int, int, int]] | None) -> tuple[str, bool]:
    text = "\n".join(elements)
    if markers:
        text = _finalise_text(text)
    lazy: dict[int, tuple[str, int, int, int]] = {}
    if reg and _LAZY in text:
        text, lazy = _lazy_lines(text, reg)
    if not lazy and not line_numbers:
        return sample(text, m, node_lines)
    lines = text.split("\n")
    total = len(lines)
    extra = len(str(total)) + 3 if line_numbers else 0
    size = len(text) + total * extra + sum(e[3] - len(lines[i]) for i, e in lazy.items())
    if m == 0 or size <= m:
        for i, e in lazy.items():
            lines[i] = _materialise(e)
        if not line_numbers:
            return "\n".join(lines), False
        return "\n".join(map(add, map(_prefixer(total), range(1, total + 1)), lines)), False

    lens = list(map(len, lines))
    for i, e in lazy.items():
        lens[i] = e[3]
    prefix = _prefixer(total) if line_numbers else None

    def line(i: int) -> str:
        e = lazy.get(i)
        s = _materialise(e) if e is not None else lines[i]
        return prefix(i + 1) + s if prefix is not None else s

    return _build(_plan(lens, extra, m, node_lines), line, total), True


def _lazy_lines(text: str, reg: dict[str, tuple[str, int, int, int]]) -> tuple[str, dict[int, Any]]:
    """Line index -> registry entry of every placeholder that is a whole line; others are filled in."""
    lazy: dict[int, tuple[str, int, int, int]] = {}
    parts = text.split(_LAZY)
    line = 0
    pos = 0  # where parts[i] starts in text
    embedded = False
    for i in range(len(parts)):
        if i % 2:
            key = _LAZY + parts[i] + _LAZY
            start = pos - 1
            end = pos + len(parts[i]) + 1
            whole = (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")
            if whole:
                lazy[line] = reg[key]
            else:
                embedded = True
        else:
            line += parts[i].count("\n")
        pos += len(parts[i]) + 1
    if embedded:  # a renderer glued a placeholder to other text: build every marker now
        return _fill(text, reg), {}
    return text, lazy


# ------------------------------------------------------------------------------- big-integer detection

# A digit becomes "0", anything else " ": a run of 19 digits becomes a run of 19 "0"s.
_DIGIT_TABLE = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
_DIGIT_RUN = b"0" * 19


def has_digit_run(s: bytes | str) -> bool:
    """Whether ``s`` holds 19 ASCII digits in a row: where an integer may exceed 64 bits (parse.py)."""
    if type(s) is str:
        s = s.encode("utf-8", "surrogatepass")  # non-ASCII never maps to a digit
    elif type(s) is not bytes:
        raise TypeError(f"expected bytes or str, not {type(s).__name__}")
    return _DIGIT_RUN in s.translate(_DIGIT_TABLE)


# ------------------------------------------------------------------------------ lone-surrogate escapes

_ESC_B = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_ESC_S = re.compile(_ESC_B.pattern.decode("ascii"))


def _patch_escape(m: re.Match[Any]) -> Any:
    g = m.group()
    s = m.string
    i = j = m.start()
    bs = s[i : i + 1]  # the backslash, as bytes or str
    while j and s[j - 1 : j] == bs:
        j -= 1
    fffd = b"\\ufffd" if type(g) is bytes else "\\ufffd"
    if (i - j) & 1:  # an escaped backslash, then text "u…"; a low-surrogate escape after it is lone
        return g[:6] + fffd if len(g) == 12 else g
    return g if len(g) == 12 else fffd  # a valid pair stays for orjson to join


def patch_escapes(raw: bytes | str) -> bytes | str:
    """``raw`` (JSON text) with every lone-surrogate escape replaced by ``\\ufffd`` (the §1.1 repair, for
    orjson); a valid pair stays. Every replacement has the length of what it replaces."""
    if type(raw) is bytes:
        return _ESC_B.sub(_patch_escape, raw)
    return _ESC_S.sub(_patch_escape, raw)
