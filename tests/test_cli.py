"""The `textrepr` console script: render, expand, refs (batch: test_batch.py).

Every test runs the installed entry point in a subprocess (stdin/stdout/stderr, exit codes)."""
from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ENV, TEXTREPR, core_of_the_subprocess, no_traceback, run  # noqa: F401

import textrepr
from textrepr import markers
from textrepr.cli import READABLE_HINT, READABLE_OPTIONS


GEN = {"event_type": "$ai_generation", "data": {"id": "g1", "properties": {"$ai_input": "hi", "$ai_output": "hello \u00e9\u4e16"}}}
SPAN = {"event_type": "$ai_span", "data": {"id": "s1", "properties": {
    "$ai_span_name": "search", "$ai_input_state": "x" * 1500 + "<<<TRUNCATED|aGk=|2>>>" + "y" * 1500}}}


def write(tmp_path: Path, name: str, doc: Any) -> Path:
    p = tmp_path / name
    p.write_bytes(doc if isinstance(doc, bytes) else json.dumps(doc).encode())
    return p


# ----------------------------------------------------------------------------- render


def readable(request: dict) -> str:
    """What `textrepr FILE` prints for a document without options: the plain (marker-free) view."""
    return textrepr.text_repr({**request, "options": READABLE_OPTIONS})["text"] + "\n"


def test_render_file_prints_the_text(tmp_path: Path) -> None:
    p = run("render", str(write(tmp_path, "g.json", GEN)))
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode("utf-8") == readable(GEN)
    assert p.stderr.decode() == f"textrepr: {READABLE_HINT}\n"


def test_bare_file_argument_is_render(tmp_path: Path) -> None:
    f = str(write(tmp_path, "g.json", GEN))
    assert run(f).stdout == run("render", f).stdout != b""


def test_render_stdin(tmp_path: Path) -> None:
    p = run("-", input=json.dumps(GEN).encode())
    assert p.returncode == 0
    assert p.stdout.decode() == readable(GEN)


def test_render_gzipped_file(tmp_path: Path) -> None:
    f = write(tmp_path, "g.json.gz", gzip.compress(json.dumps(GEN).encode()))
    p = run("render", str(f))
    assert p.returncode == 0 and p.stdout.decode() == readable(GEN)


def test_render_json_is_the_whole_body(tmp_path: Path) -> None:
    p = run("render", "--json", str(write(tmp_path, "g.json", GEN)))
    assert p.returncode == 0
    assert json.loads(p.stdout) == textrepr.text_repr(GEN)


@pytest.mark.parametrize(
    ("flags", "options"),
    [
        (["--include-line-numbers"], {"include_line_numbers": True}),
        (["--no-include-markers", "--truncate-buffer", "10"], {"include_markers": False, "truncate_buffer": 10}),
        (["--max-length", "120"], {"max_length": 120}),
        (["--preset", "frontend"], {"truncated": True, "include_markers": True, "include_line_numbers": True}),
        (["--preset", "llm-summary", "--no-collapsed"],
         {"truncated": True, "include_markers": False, "collapsed": False}),
        (["--preset", "llm-full"], {"truncated": False}),
    ],
)
def test_render_option_flags(tmp_path: Path, flags: list[str], options: dict[str, Any]) -> None:
    f = str(write(tmp_path, "s.json", SPAN))
    p = run("render", "--json", *flags, f)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == textrepr.text_repr({**SPAN, "options": options})


def test_flags_override_the_request_options(tmp_path: Path) -> None:
    f = str(write(tmp_path, "s.json", {**SPAN, "options": {"include_line_numbers": True, "truncate_buffer": 20}}))
    p = run("render", "--json", "--no-include-line-numbers", f)
    want = textrepr.text_repr({**SPAN, "options": {"include_line_numbers": False, "truncate_buffer": 20}})
    assert json.loads(p.stdout) == want


def test_render_bare_event_and_bare_trace(tmp_path: Path) -> None:
    ev = {"id": "s9", "event": "$ai_span", "properties": {"$ai_span_name": "bare"}}
    p = run("render", "--json", str(write(tmp_path, "e.json", ev)))
    assert json.loads(p.stdout) == textrepr.text_repr({"event_type": "$ai_span", "data": ev})
    tr = {"trace": {"id": "t1", "properties": {"$ai_span_name": "bare trace"}}, "hierarchy": []}
    p = run("render", "--json", str(write(tmp_path, "t.json", tr)))
    assert json.loads(p.stdout) == textrepr.text_repr({"event_type": "$ai_trace", "data": tr})


