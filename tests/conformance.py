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
    dq = g["deviation_q"]
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
