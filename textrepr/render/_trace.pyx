"""Typed twin of ``textrepr.render.trace`` (FORMAT.md §4.15): header, trace error, trace states, node tree.

Same names, results and exceptions as the pure module. The walk is iterative like the pure one (deep
chains and wide traces render in linear time whatever the recursion limit is) but keeps the current
sibling list in typed locals and pushes a frame only when it descends; each node line's newline count
comes from its parts (the id and summary) instead of a scan of the whole line with its content.
"""
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_KIND, PyUnicode_New
from libc.string cimport memcpy

cdef extern from "Python.h":
    ctypedef unsigned char Py_UCS1
    ctypedef unsigned short Py_UCS2
    Py_UCS4 PyUnicode_MAX_CHAR_VALUE(object o)

from ..core import MARK, PIPE, b64, disp, jdump2, neutralise
from ._common import EQ, SEP, tr
from ._event import event_lines, event_text
from ._generation import input_lines
from .langchain import is_lc_message, lc_keyed_arrays
from ._messages import choices_lines
from ._span import lc_keyed_lines
from . import trace as _pure
from ._summary import EXPANDABLE
from ._summary cimport node_summary, node_tag

__all__ = ["render_trace_lines"]

_DEPTH_LINE = "  [... max depth reached]"
# Above this a max_depth can never be reached (and would not fit a Py_ssize_t): no limit.
cdef Py_ssize_t _HUGE = 1 << 60


cdef inline str _disp(object v):
    if type(v) is str:
        return <str>v
    return disp(v)


cdef inline str _fieldc(str s):
    if "<<<" in s:
        s = neutralise(s)
    if "|" in s:
        s = s.replace("|", "\u00a6")
    return s


def _field(s):
    """A GEN_EXPANDABLE / EVENT_LINK id or display field: neutralised, then ``|`` -> ``¦`` (D11)."""
    if type(s) is not str:
        return _pure._field(s)
    return _fieldc(<str>s)


cdef inline bint _message_array(object v):
    if type(v) is not list or not v:
        return False
    first = (<list>v)[0]
    return type(first) is dict and ("role" in <dict>first or "content" in <dict>first)


def _is_message_array(v):
    """An array whose first element is an object with a ``role`` or ``content`` key."""
    return _message_array(v)


cdef object _state_list(object state, bint output, object o):
    """The pure ``_state_lines``: the lines of one trace state, empty when there is nothing to show."""
    cdef list lines
    if not state:
        return []
    if is_lc_message(state):
        state = [state]  # D17: one LangChain message is a message array of one
    if _message_array(state):
        if output:
            msgs = choices_lines(state, o)
            if not msgs:
                return []
            lines = ["", "OUTPUT:"]
            lines.extend(msgs)
            return lines
        return input_lines(state, o)
    lines = ["", "TRACE OUTPUT:" if output else "TRACE INPUT:", ""]
    t = type(state)
    if t is str:
        lines.extend(tr(state, o))
    elif lc_keyed_arrays(state):
        lines.extend(lc_keyed_lines(state, o))
    elif t is dict or t is list:
        lines.extend(tr(jdump2(state), o))
    else:
        lines.append(_disp(state))
    return lines


def _state_lines(state, output, o):
    """Lines of one trace state (§4.15.2); empty when there is nothing to show."""
    return _state_list(state, bool(output), o)


def render_trace_lines(trace, hierarchy, o):
    """The trace's line list, and the 0-based indices (in the joined text) of its node lines.

    A node line is the first text line a node produces (§4.19 step 6); content lines, depth lines and
    lines created by a ``\\n`` inside an id or summary are not node lines.
    """
    props = trace.get("properties", {})
    if type(props) is not dict:
        props = {}
    name = (props.get("$ai_span_name") or props.get("$ai_trace_name") or trace.get("traceName")
            or trace.get("trace_name") or trace.get("name") or "TRACE")
    cdef list lines = [_disp(name).upper(), EQ]
    err = props.get("$ai_error")
    if err:
        lines.extend(("", SEP, "", "TRACE ERROR:", ""))
        lines.append(err if type(err) is str else jdump2(err))

    # The trace's own states; with a hierarchy they come before it (D18), in collapsed mode too.
    state = props.get("$ai_input_state") or trace.get("inputState") or trace.get("input_state")
    sl = _state_list(state, False, o)
    if sl:
        lines.append("")
        lines.append(SEP)
        lines.extend(sl)
    state = props.get("$ai_output_state") or trace.get("outputState") or trace.get("output_state")
    sl = _state_list(state, True, o)
    if sl:
        lines.append("")
        lines.append(SEP)
        lines.extend(sl)
    if not hierarchy:
        return lines, []

    lines.extend(("", SEP, "", "TRACE HIERARCHY:", ""))
    # Text line index of the next element appended to ``lines``.
    cdef Py_ssize_t line_no = len(lines)
    for s in lines:
        line_no += (<str>s).count("\n") if type(s) is str else s.count("\n")
    cdef list node_lines = []
    if type(hierarchy) is list and _walk_typed(<list>hierarchy, o, lines, node_lines, line_no) == 0:
        return lines, node_lines
    _pure._walk(hierarchy, o, lines, node_lines, line_no)
    return lines, node_lines


