"""The code blocks of docs/warehouse.md, executed as written (Dask and Polars only where installed)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow", reason='pyarrow is not installed (pip install ".[arrow]")')
pq = pytest.importorskip("pyarrow.parquet")

import textrepr  # noqa: E402
from textrepr.arrow import OUTPUT_COLUMNS, render_batch  # noqa: E402

DOC = Path(__file__).resolve().parents[1] / "docs" / "warehouse.md"
_BLOCK = re.compile(r"<!-- recipe: (?P<name>[^>]+?) -->\n```python\n(?P<code>.*?)\n```", re.S)


def recipes() -> dict[str, str]:
    return {m.group("name"): m.group("code") for m in _BLOCK.finditer(DOC.read_text("utf-8"))}


def write_requests(where: Path) -> pa.Table:
    """``requests.parquet`` in ``where`` (columns ``line``, ``request``): good, bad and option-carrying rows."""
    docs: list[Any] = []
    for i in range(40):
        docs.append({"event_type": "$ai_trace", "data": {"id": i, "trace": {"id": f"t{i}", "name": f"run {i}"},
                                                          "hierarchy": []}})
        docs.append({"event_type": "$ai_span", "data": {"id": f"s{i}", "properties": {
            "$ai_span_name": "fetch", "$ai_input_state": "word " * (50 * i), "$ai_trace_id": f"t{i}"}},
            "options": {"truncate_buffer": 40}})
    raws = [json.dumps(d) for d in docs] + ["{oops", "", '{"event_type": "$ai_span", "data": null}']
    table = pa.table({"line": pa.array(range(1, len(raws) + 1), type=pa.int64()), "request": raws})
    pq.write_table(table, where / "requests.parquet", row_group_size=16)
    return table


def expected_for(table: pa.Table) -> list[dict[str, Any]]:
    out = render_batch(table, textrepr.Options.llm_summary(max_length=20_000))
    return sorted(out.to_pylist(), key=lambda r: r["line"])


def check_output(path: Path, table: pa.Table) -> None:
    got = sorted(pq.read_table(path).to_pylist(), key=lambda r: r["line"])
    want = expected_for(table)
    assert len(got) == len(want) == table.num_rows
    assert [{k: r[k] for k in ("line", *OUTPUT_COLUMNS)} for r in got] == want
    assert any(r["error"] for r in got) and any(r["text"] for r in got)


def run_recipe(name: str, where: Path) -> None:
    """Execute a recipe with its relative paths made absolute (Ray workers have their own working directory)."""
    code = recipes()[name]
    for rel in ('"requests.parquet"', '"texts.parquet"', '"texts"'):
        code = code.replace(rel, repr(str(where / rel.strip('"'))))
    exec(compile(code, f"{name}-recipe", "exec"), {"__name__": "recipe"})


def test_doc_has_every_recipe() -> None:
    assert set(recipes()) == {"ray", "dask", "polars", "spark (not executed)"}


def test_spark_recipe_is_consistent() -> None:
    code = recipes()["spark (not executed)"]
    compile(code, "spark-recipe", "exec")
    schema = re.search(r'SCHEMA = \(("[^)]*)\)', code, re.S)
    assert schema is not None
    cols = [c.split()[0] for c in "".join(re.findall(r'"([^"]*)"', schema.group(1))).split(",")]
    assert cols == ["line", *OUTPUT_COLUMNS]


def test_engine_less_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from textrepr.arrow import render_parquet

    table = write_requests(tmp_path)
    monkeypatch.chdir(tmp_path)
    summary = render_parquet("requests.parquet", "texts.parquet", textrepr.Options.llm_summary(max_length=20_000),
                             workers=2)
    assert (summary.rows, summary.errors) == (table.num_rows, 3)
    check_output(tmp_path / "texts.parquet", table)


def test_dask_recipe(tmp_path: Path) -> None:
    pytest.importorskip("dask.dataframe", reason="dask[dataframe] is not installed (optional)")
    table = write_requests(tmp_path)
    run_recipe("dask", tmp_path)
    check_output(tmp_path / "texts", table)


def test_polars_recipe(tmp_path: Path) -> None:
    pytest.importorskip("polars", reason="polars is not installed (optional)")
    table = write_requests(tmp_path)
    run_recipe("polars", tmp_path)
    check_output(tmp_path / "texts.parquet", table)
