"""Traces from flat events on Arrow and Ray: ``textrepr.arrow.render_traces`` on a Parquet file in PostHog's
batch-export shape, and ``textrepr.ray.render_traces`` (groupby + map_groups) on a local cluster, each checked
trace by trace against ``assemble_trace`` + ``text_repr``."""
from __future__ import annotations

import json
import logging
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

import twins

pa = pytest.importorskip("pyarrow", reason="pyarrow is the optional arrow extra")
pq = pytest.importorskip("pyarrow.parquet")


import textrepr  # noqa: E402
from textrepr import InvalidRequest, Options  # noqa: E402
from textrepr.arrow import TRACE_COLUMNS, render_traces  # noqa: E402

BASE = datetime(2026, 3, 1, 10, 0, 0, tzinfo=timezone.utc)


def export_rows(n_traces: int, seed: int = 7) -> list[dict[str, Any]]:
    """Flat events of ``n_traces`` agent-shaped traces, interleaved, in batch-export row shape."""
    rnd = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for t in range(n_traces):
        tid = f"trace-{t:04d}"
        spans = [f"{tid}-s{k}" for k in range(rnd.randint(1, 4))]
        evs: list[tuple[str, dict[str, Any]]] = [("$ai_trace", {"$ai_trace_id": tid, "$ai_trace_name": f"flow {t}",
                                                              "$ai_input_state": json.dumps({"ask": t})})]
        for k, s in enumerate(spans):
            evs.append(("$ai_span", {"$ai_trace_id": tid, "$ai_span_id": s, "$ai_span_name": f"step {k}",
                                     "$ai_parent_id": spans[k - 1] if k else tid, "$ai_latency": rnd.random() * 3}))
            for g in range(rnd.randint(0, 3)):
                evs.append(("$ai_generation", {
                    "$ai_trace_id": tid, "$ai_parent_id": s, "$ai_model": "gpt-4o-mini", "$ai_latency": rnd.random(),
                    "$ai_input": [{"role": "user", "content": f"question {t}.{k}.{g}"}],
                    "$ai_output_choices": [{"role": "assistant", "content": f"answer {t}.{k}.{g}"}]}))
        for kind, props in evs:
            rows.append({"uuid": f"u-{len(rows)}", "event": kind, "properties": json.dumps(props),
                         "timestamp": BASE + timedelta(milliseconds=rnd.randint(0, 10**7)),
                         "distinct_id": f"user-{t % 5}", "elements_chain": ""})
    rnd.shuffle(rows)
    return rows


def export_table(rows: list[dict[str, Any]]) -> Any:
    return pa.table({
        "uuid": pa.array([r["uuid"] for r in rows], pa.string()),
        "event": pa.array([r["event"] for r in rows], pa.string()),
        "properties": pa.array([r["properties"] for r in rows], pa.string()),
        "distinct_id": pa.array([r["distinct_id"] for r in rows], pa.string()),
        "timestamp": pa.array([r["timestamp"] for r in rows], pa.timestamp("us", tz="UTC")),
        "elements_chain": pa.array([r["elements_chain"] for r in rows], pa.string()),
    })


