"""Shared machinery for the golden and adversarial conformance checks (FORMAT.md §6).

Used by tests/test_conformance.py and by scripts/check_goldens.py (a developer's diff view).
"""
from __future__ import annotations

import base64
import difflib
import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

import textrepr
from textrepr import InvalidRequest

SHARED = Path(os.environ.get("TEXTREPR_SHARED", Path(__file__).resolve().parents[2] / "shared"))
GOLDEN = SHARED / "corpus" / "golden"
# The shared corpus is optional: a fresh clone has none, and every test that needs it skips with this reason.
HAVE_CORPUS = GOLDEN.is_dir()
NO_CORPUS = "needs the shared corpus (../shared/corpus beside the checkout or TEXTREPR_SHARED); absent here"
needs_corpus = pytest.mark.skipif(not HAVE_CORPUS, reason=NO_CORPUS)
ADVERSARIAL = GOLDEN / "adversarial"
KNOWN_FAILURES = Path(__file__).with_name("known_failures.txt")

_PATTERNS = {
    "truncated": re.compile(r"<<<TRUNCATED\|([^|]+)\|(\d+)>>>"),
    "gen": re.compile(r"<<<GEN_EXPANDABLE\|([^|]+)\|([^|]+)\|([^>]+)>>>"),
    "tools": re.compile(r"<<<TOOLS_EXPANDABLE\|([^|]+)\|([^>]+)>>>"),
    "event_link": re.compile(r"<<<EVENT_LINK\|([^|]+)\|([^>]+)>>>"),
}
_OPENER = re.compile(r"<<<(TRUNCATED|GEN_EXPANDABLE|TOOLS_EXPANDABLE|EVENT_LINK)\|")
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_NOTE = re.compile(r"^\[SAMPLED VIEW: Showing ~\d+% of [\d,]+ lines\. Gaps in line numbers indicate omitted content\.\]$")


