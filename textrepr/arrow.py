"""Arrow batch kernel: render a column of requests into text columns, one batch at a time.

Engine-neutral building block for Ray Data (``textrepr.ray``), Spark ``mapInArrow``, Dask, Polars and the
command line's Parquet mode. Optional dependency: ``pip install "textrepr[arrow]"``; ``import textrepr``
never imports this module (nor pyarrow).

Row semantics (every row is independent; a bad row never fails the batch and is never dropped):

* Input is either a ``request`` column holding whole request documents as JSON (string or binary), or an
  ``event_type`` column plus a ``data`` column holding the event's ``data`` object as JSON. A null
  ``request`` cell is the JSON document ``null``; a null ``data`` cell is ``"data": null``; an empty one is
  ``{}`` (as an empty request document is).
* Options, later wins field by field: the document's own ``options`` < the ``options`` argument < the row's
  cell of the options column. With neither an ``options`` argument nor an options cell, a row's result is
  exactly ``text_repr(request)``; otherwise exactly ``text_repr`` of the request with the merged options.
* Output: the input's columns (minus the consumed document column unless ``keep_request``) followed by
  ``text``, ``char_count`` (int64), ``truncated`` (bool), ``event_id``, ``trace_id``, ``error``. For a row
  that ``text_repr`` rejects, ``error`` is ``json(InvalidRequest.body)`` (FORMAT.md §1.1 ``json``) and
  the other five are null; otherwise ``error`` is null.
* ``event_id`` / ``trace_id`` are strings: a string id as-is, ``null`` as null, any other JSON value as
  its compact JSON (``5``, ``true``, ``{"a": 1}``). So the id ``5`` and the id ``"5"`` both read ``5``.
"""
from __future__ import annotations

import functools
import logging
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Union

import orjson

try:
    import pyarrow as pa
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError('textrepr.arrow needs pyarrow: pip install "textrepr[arrow]"') from e

from . import parse
from .api import text_repr
from .errors import InvalidRequest, RenderError
from .options import Options, coerce_options
from .redact import Redactor
from .render.values import jdump

__all__ = [
    "OUTPUT_COLUMNS", "TRACE_COLUMNS", "BatchRenderer", "ParquetSummary", "event_rows", "read_parquet_requests",
    "render_batch", "render_parquet", "render_traces", "trace_rows_table", "write_parquet",
]

log = logging.getLogger("textrepr.arrow")

OUTPUT_COLUMNS = ("text", "char_count", "truncated", "event_id", "trace_id", "error")
_UNSET = object()  # an override that removes a field (Options.max_depth=None: unlimited)
# Types orjson would silently turn into strings; they must reach text_repr's own "no JSON form" check.
_DUMPS_OPTS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
_INTERNAL_ERROR = jdump(RenderError.body)

Batch = Union["pa.RecordBatch", "pa.Table"]
OptionsLike = Union[Options, Mapping[str, Any], None]


def _batch_override(options: OptionsLike) -> dict[str, Any] | None:
    """The caller's options as field overrides, validated once (InvalidRequest for bad ones)."""
    if options is None:
        return None
    if isinstance(options, Options):
        # A full option set: every field overrides, max_depth=None removes the document's own.
        return {k: (_UNSET if v is None else v) for k, v in options.to_dict().items()}
    Options.from_mapping(options)  # raises the endpoint's body for bad values
    values, _ = coerce_options(options)
    return values or None


def _binary_cells(arr: Any, name: str) -> list[bytes | None]:
    """A string/binary column's cells as bytes (no decoding: the parser takes UTF-8 bytes)."""
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return arr.to_pylist()
    if (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_fixed_size_binary(t)
            or str(t) in ("string_view", "binary_view")):
        return arr.cast(pa.large_binary()).to_pylist()
    raise TypeError(
        f"column {name!r} must hold JSON text (string or binary), not {t}; serialise nested columns to "
        "JSON first (Spark to_json, Polars struct.json_encode, pyarrow: json.dumps per row)"
    )


def _options_cells(arr: Any) -> list[Any]:
    """Per-row option overrides: JSON text cells parsed lazily later, or struct/map cells as dicts."""
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_struct(t):
        # A struct has no "absent": a null field means "not set" here.
        return [None if c is None else {k: v for k, v in c.items() if v is not None} for c in arr.to_pylist()]
    if pa.types.is_map(t):
        return [None if c is None else dict(c) for c in arr.to_pylist()]
    return _binary_cells(arr, "options")


