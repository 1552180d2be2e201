"""`textrepr batch`: JSONL streams through the real console script, plus the engine's pieces in-process."""
from __future__ import annotations

import gzip
import io
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ENV, TEXTREPR, core_of_the_subprocess, no_traceback, run  # noqa: F401

import textrepr
from textrepr import batch
from textrepr.errors import InvalidRequest


def gen(i: int, text: str = "hi") -> dict[str, Any]:
    return {"event_type": "$ai_generation",
            "data": {"id": f"g{i}", "properties": {"$ai_input": f"{text} {i}", "$ai_output": "ok \u00e9"}}}


def span(i: int) -> dict[str, Any]:
    return {"event_type": "$ai_span", "data": {"id": f"s{i}", "properties": {"$ai_span_name": f"step {i}"}}}


def jsonl(docs: list[Any]) -> bytes:
    return b"".join((d if isinstance(d, bytes) else json.dumps(d).encode()) + b"\n" for d in docs)


def expected(line: bytes, n: int, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a batch output record for input line ``n`` must be, computed with the library."""
    try:
        doc = json.loads(line) if line.strip() else None
    except ValueError:
        doc = None
    try:
        if options:
            doc = batch.as_request(doc)
            body = textrepr.text_repr({**doc, "options": {**doc.get("options", {}), **options}})
        else:
            body = textrepr.text_repr(json.dumps(batch.as_request(doc)) if doc is not None else line)
    except InvalidRequest as e:
        return {"line": n, "error": {"status": 400, "body": e.body}}
    return {"line": n, **body}


def records(out: bytes) -> list[dict[str, Any]]:
    assert out.endswith(b"\n") or out == b""
    return [json.loads(x) for x in out.split(b"\n")[:-1]]


MIXED = [
    gen(1),
    b'{"event_type": "$ai_generation", "data": {"id": "x"',  # truncated JSON
    span(3),
    b"",  # blank line: skipped, not a record
    {"event_type": "nope", "data": {}},  # 400 with a field-keyed body
    {"id": "bare", "event": "$ai_span", "properties": {"$ai_span_name": "bare span"}},  # bare event
    b"   \t",  # whitespace only: blank
    {"trace": {"id": "t1", "properties": {"$ai_span_name": "bare trace"}}, "hierarchy": []},  # bare trace
    b"[1, 2]",  # not an object
    gen(10),
]


def check_mixed(out: bytes, raw: bytes) -> None:
    lines = raw.split(b"\n")[:-1]
    got = records(out)
    want_lines = [n for n, line in enumerate(lines, 1) if line.strip()]
    assert [r["line"] for r in got] == want_lines
    for r in got:
        assert r == expected(lines[r["line"] - 1], r["line"])
    assert [("error" in r) for r in got] == [False, True, False, True, False, False, True, False]


# ----------------------------------------------------------------------------- through the console script


def test_stdin_to_stdout_bad_lines_in_the_middle() -> None:
    raw = jsonl(MIXED)
    p = run("batch", "-", input=raw)
    assert p.returncode == 1, p.stderr  # some lines invalid
    check_mixed(p.stdout, raw)
    summary = p.stderr.decode().strip().splitlines()[-1]
    assert "8 records, 3 errors" in summary and "MB/s" in summary and "2 blank lines skipped" in summary
    assert "errors on lines 2, 5, 9" in summary
    no_traceback(p)


def test_all_valid_exit_0_and_same_as_the_library(tmp_path: Path) -> None:
    raw = jsonl([gen(i) if i % 2 else span(i) for i in range(50)])
    src = tmp_path / "in.jsonl"
    src.write_bytes(raw)
    p = run("batch", str(src), "-o", str(tmp_path / "out.jsonl"))
    assert p.returncode == 0, p.stderr
    assert p.stdout == b""
    got = records((tmp_path / "out.jsonl").read_bytes())
    assert got == [expected(line, n) for n, line in enumerate(raw.split(b"\n")[:-1], 1)]
    assert "50 records, 0 errors" in p.stderr.decode()


def test_gzipped_input_file_and_stdin(tmp_path: Path) -> None:
    raw = jsonl(MIXED)
    gz = tmp_path / "in.jsonl.gz"
    gz.write_bytes(gzip.compress(raw))
    p = run("batch", str(gz))
    assert p.returncode == 1
    check_mixed(p.stdout, raw)
    p = run("batch", "-", input=gzip.compress(raw))  # detected by content, not by name
    check_mixed(p.stdout, raw)


def test_gzipped_output(tmp_path: Path) -> None:
    raw = jsonl(MIXED)
    p = run("batch", "-", "-o", str(tmp_path / "out.jsonl.gz"), input=raw)
    assert p.returncode == 1
    check_mixed(gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()), raw)
    # compressed in the workers: one gzip member per chunk, still one valid stream
    p = run("batch", "-", "-o", str(tmp_path / "two.jsonl.gz"), "--workers", "2", "--chunk-size", "300", input=raw)
    data = (tmp_path / "two.jsonl.gz").read_bytes()
    assert data.count(b"\x1f\x8b\x08") > 1
    check_mixed(gzip.decompress(data), raw)
    with gzip.open(tmp_path / "two.jsonl.gz") as f:
        check_mixed(f.read(), raw)
    # no records: still a valid (empty) gzip file
    p = run("batch", "-", "-o", str(tmp_path / "empty.jsonl.gz"), input=b"\n")
    assert p.returncode == 0 and gzip.decompress((tmp_path / "empty.jsonl.gz").read_bytes()) == b""
    assert (tmp_path / "empty.jsonl.gz").stat().st_size > 0


def test_workers_2_same_bytes_in_input_order(tmp_path: Path) -> None:
    docs: list[Any] = []
    for i in range(400):
        docs.append(gen(i, "x" * (i % 37)) if i % 3 else span(i))
        if i % 50 == 7:
            docs.append(b"{bad json")
    raw = jsonl(docs)
    src = tmp_path / "in.jsonl"
    src.write_bytes(raw)
    one = run("batch", str(src), "--workers", "1")
    # tiny chunks: many units of work in flight, finishing out of order
    two = run("batch", str(src), "--workers", "2", "--chunk-size", "700")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert ", 2 workers" in two.stderr.decode() and ", 1 worker" in one.stderr.decode()
    got = records(two.stdout)
    assert [r["line"] for r in got] == list(range(1, len(docs) + 1))
    assert sum("error" in r for r in got) == 8
    no_traceback(two)


def test_default_workers_is_all_cores(tmp_path: Path) -> None:
    raw = jsonl([gen(i) for i in range(200)])
    p = run("batch", "-", "--chunk-size", "2000", input=raw)
    assert p.returncode == 0
    n = batch.default_workers()
    assert (f", {n} workers" if n > 1 else ", 1 worker") in p.stderr.decode()


def test_final_line_without_newline_and_crlf() -> None:
    raw = json.dumps(gen(1)).encode() + b"\r\n" + json.dumps(span(2)).encode()
    p = run("batch", "-", input=raw)
    assert p.returncode == 0
    got = records(p.stdout)
    assert [r["line"] for r in got] == [1, 2]
    assert got[1] == expected(json.dumps(span(2)).encode(), 2)


def test_empty_input() -> None:
    p = run("batch", "-", input=b"")
    assert p.returncode == 0 and p.stdout == b""
    assert "0 records, 0 errors" in p.stderr.decode()


def test_option_flags_apply_to_every_line() -> None:
    own = {**span(2), "options": {"include_line_numbers": False, "truncate_buffer": 30}}
    raw = jsonl([gen(1), own])
    p = run("batch", "-", "--include-line-numbers", "--no-include-markers", input=raw)
    assert p.returncode == 0, p.stderr
    got = records(p.stdout)
    opts = {"include_line_numbers": True, "include_markers": False}
    assert got[0] == expected(json.dumps(gen(1)).encode(), 1, opts)
    assert got[1] == {"line": 2, **textrepr.text_repr({**span(2), "options": {"truncate_buffer": 30, **opts}})}
    assert got[0]["text"].startswith("L01: ")


def test_invalid_option_flag_value_gives_error_records() -> None:
    p = run("batch", "-", "--max-depth", "-1", input=jsonl([span(1)]))
    assert p.returncode == 1
    (r,) = records(p.stdout)
    assert r["error"]["body"] == {"options": {"max_depth": ["Ensure this value is greater than or equal to 0."]}}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_interrupted_output_pipe(tmp_path: Path, workers: str) -> None:
    """`textrepr batch big.jsonl | head -n 3`: no traceback, no noise, no hang."""
    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl([gen(i, "long text " * 200) for i in range(3000)]))  # ~7 MB of output
    cmd = f"{' '.join(TEXTREPR)} batch {src} --workers {workers} --chunk-size 20000 | head -n 3"
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=120, env=ENV)
    assert p.stdout.count(b"\n") == 3
    assert [json.loads(x)["line"] for x in p.stdout.splitlines()] == [1, 2, 3]
    assert p.stderr == b"", p.stderr.decode(errors="replace")


def test_interrupted_pipe_exit_status(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl([gen(i, "long text " * 200) for i in range(3000)]))
    with subprocess.Popen([*TEXTREPR, "batch", str(src), "--workers", "2", "--chunk-size", "20000"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 0
    assert json.loads(first)["line"] == 1
    assert err == b"", err.decode(errors="replace")


def test_streams_stdin_without_reading_it_all() -> None:
    """Output for the first lines appears while stdin is still open: the input is streamed."""
    with subprocess.Popen([*TEXTREPR, "batch", "-", "--workers", "1"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(jsonl([gen(1), gen(2)]))
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 30)
            assert ready, "no output before end of input"
            first = json.loads(proc.stdout.readline())
            assert first["line"] == 1
            proc.stdin.write(jsonl([gen(3)]))
            proc.stdin.close()
            rest = [json.loads(x) for x in proc.stdout.read().splitlines()]
            assert [r["line"] for r in rest] == [2, 3]
            assert proc.wait(timeout=30) == 0
        finally:
            proc.kill()


def test_missing_input_exit_2_and_no_output_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    p = run("batch", str(tmp_path / "missing.jsonl"), "-o", str(out))
    assert p.returncode == 2 and p.stdout == b""
    assert b"cannot read" in p.stderr and b"missing.jsonl" in p.stderr and b"No such file" in p.stderr
    assert not out.exists()
    no_traceback(p)
    p = run("batch", str(tmp_path))
    assert p.returncode == 2 and b"Is a directory" in p.stderr


def test_unwritable_output_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl([gen(1)]))
    for out in (tmp_path / "no" / "such" / "dir.jsonl", tmp_path):
        p = run("batch", str(src), "-o", str(out))
        assert p.returncode == 2, p.stderr
        assert b"cannot write" in p.stderr and str(out).encode() in p.stderr
        no_traceback(p)


def test_full_device_exit_2(tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl([gen(i) for i in range(100)]))
    p = run("batch", str(src), "-o", "/dev/full")
    assert p.returncode == 2 and b"cannot write /dev/full" in p.stderr
    no_traceback(p)


def test_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    raw = jsonl([gen(1)])
    src.write_bytes(raw)
    p = run("batch", str(src), "-o", str(src))
    assert p.returncode == 2 and b"refusing to overwrite" in p.stderr
    assert src.read_bytes() == raw


def test_corrupt_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    data = gzip.compress(jsonl([gen(i) for i in range(2000)]))
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(data[: len(data) * 2 // 3])  # cut off mid-stream
    p = run("batch", str(src), "--chunk-size", "4096")
    assert p.returncode == 2
    assert b"cannot read" in p.stderr
    got = records(p.stdout)
    assert got and [r["line"] for r in got] == list(range(1, len(got) + 1))  # a clean prefix
    no_traceback(p)


def test_usage_errors() -> None:
    for args in (["batch", "-", "--workers", "-1"], ["batch", "-", "--chunk-size", "0"], ["batch", "-", "--bogus"]):
        p = run(*args, input=b"")
        assert p.returncode == 2, args
        no_traceback(p)


def test_progress_bar_only_when_asked() -> None:
    raw = jsonl([gen(i) for i in range(20)])
    p = run("batch", "-", "--progress", input=raw)
    assert p.returncode == 0
    err = p.stderr.decode()
    assert "20 records, 0 errors" in err and "textrepr:" in err and "\r" in err  # tqdm redraws
    p = run("batch", "-", input=raw)  # stderr is a pipe here: no bar
    assert "\r" not in p.stderr.decode() and len(p.stderr.decode().strip().splitlines()) == 1
    p = run("batch", "-", "-q", input=raw)
    assert p.stderr == b"" and p.returncode == 0


# ----------------------------------------------------------------------------- engine pieces, in-process


def test_iter_chunks_whole_lines_and_numbers() -> None:
    raw = b"a\nbb\n\nccc\n" + b"x" * 50 + b"\nlast"
    pieces = list(batch.iter_chunks(io.BufferedReader(io.BytesIO(raw)), chunk_bytes=4))
    assert b"".join(b for _, b, _ in pieces) == raw
    for first, blob, _ in pieces[:-1]:
        assert blob.endswith(b"\n")
    starts = [first for first, _, _ in pieces]
    assert starts[0] == 1
    for (f0, b0, _), (f1, _, _) in zip(pieces, pieces[1:]):
        assert f1 == f0 + b0.count(b"\n")


def test_render_chunk_counts() -> None:
    blob = jsonl([gen(1), b"", b"oops", span(4)])
    out, n, errors, blank, error_lines = batch.render_chunk(7, blob)
    assert (n, errors, blank, error_lines) == (3, 1, 1, [9])
    assert [r["line"] for r in records(out)] == [7, 9, 10]


def test_render_document_paths_agree() -> None:
    """The fast path (a full request's bytes straight to text_repr) and the general path (parse, wrap,
    merge options) give the same answers."""
    for doc in (gen(1), span(2), {**span(3), "options": {"include_line_numbers": True}}):
        raw = json.dumps(doc).encode()
        assert batch._FULL_REQUEST.match(raw)
        assert batch.render_document(raw) == textrepr.text_repr(doc)
        # a no-op override forces the general path
        assert batch.render_document(raw, {"include_metadata": True}) == textrepr.text_repr(doc)
    spaced = b'  { "event_type" : "$ai_span", "data": {"id": "s", "properties": {}}}'
    assert batch._FULL_REQUEST.match(spaced)
    assert batch.render_document(spaced) == textrepr.text_repr(spaced)
    assert not batch._FULL_REQUEST.match(json.dumps(gen(1)["data"]).encode())  # a bare event is wrapped
    assert batch.render_document(json.dumps(gen(1)["data"]).encode()) == textrepr.text_repr(gen(1))
    for bad in (b'{"event_type": "$ai_span", "data": {"id": "s"', b'{"event_type": "$ai_span"}'):
        with pytest.raises(InvalidRequest) as fast:
            batch.render_document(bad)
        with pytest.raises(InvalidRequest) as direct:
            textrepr.text_repr(bad)
        assert fast.value.body == direct.value.body


def test_records_with_values_orjson_refuses() -> None:
    """Huge ints and deep nesting in event ids still give one valid JSON line."""
    big = 123456789012345678901234567890
    deep: Any = "x"
    for _ in range(300):
        deep = [deep]
    for value in (big, deep):
        line = batch._dumps({"line": 1, "metadata": {"event_id": value}})
        assert b"\n" not in line
        assert json.loads(line)["metadata"]["event_id"] == value


def test_a_renderer_crash_costs_one_record(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(raw: bytes, options: Any = None) -> dict[str, Any]:
        if b"g2" in raw:
            raise ZeroDivisionError("boom")
        return textrepr.text_repr(raw)

    monkeypatch.setattr(batch, "render_document", boom)
    out, n, errors, _, _ = batch.render_chunk(1, jsonl([gen(1), gen(2), gen(3)]))
    got = records(out)
    assert n == 3 and errors == 1
    assert got[1]["error"]["status"] == 500 and "ZeroDivisionError" in got[1]["error"]["exception"]
    assert "text" in got[0] and "text" in got[2]


def test_run_bounded_in_flight_and_ordered() -> None:
    """The parallel engine never holds more than 3 chunks per worker and writes in input order."""
    produced = []
    out = io.BytesIO()

    def chunks():
        for i in range(40):
            produced.append(i)
            yield i + 1, json.dumps(gen(i + 1)).encode() + b"\n", 0

    written: list[int] = []

    def on_chunk(pos: int, res: batch.BatchResult) -> None:
        written.append(res.records)
        assert len(produced) - res.records <= 2 * batch._IN_FLIGHT_PER_WORKER + 1

    res = batch.run(chunks(), out, workers=2, on_chunk=on_chunk)
    assert res.records == 40 and res.workers == 2
    assert [r["line"] for r in records(out.getvalue())] == list(range(1, 41))
    assert written == list(range(1, 41))


def _children(pid: int) -> set[int]:
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.add(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_ctrl_c_stops_everything() -> None:
    import signal

    with subprocess.Popen([*TEXTREPR, "batch", "-", "--workers", "2", "--chunk-size", "1000"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV) as proc:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        kids: set[int] = set()
        try:
            for i in range(20):  # a burst of several chunks: the pool starts
                proc.stdin.write(jsonl([gen(i * 20 + k) for k in range(20)]))
                proc.stdin.flush()
                time.sleep(0.05)
                kids = _children(proc.pid)
                if len(kids) >= 2:
                    break
            assert len(kids) >= 2, "worker processes did not start"
            assert select.select([proc.stdout], [], [], 30)[0]
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 130
            err = proc.stderr.read()
        finally:
            proc.kill()
    assert b"interrupted" in err and b"Traceback" not in err, err.decode(errors="replace")
    deadline = time.monotonic() + 10
    while any(map(_alive, kids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_alive, kids)), "worker processes outlived the command"


def test_worker_death_is_reported_not_hung(monkeypatch: pytest.MonkeyPatch) -> None:
    real = batch.render_chunk

    def dies_on_the_third_chunk(first: int, blob: bytes, options: Any = None) -> Any:
        if first == 3:
            os._exit(7)
        return real(first, blob, options)

    monkeypatch.setattr(batch, "render_chunk", dies_on_the_third_chunk)  # forked workers inherit it
    chunks = [(i + 1, json.dumps(gen(i + 1)).encode() + b"\n", 0) for i in range(10)]
    with pytest.raises(batch.BatchError, match="worker process died unexpectedly"):
        batch.run(iter(chunks), io.BytesIO(), workers=2)


def test_batch_file_in_process_closes_everything(tmp_path: Path) -> None:
    """The library entry point; unclosed files would fail this run (warnings are errors)."""
    raw = jsonl(MIXED)
    gz = tmp_path / "in.jsonl.gz"
    gz.write_bytes(gzip.compress(raw))
    out = tmp_path / "out.jsonl"
    stderr = io.StringIO()
    res = batch.batch_file(str(gz), str(out), workers=1, progress=True, stderr=stderr)
    assert (res.records, res.errors, res.blank, res.bytes_in) == (8, 3, 2, len(raw))
    check_mixed(out.read_bytes(), raw)
    assert "records" in stderr.getvalue()  # the bar went to the given stream
    with pytest.raises(batch.BatchError, match="cannot read .*nope.jsonl"):
        batch.batch_file(str(tmp_path / "nope.jsonl"), str(out))
    with pytest.raises(batch.BatchError, match="cannot write"):
        batch.batch_file(str(gz), str(tmp_path / "missing-dir" / "o.jsonl"))