def _walk(hierarchy, o, lines, node_lines, line_no):
    """Append the node lines of the hierarchy (depth-first, pre-order) with an explicit stack."""
    if (type(hierarchy) is list and type(lines) is list and type(node_lines) is list and type(line_no) is int
            and 0 <= line_no < _HUGE
            and _walk_typed(<list>hierarchy, o, <list>lines, <list>node_lines, line_no) == 0):
        return None
    return _pure._walk(hierarchy, o, lines, node_lines, line_no)


cdef extern from *:
    """
    /* Newline search and kind-widening copies for the prefixed node elements (below): memchr for UCS1,
     * 16 bytes at a time (SSE2, the x86-64 baseline; elsewhere a plain loop) for UCS2 and UCS4. */
    #include <string.h>
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif
    static Py_ssize_t tp_find_nl(int kind, const void* d, Py_ssize_t i, Py_ssize_t n) {
        if (i >= n) return -1;
        if (kind == 1) {
            const char* p = (const char*)memchr((const char*)d + i, 10, (size_t)(n - i));
            return p ? p - (const char*)d : -1;
        }
    #if defined(__SSE2__)
        if (kind == 2) {
            const __m128i nl = _mm_set1_epi16(10);
            for (; i + 8 <= n; i += 8) {
                unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_loadu_si128((const __m128i*)((const Py_UCS2*)d + i)), nl));
                if (m) return i + (__builtin_ctz(m) >> 1);
            }
        } else {
            const __m128i nl = _mm_set1_epi32(10);
            for (; i + 4 <= n; i += 4) {
                unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi32(_mm_loadu_si128((const __m128i*)((const Py_UCS4*)d + i)), nl));
                if (m) return i + (__builtin_ctz(m) >> 2);
            }
        }
    #endif
        for (; i < n; i++)
            if ((kind == 2 ? ((const Py_UCS2*)d)[i] : ((const Py_UCS4*)d)[i]) == 10) return i;
        return -1;
    }
    static Py_ssize_t tp_count_nl(int kind, const void* d, Py_ssize_t n) {
        Py_ssize_t t = 0, i = tp_find_nl(kind, d, 0, n);
        while (i >= 0) { t++; i = tp_find_nl(kind, d, i + 1, n); }
        return t;
    }
    /* n characters of src (kind ik) from s, to dst (kind ok >= ik) at o. */
    static void tp_copy(int ok, void* dst, Py_ssize_t o, int ik, const void* src, Py_ssize_t s, Py_ssize_t n) {
        Py_ssize_t k;
        if (ok == ik) { memcpy((char*)dst + o * ok, (const char*)src + s * ik, (size_t)(n * ik)); return; }
        if (ok == 2) {
            Py_UCS2* q = (Py_UCS2*)dst + o; const Py_UCS1* p = (const Py_UCS1*)src + s;
            for (k = 0; k < n; k++) q[k] = p[k];
        } else if (ik == 1) {
            Py_UCS4* q = (Py_UCS4*)dst + o; const Py_UCS1* p = (const Py_UCS1*)src + s;
            for (k = 0; k < n; k++) q[k] = p[k];
        } else {
            Py_UCS4* q = (Py_UCS4*)dst + o; const Py_UCS2* p = (const Py_UCS2*)src + s;
            for (k = 0; k < n; k++) q[k] = p[k];
        }
    }
    /* src (kind ik, n characters) to dst at o, each newline followed by pre (ok's kind, lp characters);
     * returns the new o. */
    static Py_ssize_t tp_copy_prefixed(int ok, void* dst, Py_ssize_t o, int ik, const void* src, Py_ssize_t n,
                                       const void* pre, Py_ssize_t lp) {
        Py_ssize_t start = 0, q = tp_find_nl(ik, src, 0, n);
        while (q >= 0) {
            tp_copy(ok, dst, o, ik, src, start, q + 1 - start);
            o += q + 1 - start;
            memcpy((char*)dst + o * ok, pre, (size_t)(lp * ok));
            o += lp;
            start = q + 1;
            q = tp_find_nl(ik, src, start, n);
        }
        tp_copy(ok, dst, o, ik, src, start, n - start);
        return o + n - start;
    }
    /* The ne items of a list: -1 if one is not an exact str, else 0 with their total length, newline count
     * and widest kind's max char (at least *mc) stored. */
    static int tp_measure(PyObject* const* items, Py_ssize_t ne, Py_ssize_t* size, Py_ssize_t* nl, Py_UCS4* mc) {
        Py_ssize_t i, s = 0, k = 0;
        Py_UCS4 m = *mc;
        for (i = 0; i < ne; i++) {
            PyObject* x = items[i];
            if (!PyUnicode_CheckExact(x)) return -1;
            if (PyUnicode_MAX_CHAR_VALUE(x) > m) m = PyUnicode_MAX_CHAR_VALUE(x);
            s += PyUnicode_GET_LENGTH(x);
            k += tp_count_nl(PyUnicode_KIND(x), PyUnicode_DATA(x), PyUnicode_GET_LENGTH(x));
        }
        *size = s; *nl = k; *mc = m;
        return 0;
    }
    /* The items (measured) to dst at o, sep ("\\n" + prefix, ls characters of dst's kind) between them and
     * the prefix after each of their newlines; returns the new o. */
    static Py_ssize_t tp_write(int ok, void* dst, Py_ssize_t o, PyObject* const* items, Py_ssize_t ne,
                               const char* sep, Py_ssize_t ls) {
        Py_ssize_t i;
        for (i = 0; i < ne; i++) {
            PyObject* x = items[i];
            if (i) { memcpy((char*)dst + o * ok, sep, (size_t)(ls * ok)); o += ls; }
            o = tp_copy_prefixed(ok, dst, o, PyUnicode_KIND(x), PyUnicode_DATA(x), PyUnicode_GET_LENGTH(x),
                                 sep + ok, ls - 1);
        }
        return o;
    }
    """
    Py_ssize_t tp_count_nl(int kind, const void* d, Py_ssize_t n) noexcept nogil
    void tp_copy(int ok, void* dst, Py_ssize_t o, int ik, const void* src, Py_ssize_t s, Py_ssize_t n) noexcept nogil
    int tp_measure(PyObject** items, Py_ssize_t ne, Py_ssize_t* size, Py_ssize_t* nl, Py_UCS4* mc) noexcept
    Py_ssize_t tp_write(int ok, void* dst, Py_ssize_t o, PyObject** items, Py_ssize_t ne, const char* sep,
                        Py_ssize_t ls) noexcept
    PyObject** PySequence_Fast_ITEMS(object o)