class BatchRenderer:
    """Renders batches with one set of options, validated once (per Ray actor / process).

    ``column``: the request column; when the batch lacks it but has ``event_type`` and ``data``, those are
    used. ``options_column``: per-row overrides (JSON object text, or a struct/map column); ignored when
    absent, ``None`` to disable. ``large_text``: ``None`` = ``large_string`` only when a batch needs it,
    ``True`` = always (a stable schema across batches, for writers), ``False`` = never. ``wrap_bare``: a
    request cell holding a bare event or trace (no ``event_type``/``data`` key) is wrapped into a request
    the way ``textrepr batch`` does for JSONL lines.
    """

    def __init__(
        self,
        options: OptionsLike = None,
        *,
        column: str = "request",
        options_column: str | None = "options",
        keep_request: bool = False,
        large_text: bool | None = None,
        wrap_bare: bool = False,
        token_counter: str | Callable[[str], int] | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.override = _batch_override(options)
        self.redactor = redactor  # custom redaction rules (textrepr.Redactor), for every row
        # ``token_counter``: a counter, or its name for textrepr.tokens.counter (picklable, for Ray actors and
        # worker processes).
        if isinstance(token_counter, str):
            from .tokens import counter

            token_counter = counter(token_counter)
        kw: dict[str, Any] = {}
        if token_counter is not None:
            kw["token_counter"] = token_counter
        if redactor is not None:
            kw["redactor"] = redactor
        # The keywords only when set: a plain call stays exactly text_repr(request).
        self._text_repr = functools.partial(text_repr, **kw) if kw else text_repr
        self.wrap_bare = wrap_bare
        self.column = column
        self.options_column = options_column
        self.keep_request = keep_request
        self.large_text = large_text

    # ------------------------------------------------------------------ rows

    def _merge(self, doc: dict[str, Any], row: Any) -> None:
        """Put the merged options into a parsed request (document < caller < row)."""
        if row is not None and type(row) is not dict:
            doc["options"] = row  # text_repr reports the exact "options" error
            return
        own = doc.get("options")
        merged = dict(own) if type(own) is dict else {}
        if self.override:
            for k, v in self.override.items():
                if v is _UNSET:
                    merged.pop(k, None)
                else:
                    merged[k] = v
        if row:
            merged.update(row)
        doc["options"] = merged

    def _render_doc(self, doc: Any) -> dict[str, Any]:
        """text_repr of an already-parsed document, through the bytes path when it re-encodes exactly."""
        try:
            raw = orjson.dumps(doc, option=_DUMPS_OPTS)
        except (orjson.JSONEncodeError, TypeError):
            # >64-bit ints, >254 levels, or non-JSON values: the Mapping path handles (or rejects) them.
            return self._text_repr(doc)
        return self._text_repr(raw)

    def _row_options(self, cell: Any, cache: dict[bytes, Any]) -> Any:
        """A row's override: None (none), a dict, or another JSON value (reported by text_repr)."""
        if cell is None or type(cell) is dict:
            return cell
        hit = cache.get(cell, _UNSET)
        if hit is _UNSET:
            hit = parse.load_json(cell) if cell else None  # InvalidRequest propagates to the row
            cache[cell] = hit
        return hit

    def render_request(self, raw: bytes | None, row_opts: Any = None) -> dict[str, Any]:
        """One row of a request column: the 200 body, or InvalidRequest."""
        if raw is None:
            raw = b"null"
        if self.override is None and row_opts is None and not self.wrap_bare:
            return self._text_repr(raw)
        doc = parse.load_json(raw)
        if self.wrap_bare:
            from .batch import as_request  # the command line's rule for bare events and traces

            doc = as_request(doc)
        if type(doc) is not dict:
            return self._text_repr(raw)  # fails request validation whatever the options
        if self.override is not None or row_opts is not None:
            self._merge(doc, row_opts)
        return self._render_doc(doc)

    def render_parts(self, event_type: Any, data: bytes | None, row_opts: Any = None) -> dict[str, Any]:
        """One row given as ``event_type`` + ``data`` JSON: the 200 body, or InvalidRequest."""
        if type(event_type) is bytes:
            event_type = event_type.decode("utf-8", "replace")
        doc: dict[str, Any] = {"event_type": event_type, "data": None if data is None else parse.load_json(data)}
        if self.override is not None or row_opts is not None:
            self._merge(doc, row_opts)
        return self._render_doc(doc)

    # ----------------------------------------------------------------- batches

    def _columns(self, batch: Any) -> tuple[list[Any], list[str]]:
        """Output arrays (text, char_count, truncated, event_id, trace_id, error) and consumed names."""
        names = batch.schema.names
        n = batch.num_rows
        if self.column in names:
            consumed = [self.column]
            reqs = _binary_cells(batch.column(self.column), self.column)
            parts = None
        elif "event_type" in names and "data" in names:
            consumed = ["data"]
            reqs = None
            parts = (batch.column("event_type").to_pylist(), _binary_cells(batch.column("data"), "data"))
        else:
            raise KeyError(f"batch has no {self.column!r} column and no 'event_type' + 'data' columns: {names}")
        oc = self.options_column
        opt_cells = _options_cells(batch.column(oc)) if oc and oc in names and oc not in consumed else None

        texts: list[str | None] = [None] * n
        counts: list[int | None] = [None] * n
        truncs: list[bool | None] = [None] * n
        eids: list[str | None] = [None] * n
        tids: list[str | None] = [None] * n
        errors: list[str | None] = [None] * n
        cache: dict[bytes, Any] = {}
        first_bug: tuple[int, Exception] | None = None
        bugs = 0
        # The common case, every row exactly text_repr(cell), skips the per-row dispatch (render_request's
        # checks, _row_options): ~2% of the kernel's time.
        plain = reqs is not None and opt_cells is None and self.override is None and not self.wrap_bare
        text_repr = self._text_repr
        for i in range(n):
            try:
                if plain:
                    raw = reqs[i]  # type: ignore[index]
                    body = self._text_repr(b"null" if raw is None else raw)
                else:
                    row_opts = self._row_options(opt_cells[i], cache) if opt_cells is not None else None
                    if reqs is not None:
                        body = self.render_request(reqs[i], row_opts)
                    else:
                        body = self.render_parts(parts[0][i], parts[1][i], row_opts)  # type: ignore[index]
            except InvalidRequest as e:
                errors[i] = str(e)
                continue
            except Exception as e:  # a renderer bug must not cost the other rows of an overnight job
                if first_bug is None:
                    first_bug = (i, e)
                bugs += 1
                errors[i] = _INTERNAL_ERROR
                continue
            md = body["metadata"]
            texts[i] = body["text"]
            counts[i] = md["char_count"]
            truncs[i] = md["truncated"]
            v = md["event_id"]  # an id column is text: a non-string id as JSON
            eids[i] = v if v is None or type(v) is str else jdump(v)
            v = md["trace_id"]
            tids[i] = v if v is None or type(v) is str else jdump(v)
        try:
            text_arr = self._text_array(texts)
            eid_arr, tid_arr = _str_array(eids), _str_array(tids)
        except UnicodeEncodeError as e:
            # Only a renderer bug can leave a surrogate in a result; that row, not the batch, fails.
            for i in range(n):
                if not all(_utf8_ok(s) for s in (texts[i], eids[i], tids[i])):
                    if first_bug is None:
                        first_bug = (i, e)
                    bugs += 1
                    texts[i] = counts[i] = truncs[i] = eids[i] = tids[i] = None
                    errors[i] = _INTERNAL_ERROR
            text_arr = self._text_array(texts)
            eid_arr, tid_arr = _str_array(eids), _str_array(tids)
        if first_bug is not None:  # once per batch: a systematic bug must not flood the log
            log.error("textrepr: %d row(s) of a batch hit an internal error; first at row %d", bugs, first_bug[0],
                      exc_info=first_bug[1])
        arrays = [
            text_arr,
            pa.array(counts, type=pa.int64()),
            pa.array(truncs, type=pa.bool_()),
            eid_arr,
            tid_arr,
            _str_array(errors),
        ]
        return arrays, consumed

    def _text_array(self, texts: list[str | None]) -> Any:
        if self.large_text:
            return pa.array(texts, type=pa.large_string())
        arr = pa.array(texts, type=pa.string())
        if isinstance(arr, pa.ChunkedArray):  # pyarrow splits a string array past 2 GiB of UTF-8
            if self.large_text is False:
                raise OverflowError("text column exceeds 2 GiB in one batch: use large_text=None or smaller batches")
            return pa.array(texts, type=pa.large_string())
        return arr

    def __call__(self, batch: Batch) -> Batch:
        """Render a RecordBatch (-> RecordBatch) or a Table (-> Table, same chunking)."""
        if isinstance(batch, pa.RecordBatch):
            arrays, consumed = self._columns(batch)
            return _assemble(batch, arrays, consumed, self.keep_request, pa.RecordBatch)
        if not isinstance(batch, pa.Table):
            raise TypeError(f"expected a pyarrow RecordBatch or Table, got {type(batch).__name__}")
        chunks: list[list[Any]] = [[] for _ in OUTPUT_COLUMNS]
        # A table without rows may have no batches: render one empty batch for the columns' types.
        for rb in batch.to_batches() or [pa.RecordBatch.from_pylist([], schema=batch.schema)]:
            arrays, consumed = self._columns(rb)
            for j, a in enumerate(arrays):
                chunks[j].append(a)
        cols = []
        for parts in chunks:
            types = {a.type for a in parts}
            if len(types) > 1:  # string and large_string mixed across batches: unify upwards
                parts = [a.cast(pa.large_string()) for a in parts]
            cols.append(pa.chunked_array(parts, type=parts[0].type))
        return _assemble(batch, cols, consumed, self.keep_request, pa.Table)


def _utf8_ok(s: str | None) -> bool:
    try:
        s is None or s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _str_array(values: list[str | None]) -> Any:
    arr = pa.array(values, type=pa.string())
    # Ids and errors are short in practice; a column of huge ones still must not fail the batch.
    return pa.array(values, type=pa.large_string()) if isinstance(arr, pa.ChunkedArray) else arr


def _assemble(batch: Any, outputs: list[Any], consumed: list[str], keep_request: bool, cls: Any) -> Any:
    """Input columns (minus consumed ones and names the outputs replace), then the outputs."""
    drop = set(OUTPUT_COLUMNS) | (set() if keep_request else set(consumed))
    fields = [f for f in batch.schema if f.name not in drop]
    arrays = [batch.column(f.name) for f in fields]
    fields += [pa.field(name, a.type) for name, a in zip(OUTPUT_COLUMNS, outputs)]
    schema = pa.schema(fields, metadata=batch.schema.metadata)
    return cls.from_arrays(arrays + list(outputs), schema=schema)


def render_batch(
    batch: Batch,
    options: OptionsLike = None,
    *,
    column: str = "request",
    options_column: str | None = "options",
    keep_request: bool = False,
    large_text: bool | None = None,
    wrap_bare: bool = False,
    token_counter: str | Callable[[str], int] | None = None,
    redactor: Redactor | None = None,
) -> Batch:
    """Render every row of ``batch`` (RecordBatch -> RecordBatch, Table -> Table); see the module doc.

    ``options`` (an ``Options`` or an options mapping) is validated up front: a bad one raises
    ``InvalidRequest`` before any row is rendered. Rows never raise.
    """
    r = BatchRenderer(options, column=column, options_column=options_column, keep_request=keep_request,
                      large_text=large_text, wrap_bare=wrap_bare, token_counter=token_counter,
                      redactor=redactor)
    return r(batch)


# --------------------------------------------------------------------------- Parquet


def read_parquet_requests(
    path: str | os.PathLike[str], *, batch_size: int = 1024, columns: list[str] | None = None
) -> Iterator[pa.RecordBatch]:
    """Stream a Parquet file (or a directory of them, in name order) as record batches, in row order.

    An input without rows yields one empty batch, so that the schema is known downstream."""
    import pyarrow.parquet as pq

    p = os.fspath(path)
    files = sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".parquet")) if os.path.isdir(p) else [p]
    if not files:
        raise FileNotFoundError(f"no .parquet files in {p}")
    rows = 0
    for f in files:
        with pq.ParquetFile(f) as pf:
            for b in pf.iter_batches(batch_size=batch_size, columns=columns):
                rows += b.num_rows
                yield b
    if not rows:  # still tell consumers the schema
        yield pa.RecordBatch.from_pylist([], schema=pq.read_schema(files[0]))


