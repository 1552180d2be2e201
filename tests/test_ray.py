"""Ray Data integration on a real local cluster: corpus-derived rows, Parquet in, Parquet out, row by row."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Iterator

import pytest

import twins

pa = pytest.importorskip("pyarrow", reason='pyarrow is not installed (pip install ".[ray]")')
pq = pytest.importorskip("pyarrow.parquet")
ray = pytest.importorskip("ray", reason='ray is not installed (pip install ".[ray]")')
ray_data = pytest.importorskip("ray.data", reason='ray[data] is not installed (pip install ".[ray]")')

import conformance as c  # noqa: E402
from test_arrow import MALFORMED, expected, outputs  # noqa: E402
from test_recipes import check_output, run_recipe, write_requests  # noqa: E402

import textrepr  # noqa: E402
from textrepr import InvalidRequest  # noqa: E402
from textrepr.arrow import OUTPUT_COLUMNS  # noqa: E402
from textrepr.ray import render_dataset  # noqa: E402

pytestmark = [
    c.needs_corpus,
    # Ray's own modules warn about their deprecated settings when the context is touched.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

COPIES = 4  # 4 x ~760 corpus requests: about 3,000 rows


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    twins.once_per_suite()
    # No runtime_env: workers import the installed textrepr (a runtime_env costs seconds per worker start).
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    ctx = ray_data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.target_max_block_size = 8 * 1024 * 1024  # ~7 blocks of the ~50 MB input: both actors get work
    try:
        yield
    finally:
        ray.shutdown()


def _rows() -> list[tuple[Any, str | None]]:
    """(request dict or raw bytes, options cell) for every copy of every corpus request."""
    base: list[Any] = [c.load_case(p)["request"] for p in c.golden_files()]
    base += [case["request"] for case in map(c.load_case, c.adversarial_files()) if "request_file" not in case]
    base += MALFORMED
    cells = [None, '{"include_line_numbers": true}', None, '{"max_length": 500, "include_markers": false}']
    return [(req, cells[(k + i) % len(cells)] if type(req) is dict else None)
            for k in range(COPIES) for i, req in enumerate(base)]


def _expected(req: Any, cell: str | None) -> dict[str, Any]:
    if type(req) is not dict:
        return expected(lambda: textrepr.text_repr(req))
    if cell is not None:
        own = req.get("options")
        req = {**req, "options": {**(own if type(own) is dict else {}), **json.loads(cell)}}
    raw = c.request_bytes(req)
    return expected(lambda: textrepr.text_repr(raw))


def test_parquet_to_parquet_row_by_row(cluster: None, tmp_path: Path) -> None:
    rows = _rows()
    raws = [r if type(r) is bytes else c.request_bytes(r) for r, _ in rows]
    src = tmp_path / "in"
    src.mkdir()
    n = len(rows)
    step = -(-n // 4)
    for k in range(4):  # several files: several blocks, so both actors get work
        sl = slice(k * step, (k + 1) * step)
        pq.write_table(pa.table({"row": pa.array(range(n)[sl], type=pa.int64()),
                                 "request": pa.array(raws[sl], type=pa.binary()),
                                 "options": pa.array([cell for _, cell in rows[sl]], type=pa.string())}),
                       src / f"part-{k}.parquet", row_group_size=200)
    ds = ray_data.read_parquet(str(src))
    out_dir = tmp_path / "out"
    render_dataset(ds, batch_size=128).write_parquet(str(out_dir))

    table = pq.read_table(out_dir)
    assert table.num_rows == n  # no row dropped
    assert set(table.schema.names) == {"row", "options", *OUTPUT_COLUMNS}  # request consumed, others kept
    assert table.schema.field("text").type == pa.large_string()
    got = outputs(table.sort_by("row").to_pylist())
    assert [r["row"] for r in table.sort_by("row").select(["row"]).to_pylist()] == list(range(n))
    cache: dict[tuple[bytes, str | None], dict[str, Any]] = {}
    for i, ((req, cell), raw, g) in enumerate(zip(rows, raws, got)):
        key = (raw, cell)
        if key not in cache:
            cache[key] = _expected(req, cell)
        assert g == cache[key], f"row {i}: {raw[:200]!r} options={cell}"
    assert sum(g["error"] is None for g in got) > n // 2


def test_options_validated_on_the_driver(cluster: None) -> None:
    ds = ray_data.from_items([{"request": "{}"}])
    with pytest.raises(InvalidRequest) as e:
        render_dataset(ds, {"truncate_buffer": "lots"})
    assert e.value.body == {"options": {"truncate_buffer": ["A valid integer is required."]}}


def test_doc_recipe(cluster: None, tmp_path: Path) -> None:
    # docs/warehouse.md's Ray example as written: an Options instance shipped to the actors, Parquet both ways.
    table = write_requests(tmp_path)
    run_recipe("ray", tmp_path)
    check_output(tmp_path / "texts", table)