cdef str _prefixed(str head, str pc, list lines, Py_ssize_t* nl_out):
    """``head + "\\n" + pc + c.replace("\\n", "\\n" + pc)`` where ``c = "\\n".join(lines)``, written in
    one pass into one string (no joined content, no replace pass, no concatenation over the widened
    text). ``nl_out``: the newlines of c. Elements that are not exact str: the pure expression."""
    cdef Py_ssize_t ne = len(lines), n, size = 0, nl = 0, o, lp = len(pc), ls = lp + 1
    cdef Py_UCS4 mc = PyUnicode_MAX_CHAR_VALUE(head)
    cdef str out
    cdef int ok
    cdef char* od
    cdef PyObject** items = PySequence_Fast_ITEMS(lines)
    if PyUnicode_MAX_CHAR_VALUE(pc) > mc:
        mc = PyUnicode_MAX_CHAR_VALUE(pc)
    if tp_measure(items, ne, &size, &nl, &mc) < 0:
        c = "\n".join(lines)  # the pure twin's TypeError, or its result for a str subclass
        nl_out[0] = c.count("\n")
        return head + "\n" + pc + c.replace("\n", "\n" + pc)
    size += len(head) + ls + nl * lp  # each "\\n" of an element gains pc
    if ne:
        nl += ne - 1
        size += (ne - 1) * ls
    nl_out[0] = nl
    out = PyUnicode_New(size, mc)
    ok = PyUnicode_KIND(out)
    od = <char*>PyUnicode_DATA(out)
    n = len(head)
    tp_copy(ok, od, 0, PyUnicode_KIND(head), PyUnicode_DATA(head), 0, n)
    # "\\n" + pc in the result's kind, right after head: copied from there between elements and after
    # each "\\n" in one
    tp_copy(ok, od, n, 1, b"\n", 0, 1)
    tp_copy(ok, od, n + 1, PyUnicode_KIND(pc), PyUnicode_DATA(pc), 0, lp)
    o = tp_write(ok, od, n + ls, items, ne, od + n * ok, ls)
    if o != size:
        raise AssertionError("prefixed length mismatch")
    return out


