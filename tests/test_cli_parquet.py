"""`textrepr batch --format parquet`: the console script over the Arrow kernel (issue 6)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import textrepr
from cli_helpers import core_of_the_subprocess, no_traceback, run  # noqa: F401

pa = pytest.importorskip("pyarrow", reason="pyarrow is the optional arrow extra")
pq = pytest.importorskip("pyarrow.parquet")

GOOD = {"event_type": "$ai_generation", "data": {"id": "g1", "properties": {"$ai_input": "hello"}}}
TRACE = {"event_type": "$ai_trace", "data": {"trace": {"id": "t1"}, "hierarchy": []}}
BAD = {"event_type": "$ai_log", "data": {}}


def _write(path: Path, docs: list[object]) -> None:
    pq.write_table(pa.table({"request": [json.dumps(d) for d in docs], "row": list(range(len(docs)))}), path)


def test_parquet_round_trip_keeps_order_and_reports_bad_rows(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.parquet", tmp_path / "out.parquet"
    docs = [GOOD, BAD, TRACE]
    _write(src, docs)
    p = run("batch", str(src), "-o", str(dst), "--workers", "1")
    no_traceback(p)
    assert p.returncode == 1  # one invalid row
    assert b"3 records, 1 errors" in p.stderr
    out = pq.read_table(dst).to_pylist()
    assert [r["row"] for r in out] == [0, 1, 2]
    assert out[0]["text"] == textrepr.text_repr(GOOD)["text"] and out[0]["error"] is None
    assert out[2]["text"] == textrepr.text_repr(TRACE)["text"]
    with pytest.raises(textrepr.InvalidRequest) as e:
        textrepr.text_repr(BAD)
    assert json.loads(out[1]["error"]) == e.value.body


def test_parquet_flags_override_options(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.parquet", tmp_path / "out.parquet"
    _write(src, [GOOD])
    p = run("batch", str(src), "-o", str(dst), "--format", "parquet", "--include-line-numbers")
    assert p.returncode == 0, p.stderr
    assert pq.read_table(dst).to_pylist()[0]["text"].startswith("L")


def test_parquet_needs_paths_not_pipes(tmp_path: Path) -> None:
    p = run("batch", "-", "--format", "parquet", input=b"")
    no_traceback(p)
    assert p.returncode == 2
    assert b"pipe" in p.stderr


def test_parquet_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    p = run("batch", str(tmp_path / "nope.parquet"), "-o", str(tmp_path / "o.parquet"))
    no_traceback(p)
    assert p.returncode == 2