def write_parquet(
    batches: Iterable[pa.RecordBatch | pa.Table], path: str | os.PathLike[str], *, compression: str = "zstd",
    schema: pa.Schema | None = None,
) -> int:
    """Write batches to one Parquet file, streaming; returns the number of rows written.

    The first batch's schema (or ``schema``) is the file's; later batches are cast to it (e.g. a
    ``string`` text column to ``large_string``). With no batches at all, nothing is written unless
    ``schema`` is given (then an empty file with that schema).
    """
    import pyarrow.parquet as pq

    final = os.fspath(path)
    tmp = f"{final}.tmp-{os.getpid()}"  # a failed run leaves no file that looks complete
    writer: pq.ParquetWriter | None = None
    rows = 0
    try:
        if schema is not None:
            writer = pq.ParquetWriter(tmp, schema, compression=compression)
        for b in batches:
            if writer is None:
                writer = pq.ParquetWriter(tmp, b.schema, compression=compression)
            t = pa.Table.from_batches([b]) if isinstance(b, pa.RecordBatch) else b
            if not t.schema.equals(writer.schema):
                t = t.cast(writer.schema)
            writer.write_table(t)
            rows += b.num_rows
    except BaseException:
        if writer is not None:
            writer.close()
            os.unlink(tmp)
        raise
    if writer is not None:
        writer.close()
        os.replace(tmp, final)
    return rows