def python_route(rows: list[dict[str, Any]], options: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """trace id -> the row the kernel must produce, from assemble_trace + text_repr."""
    events = [{**r, "timestamp": r["timestamp"]} for r in rows]
    traces, _ = textrepr.assemble_traces(events)
    out = {}
    for tid in traces:
        data = textrepr.assemble_trace(events, tid)
        body = textrepr.text_repr({"event_type": "$ai_trace", "data": data, **({"options": options} if options else {})})
        n, stack = 0, list(data["hierarchy"])
        while stack:
            node = stack.pop()
            n += 1
            stack.extend(node["children"])
        out[tid] = {"trace_id": tid, "text": body["text"], "char_count": body["metadata"]["char_count"],
                    "truncated": body["metadata"]["truncated"], "error": None, "node_count": n}
    return out


def test_kernel_on_a_batch_export_parquet_file(tmp_path: Path) -> None:
    rows = export_rows(60)
    path = tmp_path / "export.parquet"
    pq.write_table(export_table(rows), path, row_group_size=100)
    out = render_traces(pq.read_table(path))
    assert out.column_names == list(TRACE_COLUMNS)
    got = out.to_pylist()
    want = python_route(rows)
    assert [r["trace_id"] for r in got] == list(want)  # first appearance
    for r in got:
        assert r == want[r["trace_id"]]
    assert any(r["node_count"] > 3 for r in got)
    assert got[0]["text"].startswith("FLOW ")  # $ai_trace_name names the trace (D19)


def test_kernel_options_and_bad_rows() -> None:
    rows = export_rows(3)
    t = export_table(rows)
    opts = {"collapsed": True, "max_length": 300}
    got = render_traces(t, opts).to_pylist()
    want = python_route(rows, opts)
    assert got == [want[r["trace_id"]] for r in got]
    assert render_traces(t, Options(collapsed=True, max_length=300)).to_pylist() == got
    with pytest.raises(InvalidRequest):
        render_traces(t, {"max_length": -1})
    bad = pa.concat_tables([t, pa.table({
        "uuid": ["x1", "x2", "x3"], "event": ["$ai_span", "$ai_span", "$pageview"],
        "properties": ["{not json", '{"$ai_span_id": "n"}', "{not json"],
        "distinct_id": ["d"] * 3, "timestamp": pa.array([BASE] * 3, pa.timestamp("us", tz="UTC")),
        "elements_chain": [""] * 3})])
    out = render_traces(bad).to_pylist()
    n = t.num_rows
    assert out[:-2] == render_traces(t).to_pylist()
    assert out[-2]["trace_id"] is None and f"event {n}:" in out[-2]["error"]
    assert out[-1]["trace_id"] is None and f"(rows {n + 1})" in out[-1]["error"]
    assert render_traces(t.slice(0, 0)).num_rows == 0


def test_kernel_struct_properties_and_binary_uuids() -> None:
    """Properties as a struct (what a JSON reader infers: absent fields are null) and 16-byte UUIDs."""
    import uuid

    rows = export_rows(4, seed=3)
    dicts = [json.loads(r["properties"]) for r in rows]
    t = pa.table({
        "uuid": pa.array([uuid.uuid5(uuid.NAMESPACE_URL, r["uuid"]).bytes for r in rows], pa.binary(16)),
        "event": [r["event"] for r in rows],
        "properties": pa.array(dicts),  # one struct type: every key of every row, null where absent
        "timestamp": pa.array([r["timestamp"] for r in rows], pa.timestamp("ns", tz="UTC")),
    })
    assert pa.types.is_struct(t.schema.field("properties").type)
    want = python_route([{**r, "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, r["uuid"]))} for r in rows])
    got = render_traces(t).to_pylist()
    assert got == [want[r["trace_id"]] for r in got] and len(got) == 4


# ---------------------------------------------------------------------------------------------- Ray


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason='ray is not installed (pip install ".[ray]")')
    ray_data = pytest.importorskip("ray.data")
    twins.once_per_suite()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    ctx = ray_data.DataContext.get_current()
    ctx.enable_progress_bars = False
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_ray_groupby_map_groups_trace_by_trace(cluster: Any, tmp_path: Path) -> None:
    from textrepr.ray import render_traces as ray_render_traces

    rows = export_rows(300, seed=11)  # about 2,000 events
    assert len(rows) > 1500
    src = tmp_path / "export"
    src.mkdir()
    step = -(-len(rows) // 4)
    for k in range(4):  # several files: several blocks
        pq.write_table(export_table(rows[k * step:(k + 1) * step]), src / f"part-{k}.parquet")
    ds = cluster.data.read_parquet(str(src))
    out = pa.concat_tables([cluster.get(r) for r in ray_render_traces(ds, {"include_line_numbers": True}).to_arrow_refs()])
    got = out.to_pylist()
    want = python_route(rows, {"include_line_numbers": True})
    assert sorted(r["trace_id"] for r in got) == sorted(want)
    for r in got:
        assert r == want[r["trace_id"]]