def test_render_invalid_request_exit_1(tmp_path: Path) -> None:
    p = run("render", str(write(tmp_path, "bad.json", {"event_type": "nope", "data": {}})))
    assert p.returncode == 1 and p.stdout == b""
    assert b"invalid request (400)" in p.stderr
    assert b'"nope\\" is not a valid choice.' in p.stderr
    no_traceback(p)
    p = run("render", "--json", str(write(tmp_path, "bad.json", b"{not json")))
    assert p.returncode == 1
    err = json.loads(p.stdout)["error"]
    assert err["status"] == 400 and err["body"]["detail"].startswith("JSON parse error - ")


def test_render_missing_file_exit_2(tmp_path: Path) -> None:
    p = run("render", str(tmp_path / "missing.json"))
    assert p.returncode == 2 and p.stdout == b""
    assert b"cannot read" in p.stderr and b"No such file" in p.stderr
    no_traceback(p)


def test_usage_errors_exit_2() -> None:
    for args in ([], ["render"], ["render", "--max-length", "many", "x.json"], ["batch"], ["refs", "one"]):
        p = run(*args)
        assert p.returncode == 2, (args, p.stderr)
        no_traceback(p)
    p = run("--help")
    assert p.returncode == 0 and b"render" in p.stdout and b"batch" in p.stdout


def test_version_names_the_core(implementation: str) -> None:
    """Also checks that the subprocess runs on this session's core (TEXTREPR_NO_EXTENSIONS)."""
    p = run("--version")
    assert p.returncode == 0
    first = p.stdout.decode().splitlines()[0]
    assert first == (f"textrepr {textrepr.__version__} ({implementation} implementation) from "
                     f"{os.path.dirname(os.path.abspath(textrepr.__file__))}")
    if implementation == "pure":  # and it says why
        assert p.stdout.decode().splitlines()[1].startswith("pure because ")


def test_invalid_option_value_is_a_400(tmp_path: Path) -> None:
    p = run("render", "--max-depth", "-1", str(write(tmp_path, "s.json", SPAN)))
    assert p.returncode == 1
    assert b"greater than or equal to 0" in p.stderr


def test_render_broken_pipe_is_quiet(tmp_path: Path) -> None:
    big = {"event_type": "$ai_span", "data": {"id": "s", "properties": {"$ai_input_state": "line\n" * 400_000}}}
    f = write(tmp_path, "big.json", big)
    p = subprocess.run(f"{' '.join(map(str, TEXTREPR))} render --no-truncated {f} | head -n 2",
                       shell=True, capture_output=True, timeout=120, env=ENV)
    assert p.stdout.count(b"\n") == 2
    assert p.stderr == b"", p.stderr


# ----------------------------------------------------------------------------- expand


def test_expand_undoes_markers(tmp_path: Path) -> None:
    middle = "MIDDLE \u00e9 <<<\u200bEVENT_LINK|x|y>>>"
    b64 = base64.b64encode(middle.encode()).decode()
    text = f"head <<<\u200bTRUNCATED|a|1>>>\n\n<<<TRUNCATED|{b64}|{len(middle)}>>>\n\ntail"
    f = tmp_path / "m.txt"
    f.write_text(text + "\n", encoding="utf-8")  # as `render` prints it
    p = run("expand", str(f))
    assert p.returncode == 0, p.stderr
    want = "head <<<TRUNCATED|a|1>>>MIDDLE \u00e9 <<<EVENT_LINK|x|y>>>tail"
    assert markers.expand(text) == want
    assert p.stdout.decode("utf-8") == want + "\n"


def test_expand_round_trip_of_a_rendering(tmp_path: Path) -> None:
    """FORMAT.md §2.4 identity, through the command line."""
    o = {"include_markers": True, "max_length": 0}
    o_plain = {"include_markers": False, "truncated": False, "tools_collapse_threshold": 2**31 - 1, "max_length": 0}
    f = str(write(tmp_path, "s.json", {**SPAN, "options": o}))
    rendered = run("render", f)
    assert rendered.returncode == 0
    p = run("expand", "-", input=rendered.stdout)
    assert p.stdout.decode("utf-8") == textrepr.text_repr({**SPAN, "options": o_plain})["text"] + "\n"


def test_expand_stdin_and_json_response(tmp_path: Path) -> None:
    body = textrepr.text_repr(SPAN)
    want = markers.expand(body["text"]) + "\n"
    assert run("expand", "-", input=json.dumps(body).encode()).stdout.decode() == want
    assert run("expand", "-", input=body["text"].encode()).stdout.decode() == want


