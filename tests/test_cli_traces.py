"""`textrepr traces`: flat events in (JSONL, JSON array, Parquet; file, gzip or stdin), one record per trace out,
identical to the Python route (assemble_traces + text_repr), with bounded memory; and the flat-events hint of
`textrepr FILE`."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import twins

import textrepr
from cli_helpers import core_of_the_subprocess, no_traceback, run  # noqa: F401
from textrepr.assembly.events import group_events
from textrepr.assembly.render import unwrap
from conformance import NO_CORPUS  # tests/conformance.py: the one skip reason

MAKE_BIG = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "make_big.py"


def ev(eid: str, tid: Any, sec: int, parent: str | None = None, **props: Any) -> dict[str, Any]:
    p = {"$ai_trace_id": tid, "$ai_span_id": eid, **props}
    if parent:
        p["$ai_parent_id"] = parent
    return {"uuid": eid, "event": "$ai_span", "timestamp": f"2026-03-01T10:00:{sec:02d}Z", "properties": p,
            "distinct_id": "user-1"}


EVENTS: list[Any] = [
    ev("a1", "A", 1, **{"$ai_span_name": "agent"}),
    ev("b1", "B", 2),
    ev("a2", "A", 3, "a1", **{"$ai_input_state": {"q": "hi"}}),
    {"uuid": "x", "event": "$ai_span", "properties": {"$ai_span_id": "x"}},  # no trace id: index 3
    {"uuid": "p", "event": "$pageview", "properties": {}},  # other kind: ignored
    {"uuid": "bad", "event": "$ai_span", "properties": "[1, 2]"},  # undecodable: index 5
    {"event": "$ai_span", "properties": {"$ai_trace_id": "C"}},  # C has an event without id
    {"uuid": "g", "event": "$ai_generation", "timestamp": "2026-03-01T10:00:04Z",
     "properties": json.dumps({"$ai_trace_id": "B", "$ai_parent_id": "b1", "$ai_model": "m"})},
]


def python_route(events: list[Any], options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """What a Python user gets: one record per trace, in first-appearance order (errors per trace)."""
    # The undecodable event fails the whole input in Python (rule 5); the command line reports it alone.
    clean = [{"event": "$pageview"} if type(e) is dict and e.get("uuid") == "bad" else e for e in events]
    out = []
    for tid in group_events(clean)[0]:
        try:
            data = textrepr.assemble_trace(clean, tid)
            req = {"event_type": "$ai_trace", "data": data, **({"options": options} if options else {})}
            body = textrepr.text_repr(req)
            out.append({"trace_id": tid, "text": body["text"], "metadata": body["metadata"]})
        except textrepr.InvalidRequest as e:
            out.append({"trace_id": tid, "error": {"status": 400, "body": e.body}})
    return out


def records(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in raw.splitlines()]


def test_jsonl_records_in_first_appearance_order(tmp_path: Path) -> None:
    src = tmp_path / "events.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in EVENTS) + "\n\n")
    p = run("traces", str(src))
    no_traceback(p)
    assert p.returncode == 1  # trace C and input record 5 are errors
    recs = records(p.stdout)
    assert [r.get("trace_id") for r in recs] == ["A", "B", None, "C"]
    assert recs[2]["index"] == 5 and "event 5" in json.dumps(recs[2]["error"])
    assert "event 6: has no id" in json.dumps(recs[3]["error"])
    assert [r for r in recs if r.get("trace_id")] == python_route(EVENTS)
    assert "AGENT" in recs[0]["text"] and "TRACE INPUT" not in recs[0]["text"]
    err = p.stderr.decode()
    assert "8 events, 3 traces, 2 errors, 1 events of other kinds ignored" in err
    assert "1 $ai_* events without $ai_trace_id not rendered (index 3)" in err


def test_json_array_stdin_gzip_and_options(tmp_path: Path) -> None:
    good = [e for e in EVENTS if type(e) is dict and e.get("uuid") not in ("bad",) and "uuid" in e]
    arr = json.dumps(good).encode()
    a = run("traces", "-", "--collapsed", "--include-line-numbers", "-q", input=arr)
    gz = tmp_path / "events.json.gz"
    gz.write_bytes(gzip.compress(arr))
    out = tmp_path / "out.jsonl.gz"
    b = run("traces", str(gz), "-o", str(out), "--collapsed", "--include-line-numbers", "-q")
    no_traceback(a)
    assert a.returncode == 0 and b.returncode == 0 and a.stderr == b""
    assert gzip.decompress(out.read_bytes()) == a.stdout
    expected = python_route(good, {"collapsed": True, "include_line_numbers": True})
    assert records(a.stdout) == expected
    assert expected[0]["text"].startswith("L1: ")


def test_invalid_option_and_missing_input_are_usage_errors(tmp_path: Path) -> None:
    src = tmp_path / "e.jsonl"
    src.write_text(json.dumps(EVENTS[0]) + "\n")
    p = run("traces", str(src), "--max-length", "-1")
    assert p.returncode == 2 and b"invalid options" in p.stderr
    p = run("traces", str(tmp_path / "missing.jsonl"))
    assert p.returncode == 2 and b"cannot read" in p.stderr
    no_traceback(p)


def _many(n_traces: int, per_trace: int) -> list[dict[str, Any]]:
    """Interleaved traces with long-ish properties, so a small memory budget must spill."""
    evs = []
    for k in range(per_trace):
        for t in range(n_traces):
            evs.append(ev(f"t{t}-{k}", f"trace-{t:03d}", k % 60, f"t{t}-{k - 1}" if k else None,
                          **{"$ai_input_state": "x" * 800, "$ai_latency": (t * k) % 7}))
    return evs


def test_spilled_grouping_gives_the_same_records(tmp_path: Path) -> None:
    evs = _many(120, 12)
    src = tmp_path / "many.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in evs) + "\n")
    assert src.stat().st_size > 1 << 20
    mem = run("traces", str(src))
    disk = run("traces", str(src), "--memory", "1", "--progress")
    no_traceback(disk)
    assert mem.returncode == 0 and disk.returncode == 0
    assert b"spilled to disk" in disk.stderr and b"spilled" not in mem.stderr
    assert b"rendering:" in disk.stderr and b"rendering:" not in mem.stderr  # progress only when asked
    assert disk.stdout == mem.stdout
    recs = records(mem.stdout)
    assert [r["trace_id"] for r in recs] == [f"trace-{t:03d}" for t in range(120)]
    assert recs == python_route(evs)


def test_flat_events_hint(tmp_path: Path) -> None:
    src = tmp_path / "events.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in EVENTS[:3]) + "\n")
    p = run(str(src))
    no_traceback(p)
    assert p.returncode == 1
    assert f"render one text per trace with `textrepr traces {src}`".encode() in p.stderr
    arr = tmp_path / "events.json"
    arr.write_text(json.dumps(EVENTS[:3]))
    p = run(str(arr))
    assert p.returncode == 1 and b"holds 3 flat $ai_* events" in p.stderr
    req = tmp_path / "req.json"
    req.write_text(json.dumps({"event_type": "$ai_span", "data": {"id": 5}}))
    p = run(str(req))
    assert p.returncode == 1 and b"textrepr traces" not in p.stderr  # a broken request: no hint


# ---------------------------------------------------------------------------------------- Parquet

pa = pytest.importorskip("pyarrow", reason="pyarrow is the optional arrow extra")
pq = pytest.importorskip("pyarrow.parquet")


def export_table(events: list[dict[str, Any]]) -> Any:
    """Events in PostHog's batch-export shape: uuid, event, properties (JSON text), timestamp, others."""
    def stamp(e: dict[str, Any]) -> Any:
        t = e.get("timestamp")
        return None if t is None else datetime.fromisoformat(t).astimezone(timezone.utc)

    return pa.table({
        "uuid": pa.array([e.get("uuid") for e in events], pa.string()),
        "event": pa.array([e["event"] for e in events], pa.string()),
        "properties": pa.array([e["properties"] if type(e["properties"]) is str else json.dumps(e["properties"])
                                for e in events], pa.string()),
        "distinct_id": pa.array([e.get("distinct_id", "d") for e in events], pa.string()),
        "timestamp": pa.array([stamp(e) for e in events], pa.timestamp("us", tz="UTC")),
        "team_id": pa.array([1] * len(events), pa.int64()),
    })


