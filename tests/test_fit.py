"""Budgets: options max_tokens and fit, token-bounded sampling, shrink-to-fit (textrepr.fit)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies as S
import textrepr
from textrepr import InvalidRequest, Options, fit, parse, tokens
from textrepr.renderers import render_trace_lines
from conformance import NO_CORPUS  # tests/conformance.py: the one skip reason

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
COUNTERS: dict[str, Callable[[str], int]] = {
    "estimate": tokens.estimate, "chars": tokens.counter("chars"), "bytes": tokens.counter("bytes"),
}
FEW = settings(max_examples=max(10, settings().max_examples // 2), deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                      HealthCheck.large_base_example])


def valid_requests() -> st.SearchStrategy[Any]:
    return S.short(S.requests(), "requests").filter(lambda r: S.expected_error(r) is None)


def plain(req: dict[str, Any], **opts: Any) -> dict[str, Any]:
    o = S.coerce_valid_options(req.get("options"))
    o.update(include_markers=False, fit="sample", max_tokens=0)
    o.update(opts)
    return {**req, "options": o}


def render(req: dict[str, Any], counter: Callable[[str], int] | None = None) -> dict[str, Any]:
    return textrepr.text_repr(req, token_counter=counter)


# ------------------------------------------------------------------------------------------ options


@pytest.mark.parametrize("value", [10, "10", 10.0, " 10 ", "10.000 ", "+10", "1_0", 0, -1, "-3", 10.5, "1e3", 1e16,
                                   True, [10], {}, "", None, "x" * 1001])
def test_max_tokens_validated_like_max_length(value: Any) -> None:
    def outcome(name: str) -> Any:
        try:
            return getattr(Options.from_mapping({name: value}), name)
        except InvalidRequest as e:
            return e.body["options"][name]

    assert outcome("max_tokens") == outcome("max_length")


def test_fit_choices_and_errors() -> None:
    assert Options.from_mapping({}).fit == "sample"
    assert Options.from_mapping({"fit": "shrink", "include_markers": "false"}).fit == "shrink"
    for bad, shown in (("x", "x"), ("Shrink", "Shrink"), (1, "1"), (True, "True"), ([], "[]")):
        with pytest.raises(InvalidRequest) as e:
            Options.from_mapping({"fit": bad})
        assert e.value.body == {"options": {"fit": [f'"{shown}" is not a valid choice.']}}
    with pytest.raises(InvalidRequest) as e:
        Options.from_mapping({"fit": None})
    assert e.value.body == {"options": {"fit": ["This field may not be null."]}}
    with pytest.raises(InvalidRequest) as e:
        Options(fit="squeeze")
    assert e.value.body == {"options": {"fit": ['"squeeze" is not a valid choice.']}}


def test_shrink_with_markers_is_a_clear_400() -> None:
    req = {"event_type": "$ai_generation", "data": {"id": "e", "properties": {"$ai_input": "hi"}},
           "options": {"fit": "shrink", "max_tokens": "-1", "max_length": "x"}}
    with pytest.raises(InvalidRequest) as e:
        textrepr.text_repr(req)
    # Every failing option, in field order; fit's message says what to do.
    assert list(e.value.body["options"]) == ["max_length", "max_tokens", "fit"]
    assert "include_markers: false" in e.value.body["options"]["fit"][0]
    with pytest.raises(InvalidRequest):
        Options(fit="shrink")  # include_markers defaults to true
    assert Options(fit="shrink", include_markers=False).fit == "shrink"


# ----------------------------------------------------------------------------- fit "sample", tokens


@FEW
@given(req=valid_requests(), data=st.data(), numbers=st.booleans(), counter=st.sampled_from(sorted(COUNTERS)))
def test_token_sampling_bound_and_subsequence(req: Any, data: st.DataObject, numbers: bool, counter: str) -> None:
    count = COUNTERS[counter]
    full = render(plain(req, include_line_numbers=numbers, max_length=0))["text"]
    t = data.draw(st.integers(1, max(1, count(full) + 10)), label="max_tokens")
    m = data.draw(st.sampled_from([0, 0, max(1, len(full) // 2)]), label="max_length")
    body = render(plain(req, include_line_numbers=numbers, max_length=m, max_tokens=t), count)
    text = body["text"]
    assert count(text) <= t
    assert not m or len(text) <= m
    assert body["metadata"]["truncated"] is (text != full)
    if text != full and text:
        lines = text.split("\n")
        kept = [x for x in lines if not x.startswith("[SAMPLED VIEW: ")]
        assert _subsequence(kept[:-1], full.split("\n")), "sampled lines are not lines of the full text"


def test_max_tokens_zero_is_the_old_path() -> None:
    req = {"event_type": "$ai_generation", "data": {"id": "e", "properties": {"$ai_input": "word " * 3000}},
           "options": {"max_length": 500, "include_markers": False}}
    assert render(req) == render({**req, "options": {**req["options"], "max_tokens": 0}})


def _subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


# ------------------------------------------------------------------------------------ fit "shrink"

_CAP = re.compile(r"\[SHRUNK VIEW: texts (?:over ([0-9,]+) chars|cut to a note)")
_ROLE = re.compile(r"\[\d+\] \S")
# The section headers of FORMAT.md §4.1.
_LABELS = re.compile(r"INPUT:|OUTPUT:|ERROR:|INPUT STATE:|OUTPUT STATE:|TRACE INPUT:|TRACE OUTPUT:|TRACE ERROR:|"
                     r"TRACE HIERARCHY:|AVAILABLE TOOLS: \d+|Tool calls: \d+|Tool Call:|Remaining steps: \d+")


def visible(text: str, full: str) -> int:
    """How much of every text a rendering shows: the cap of a shrunk view, -1 sampled, -2 cut to a prefix,
    huge when whole."""
    if text == full:
        return 1 << 60
    m = _CAP.search(text.split("\n", 3)[2] if text.count("\n") >= 2 else "")
    if m is None:
        return -2
    if m.group(1) is None:
        return 0 if " lines shown." not in text.split("\n", 3)[2] else -1
    return -1 if " lines shown." in text.split("\n", 3)[2] else int(m.group(1).replace(",", ""))


def skeleton_oracle(req: dict[str, Any]) -> list[str]:
    """Lines every shrunk view must keep when they fit: the title, trace node lines (as the tree renderer
    reports them), message role lines, the section labels of §4.1, the first line of every error text and the
    tool-call lines, from the rendering with every text cut to nothing (so that no text's own line can
    pose as one)."""
    cut = plain(req, truncated=True, truncate_buffer=0, max_length=0, include_line_numbers=False)
    text = render(cut)["text"]
    lines = text.split("\n")
    keep = {0}  # the title (trace name, or the event's first line)
    if req["event_type"] == "$ai_trace":
        data = parse.from_python(req["data"])
        o = Options(**{**Options().to_dict(), **Options.from_mapping(cut["options"]).to_dict()})
        elements, nodes = render_trace_lines(data["trace"], data["hierarchy"], o)
        keep.update(nodes)
    after_error = after_calls = False
    for i, x in enumerate(lines):
        s = x.lstrip(" │├└─")
        if after_error and s:
            if s not in ("-" * 80, "=" * 80):  # a rule ends a blank error text: layout, not its start
                keep.add(i)  # the start of an error text
            after_error = False
        if after_calls and s.startswith("- "):
            keep.add(i)
        else:
            after_calls = False
        if _ROLE.match(s) or _LABELS.fullmatch(s):
            keep.add(i)
            after_error = after_error or s.endswith("ERROR:")
            after_calls = s.startswith("Tool calls: ")
    return [lines[i] for i in sorted(keep) if i < len(lines)]


def check_shrunk(req: dict[str, Any], m: int, t: int, counter: Callable[[str], int]) -> str:
    body = render(plain(req, fit="shrink", max_length=m, max_tokens=t), counter)
    text = body["text"]
    assert not m or len(text) <= m, "over the character budget"
    assert not t or counter(text) <= t, "over the token budget"
    assert body["metadata"]["char_count"] == len(text)
    full = render(plain(req, max_length=0))["text"]
    if (not m or len(full) <= m) and (not t or counter(full) <= t):
        assert text == full and body["metadata"]["truncated"] is False
        return text
    assert body["metadata"]["truncated"] is True
    skel = skeleton_oracle(req)
    cost_c = sum(len(x) + 1 for x in skel) + 300
    # Every cut text still leaves its "... (N chars truncated) ..." note: a skeleton "fits" only with room
    # for one note per content line of the full text as well as the shrink note.
    notes = sum(1 for x in full.split("\n") if x.strip() and x not in skel)
    cost_t = (counter("\n".join(skel)) + counter("[SHRUNK VIEW: " + "9" * 100 + "]")
              + notes * counter("\n... (99999 chars truncated) ..."))
    if (not m or cost_c <= m * 0.9) and (not t or cost_t <= t * 0.9):
        out = [re.sub(r"^L[0-9]+: ", "", x) for x in text.split("\n")]
        assert _subsequence(skel, out), f"skeleton lost: {[x for x in skel if x not in out][:5]}"
    return text


@FEW
@given(req=valid_requests(), data=st.data(), counter=st.sampled_from(sorted(COUNTERS)))
def test_shrink_bound_skeleton_and_monotone(req: Any, data: st.DataObject, counter: str) -> None:
    count = COUNTERS[counter]
    full = render(plain(req, max_length=0))["text"]
    use_tokens = data.draw(st.booleans(), label="tokens")
    top = count(full) if use_tokens else len(full)
    budgets = sorted(data.draw(st.lists(st.integers(1, max(1, top + 50)), min_size=2, max_size=3), label="budgets"))
    seen = []
    for b in budgets:
        text = check_shrunk(req, 0 if use_tokens else b, b if use_tokens else 0, count)
        seen.append(visible(text, full))
    assert seen == sorted(seen), f"a larger budget showed less: {list(zip(budgets, seen))}"


@FEW
@given(req=valid_requests())
def test_shrink_is_deterministic(req: Any) -> None:
    r = plain(req, fit="shrink", max_length=300)
    assert render(r) == render(json.loads(json.dumps(r)) if S.to_json(r) else r)


# ---------------------------------------------------------------------- project-own real-shaped traces


def _agent_trace() -> dict[str, Any]:
    """A LangChain-style agent run: 12 nodes, a failing divide tool, long texts everywhere."""
    long = ("The quarterly report covers revenue, churn and hiring in detail. " * 40).strip()
    gens = []
    for k in range(5):
        gens.append({"event": {"id": f"g{k}", "event": "$ai_generation", "properties": {
            "$ai_model": "gpt-4o", "$ai_latency": 1.5,
            "$ai_input": [{"role": "system", "content": "You are a calculator agent. " * 30},
                          {"role": "user", "content": f"Question {k}: what is 7 / {k}? " + long}],
            "$ai_output_choices": [{"role": "assistant", "content": long,
                                    "tool_calls": [{"function": {"name": "divide", "arguments": json.dumps({"a": 7, "b": k})}}]}],
        }}, "children": []})
    divide = {"event": {"id": "s-div", "event": "$ai_span", "properties": {
        "$ai_span_name": "divide", "$ai_is_error": True, "$ai_latency": 0.01,
        "$ai_error": "ZeroDivisionError: division by zero\n" + "  File \"calc.py\", line 3, in divide\n" * 60,
        "$ai_input_state": {"a": 7, "b": 0}}}, "children": []}
    tools = [{"event": {"id": f"t{k}", "event": "$ai_span", "properties": {
        "$ai_span_name": "search", "$ai_input_state": {"q": long}, "$ai_output_state": long}}} for k in range(4)]
    root = {"event": {"id": "root", "event": "$ai_span", "properties": {"$ai_span_name": "AgentExecutor",
                                                                          "$ai_input_state": {"input": long}}},
            "children": [gens[0], tools[0], gens[1], divide, gens[2], tools[1], gens[3], tools[2], gens[4], tools[3]]}
    return {"event_type": "$ai_trace", "data": {"trace": {"id": "tr", "properties": {"$ai_trace_id": "tr",
            "$ai_span_name": "agent run", "$ai_error": "AgentError: tool divide failed"}}, "hierarchy": [root]}}


@pytest.mark.parametrize("budget", [("chars", 1000), ("chars", 4000), ("chars", 16000), ("tokens", 500), ("tokens", 2000)])
def test_agent_trace_keeps_every_node_and_the_error(budget: tuple[str, int]) -> None:
    kind, b = budget
    req = _agent_trace()
    text = check_shrunk(req, b if kind == "chars" else 0, b if kind == "tokens" else 0, tokens.estimate)
    if b >= 4000 or kind == "tokens" and b >= 2000:
        lines = text.split("\n")
        assert sum(bool(re.match(r"[│ ]*[├└]─ ", x)) for x in lines) == 11  # every node line
        assert any("ZeroDivisionError: division by zero" in x for x in lines), "the error text's start"
        assert any(x.lstrip(" │").startswith("[2] USER") for x in lines)
        assert any("... (" in x and "chars truncated) ..." in x for x in lines)


def test_shrunk_view_says_so_and_shows_more_with_more_budget() -> None:
    req = _agent_trace()
    full = render(plain(req, max_length=0))["text"]
    caps = [visible(render(plain(req, fit="shrink", max_length=b))["text"], full) for b in (3000, 6000, 12000, 24000, 10**7)]
    assert caps == sorted(caps) and caps[-1] == 1 << 60 and 0 <= caps[1] < caps[3]


def test_shrink_of_a_single_event_and_numbers() -> None:
    req = {"event_type": "$ai_generation", "data": {"id": "e", "properties": {
        "$ai_input": [{"role": "user", "content": "x" * 5000}, {"role": "assistant", "content": "y" * 5000}],
        "$ai_error": {"message": "boom", "code": 500}}}}
    text = render(plain(req, fit="shrink", max_length=1200, include_line_numbers=True))["text"]
    assert len(text) <= 1200
    lines = text.split("\n")
    assert lines[2].startswith("[SHRUNK VIEW: ")
    numbered = [x for x in lines if not x.startswith("[SHRUNK VIEW")]
    assert all(re.match(r"L\d+: ", x) for x in numbered)
    assert any(x.endswith("[1] USER") for x in lines) and any(x.endswith("[2] ASSISTANT") for x in lines)
    assert any(x.endswith("ERROR:") for x in lines) and any("message: boom" in x for x in lines)


def test_tiny_budgets_never_overflow() -> None:
    req = _agent_trace()
    for b in range(1, 400, 7):
        assert len(render(plain(req, fit="shrink", max_length=b))["text"]) <= b
        assert tokens.estimate(render(plain(req, fit="shrink", max_length=0, max_tokens=b))["text"]) <= b
        assert tokens.estimate(render(plain(req, max_length=0, max_tokens=b))["text"]) <= b


def test_render_event_and_trace_take_a_counter() -> None:
    data = _agent_trace()["data"]
    calls = []

    def counter(s: str) -> int:
        calls.append(1)
        return len(s.encode("utf-8"))

    r = textrepr.render_trace(data["trace"], data["hierarchy"], {"max_tokens": 900, "max_length": 0,
                                                                 "include_markers": False}, token_counter=counter)
    assert len(r.text.encode("utf-8")) <= 900 and calls and r.metadata["truncated"] is True
    ev = data["hierarchy"][0]["children"][0]["event"]
    r = textrepr.render_event(ev, Options(max_tokens=300, max_length=0, fit="shrink", include_markers=False),
                              token_counter=counter)
    assert len(r.text.encode("utf-8")) <= 300


def test_sink_is_left_empty() -> None:
    from textrepr.sink import SINKS

    render(plain(_agent_trace(), fit="shrink", max_length=2000))
    assert SINKS == {}


# --------------------------------------------------------------------------------------------- corpus


def corpus_requests() -> list[tuple[str, dict[str, Any]]]:
    if not CORPUS.is_dir():
        return []
    out = []
    for sub in ("traces", "events"):
        for p in sorted((CORPUS / sub).glob("*.json")):
            doc = json.loads(p.read_bytes())
            req = {"event_type": doc["event_type"], "data": doc["data"]}
            try:
                textrepr.text_repr(req)
            except InvalidRequest:
                continue
            out.append((f"{sub}/{p.name}", req))
    return out


CORPUS_REQUESTS = corpus_requests()


@pytest.mark.skipif(not CORPUS_REQUESTS, reason=NO_CORPUS)
@pytest.mark.parametrize("budget", [("chars", 1000), ("chars", 4000), ("chars", 16000), ("tokens", 500), ("tokens", 2000)])
def test_corpus_shrink(budget: tuple[str, int]) -> None:
    kind, b = budget
    for name, req in CORPUS_REQUESTS:
        try:
            check_shrunk(req, b if kind == "chars" else 0, b if kind == "tokens" else 0, tokens.estimate)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None
        body = render(plain(req, max_length=b if kind == "chars" else 0, max_tokens=b if kind == "tokens" else 0))
        assert len(body["text"]) <= b if kind == "chars" else tokens.estimate(body["text"]) <= b, name


def test_fit_module_budget_helper() -> None:
    b = fit.budget(Options(max_length=5, max_tokens=0))
    assert b.fits("12345") and not b.fits("123456") and bool(b)
    assert not fit.Budget(0, 0, tokens.estimate)


# ------------------------------------------------------------------------------------------------ CLI


def test_cli_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from textrepr.cli import main

    p = tmp_path / "t.json"
    p.write_text(json.dumps(_agent_trace()))
    assert main(["render", str(p), "--no-include-markers", "--fit", "shrink", "--max-tokens", "700",
                 "--tokenizer", "bytes", "--max-length", "0"]) == 0
    out = capsys.readouterr().out[:-1]
    assert len(out.encode()) <= 700 and "[SHRUNK VIEW: " in out
    assert main(["render", str(p), "--max-tokens", "300", "--max-length", "0"]) == 0
    assert tokens.estimate(capsys.readouterr().out[:-1]) <= 300
    assert main(["render", str(p), "--fit", "shrink"]) == 1  # markers on: the 400
    assert "include_markers: false" in capsys.readouterr().err
    assert main(["render", str(p), "--max-tokens", "9", "--tokenizer", "nope"]) == 2
    assert main(["render", str(p), "--fit", "squeeze"]) == 2  # argparse's choices

    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps(_agent_trace()) + "\n" + json.dumps(_agent_trace()) + "\n")
    dst = tmp_path / "out.jsonl"
    assert main(["batch", str(lines), "-o", str(dst), "-w", "1", "-q", "--no-include-markers", "--max-length", "0",
                 "--max-tokens", "500", "--tokenizer", "chars", "--fit", "shrink"]) == 0
    rows = [json.loads(x) for x in dst.read_text().splitlines()]
    assert len(rows) == 2 and all(len(r["text"]) <= 500 and "[SHRUNK VIEW: " in r["text"] for r in rows)