def in_big_stack(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` with a high recursion limit on a big-stack thread (stdlib json on deep case files)."""
    out: list[Any] = []
    err: list[BaseException] = []

    def target() -> None:
        try:
            out.append(fn())
        except BaseException as e:
            err.append(e)

    old = sys.getrecursionlimit()
    old_stack = threading.stack_size()
    sys.setrecursionlimit(100_000)
    threading.stack_size(1 << 28)
    try:
        t = threading.Thread(target=target)
        t.start()
        t.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old)
    if err:
        raise err[0]
    return out[0]


def load_case(path: Path) -> dict[str, Any]:
    """A golden or adversarial file, lone surrogates kept (stdlib json), deep nesting allowed."""
    text = path.read_text("utf-8")
    case = in_big_stack(lambda: json.loads(text))
    if "request_file" in case:
        req = in_big_stack(lambda: json.loads((path.parent / case["request_file"]).read_text("utf-8")))
        if "options" in case:
            req["options"] = case["options"]
        case["request"] = req
    return case


def request_bytes(request: Any) -> bytes:
    """ASCII-escaped JSON, so lone surrogates reach the parser as ``\\udXXX`` escapes."""
    return in_big_stack(lambda: json.dumps(request, ensure_ascii=True)).encode("ascii")


def call(request: Any, *, as_bytes: bool = True) -> tuple[int, Any, float]:
    """(status, body, seconds) of one request."""
    payload = request_bytes(request) if as_bytes else request
    t0 = time.perf_counter()
    try:
        body: Any = textrepr.text_repr(payload)
        status = 200
    except InvalidRequest as e:
        status, body = 400, e.body
    return status, body, time.perf_counter() - t0


def golden_files() -> list[Path]:
    return sorted(GOLDEN.glob("events/*.json")) + sorted(GOLDEN.glob("traces/*.json"))


def adversarial_files() -> list[Path]:
    return sorted(p for p in ADVERSARIAL.glob("*.json") if p.name != "index.json" and not p.name.endswith(".request.json"))


def known_failures() -> set[str]:
    if not KNOWN_FAILURES.exists():
        return set()
    return {ln.strip() for ln in KNOWN_FAILURES.read_text().splitlines() if ln.strip() and not ln.startswith("#")}


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


# ---------------------------------------------------------------- payload helpers


def decode_payload(p: str) -> str | None:
    """Strict base64 + strict UTF-8, or None."""
    if len(p) % 4 or not _B64.fullmatch(p):
        return None
    try:
        return base64.b64decode(p, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def _markers(text: str) -> list[tuple[str, re.Match[str]]]:
    found = []
    for kind, pat in _PATTERNS.items():
        found.extend((kind, m) for m in pat.finditer(text))
    return found


def payloads(text: str) -> tuple[list[str], list[str]]:
    """(decoded payloads recursively, problems)."""
    out: list[str] = []
    problems: list[str] = []
    stack = [text]
    while stack:
        t = stack.pop()
        for kind, m in _markers(t):
            raw = {"truncated": 1, "gen": 3, "tools": 2}.get(kind)
            if raw is None:
                continue
            dec = decode_payload(m.group(raw))
            if dec is None:
                problems.append(f"undecodable {kind} payload {m.group(raw)[:40]!r}")
                continue
            if kind == "truncated" and int(m.group(2)) != len(dec):
                problems.append(f"TRUNCATED count {m.group(2)} != {len(dec)}")
            out.append(dec)
            stack.append(dec)
    return out, problems


def markers_well_formed(text: str) -> list[str]:
    problems: list[str] = []
    stack = [text]
    while stack:
        t = stack.pop()
        starts = {m.start() for _, m in _markers(t)}
        for m in _OPENER.finditer(t):
            if m.start() not in starts:
                problems.append(f"opener without a full marker at {m.start()}: {t[m.start():m.start()+60]!r}")
        decs, probs = payloads(t)
        problems += [p for p in probs if "count" not in p]
    return problems


# ---------------------------------------------------------------- sampling properties (§6.2 item 4)


def sampled_problems(text: str, unsampled: str, max_length: int, *, keeps_last: bool = True) -> list[str]:
    problems: list[str] = []
    if len(text) > max_length:
        problems.append(f"len {len(text)} > max_length {max_length}")
    lines = [ln for ln in text.split("\n") if not _NOTE.match(ln)]
    u = unsampled.split("\n")
    i = 0
    cut = 0
    for k, ln in enumerate(lines):
        while i < len(u) and u[i] != ln:
            if u[i].startswith(ln) and (k == 0 or k == len(lines) - 1) and cut == 0:
                cut += 1
                break
            i += 1
        if i >= len(u):
            problems.append(f"line {k} {ln[:60]!r} not an in-order unsampled line")
            break
        i += 1
    if keeps_last and len(u) > 5:
        note = f"[SAMPLED VIEW: Showing ~100% of {len(u):,} lines. Gaps in line numbers indicate omitted content.]"
        avail = max_length - len("\n".join(u[:2] + [note] + u[2:5]))
        if len(u[-1]) + 1 <= avail and text.split("\n")[-1] != u[-1]:
            problems.append("last line not kept although it fits")
    return problems


# ---------------------------------------------------------------- D3/D4 properties (§6.2 item 10)

_TEXT_KEYS = ("text", "thinking", "refusal")


def _message_texts(v: Any, out: list[str]) -> None:
    """Non-empty text values of messages that must survive verbatim (a conservative subset)."""
    stack = [v]
    while stack:
        x = stack.pop()
        if type(x) is str:
            if x.strip():
                out.append(x)
        elif type(x) is list:
            stack.extend(x)
        elif type(x) is dict:
            for k in ("content", "message", "parts", "output", "choices", "messages"):
                if k in x and type(x[k]) in (str, list, dict):
                    stack.append(x[k])
            for k in _TEXT_KEYS:
                if type(x.get(k)) is str and x[k].strip() and x.get("type") not in ("reasoning",):
                    out.append(x[k])


def d4_problems(request: dict[str, Any]) -> list[str]:
    """Render with truncated=false, max_length=0 and check that message texts survive and no reprs leak."""
    req = dict(request)
    req["options"] = {**(request.get("options") or {}), "truncated": False, "max_length": 0, "include_line_numbers": False}
    status, body, _ = call(req)
    if status != 200:
        return [f"D4 rendering returned {status}"]
    text = body["text"]
    problems: list[str] = []
    data = request.get("data") or {}
    props = data.get("properties") if type(data) is dict else None
    if type(props) is dict:
        texts: list[str] = []
        for key in ("$ai_input", "$ai_output_choices", "$ai_output"):
            _message_texts(props.get(key), texts)
        for t in texts:
            if t not in text:
                problems.append(f"D4: text value missing from output: {t[:80]!r}")
    blob = json.dumps(request, ensure_ascii=False)
    if "'" not in blob and "'" in text:
        problems.append("D4: a quote ' appears although the input has none (Python repr?)")
    return problems


# ---------------------------------------------------------------- one golden


def diff(expected: str, got: str) -> str:
    return "".join(
        difflib.unified_diff(expected.splitlines(True), got.splitlines(True), "expected", "got", n=2)
    )[:4000]


def check_golden(path: Path) -> list[str]:
    g = load_case(path)
    status, body, _ = call(g["request"])
    problems: list[str] = []
    flagged = g["deviation_q"]
    # Codes a detector finds but the golden does not list: textrepr's own deviations (D21+) — and any
    # §5.1 trigger the golden's author did not flag (test_v2_detectors_agree_with_flags keeps those out).
    dq = list(flagged) + sorted(triggers(g["request"]) - set(flagged))
    if status != g["status"]:
        return [f"status {status} != {g['status']}: {json.dumps(body, ensure_ascii=False)[:300]}"]
    if not dq:
        if body != g["response"]:
            if status == 200:
                if body["text"] != g["response"]["text"]:
                    problems.append("text differs:\n" + diff(g["response"]["text"], body["text"]))
                if body["metadata"] != g["response"]["metadata"]:
                    problems.append(f"metadata {body['metadata']} != {g['response']['metadata']}")
            else:
                problems.append(f"body {body} != {g['response']}")
        # The Mapping entry point must agree with the bytes entry point.
        s2, b2, _ = call(g["request"], as_bytes=False)
        if (s2, b2) != (status, body):
            problems.append("Mapping input renders differently from JSON bytes")
        return problems
    if status != 200:
        if body != g["response"]:
            problems.append(f"body {body} != {g['response']}")
        return problems
    meta, exp_meta = body["metadata"], g["response"]["metadata"]
    for k in ("event_type", "event_id", "trace_id", "rendering"):
        if meta[k] != exp_meta[k]:
            problems.append(f"metadata {k}: {meta[k]!r} != {exp_meta[k]!r}")
    if meta["char_count"] != len(body["text"]):
        problems.append("char_count != len(text)")
    # Sampling is checked against textrepr's own unsampled text (it differs from the reference's under D3/D4).
    opts = g["request"].get("options") or {}
    m = int(opts.get("max_length", 2_000_000))
    if m > 0:
        _, b0, _ = call(dict(g["request"], options={**opts, "max_length": 0}))
        unsampled = b0["text"]
        if meta["truncated"] != (len(unsampled) > m):
            problems.append("metadata.truncated wrong")
        if meta["truncated"]:
            problems += sampled_problems(body["text"], unsampled, m)
        if set(dq) == {"D10"} and g.get("unsampled_text") is not None and unsampled != g["unsampled_text"]:
            problems.append("unsampled text differs from the reference's:\n" + diff(g["unsampled_text"], unsampled))
    elif meta["truncated"]:
        problems.append("metadata.truncated set with max_length 0")
    if "D4" in dq or "D3" in dq:
        problems += d4_problems(g["request"])
    if "D11" in dq:
        problems += markers_well_formed(body["text"])
    v2 = set(dq) & set(V2_CODES + OWN_CODES)
    if v2:
        problems += v2_problems(g["request"], v2)
    return problems


# ---------------------------------------------------------------- one adversarial case


def check_adversarial(path: Path) -> list[str]:
    case = load_case(path)
    exp = case["expect"]
    status, body, seconds = call(case["request"])
    problems: list[str] = []
    if "status" in exp and status != exp["status"]:
        return [f"status {status} != {exp['status']}: {json.dumps(body, ensure_ascii=False)[:300]}"]
    if "body_equals" in exp and body != exp["body_equals"]:
        problems.append(f"body {json.dumps(body, ensure_ascii=False)[:300]} != {exp['body_equals']}")
    dumped = json.dumps(body, ensure_ascii=False)
    for s in exp.get("body_contains", []):
        if s not in dumped:
            problems.append(f"body lacks {s!r}")
    if exp.get("valid_utf8"):
        try:
            dumped.encode("utf-8")
        except UnicodeEncodeError:
            problems.append("body is not valid UTF-8")
    if status != 200:
        return problems
    text = body["text"]
    for s in exp.get("contains", []):
        if s not in text:
            problems.append(f"text lacks {s[:100]!r}")
    for s in exp.get("not_contains", []):
        if s in text:
            problems.append(f"text contains {s[:100]!r}")
    for s in exp.get("icontains", []):
        if s.lower() not in text.lower():
            problems.append(f"text lacks (icase) {s!r}")
    for pat in exp.get("regex", []):
        if not re.search(pat, text, re.M):
            problems.append(f"regex {pat!r} not found")
    for pat in exp.get("not_regex", []):
        if re.search(pat, text, re.M):
            problems.append(f"regex {pat!r} found")
    for s, n in exp.get("count", {}).items():
        if text.count(s) != n:
            problems.append(f"count of {s!r} is {text.count(s)} != {n}")
    for s, n in exp.get("min_count", {}).items():
        if text.count(s) < n:
            problems.append(f"count of {s!r} is {text.count(s)} < {n}")
    if "max_len" in exp and len(text) > exp["max_len"]:
        problems.append(f"len {len(text)} > {exp['max_len']}")
    if "line_count" in exp and len(text.split("\n")) != exp["line_count"]:
        problems.append(f"line count {len(text.split(chr(10)))} != {exp['line_count']}")
    for k, v in exp.get("metadata", {}).items():
        if body["metadata"].get(k) != v:
            problems.append(f"metadata {k}: {body['metadata'].get(k)!r} != {v!r}")
    decoded, probs = payloads(text)
    if exp.get("payloads_valid_utf8"):
        problems += [p for p in probs if "count" not in p]
    if exp.get("truncation_counts_exact"):
        problems += [p for p in probs if "count" in p]
    for s in [exp["payload_contains"]] if isinstance(exp.get("payload_contains"), str) else exp.get("payload_contains", []):
        if not any(s in d for d in decoded):
            problems.append(f"no payload contains {s[:80]!r}")
    for s in [exp["payload_not_contains"]] if isinstance(exp.get("payload_not_contains"), str) else exp.get("payload_not_contains", []):
        if any(s in d for d in decoded):
            problems.append(f"a payload contains {s[:80]!r}")
    if exp.get("markers_well_formed"):
        problems += markers_well_formed(text)
    if exp.get("sampled_subsequence") or exp.get("sampled_keeps_last_line"):
        opts = case["request"].get("options") or {}
        m = int(opts.get("max_length", 2_000_000))
        _, b0, _ = call(dict(case["request"], options={**opts, "max_length": 0}))
        problems += sampled_problems(text, b0["text"], m, keeps_last=bool(exp.get("sampled_keeps_last_line")))
    return problems


# ---------------------------------------------------------------- version 2 deviations (FORMAT.md §5.1, D21+)
#
# Each code has a trigger detector, written from the spec's wording (not from the renderer), and a
# property check. A golden is checked byte for byte only when neither its deviation_q nor a detector
# names a code; otherwise by the properties of every code it triggers.

V2_CODES = ("D13", "D14", "D15", "D16", "D17", "D18", "D20")  # FORMAT.md §5.1 (D19 is [P])
OWN_CODES = ("D21", "D23")  # textrepr's own, docs/format.md
_KINDS = ("$ai_generation", "$ai_span", "$ai_embedding", "$ai_evaluation")
_LC_TYPES = frozenset(("human", "ai", "system", "tool", "function", "chat", "remove", "AIMessageChunk",
                       "HumanMessageChunk", "ToolMessageChunk", "SystemMessageChunk"))
_LC_KEYS = ("additional_kwargs", "response_metadata", "usage_metadata")
_AGENT_KEYS = ("$ai_handoff_from_agent", "$ai_handoff_to_agent", "$ai_agent_handoffs", "$ai_agent_tools",
               "$ai_agent_output_type", "$ai_span_data")
_GEMINI_KEYS = frozenset((
    "function_declarations", "functionDeclarations", "retrieval", "google_search_retrieval",
    "googleSearchRetrieval", "google_search", "googleSearch", "code_execution", "codeExecution", "url_context",
    "urlContext", "computer_use", "computerUse", "google_maps", "googleMaps", "enterprise_web_search",
    "enterpriseWebSearch", "file_search", "fileSearch", "mcp_servers", "mcpServers",
))
FULL_OPTIONS = {"truncated": False, "max_length": 0, "include_markers": False, "collapsed": False,
                "include_line_numbers": False, "include_hierarchy": True, "tools_collapse_threshold": 2**31 - 1}


def _walk(v: Any):
    """Every object and array inside ``v`` (iterative: goldens nest 1024 deep)."""
    stack = [v]
    while stack:
        x = stack.pop()
        if type(x) is dict:
            yield x
            stack.extend(x.values())
        elif type(x) is list:
            yield x
            stack.extend(x)


def events_of(request: Any) -> list[tuple[str, dict, dict]]:
    """(kind, event, properties) of every event a request renders: the single event, or each node."""
    if type(request) is not dict or type(request.get("data")) is not dict:
        return []
    data = request["data"]
    out: list[tuple[str, dict, dict]] = []
    if request.get("event_type") != "$ai_trace":
        ev = data.get("event")
        if type(ev) is str:
            kind = ev if ev in _KINDS else "$ai_generation"
        else:
            et = request.get("event_type")
            kind = et if et in ("$ai_span", "$ai_embedding") else "$ai_generation"
        props = data.get("properties")
        if type(props) is dict:
            out.append((kind, data, props))
        return out
    stack = list(data.get("hierarchy") or []) if type(data.get("hierarchy")) is list else []
    while stack:
        node = stack.pop()
        if type(node) is not dict:
            continue
        ev = node["event"] if type(node.get("event")) is dict else node
        kind = ev.get("event")
        props = ev.get("properties") if type(ev.get("properties")) is dict else {}
        if type(kind) is str and kind in _KINDS:
            out.append((kind, ev, props))
        ch = node.get("children")
        stack.extend(ch if type(ch) is list else [ch] if type(ch) is dict else [])
    return out


def _is_item_type(t: Any) -> bool:
    return type(t) is str and (t in ("function_call", "custom_tool_call", "function_call_output",
                                     "custom_tool_call_output", "reasoning")
                               or t.endswith("_call") or t.endswith("_call_output"))


def _d13_elements(props: dict) -> list[dict]:
    return [e for x in _walk(props) if type(x) is dict and type(x.get("content")) is list
            for e in x["content"] if type(e) is dict and _is_item_type(e.get("type"))]


def _tool_entries(props: dict) -> list[dict]:
    out: list[Any] = []
    tools = props.get("$ai_tools")
    out += tools if type(tools) is list else list(tools.values()) if type(tools) is dict else []
    for x in _walk(props):
        if type(x) is dict and x.get("type") == "additional_tools":
            t = x.get("tools")
            out += t if type(t) is list else list(t.values()) if type(t) is dict else []
    return [e for e in out if type(e) is dict]


def _d14_entries(props: dict) -> list[dict]:
    out = []
    for e in _tool_entries(props):
        if type(e.get("functionDeclarations")) is list:
            continue
        if type(e.get("function_declarations")) is list:
            out.append(e)
        elif (e and not ({"function", "name", "type"} & e.keys()) and set(e) <= _GEMINI_KEYS
              and any(v is not None for v in e.values())):
            out.append(e)
    return out


def is_lc(x: Any) -> bool:
    return (type(x) is dict and "content" in x and type(x.get("type")) is str and x["type"] in _LC_TYPES
            and any(k in x for k in _LC_KEYS))


def _parsed_states(props: dict) -> list[Any]:
    """Span state strings that parse as literals (D8): where D17 looks for messages in strings."""
    from textrepr.render.literal import parse_state_string

    out = []
    for key in ("$ai_input_state", "$ai_output_state", "$ai_span_data"):
        s = props.get(key)
        if type(s) is str and s.lstrip(" \t\r\n")[:1] in ("{", "["):
            ok, v = parse_state_string(s)
            if ok:
                out.append(v)
    return out


def _lc_messages(props: dict) -> list[dict]:
    return [x for v in [props, *_parsed_states(props)] for x in _walk(v) if is_lc(x)]


def _erroring_results(props: dict) -> list[dict]:
    out = []
    for x in _walk(props):
        if type(x) is not dict:
            continue
        if (x.get("is_error") is True and x.get("type")) or (x.get("isError") is True and x.get("type") == "tool-result"):
            out.append(x)
        elif x.get("type") == "tool-result":
            p = x["output"] if "output" in x else x.get("result")
            if type(p) is dict and p.get("type") in ("error-text", "error-json") and "value" in p:
                out.append(x)
    return out


def _error_object(props: dict) -> dict | None:
    err = props.get("$ai_error")
    if type(err) is str:
        try:
            err = json.loads(err)
        except ValueError:
            return None
    return err if type(err) is dict and err else None


def _json_literal_pairs(obj: dict) -> list[tuple[str, Any]]:
    return [(k, v) for x in _walk(obj) if type(x) is dict for k, v in x.items()
            if v is None or type(v) is bool]


def _trace_states(request: dict) -> list[Any]:
    data = request.get("data") if type(request.get("data")) is dict else {}
    trace = data.get("trace") if type(data.get("trace")) is dict else {}
    props = trace.get("properties") if type(trace.get("properties")) is dict else {}
    return [props.get("$ai_input_state") or trace.get("inputState") or trace.get("input_state"),
            props.get("$ai_output_state") or trace.get("outputState") or trace.get("output_state")]


def triggers(request: Any) -> set[str]:
    """The §5.1 and own codes a request exercises (a request that fails validation exercises none)."""
    codes: set[str] = set()
    if type(request) is not dict:
        return codes
    for kind, _ev, props in events_of(request):
        if _d13_elements(props):
            codes.add("D13")
        if _d14_entries(props):
            codes.add("D14")
        if kind == "$ai_embedding" and type(props.get("$ai_input")) is list and props["$ai_input"]:
            codes.add("D15")
        if kind == "$ai_span" and any(k in props for k in _AGENT_KEYS):
            codes.add("D16")
        if _lc_messages(props):
            codes.add("D17")
        if any(type(x) is dict and x.get("type") == "tool-call" and "toolName" not in x
               and type(x.get("function")) is dict for x in _walk(props)):
            codes.add("D20")
        if _erroring_results(props):
            codes.add("D21")
        if (kind == "$ai_generation" and "$ai_input" in props and props["$ai_input"] is None
                and any(k in props and props[k] is None for k in ("$ai_output_choices", "$ai_output"))):
            codes.add("D23")
    if request.get("event_type") == "$ai_trace" and type(request.get("data")) is dict:
        h = request["data"].get("hierarchy")
        states = _trace_states(request)
        if type(h) is list and h and any(states):
            codes.add("D18")
        if any(is_lc(x) for s in states for x in _walk(s)):
            codes.add("D17")
    return codes


def _lc_keys_elsewhere(props: dict) -> bool:
    """Whether LangChain's bookkeeping key names occur outside LangChain message objects (as another
    object's key, or inside a string), so the text may rightly show them."""
    for x in _walk(props):
        if type(x) is dict:
            if not is_lc(x) and any(k in x for k in _LC_KEYS):
                return True
            vals: Any = x.values()
        else:
            vals = x
        for y in vals:
            if type(y) is str and any(k in y for k in _LC_KEYS):
                return True
    return False


def _repair(s: str) -> str:
    """§1.1 repair: surrogate pairs joined, lone surrogates -> U+FFFD (what the text can contain)."""
    return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _appears(s: str, text: str) -> bool:
    """``s`` (repaired) verbatim, or as it reads inside a JSON dump."""
    s = _repair(s)
    return s in text or json.dumps(s, ensure_ascii=False)[1:-1] in text


def _leaves(v: Any) -> list[str]:
    if type(v) is str:
        return [v]
    return [y for x in _walk(v) for y in (x.values() if type(x) is dict else x) if type(y) is str]


def _render_full(ev: dict) -> str:
    return textrepr.render_event(ev, FULL_OPTIONS).text


def _alone(m: dict) -> str:
    """One message rendered on its own, as a generation's one-message input (untruncated)."""
    return _render_full({"event": "$ai_generation", "properties": {"$ai_input": [m]}})


def _output_value(props: dict) -> Any:
    """The value §4.5 renders as messages (None when the output is a string, or not messages)."""
    oc, out = props.get("$ai_output_choices"), props.get("$ai_output")
    for v in (oc, out):
        if type(v) is dict and v.get("object") == "response" and type(v.get("output")) is list and v["output"]:
            return v["output"]
    if type(out) is str and out:
        return None
    for v in (oc, out):
        if type(v) is dict and type(v.get("choices")) is list:
            v = v["choices"]
        if type(v) is list and v:
            return v
        if v is oc and type(oc) is str:
            return None
    for v in (out, oc):
        if is_lc(v):
            return [v]
    return None


def _state_arrays(st: Any) -> list[list]:
    """Message arrays §4.14 (and D17) render from one span state."""
    if type(st) is str:
        if st.lstrip(" \t\r\n")[:1] not in ("{", "["):
            return []
        from textrepr.render.literal import parse_state_string

        ok, st = parse_state_string(st)
        if not ok or not (is_lc(st) or (type(st) is list and any(is_lc(x) for x in st)) or (
                type(st) is dict and (any(is_lc(x) for x in (st.get("messages") or []) if type(st.get("messages")) is list)
                                      or _lc_keyed(st)))):
            return []
    if type(st) is list:
        first = st[0] if st else None
        if (type(first) is dict and ("role" in first or "content" in first)) or any(is_lc(x) for x in st):
            return [st]
        return []
    if type(st) is dict:
        if st.get("__type") == "tool_call_with_context":
            inner = st.get("state")
            msgs = inner.get("messages") if type(inner) is dict else None
            return [msgs] if type(msgs) is list and msgs else []
        if type(st.get("messages")) is list and st["messages"]:
            return [st["messages"]]
        if is_lc(st):
            return [[st]]
        if st.get("type") == "tool":
            return []
        if _lc_keyed(st):
            return list(st.values())
    return []


def _lc_keyed(st: dict) -> bool:
    return bool(st) and all(type(v) is list and v and any(is_lc(x) for x in v) for v in st.values())


def shown_messages(kind: str, props: dict) -> list[dict]:
    """The message objects an event's rendering shows as messages (§4.4-§4.6, §4.14, D17)."""
    arrays: list[tuple[list, bool]] = []
    if kind in ("$ai_generation", "$ai_embedding"):
        inp = props.get("$ai_input")
        if type(inp) is list:
            arrays.append((inp, False))
        elif is_lc(inp):
            arrays.append(([inp], False))
    if kind == "$ai_generation":
        ov = _output_value(props)
        if ov is not None:
            arrays.append((ov, True))
    if kind == "$ai_span":
        for key in ("$ai_input_state", "$ai_output_state", "$ai_span_data"):
            arrays += [(a, False) for a in _state_arrays(props.get(key))]
    out = []
    for arr, choices in arrays:
        for m in arr:
            if type(m) is not dict:
                continue
            if choices and type(m.get("message")) is dict and m["message"] and not is_lc(m):
                m = m["message"]
            out.append(m)
    return out


def _content_elements(msgs: list[dict]) -> list[tuple[dict, dict]]:
    return [(m, e) for m in msgs if type(m.get("content")) is list for e in m["content"] if type(e) is dict]


def _dumped_state(v: Any) -> bool:
    """Whether §4.14 shows a state as its string or a JSON dump (so its string leaves appear)."""
    return not _state_arrays(v) and not (type(v) is dict and (
        v.get("type") == "tool" or v.get("__type") == "tool_call_with_context"))


def v2_problems(request: dict[str, Any], codes: set[str]) -> list[str]:
    """§5.1 (and own) properties of every code in ``codes``, on untruncated renderings."""
    problems: list[str] = []
    for kind, ev, props in events_of(request):
        text = _render_full({"event": kind, "properties": props})
        msgs = shown_messages(kind, props)
        elements = _content_elements(msgs)
        if "D13" in codes:
            for m in {id(m): m for m, e in elements if _is_item_type(e.get("type"))}.values():
                alone = _alone(m).split("\n")
                for bad in ('"type": "reasoning"', '"encrypted_content"', '"type": "web_search_call"'):
                    if any(bad in ln for ln in alone):
                        problems.append(f"D13: a line shows {bad}")
            for _, e in elements:
                if _is_item_type(e.get("type")):
                    for x in _walk(e.get("summary")):
                        if type(x) is dict and x.get("type") == "summary_text" and type(x.get("text")) is str \
                                and not _appears(x["text"], text):
                            problems.append(f"D13: summary text missing: {x['text'][:60]!r}")
        if "D14" in codes and kind == "$ai_generation":
            entries = _d14_entries({"$ai_tools": props.get("$ai_tools")})
            if entries and '{"function_declarations"' in text:
                problems.append("D14: a Gemini tool entry shown as JSON")
            for e in entries:
                for d in e.get("function_declarations") or []:
                    if type(d) is dict and type(d.get("name")) is str and f"  {_repair(d['name'])}(" not in text:
                        problems.append(f"D14: declared function {d['name']!r} not in the tool list")
        if "D15" in codes and kind == "$ai_embedding" and type(props.get("$ai_input")) is list:
            if re.search(r"^\[\d+\] UNKNOWN$", text, re.M):
                problems.append("D15: an embedding input labelled UNKNOWN")
            for s in props["$ai_input"]:
                if type(s) is str and _repair(s) not in text:
                    problems.append(f"D15: embedded text missing: {s[:60]!r}")
        if "D16" in codes and kind == "$ai_span":
            from textrepr.render.literal import parse_state_string

            for k in _AGENT_KEYS:
                v = props.get(k)
                if not v or (k == "$ai_span_data" and not _dumped_state(v)):
                    continue
                if type(v) is str:
                    ok, pv = parse_state_string(v) if v.lstrip(" \t\r\n")[:1] in ("{", "[") else (False, None)
                    leaves = _leaves(pv) if ok and type(pv) in (dict, list) else [v]
                else:
                    leaves = _leaves(v)
                for s in leaves:
                    if s.strip() and not _appears(s, text):
                        problems.append(f"D16: {k} value {s[:60]!r} not shown")
        if "D17" in codes:
            for m in msgs:
                if not is_lc(m):
                    continue
                c = m.get("content")
                if type(c) is str and c.strip() and not _appears(c, text):
                    problems.append(f"D17: message content missing: {c[:60]!r}")
                if not _lc_keys_elsewhere({"content": m.get("content"), "tool_calls": m.get("tool_calls"),
                                           "name": m.get("name")}):
                    alone = _alone(m)
                    for k in _LC_KEYS:
                        if k in alone:
                            problems.append(f"D17: {k} shown")
        if "D20" in codes:
            for m, x in elements:
                if x.get("type") == "tool-call" and "toolName" not in x and type(x.get("function")) is dict:
                    name = x["function"].get("name")
                    if type(name) is str and name:
                        if f"{_repair(name)}(" not in text:
                            problems.append(f"D20: tool-call function {name!r} missing")
                        if "unknown()" in _alone(m).split("\n"):
                            problems.append("D20: an unknown() line")
        if "D21" in codes:
            for m in {id(m): m for m, _ in elements if _erroring_results({"c": [_]})}.values():
                if "(error)" not in _alone(m):
                    problems.append("D21: an erroring tool result not marked (error)")
        if "D23" in codes and kind == "$ai_generation" and not text:
            problems.append("D23: a generation with input and output null renders empty")
    if "D18" in codes:
        opts = {**(request.get("options") or {}), "max_length": 0, "include_line_numbers": False}
        status, body, _ = call(dict(request, options=opts))
        if status == 200:
            text = body["text"]
            head = text[:text.find("TRACE HIERARCHY:")] if "TRACE HIERARCHY:" in text else ""
            o = textrepr.Options.from_mapping(opts)
            buffer, truncated = o.truncate_buffer, o.truncated
            for st in _trace_states(request):
                if not st:
                    continue
                if type(st) is str:
                    want = [st]
                elif type(st) is list and st and type(st[0]) is dict and ("role" in st[0] or "content" in st[0]):
                    want = [m["content"] for m in st if type(m) is dict and type(m.get("content")) is str]
                elif is_lc(st):
                    want = [st["content"]] if type(st["content"]) is str else []
                elif type(st) is dict and _lc_keyed(st):
                    want = [m["content"] for v in st.values() for m in v if type(m) is dict
                            and type(m.get("content")) is str]
                elif type(st) in (dict, list):
                    want = [json.dumps(st, ensure_ascii=False, indent=2)]
                else:
                    want = []
                for w in want:
                    w = _repair(w)
                    w = w[:buffer // 2] if truncated and len(w) > buffer else w
                    if "<<<" not in w and w.strip() and w not in head:
                        problems.append(f"D18: trace state {w[:60]!r} not before TRACE HIERARCHY:")
    return problems
