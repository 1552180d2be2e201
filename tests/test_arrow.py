"""The Arrow batch kernel (textrepr.arrow): every row equals text_repr of the same request."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

pa = pytest.importorskip("pyarrow", reason='pyarrow is not installed (pip install ".[arrow]")')
pq = pytest.importorskip("pyarrow.parquet")

import conformance as c  # noqa: E402

import textrepr  # noqa: E402
from textrepr import InvalidRequest, Options, RenderError, arrow  # noqa: E402
from textrepr.arrow import (  # noqa: E402
    OUTPUT_COLUMNS, read_parquet_requests, render_batch, render_parquet, write_parquet,
)

HAVE_CORPUS = c.HAVE_CORPUS
needs_corpus = c.needs_corpus

MALFORMED = [b"", b"null", b"[]", b"5", b'"x"', b"{", b"\xff\xfe", b"\xef\xbb\xbf{}", b'{"event_type": NaN}', b"{} x",
             b'{"event_type": "$ai_trace", "data": {"trace": {"id": "t"}, "hierarchy": []}} ']


def _id(v: Any) -> str | None:
    return v if v is None or type(v) is str else json.dumps(v, ensure_ascii=False)


def expected(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The kernel's documented output row for one text_repr call."""
    empty = dict.fromkeys(OUTPUT_COLUMNS)
    try:
        body = call()
    except InvalidRequest as e:
        return {**empty, "error": json.dumps(e.body, ensure_ascii=False)}
    except Exception:  # a renderer bug: the kernel reports the 500 body for that row
        return {**empty, "error": json.dumps(RenderError.body, ensure_ascii=False)}
    md = body["metadata"]
    row = {"text": body["text"], "char_count": md["char_count"], "truncated": md["truncated"],
           "event_id": _id(md["event_id"]), "trace_id": _id(md["trace_id"]), "error": None}
    try:
        json.dumps(row, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a surrogate (a renderer bug, §6.2 item 3) cannot be stored: that row fails
        return {**empty, "error": json.dumps(RenderError.body, ensure_ascii=False)}
    return row


def outputs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: r[k] for k in OUTPUT_COLUMNS} for r in rows]


def parse_error_prefix(row: dict[str, Any]) -> dict[str, Any]:
    """Only the prefix of a JSON parse error is part of the contract (FORMAT.md §2.1)."""
    err = row["error"]
    if err is not None and err.startswith('{"detail": "JSON parse error - '):
        return {**row, "error": "JSON parse error"}
    return row


def trace_req(i: int, **extra: Any) -> dict[str, Any]:
    return {"event_type": "$ai_trace", "data": {"id": i, "trace": {"id": f"t{i}", "name": f"job {i}"}, "hierarchy": []},
            **extra}


def span_req(text: str, **extra: Any) -> dict[str, Any]:
    return {"event_type": "$ai_span", "data": {"id": "s1", "properties": {"$ai_span_name": "fetch",
            "$ai_input_state": text, "$ai_trace_id": "tr-1"}}, **extra}