def test_expand_plain_text_unchanged(tmp_path: Path) -> None:
    p = run("expand", "-", input="no markers here\nsecond line \u00e9\n".encode())
    assert p.returncode == 0 and p.stdout == "no markers here\nsecond line \u00e9\n".encode()


def test_expand_missing_file(tmp_path: Path) -> None:
    p = run("expand", str(tmp_path / "nope.txt"))
    assert p.returncode == 2 and b"cannot read" in p.stderr
    no_traceback(p)


# ----------------------------------------------------------------------------- refs


def _numbered_text(tmp_path: Path) -> Path:
    p = run("render", "--include-line-numbers", str(write(tmp_path, "s.json", SPAN)))
    assert p.returncode == 0
    f = tmp_path / "text.txt"
    f.write_bytes(p.stdout)
    return f


def test_refs_prints_cited_lines(tmp_path: Path) -> None:
    text = _numbered_text(tmp_path)
    lines = text.read_text().split("\n")
    summary = tmp_path / "summary.txt"
    summary.write_text("The span is named [L1] and its state starts at [L5-6].\n")
    p = run("refs", str(summary), str(text))
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode().split("\n")
    assert out[0] == "[L1]"
    assert out[1] == "  L1: " + lines[0].split(": ", 1)[1]
    assert out[2] == "[L5-6]"
    assert out[3:5] == ["  L5: " + lines[4].split(": ", 1)[1], "  L6: " + lines[5].split(": ", 1)[1]]


def test_refs_reports_unknown_references_exit_1(tmp_path: Path) -> None:
    text = _numbered_text(tmp_path)
    p = run("refs", "-", str(text), input=b"see [L2] and L999 and [L9-3]")
    assert p.returncode == 1
    out = p.stdout.decode()
    assert "[L2]" in out and "L999" in out and "outside the text" in out and "reversed" in out
    assert b"2 of 3 references could not be resolved" in p.stderr


def test_refs_json(tmp_path: Path) -> None:
    text = _numbered_text(tmp_path)
    p = run("refs", "--json", "-", str(text), input=b'{"line_refs": "L3"}')
    assert p.returncode == 0
    (r,) = json.loads(p.stdout)
    assert r["ref"] == "L3" and r["status"] == "ok" and r["lines"][0]["line"] == 3


def test_refs_against_json_response(tmp_path: Path) -> None:
    body = textrepr.text_repr({**SPAN, "options": {"include_line_numbers": True}})
    f = write(tmp_path, "resp.json", body)
    p = run("refs", "-", str(f), input=b"[L1]")
    assert p.returncode == 0
    assert p.stdout.decode() == "[L1]\n  L1: " + body["text"].split("\n")[0].split(": ", 1)[1] + "\n"


def test_refs_no_references_and_io_errors(tmp_path: Path) -> None:
    text = _numbered_text(tmp_path)
    p = run("refs", "-", str(text), input=b"nothing cited")
    assert p.returncode == 0 and p.stdout == b"" and b"no line references" in p.stderr
    p = run("refs", str(tmp_path / "nope"), str(text))
    assert p.returncode == 2 and b"cannot read" in p.stderr
    p = run("refs", "-", "-", input=b"")
    assert p.returncode == 2
    no_traceback(p)


# ----------------------------------------------------------------------------- the readable default

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_B64_RUN = re.compile(r"[A-Za-z0-9+/]{60,}")


@pytest.mark.parametrize("name", ["trace.json", "generation.json", "span.json"])
def test_bundled_examples_print_readable_text(name: str) -> None:
    """The README's first command: plain text, no markers, no base64, and the hint once on stderr."""
    p = run(str(EXAMPLES / name))
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode("utf-8")
    assert "<<<" not in out and not _B64_RUN.search(out) and "\x1b" not in out
    assert out == readable(json.loads((EXAMPLES / name).read_text("utf-8")))
    assert p.stderr.decode().count("--preset frontend") == 1


def test_readable_default_is_plain_truncation_notes(tmp_path: Path) -> None:
    long = {"event_type": "$ai_span", "data": {"id": "s", "properties": {"$ai_input_state": "z" * 5000}}}
    out = run(str(write(tmp_path, "l.json", long))).stdout.decode()
    assert "... (4000 chars truncated) ..." in out and "<<<TRUNCATED" not in out


@pytest.mark.parametrize("extra", [["--json"], ["--max-length", "0"], ["--include-markers"], ["--preset", "frontend"],
                                   ["--no-truncated"]])