@dataclass(frozen=True)
class ParquetSummary:
    """What ``render_parquet`` did: rows written, rows with an ``error``, wall seconds, and the input's
    size as uncompressed Arrow data (for MB/s)."""

    rows: int
    errors: int
    seconds: float
    bytes_in: int


_worker: BatchRenderer | None = None


def _init_worker(kwargs: dict[str, Any]) -> None:
    global _worker
    _worker = BatchRenderer(**kwargs)


def _work(batch: pa.RecordBatch) -> pa.RecordBatch:
    assert _worker is not None
    return _worker(batch)


def render_parquet(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    options: OptionsLike = None,
    *,
    column: str = "request",
    options_column: str | None = "options",
    keep_request: bool = False,
    wrap_bare: bool = False,
    batch_size: int = 1024,
    workers: int = 1,
    compression: str = "zstd",
    progress: Callable[[int, int], None] | None = None,
    token_counter: str | None = None,
    redactor: Redactor | None = None,
) -> ParquetSummary:
    """Parquet in -> Parquet out through the kernel, in input order, with bounded memory.

    ``workers`` > 1 renders batches in that many processes (at most ``2 * workers`` batches in flight).
    ``progress(rows, errors)`` is called after each written batch with the increments. The text column is
    always ``large_string`` so every batch has the same schema.
    """
    import time
    from collections import deque

    kwargs: dict[str, Any] = dict(options=options, column=column, options_column=options_column,
                                  keep_request=keep_request, large_text=True, wrap_bare=wrap_bare,
                                  token_counter=token_counter, redactor=redactor)  # a name: worker processes rebuild it
    renderer = BatchRenderer(**kwargs)  # validates options before any work starts
    t0 = time.perf_counter()
    bytes_in = 0
    counts = [0, 0]

    def counted(outs: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in outs:
            errs = b.num_rows - b.column("error").null_count
            counts[0] += b.num_rows
            counts[1] += errs
            if progress is not None:
                progress(b.num_rows, errs)
            yield b

    def inputs() -> Iterator[pa.RecordBatch]:
        nonlocal bytes_in
        for b in read_parquet_requests(src, batch_size=batch_size):
            bytes_in += b.nbytes
            yield b

    if workers <= 1:
        write_parquet(counted(renderer(b) for b in inputs()), dst, compression=compression)
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(kwargs,)) as ex:

            def ordered() -> Iterator[pa.RecordBatch]:
                pending: deque[Future[pa.RecordBatch]] = deque()
                for b in inputs():
                    pending.append(ex.submit(_work, b))
                    if len(pending) >= 2 * workers:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()

            write_parquet(counted(ordered()), dst, compression=compression)
    return ParquetSummary(counts[0], counts[1], time.perf_counter() - t0, bytes_in)