cdef int _walk_typed(list hierarchy, object o, list lines, list node_lines, Py_ssize_t line_no) except -1:
    """The walk; returns 1 without touching anything when ``o.max_depth`` is not an int or None (the
    caller then runs the pure walk, which has the exact semantics of any other value)."""
    cdef bint tree = o.include_hierarchy
    cdef bint collapsed = o.collapsed
    cdef bint markers = o.include_markers
    max_depth = o.max_depth
    cdef bint limited = False
    cdef Py_ssize_t limit = 0
    if max_depth is not None:
        if type(max_depth) is not int:
            return 1
        if max_depth < _HUGE:
            limited = True
            limit = max_depth if max_depth > -_HUGE else -_HUGE

    cdef str gen_head = MARK + "GEN_EXPANDABLE|"
    cdef str link_head = MARK + "EVENT_LINK|"
    cdef str pipe = PIPE
    cdef str link_tail = PIPE + "[EVENT]>>> "
    cdef object expandable_kinds = EXPANDABLE

    cdef list stack = []  # frames (sibling list, index of the next sibling, prefix, depth) to resume
    cdef list sibs = hierarchy
    cdef Py_ssize_t n = len(sibs)
    cdef Py_ssize_t k = 0
    cdef Py_ssize_t depth = 0
    cdef Py_ssize_t nl, nl_c
    cdef str prefix = ""
    cdef str conn, child, tag, summary, s, c, fid, fsum
    cdef dict d, ev, p
    cdef list children
    cdef bint expandable
    while True:
        if k >= n:
            if not stack:
                return 0
            sibs, k, prefix, depth = <tuple>stack.pop()
            n = len(sibs)
            continue
        node = sibs[k]
        k += 1
        if tree:
            if k == n:
                conn = prefix + "└─ "
                child = prefix + "   "
            else:
                conn = prefix + "├─ "
                child = prefix + "│  "
        else:
            conn = child = ""

        children = None
        p = None
        if type(node) is dict:
            d = <dict>node
            e = d.get("event")
            ev = <dict>e if type(e) is dict else d  # a bare node when "event" is not an object (D2/D3)
            kind = ev.get("event", "unknown")
            pp = ev.get("properties")
            p = <dict>pp if type(pp) is dict else {}
            ch = d.get("children")
            if type(ch) is list:
                if ch:
                    children = <list>ch
            elif type(ch) is dict:
                children = [ch]
            tag = node_tag(kind)
            summary = node_summary(kind, p)
            expandable = type(kind) is str and kind in expandable_kinds
        else:
            # Non-object entry (D3): a childless [EVENT] node.
            ev = None
            kind = None
            tag = "[EVENT]"
            summary = _disp(node)
            expandable = False

        node_lines.append(line_no)
        # No connector, prefix or tag holds "\n": a line's count comes from its id and summary (and content).
        if collapsed:
            s = f"{conn}{tag} {summary}"
            nl = summary.count("\n")
        elif expandable:
            if markers:
                c = event_text(kind, p, o)
                fid = _fieldc(_disp(ev.get("id", "unknown")))
                fsum = _fieldc(f"{tag} {summary}")
                s = f"{conn}{gen_head}{fid}{pipe}{fsum}{pipe}{b64(c)}>>>"
                nl = fid.count("\n") + fsum.count("\n")
            else:
                # One element for head + all content lines, every content line behind the prefix.
                ls = event_lines(kind, p, o)
                s = _prefixed(f"{conn}[+] {tag} {summary}", child + "    ",
                              <list>ls if type(ls) is list else list(ls), &nl_c)
                nl = summary.count("\n") + 1 + nl_c
        elif markers:
            fid = _fieldc(_disp(ev.get("id", "unknown"))) if ev is not None else "unknown"
            s = f"{conn}{link_head}{fid}{link_tail}{summary}"
            nl = fid.count("\n") + summary.count("\n")
        else:
            s = f"{conn}{tag} {summary}"
            nl = summary.count("\n")
        lines.append(s)
        line_no += nl + 1

        if children is not None:
            if limited and depth + 1 > limit:
                lines.append(child + _DEPTH_LINE)
                line_no += 1  # prefixes never hold "\n"
            else:
                if k < n:
                    stack.append((sibs, k, prefix, depth))
                sibs = children
                n = len(sibs)
                k = 0
                prefix = child
                depth += 1