def test_parquet_export_in_jsonl_and_parquet_out(tmp_path: Path) -> None:
    evs = [e for e in EVENTS if "uuid" in e]
    src = tmp_path / "export.parquet"
    pq.write_table(export_table(evs), src)
    p = run("traces", str(src))
    no_traceback(p)
    recs = records(p.stdout)
    # Parquet timestamps come back in the rules' ISO form: the texts match the JSONL route's.
    jl = tmp_path / "export.jsonl"
    jl.write_text("\n".join(json.dumps(e) for e in evs) + "\n")
    assert recs == records(run("traces", str(jl)).stdout)
    out = tmp_path / "traces.parquet"
    q = run("traces", str(src), "-o", str(out))
    assert q.returncode == p.returncode == 1
    rows = pq.read_table(out).to_pylist()
    assert list(rows[0]) == ["trace_id", "text", "char_count", "truncated", "error", "node_count"]
    assert [r["trace_id"] for r in rows] == [r.get("trace_id") for r in recs]
    assert rows[0]["text"] == recs[0]["text"] and rows[0]["node_count"] == 2 and rows[0]["error"] is None
    assert rows[0]["char_count"] == len(recs[0]["text"])
    assert json.loads(rows[2]["error"]) == recs[2]["error"]["body"]


# ------------------------------------------------------------------------- make_big's events (corpus)


@pytest.mark.skipif(not MAKE_BIG.is_file(), reason=NO_CORPUS)
def test_make_big_events_as_jsonl_and_parquet_match_the_python_route(tmp_path: Path) -> None:
    twins.once_per_suite()
    subprocess.run([sys.executable, str(MAKE_BIG), "--out", str(tmp_path), "--only", "events", "--events", "1500",
                    "--events-mb", "4"], check=True, stdout=subprocess.DEVNULL, timeout=600)
    src = tmp_path / "events_20k.jsonl"
    lines = src.read_bytes().splitlines()
    events = [unwrap(textrepr.parse.load_json(line)) for line in lines]
    traces, unassigned = textrepr.assemble_traces(events)
    expected = []
    for tid, data in traces.items():
        body = textrepr.text_repr({"event_type": "$ai_trace", "data": data})
        expected.append({"trace_id": tid, "text": body["text"], "metadata": body["metadata"]})
    p = run("traces", str(src))
    no_traceback(p)
    assert p.returncode == 0
    assert records(p.stdout) == expected
    assert f"{len(unassigned)} $ai_* events without $ai_trace_id".encode() in p.stderr
    # The same events as a batch export (properties as JSON text, timestamps as a timestamp column).
    pq.write_table(export_table([{**e, "uuid": e["id"]} for e in events]), tmp_path / "export.parquet")
    q = run("traces", str(tmp_path / "export.parquet"))
    assert q.returncode == 0
    assert [r["trace_id"] for r in records(q.stdout)] == list(traces)
    assert [r["text"] for r in records(q.stdout)] == [r["text"] for r in expected]