# --------------------------------------------------------------------------- traces from flat events

TRACE_COLUMNS = ("trace_id", "text", "char_count", "truncated", "error", "node_count")
# The columns the assembly rules read; a batch export's others (distinct_id, elements_chain, ...) are not
# converted to Python at all.
_EVENT_COLUMNS = ("id", "uuid", "event", "properties", "timestamp")
_MAX_LISTED = 100


def _cells(arr: Any) -> list[Any]:
    """A column as Python values the assembly takes: timestamps as datetimes (any unit), UUID bytes as
    text, map cells as dicts, binary JSON as text."""
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_timestamp(t) and t.unit == "ns":
        arr = arr.cast(pa.timestamp("us", t.tz), safe=False)  # Python datetimes hold microseconds
    vals = arr.to_pylist()
    if pa.types.is_fixed_size_binary(t) and t.byte_width == 16:
        import uuid

        return [None if v is None else str(uuid.UUID(bytes=v)) for v in vals]
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return [None if v is None else v.decode("utf-8", "replace") for v in vals]
    if pa.types.is_map(t):
        return [None if v is None else dict(v) for v in vals]
    if pa.types.is_struct(t):  # e.g. properties inferred by a JSON reader: a null field was absent
        return [None if v is None else {k: x for k, x in v.items() if x is not None} for v in vals]
    if isinstance(t, pa.ExtensionType):
        return [None if v is None else str(v) for v in vals]
    return vals