def test_flags_and_json_render_as_asked(tmp_path: Path, extra: list[str]) -> None:
    """Any flag (or --json) means exactly today's rendering, markers included, and no hint."""
    trace = json.loads((EXAMPLES / "trace.json").read_text("utf-8"))
    p = run("render", *extra, str(EXAMPLES / "trace.json"))
    assert p.returncode == 0 and p.stderr == b""
    from textrepr.cli import build_parser, options_from_args

    opts = options_from_args(build_parser().parse_args(["render", *extra, "f"]))
    body = textrepr.text_repr({**trace, "options": opts})
    assert p.stdout.decode() == (json.dumps(body, ensure_ascii=False) if "--json" in extra else body["text"]) + "\n"
    assert "<<<GEN_EXPANDABLE|" in body["text"]


def test_own_options_render_as_asked(tmp_path: Path) -> None:
    """A request with its own options (even empty) renders exactly as before: markers, no hint."""
    for opts in ({}, {"include_line_numbers": True}):
        req = {**json.loads((EXAMPLES / "trace.json").read_text("utf-8")), "options": opts}
        p = run(str(write(tmp_path, "r.json", req)))
        assert p.returncode == 0 and p.stderr == b""
        assert p.stdout.decode() == textrepr.text_repr(req)["text"] + "\n"
        assert "<<<GEN_EXPANDABLE|" in p.stdout.decode()
    # "options" only inside the content is not the request's own options
    req = {**GEN, "data": {**GEN["data"], "properties": {"$ai_input": '"options": 1'}}}
    p = run(str(write(tmp_path, "c.json", req)))
    assert p.stdout.decode() == readable(req) and p.stderr != b""


def test_colour_only_when_asked_or_on_a_terminal(tmp_path: Path) -> None:
    f = str(EXAMPLES / "trace.json")
    piped = run(f).stdout.decode()
    coloured = run("--color", "always", f).stdout.decode()
    assert "\x1b[" not in piped and "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == piped  # colour adds codes, nothing else
    assert run("--color", "never", f).stdout.decode() == piped


def test_wants_colour_honours_no_color_and_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    from textrepr.term import wants_colour

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert wants_colour(Tty()) and not wants_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(Tty()) and wants_colour(io.StringIO(), "always")
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.setenv("TERM", "dumb")
    assert not wants_colour(Tty()) and not wants_colour(Tty(), "never")


# ----------------------------------------------------------------------------- html


def test_html_writes_one_self_contained_page(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    p = run("html", str(EXAMPLES / "trace.json"), str(EXAMPLES / "generation.json"), "-o", str(out))
    assert p.returncode == 0, p.stderr
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'class="index"' in page and page.count('<section class="doc"') == 2
    assert not re.search(r"(src|href)=\"(https?:)?//", page) and "<link" not in page
    assert b"2 renderings (0 invalid)" in p.stderr
    assert run("html", str(EXAMPLES / "trace.json"), "-o", "-").stdout.decode("utf-8") == run(
        "html", str(EXAMPLES / "trace.json")).stdout.decode("utf-8") != ""


def test_html_jsonl_with_an_invalid_line(tmp_path: Path) -> None:
    f = write(tmp_path, "in.jsonl", b"\n".join([json.dumps(GEN).encode(), b"{nope", json.dumps(SPAN).encode()]))
    p = run("html", str(f), "-o", str(tmp_path / "p.html"))
    assert p.returncode == 1 and b"3 renderings (1 invalid)" in p.stderr
    page = (tmp_path / "p.html").read_text("utf-8")
    assert "in.jsonl #2" in page and "JSON parse error" in page


def test_html_flat_events(tmp_path: Path) -> None:
    events = [{"id": "t1", "event": "$ai_trace", "properties": {"$ai_trace_id": "t1"}},
              {"id": "g1", "event": "$ai_generation", "properties": {"$ai_trace_id": "t1", "$ai_parent_id": "t1",
                                                                     "$ai_input": "hi", "$ai_output_choices": "answer-from-g1"}}]
    f = write(tmp_path, "flat.jsonl", b"\n".join(json.dumps(e).encode() for e in events))
    p = run("html", str(f), "-o", str(tmp_path / "p.html"))
    assert p.returncode == 0, p.stderr
    page = (tmp_path / "p.html").read_text("utf-8")
    assert "trace t1" in page and "answer-from-g1" in page  # one trace, its generation's output inside


def test_html_usage_errors(tmp_path: Path) -> None:
    p = run("html", str(tmp_path / "missing.json"), "-o", str(tmp_path / "p.html"))
    assert p.returncode == 2 and b"cannot read" in p.stderr
    p = run("html", str(EXAMPLES / "trace.json"), "-o", str(tmp_path / "no" / "dir" / "p.html"))
    assert p.returncode == 2 and b"cannot write" in p.stderr
    no_traceback(p)
