# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Typed twin of ``textrepr.render.tools`` (issue 16): the same public names, results and exceptions.

Tool-call signatures (§4.9), ``Tool calls:`` lines and tool lists (§4.10). ``sig`` runs once per tool
call of every message, so its object-argument path is a plain loop over the dict; the entry and tool
helpers are ``cdef`` and write into the caller's list.
"""
from ..core import MARK, b64, neutralise
from ..parse import loads_loose
from .values import disp, jdump

__all__ = ["sig", "tool_call_lines", "tool_list_lines", "gemini_builtin_entry", "GEMINI_TOOL_KEYS"]

GEMINI_TOOL_KEYS = frozenset((
    "function_declarations", "functionDeclarations",
    "retrieval", "google_search_retrieval", "googleSearchRetrieval", "google_search", "googleSearch",
    "code_execution", "codeExecution", "url_context", "urlContext", "computer_use", "computerUse",
    "google_maps", "googleMaps", "enterprise_web_search", "enterpriseWebSearch", "file_search",
    "fileSearch", "mcp_servers", "mcpServers",
))
cdef frozenset _GEMINI_KEYS = GEMINI_TOOL_KEYS


cpdef object sig(object name, object args):
    """``name(k=json(v), …)`` for object arguments, else ``name(<raw args>)`` or ``name()`` (§4.9)."""
    cdef object parsed = None
    cdef list parts
    cdef object t = type(args)
    if t is dict:
        parsed = args
    elif t is str and args:
        ok, parsed = loads_loose(args)
        if not ok:
            parsed = None
    if type(parsed) is dict and parsed:
        parts = []
        for k, v in (<dict>parsed).items():
            parts.append(f"{k}={jdump(v)}")
        return name + "(" + ", ".join(parts) + ")"
    if args:
        return name + "(" + disp(args) + ")"
    return name + "()"


cdef object _entry_line(object tc):
    cdef object f
    if type(tc) is not dict:
        return "  - " + disp(tc)
    f = (<dict>tc).get("function")
    if type(f) is dict:
        return "  - " + sig(disp((<dict>f).get("name", "unknown")), (<dict>f).get("arguments", ""))
    return "  - " + sig(disp((<dict>tc).get("name", "unknown")), (<dict>tc).get("args", ""))


def tool_call_lines(tool_calls):
    """``Tool calls: N`` and one line per entry; iterated like the reference (object keys, string
    characters), a scalar counting as one entry (D3/D4). The caller adds the preceding ``""``."""
    cdef list lines
    cdef object t = type(tool_calls)
    if t is list:
        lines = [f"Tool calls: {len(<list>tool_calls)}"]
        for tc in <list>tool_calls:
            lines.append(_entry_line(tc))
    elif t is dict or t is str:
        lines = [f"Tool calls: {len(tool_calls)}"]
        for tc in tool_calls:  # a dict's keys, a str's characters (D12)
            lines.append(_entry_line(tc))
    else:
        lines = ["Tool calls: 1", _entry_line(tool_calls)]
    return lines


cdef str _description_line(str d):
    cdef Py_ssize_t nl = d.find("\n")
    cdef Py_ssize_t dot
    if nl >= 0:
        d = d[:nl]
    dot = d.find(". ")
    if dot >= 0:
        d = d[:dot]
    return "    " + (d if d.endswith(".") else d + ".")


def _signature(name, schema):
    """``name(p: type, q?: type)`` of one tool's JSON schema (§4.10)."""
    return _sig_of(name, schema)


cdef object _sig_of(object name, object schema):
    cdef object props, req, required
    cdef list params
    if type(schema) is not dict:
        return name + "()"
    props = (<dict>schema).get("properties")
    if type(props) is not dict:
        return name + "()"
    req = (<dict>schema).get("required")
    required = {r for r in <list>req if type(r) is str} if type(req) is list else ()
    params = []
    for p, info in (<dict>props).items():
        if type(info) is not dict:
            continue
        params.append(f"{p}{'' if p in required else '?'}: {disp((<dict>info).get('type', 'any'))}")
    return name + "(" + ", ".join(params) + ")"


