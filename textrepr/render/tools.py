"""Tool-call signatures, ``Tool calls:`` lines and tool lists (FORMAT.md §4.9, §4.10)."""
from __future__ import annotations

from typing import Any

from ..core import MARK, b64, neutralise
from ..options import Options
from ..parse import loads_loose
from .values import disp, jdump

__all__ = ["sig", "tool_call_lines", "tool_list_lines", "gemini_builtin_entry", "GEMINI_TOOL_KEYS"]

# Members of google.genai's ``Tool`` (snake case as posthog-python dumps it, camel case as the REST API
# and @posthog/ai send it). Besides the declaration arrays, each is a built-in tool kind (D14).
GEMINI_TOOL_KEYS = frozenset((
    "function_declarations", "functionDeclarations",
    "retrieval", "google_search_retrieval", "googleSearchRetrieval", "google_search", "googleSearch",
    "code_execution", "codeExecution", "url_context", "urlContext", "computer_use", "computerUse",
    "google_maps", "googleMaps", "enterprise_web_search", "enterpriseWebSearch", "file_search",
    "fileSearch", "mcp_servers", "mcpServers",
))


def sig(name: str, args: Any) -> str:
    """``name(k=json(v), …)`` for object arguments, else ``name(<raw args>)`` or ``name()`` (§4.9)."""
    t = type(args)
    if t is dict:
        parsed: Any = args
    elif t is str and args:
        ok, parsed = loads_loose(args)
        if not ok:
            parsed = None
    else:
        parsed = None
    if type(parsed) is dict and parsed:
        return name + "(" + ", ".join([f"{k}={jdump(v)}" for k, v in parsed.items()]) + ")"
    if args:
        return name + "(" + disp(args) + ")"
    return name + "()"


def _entry_line(tc: Any) -> str:
    if type(tc) is not dict:
        return "  - " + disp(tc)
    f = tc.get("function")
    if type(f) is dict:
        return "  - " + sig(disp(f.get("name", "unknown")), f.get("arguments", ""))
    return "  - " + sig(disp(tc.get("name", "unknown")), tc.get("args", ""))


def tool_call_lines(tool_calls: Any) -> list[str]:
    """``Tool calls: N`` and one line per entry; iterated like the reference (object keys, string
    characters), a scalar counting as one entry (D3/D4). The caller adds the preceding ``""``."""
    t = type(tool_calls)
    if t is list or t is dict or t is str:
        entries = tool_calls  # a dict iterates over its keys, a str over its characters (D12)
        count = len(tool_calls)
    else:
        entries = (tool_calls,)
        count = 1
    lines = [f"Tool calls: {count}"]
    lines.extend([_entry_line(tc) for tc in entries])
    return lines


def _description_line(d: str) -> str:
    nl = d.find("\n")
    if nl >= 0:
        d = d[:nl]
    dot = d.find(". ")
    if dot >= 0:
        d = d[:dot]
    return "    " + (d if d.endswith(".") else d + ".")


def _signature(name: str, schema: Any) -> str:
    if type(schema) is not dict:
        return name + "()"
    props = schema.get("properties")
    if type(props) is not dict:
        return name + "()"
    req = schema.get("required")
    required = {r for r in req if type(r) is str} if type(req) is list else ()
    params = []
    for p, info in props.items():
        if type(info) is not dict:
            continue
        params.append(f"{p}{'' if p in required else '?'}: {disp(info.get('type', 'any'))}")
    return name + "(" + ", ".join(params) + ")"


def _tool_lines(t: dict) -> tuple[str, str | None]:
    """(signature, description line or None) of one tool."""
    f = t.get("function")
    if type(f) is dict:
        name = disp(f.get("name", "unknown"))
        desc = f.get("description")
        schema = f.get("parameters")
    elif "name" in t:
        name = disp(t["name"])
        desc = t.get("description")
        schema = t.get("input_schema") or t.get("inputSchema") or t.get("parameters")
    else:
        name = disp(t.get("type", "UNKNOWN"))
        desc = jdump(t)[:100]
        schema = None
    if type(desc) is not str or not desc or desc == "N/A":
        return _signature(name, schema), None
    return _signature(name, schema), _description_line(desc)


def gemini_builtin_entry(e: dict) -> bool:
    """D14 trigger: a Gemini ``Tool`` dump — a ``function_declarations`` array, or only Gemini tool
    members (no ``function``/``name``/``type`` key) of which at least one is non-null. (A camel-case
    ``functionDeclarations`` entry keeps the §4.10 step 2 rule and is tested before this.)"""
    if type(e.get("function_declarations")) is list:
        return True
    if not e or "function" in e or "name" in e or "type" in e:
        return False
    some = False
    for k, v in e.items():
        if k not in GEMINI_TOOL_KEYS:
            return False
        if v is not None:
            some = True
    return some


def tool_list_lines(tools: Any, o: Options) -> list[str]:
    """§4.10 step 7 lines (starting with ``""``), or ``[]`` when there is no tool to show."""
    if not tools:
        return []
    tt = type(tools)
    if tt is dict:
        entries: Any = tools.values()
    elif tt is list:
        entries = tools
    else:
        return []
    flat: list[dict] = []
    for e in entries:
        if type(e) is not dict:
            continue
        fd = e.get("functionDeclarations")
        if type(fd) is list:
            flat.extend([x for x in fd if type(x) is dict])
        elif gemini_builtin_entry(e):
            # D14: snake-case declarations unwrapped; each non-null built-in kind is one tool.
            for k, v in e.items():
                if k == "function_declarations" or k == "functionDeclarations":
                    if type(v) is list:
                        flat.extend([x for x in v if type(x) is dict])
                elif v is not None:
                    flat.append({"name": k})
        else:
            flat.append(e)
    n = len(flat)
    if n == 0:
        return []
    header = f"AVAILABLE TOOLS: {n}"
    if n > o.tools_collapse_threshold and not o.include_markers and o.include_tools:
        return ["", "[+] " + header]
    parts: list[str] = []
    for t in flat:
        s, d = _tool_lines(t)
        parts.append("")
        parts.append("  " + s)
        if d is not None:
            parts.append(d)
    block = "\n".join(parts)
    if not o.include_tools:  # issue 14 filter: one line with the count and the section's size
        return ["", f"[tools omitted: {n:,} tool{'' if n == 1 else 's'}, {len(header) + 1 + len(block):,} chars]"]
    if n > o.tools_collapse_threshold:
        payload = b64(neutralise(header + "\n" + block))
        return ["", f"{MARK}TOOLS_EXPANDABLE|{header}|{payload}>>>"]
    return ["", header, block]