def jb(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


@pytest.fixture(autouse=True)
def _no_internal_error_noise(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="textrepr.arrow")


@pytest.fixture(scope="module")
def corpus_requests() -> list[bytes]:
    if not HAVE_CORPUS:
        pytest.skip(c.NO_CORPUS)
    out = [c.request_bytes(c.load_case(p)["request"]) for p in c.golden_files()]
    for p in c.adversarial_files():
        case = c.load_case(p)
        if "request_file" not in case:  # the multi-MB ones add time, not coverage of the kernel
            out.append(c.request_bytes(case["request"]))
    return out + MALFORMED


# ----------------------------------------------------------------------------- isolation


def test_import_textrepr_does_not_import_pyarrow_or_ray() -> None:
    code = (
        "import sys, textrepr\n"
        "textrepr.text_repr({'event_type': '$ai_trace', 'data': {'trace': {'id': 't'}, 'hierarchy': []}})\n"
        "bad = [m for m in ('pyarrow', 'ray', 'textrepr.arrow', 'textrepr.ray') if m in sys.modules]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    # The textrepr under test, whether installed or a checkout run in place (python -m pytest).
    env = {**os.environ, "PYTHONPATH": str(Path(textrepr.__file__).resolve().parents[1])}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent,
                       env=env)
    assert r.returncode == 0, r.stdout + r.stderr


# ----------------------------------------------------------------------------- corpus equality


@needs_corpus
@pytest.mark.parametrize("as_type", ["binary", "string", "large_string"])
def test_corpus_every_row_equals_text_repr(corpus_requests: list[bytes], as_type: str) -> None:
    reqs = corpus_requests
    if as_type == "binary":
        col = pa.array(reqs, type=pa.binary())
    else:  # the undecodable rows become nulls in a string column: rendered as the JSON document null
        col = pa.array([r.decode() if _utf8(r) else None for r in reqs], type=getattr(pa, as_type)())
    batch = pa.RecordBatch.from_arrays([pa.array(range(len(reqs))), col], names=["row", "request"])
    out = render_batch(batch)
    assert isinstance(out, pa.RecordBatch)
    assert out.schema.names == ["row", *OUTPUT_COLUMNS]
    assert out.column("row").to_pylist() == list(range(len(reqs)))
    cells = col.to_pylist()
    want = [expected(lambda r=r: textrepr.text_repr(b"null" if r is None else r)) for r in cells]
    got = outputs(out.to_pylist())
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"row {i}: {reqs[i][:200]!r}"
    assert sum(g["error"] is None for g in got) > 0
    assert sum(g["error"] is not None for g in got) > 0


def _utf8(b: bytes) -> bool:
    try:
        b.decode()
        return True
    except UnicodeDecodeError:
        return False


@needs_corpus
def test_corpus_as_table_keeps_chunks(corpus_requests: list[bytes]) -> None:
    reqs = corpus_requests[:120]
    table = pa.Table.from_batches([
        pa.RecordBatch.from_pydict({"row": list(range(i, i + 40)), "request": reqs[i:i + 40]})
        for i in range(0, 120, 40)
    ])
    out = render_batch(table)
    assert isinstance(out, pa.Table)
    assert out.column("text").num_chunks == 3
    assert out.column("row").num_chunks == 3  # input columns pass through untouched
    want = [expected(lambda r=r: textrepr.text_repr(r)) for r in reqs]
    assert outputs(out.to_pylist()) == want


@needs_corpus
def test_event_type_and_data_columns() -> None:
    rows: list[tuple[str | None, str | None]] = []
    for p in sorted((c.SHARED / "corpus" / "events").glob("*.json")):
        ev = c.load_case(p)
        rows.append((ev["event_type"], c.request_bytes(ev["data"]).decode()))
    rows += [("$ai_span", None), (None, "{}"), ("$ai_span", ""), ("$ai_span", "{bad"), ("7", '{"id": 1}'),
             ("$ai_trace", '{"trace": {"id": "t"}, "hierarchy": []}'), ("$ai_trace", '{"trace": {"id": "t"}}')]
    batch = pa.RecordBatch.from_pydict({"event_type": [r[0] for r in rows], "data": [r[1] for r in rows]})
    out = render_batch(batch)
    assert out.schema.names == ["event_type", *OUTPUT_COLUMNS]  # data consumed, event_type kept
    for i, (g, (et, d)) in enumerate(zip(outputs(out.to_pylist()), rows)):
        if d == "{bad":
            assert g["text"] is None and json.loads(g["error"])["detail"].startswith("JSON parse error - ")
            continue
        if d is None:
            want = expected(lambda et=et: textrepr.text_repr({"event_type": et, "data": None}))
        else:  # the request document with this data, as JSON text (an empty data cell is {})
            raw = b'{"event_type": ' + json.dumps(et).encode() + b', "data": ' + (d or "{}").encode() + b"}"
            want = expected(lambda raw=raw: textrepr.text_repr(raw))
        # data is parsed on its own, so a parse error's position differs from the whole document's
        assert parse_error_prefix(g) == parse_error_prefix(want), f"row {i}: {et} {d!r:.200}"


# ----------------------------------------------------------------------------- options


def test_batch_options_override_the_documents_own() -> None:
    reqs = [jb(span_req("x" * 50, options={"truncate_buffer": 10, "include_markers": False})),
            jb(trace_req(1, options={"include_line_numbers": True}))]
    out = render_batch(pa.RecordBatch.from_pydict({"request": reqs}), {"truncate_buffer": "20"})
    merged = [span_req("x" * 50, options={"truncate_buffer": 20, "include_markers": False}),
              trace_req(1, options={"include_line_numbers": True, "truncate_buffer": 20})]
    want = [expected(lambda d=d: textrepr.text_repr(d)) for d in merged]
    assert outputs(out.to_pylist()) == want


def test_options_instance_is_a_full_set() -> None:
    req = trace_req(1, options={"include_line_numbers": True, "max_depth": 1})
    out = render_batch(pa.RecordBatch.from_pydict({"request": [jb(req)]}), Options.llm_summary())
    # Every field of the Options overrides; max_depth=None (unlimited) removes the document's own.
    opts = {k: v for k, v in Options.llm_summary().to_dict().items() if v is not None}
    assert outputs(out.to_pylist()) == [expected(lambda: textrepr.text_repr(trace_req(1, options=opts)))]
    assert "L1:" not in (out.column("text")[0].as_py() or "")


def test_bad_batch_options_raise_before_any_row() -> None:
    batch = pa.RecordBatch.from_pydict({"request": [jb(trace_req(1))]})
    with pytest.raises(InvalidRequest) as e:
        render_batch(batch, {"max_length": -1})
    assert e.value.body == {"options": {"max_length": ["Ensure this value is greater than or equal to 0."]}}
    with pytest.raises(InvalidRequest) as e:
        render_batch(batch, [1])  # type: ignore[arg-type]
    assert e.value.body == {"options": {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}}


def test_per_row_options_column() -> None:
    base = trace_req(3, options={"include_line_numbers": True})
    cells = [None, '{"include_line_numbers": false}', '{"max_length": "x"}', "[1]", "null", "{oops", "",
             '{"collapsed": true}']
    batch = pa.RecordBatch.from_pydict({"request": [jb(base)] * len(cells), "options": cells})
    out = render_batch(batch, {"max_depth": 4})
    assert out.schema.names == ["options", *OUTPUT_COLUMNS]  # the options column is kept
    got = outputs(out.to_pylist())
    own = {"include_line_numbers": True, "max_depth": 4}
    docs = [own, {**own, "include_line_numbers": False}, {**own, "max_length": "x"}, [1], own, None, own,
            {**own, "collapsed": True}]
    for i, (g, opts) in enumerate(zip(got, docs)):
        if opts is None:  # unparsable options cell
            assert g["text"] is None and json.loads(g["error"])["detail"].startswith("JSON parse error - "), i
        else:
            assert g == expected(lambda opts=opts: textrepr.text_repr({**base, "options": opts})), i
    assert json.loads(got[2]["error"]) == {"options": {"max_length": ["A valid integer is required."]}}
    assert json.loads(got[3]["error"]) == {"options": {"non_field_errors": [
        "Invalid data. Expected a dictionary, but got list."]}}


def test_struct_options_column_nulls_mean_unset() -> None:
    req = jb(trace_req(2))
    struct = pa.struct([("include_line_numbers", pa.bool_()), ("max_depth", pa.int64())])
    opts = pa.array([{"include_line_numbers": True, "max_depth": None}, None,
                     {"include_line_numbers": None, "max_depth": 0}], type=struct)
    out = render_batch(pa.RecordBatch.from_arrays([pa.array([req] * 3), opts], names=["request", "options"]))
    want = [expected(lambda o=o: textrepr.text_repr(trace_req(2, options=o)))
            for o in ({"include_line_numbers": True}, {}, {"max_depth": 0})]
    assert outputs(out.to_pylist()) == want


def test_options_column_can_be_disabled_or_renamed() -> None:
    req = jb(trace_req(2))
    batch = pa.RecordBatch.from_pydict({"request": [req], "options": ['{"include_line_numbers": true}'],
                                        "opts": ['{"max_length": -5}']})
    plain = expected(lambda: textrepr.text_repr(req))
    assert outputs(render_batch(batch, options_column=None).to_pylist()) == [plain]
    got = outputs(render_batch(batch, options_column="opts").to_pylist())[0]
    assert json.loads(got["error"]) == {"options": {"max_length": ["Ensure this value is greater than or equal to 0."]}}


# ----------------------------------------------------------------------------- shape of the output


def test_ids_as_strings() -> None:
    reqs = [trace_req(5), {**trace_req(0), "data": {**trace_req(0)["data"], "id": {"a": [1, "é"]}}},
            {**trace_req(0), "data": {**trace_req(0)["data"], "id": True}},
            {**trace_req(0), "data": {"trace": {"id": 7, "properties": {"$ai_trace_id": None}}, "hierarchy": []}},
            {**trace_req(0), "data": {"id": "\ud800x", "trace": {"id": "t"}, "hierarchy": []}}]
    out = render_batch(pa.RecordBatch.from_pydict({"request": [c.request_bytes(r) for r in reqs]}))
    assert out.column("event_id").to_pylist() == ["5", '{"a": [1, "é"]}', "true", None, "\ufffdx"]
    assert out.column("trace_id").to_pylist() == ["t5", "t0", "t0", "7", "t"]
    assert out.column("error").to_pylist() == [None] * 5


def test_column_types_and_replaced_names() -> None:
    reqs = [jb(trace_req(1)), b"{"]
    batch = pa.RecordBatch.from_pydict({"text": ["old", "old"], "request": reqs, "trace_id": ["a", "b"], "k": [1, 2]})
    out = render_batch(batch)
    assert out.schema.names == ["k", *OUTPUT_COLUMNS]  # same-named input columns are replaced
    assert [out.schema.field(n).type for n in OUTPUT_COLUMNS] == [
        pa.string(), pa.int64(), pa.bool_(), pa.string(), pa.string(), pa.string()]
    assert out.column("trace_id").to_pylist() == ["t1", None]
    assert out.column("truncated").to_pylist() == [False, None]
    kept = render_batch(batch, keep_request=True, large_text=True)
    assert kept.schema.names == ["request", "k", *OUTPUT_COLUMNS]
    assert kept.schema.field("text").type == pa.large_string()


def test_schema_metadata_kept_and_empty_inputs() -> None:
    schema = pa.schema([("request", pa.string()), ("k", pa.int32())], metadata={b"origin": b"warehouse"})
    empty_batch = pa.RecordBatch.from_pylist([], schema=schema)
    out = render_batch(empty_batch)
    assert out.num_rows == 0 and out.schema.names == ["k", *OUTPUT_COLUMNS]
    assert out.schema.metadata == {b"origin": b"warehouse"}
    empty_table = schema.empty_table()
    t = render_batch(empty_table)
    assert isinstance(t, pa.Table) and t.num_rows == 0 and t.schema.names == ["k", *OUTPUT_COLUMNS]


def test_mixed_text_types_across_table_chunks_are_unified() -> None:
    renderer = arrow.BatchRenderer()
    calls = iter([pa.large_string(), pa.string()])
    real = renderer._text_array
    renderer._text_array = lambda texts: real(texts).cast(next(calls))  # type: ignore[method-assign]
    table = pa.Table.from_batches([pa.RecordBatch.from_pydict({"request": [jb(trace_req(i))]}) for i in (1, 2)])
    out = renderer(table)
    assert out.schema.field("text").type == pa.large_string()
    assert out.column("trace_id").to_pylist() == ["t1", "t2"]


def test_bad_column_types_and_missing_columns() -> None:
    with pytest.raises(TypeError, match="JSON text"):
        render_batch(pa.RecordBatch.from_pydict({"request": [1, 2]}))
    with pytest.raises(TypeError, match="JSON text"):
        render_batch(pa.RecordBatch.from_pydict({"request": [{"event_type": "$ai_span"}]}))
    with pytest.raises(KeyError, match="event_type"):
        render_batch(pa.RecordBatch.from_pydict({"req": ["{}"]}))
    with pytest.raises(TypeError):
        render_batch([{"request": "{}"}])  # type: ignore[arg-type]
    # A custom column name, and a dictionary-encoded column.
    col = pa.array([jb(trace_req(1)).decode()] * 3).dictionary_encode()
    out = render_batch(pa.RecordBatch.from_arrays([col], names=["doc"]), column="doc")
    assert out.column("trace_id").to_pylist() == ["t1"] * 3


def test_internal_error_is_an_error_row_and_logged_once(monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="textrepr.arrow")
    real = arrow.text_repr

    def flaky(req: Any) -> Any:
        if b"boom" in req:
            raise KeyError("boom")
        return real(req)

    monkeypatch.setattr(arrow, "text_repr", flaky)
    reqs = [jb(trace_req(1)), jb(trace_req(2, boom=1)), jb(trace_req(3, boom=2)), jb(trace_req(4))]
    out = render_batch(pa.RecordBatch.from_pydict({"request": reqs}))
    errs = out.column("error").to_pylist()
    assert errs[0] is None and errs[3] is None
    assert json.loads(errs[1]) == json.loads(errs[2]) == RenderError.body
    records = [r for r in caplog.records if r.name == "textrepr.arrow"]
    assert len(records) == 1 and "2 row(s)" in records[0].getMessage() and records[0].exc_info


def test_lone_surrogates_and_big_ints_through_the_override_path() -> None:
    # The override path re-encodes the parsed request; >64-bit ints and deep nesting fall back to a Mapping.
    deep: Any = "leaf"
    for _ in range(400):
        deep = [deep]
    docs = [span_req("a\ud800b" * 30), span_req("n", extra=10**30), span_req("d", extra=deep)]
    reqs = [c.request_bytes(d) for d in docs]
    out = render_batch(pa.RecordBatch.from_pydict({"request": reqs}), {"truncate_buffer": 6})
    want = [expected(lambda d=d: textrepr.text_repr(c.request_bytes({**d, "options": {"truncate_buffer": 6}})))
            for d in docs]
    assert outputs(out.to_pylist()) == want


# ----------------------------------------------------------------------------- Parquet


def _write_requests(path: Path, reqs: list[bytes], row_group_size: int = 7) -> None:
    pq.write_table(pa.table({"row": list(range(len(reqs))), "request": reqs}), path, row_group_size=row_group_size)


def test_parquet_round_trip_in_order(tmp_path: Path) -> None:
    reqs = [jb(trace_req(i)) if i % 5 else b"{broken" for i in range(40)]
    src = tmp_path / "in.parquet"
    _write_requests(src, reqs)
    batches = list(read_parquet_requests(src, batch_size=8))
    assert [b.num_rows for b in batches] == [8] * 5
    seen: list[tuple[int, int]] = []
    summary = render_parquet(src, tmp_path / "out.parquet", {"include_line_numbers": True}, batch_size=8,
                             progress=lambda n, e: seen.append((n, e)))
    assert (summary.rows, summary.errors) == (40, 8) and summary.bytes_in > 0
    assert sum(n for n, _ in seen) == 40 and sum(e for _, e in seen) == 8
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.field("text").type == pa.large_string()
    assert out.column("row").to_pylist() == list(range(40))
    want = [expected(lambda r=r: textrepr.text_repr(
        jb({**json.loads(r), "options": {"include_line_numbers": True}}) if r != b"{broken" else r)) for r in reqs]
    got = outputs(out.to_pylist())
    for g, w in zip(got, want):
        if w["error"] is not None:
            assert json.loads(g["error"])["detail"].startswith("JSON parse error - ")
        else:
            assert g == w


def test_parquet_two_workers_equal_one(tmp_path: Path) -> None:
    reqs = [jb(trace_req(i)) for i in range(60)] + [b"[]"]
    src = tmp_path / "dir"
    src.mkdir()
    _write_requests(src / "a.parquet", reqs[:30])
    _write_requests(src / "b.parquet", reqs[30:])
    one = render_parquet(src, tmp_path / "one.parquet", batch_size=4)
    two = render_parquet(src, tmp_path / "two.parquet", batch_size=4, workers=2)
    assert (one.rows, one.errors) == (two.rows, two.errors) == (61, 1)
    assert pq.read_table(tmp_path / "one.parquet").equals(pq.read_table(tmp_path / "two.parquet"))


def test_write_parquet_casts_to_the_first_schema(tmp_path: Path) -> None:
    a = pa.RecordBatch.from_pydict({"t": pa.array(["x"], type=pa.large_string())})
    b = pa.RecordBatch.from_pydict({"t": pa.array(["y"], type=pa.string())})
    assert write_parquet([a, pa.Table.from_batches([b])], tmp_path / "o.parquet") == 2
    t = pq.read_table(tmp_path / "o.parquet")
    assert t.column("t").to_pylist() == ["x", "y"]
    schema = pa.schema([("t", pa.string())])
    assert write_parquet([], tmp_path / "e.parquet", schema=schema) == 0
    assert pq.read_table(tmp_path / "e.parquet").schema.names == ["t"]


def test_parquet_empty_input_and_failures(tmp_path: Path) -> None:
    src = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"line": pa.array([], type=pa.int64()), "request": pa.array([], type=pa.string())}), src)
    summary = render_parquet(src, tmp_path / "out.parquet")
    assert (summary.rows, summary.errors) == (0, 0)
    assert pq.read_table(tmp_path / "out.parquet").schema.names == ["line", *OUTPUT_COLUMNS]
    (tmp_path / "nothing").mkdir()
    with pytest.raises(FileNotFoundError):
        render_parquet(tmp_path / "nothing", tmp_path / "o2.parquet")
    with pytest.raises(InvalidRequest):
        render_parquet(src, tmp_path / "o3.parquet", {"max_depth": "deep"})
    # A failure mid-stream leaves no output file behind.
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"request": pa.array([{"a": 1}])}), bad)
    with pytest.raises(TypeError):
        render_parquet(bad, tmp_path / "o4.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.parquet", "empty.parquet", "nothing", "out.parquet"]


def test_wrap_bare_like_the_command_line() -> None:
    from textrepr.batch import render_document

    trace = {"trace": {"id": "t9"}, "hierarchy": []}
    span = {"id": "s", "event": "$ai_span", "properties": {"$ai_span_name": "x"}}
    gen = {"id": "g", "properties": {"$ai_input": "hi"}}
    cells = [jb(trace), jb(span), jb(gen), jb(trace_req(4)), b"[1]", b"{"]
    batch = pa.RecordBatch.from_pydict({"request": cells})
    for opts in (None, {"include_line_numbers": True}):
        got = outputs(render_batch(batch, opts, wrap_bare=True).to_pylist())
        want = [expected(lambda r=r: render_document(r, opts)) for r in cells]
        assert [parse_error_prefix(g) for g in got] == [parse_error_prefix(w) for w in want]
    assert got[0]["trace_id"] == "t9" and got[1]["text"].startswith("L1: X")
    plain = outputs(render_batch(batch).to_pylist())
    assert json.loads(plain[0]["error"]) == {"event_type": ["This field is required."],
                                             "data": ["This field is required."]}