cdef void _tool_into(list parts, dict t) except *:
    """Append ``""``, the signature line and the description line (when there is one) of one tool."""
    cdef object f = t.get("function")
    cdef object name, desc, schema
    if type(f) is dict:
        name = disp((<dict>f).get("name", "unknown"))
        desc = (<dict>f).get("description")
        schema = (<dict>f).get("parameters")
    elif "name" in t:
        name = disp(t["name"])
        desc = t.get("description")
        schema = t.get("input_schema") or t.get("inputSchema") or t.get("parameters")
    else:
        name = disp(t.get("type", "UNKNOWN"))
        desc = jdump(t)[:100]
        schema = None
    parts.append("")
    parts.append("  " + _sig_of(name, schema))
    if type(desc) is str and desc and desc != "N/A":
        parts.append(_description_line(<str>desc))


def gemini_builtin_entry(e):
    """D14 trigger: a Gemini ``Tool`` dump — a ``function_declarations`` array, or only Gemini tool
    members (no ``function``/``name``/``type`` key) of which at least one is non-null."""
    if type(e) is dict:
        return _gemini_entry(<dict>e)
    # Not reached from the renderers (they pass objects): the reference's steps, for its exceptions.
    if type(e.get("function_declarations")) is list:
        return True
    if not e or "function" in e or "name" in e or "type" in e:
        return False
    some = False
    for k, v in e.items():
        if k not in _GEMINI_KEYS:
            return False
        if v is not None:
            some = True
    return some


cdef bint _gemini_entry(dict e) except -1:
    cdef bint some = False
    if type(e.get("function_declarations")) is list:
        return True
    if not e or "function" in e or "name" in e or "type" in e:
        return False
    for k, v in e.items():
        if k not in _GEMINI_KEYS:
            return False
        if v is not None:
            some = True
    return some


cdef void _dicts_into(list flat, list xs) except *:
    for x in xs:
        if type(x) is dict:
            flat.append(x)


def tool_list_lines(tools, o):
    """§4.10 step 7 lines (starting with ``""``), or ``[]`` when there is no tool to show."""
    cdef object entries, fd
    cdef list flat, parts
    cdef Py_ssize_t n
    cdef str header, block
    if not tools:
        return []
    if type(tools) is dict:
        entries = (<dict>tools).values()
    elif type(tools) is list:
        entries = tools
    else:
        return []
    flat = []
    for e in entries:
        if type(e) is not dict:
            continue
        fd = (<dict>e).get("functionDeclarations")
        if type(fd) is list:
            _dicts_into(flat, <list>fd)
        elif _gemini_entry(<dict>e):
            # D14: snake-case declarations unwrapped; each non-null built-in kind is one tool.
            for k, v in (<dict>e).items():
                if k == "function_declarations" or k == "functionDeclarations":
                    if type(v) is list:
                        _dicts_into(flat, <list>v)
                elif v is not None:
                    flat.append({"name": k})
        else:
            flat.append(e)
    n = len(flat)
    if n == 0:
        return []
    header = f"AVAILABLE TOOLS: {n}"
    threshold = o.tools_collapse_threshold
    include_tools = o.include_tools
    if n > threshold and not o.include_markers and include_tools:
        return ["", "[+] " + header]
    parts = []
    for t in flat:
        _tool_into(parts, <dict>t)
    block = "\n".join(parts)
    if not include_tools:  # issue 14 filter: one line with the count and the section's size
        return ["", f"[tools omitted: {n:,} tool{'' if n == 1 else 's'}, {len(header) + 1 + len(block):,} chars]"]
    if n > threshold:
        payload = b64(neutralise(header + "\n" + block))
        return ["", f"{MARK}TOOLS_EXPANDABLE|{header}|{payload}>>>"]
    return ["", header, block]