def event_rows(batch: Batch) -> list[dict[str, Any]]:
    """The flat events of a batch in the shape of a PostHog batch export (``uuid``, ``event``,
    ``properties`` as JSON text or a struct/map, ``timestamp``; or ``id``), one dict per row, holding
    only the columns the assembly reads (a missing one is simply absent)."""
    names = [c for c in _EVENT_COLUMNS if c in batch.schema.names]
    cols = [_cells(batch.column(c)) for c in names]
    return [dict(zip(names, row)) for row in zip(*cols)] if cols else [{} for _ in range(batch.num_rows)]


def trace_rows_table(records: list[dict[str, Any]]) -> pa.Table:
    """Trace records (``textrepr traces`` JSONL records, with ``nodes``) as a table of TRACE_COLUMNS."""
    tids, texts, counts, truncs, errors, nodes = [], [], [], [], [], []
    for r in records:
        tids.append(r.get("trace_id"))
        md = r.get("metadata")
        texts.append(r.get("text"))
        counts.append(md["char_count"] if md else None)
        truncs.append(md["truncated"] if md else None)
        e = r.get("error")
        errors.append(None if e is None else jdump(e["body"]))
        nodes.append(r.get("nodes", 0) if md else None)
    return pa.table({
        "trace_id": _str_array(tids),
        "text": pa.array(texts, type=pa.large_string()),
        "char_count": pa.array(counts, type=pa.int64()),
        "truncated": pa.array(truncs, type=pa.bool_()),
        "error": _str_array(errors),
        "node_count": pa.array(nodes, type=pa.int64()),
    })


def _trace_options(options: OptionsLike) -> dict[str, Any] | None:
    if options is None:
        return None
    if isinstance(options, Options):
        return {k: v for k, v in options.to_dict().items() if v is not None}
    Options.from_mapping(options)  # the endpoint's body for bad values, before any row
    return dict(options)


def render_traces(table: Batch, options: OptionsLike = None) -> pa.Table:
    """One row per trace of a table of flat events (docs/events.md): ``trace_id``, ``text``,
    ``char_count``, ``truncated``, ``error`` (JSON of the 400 body), ``node_count``; traces in order of
    first appearance.

    A row that is not a usable event (undecodable ``properties``) becomes a row with a null ``trace_id``
    and an ``error`` naming its row index, at its place in the order; ``$ai_*`` rows without a trace id
    are listed (by row index) in one last such row. Rows never raise; bad ``options`` raise
    ``InvalidRequest`` at once.
    """
    from .assembly.events import participant, trace_of
    from .assembly.render import render_group

    opts = _trace_options(options)
    rows: list[dict[str, Any]] = []
    for b in (table.to_batches() if isinstance(table, pa.Table) else [table]):
        rows.extend(event_rows(b))
    groups: dict[str, list[tuple[int, Any]]] = {}
    keyed: list[tuple[int, dict[str, Any]]] = []
    unassigned: list[int] = []
    for i, ev in enumerate(rows):
        try:
            p = participant(ev, i)
        except InvalidRequest as e:
            keyed.append((i, {"trace_id": None, "error": {"status": e.status, "body": e.body}}))
            continue
        if p is None:
            continue
        tid = trace_of(p[1])
        if tid is None:
            unassigned.append(i)
            continue
        g = groups.get(tid)
        if g is None:
            groups[tid] = g = []
        g.append((i, {**ev, "properties": p[1]}))  # decoded once
    for tid, g in groups.items():
        rec, nodes = render_group(tid, g, opts)
        rec["nodes"] = nodes
        keyed.append((g[0][0], rec))
    keyed.sort(key=lambda kr: kr[0])
    records = [r for _, r in keyed]
    if unassigned:
        shown = ", ".join(map(str, unassigned[:_MAX_LISTED])) + (", ..." if len(unassigned) > _MAX_LISTED else "")
        records.append({"trace_id": None, "error": {"status": 400, "body": {"events": [
            f"{len(unassigned)} $ai_* events have no $ai_trace_id and belong to no trace (rows {shown})"]}}})
    return trace_rows_table(records)
