"""``textrepr traces``: flat events in (JSONL, JSON array, Parquet; file or stdin), one response per trace
out, in order of first appearance, with bounded memory (spill.py).

Records (JSONL): ``{"trace_id", "text", "metadata"}``; a trace that cannot be assembled or rendered:
``{"trace_id", "error": {"status", "body"}}``; an input record that is not a usable event (bad JSON, not
an object, undecodable properties): ``{"index", "trace_id": null, "error": {...}}`` at its place in the
order. ``index`` is the 0-based position of the event in the input (blank JSONL lines not counted).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, Callable, Iterator, Mapping

import orjson

from ..batch import BatchError, open_input
from ..errors import InvalidRequest
from ..options import Options
from ..parse import load_json
from ..redact import Redactor
from ..render.values import jdump
from .events import event_error, participant, trace_of
from .render import render_group, unwrap
from .spill import DEFAULT_BUDGET, Grouper
from .values import timestamp_text

__all__ = ["TracesResult", "read_events", "traces_file"]

_MAX_LISTED = 10


@dataclass
class TracesResult:
    """Counters of a ``traces`` run."""

    events: int = 0  # input records read
    traces: int = 0  # trace records written (rendered or failed)
    errors: int = 0  # error records (failed traces + unusable input records)
    ignored: int = 0  # events of other kinds (rule 2)
    unassigned: list[int] = field(default_factory=list)  # $ai_* events with no trace id (rule 28)
    spilled_bytes: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        s = (f"{self.events} events, {self.traces} traces, {self.errors} errors, {self.ignored} events of "
             f"other kinds ignored")
        if self.unassigned:
            shown = ", ".join(map(str, self.unassigned[:_MAX_LISTED]))
            more = ", ..." if len(self.unassigned) > _MAX_LISTED else ""
            s += f", {len(self.unassigned)} $ai_* events without $ai_trace_id not rendered (index {shown}{more})"
        if self.spilled_bytes:
            s += f", {self.spilled_bytes / 1e6:.0f} MB spilled to disk"
        return s + f", {self.seconds:.2f} s"


def _default(v: Any) -> Any:
    """orjson fallback for Parquet cells: timestamps as the rules' ISO text, bytes as text."""
    if isinstance(v, (bytes, bytearray)):
        if len(v) == 16:
            import uuid

            return str(uuid.UUID(bytes=bytes(v)))
        return bytes(v).decode("utf-8", "replace")
    t = timestamp_text(v)
    if t is not v:
        return t
    return str(v)


def _event_bytes(ev: Any) -> bytes:
    if type(ev) is dict and "timestamp" in ev and type(ev["timestamp"]) is not str:
        ev = {**ev, "timestamp": timestamp_text(ev["timestamp"])}
    try:
        return orjson.dumps(ev, default=_default)
    except (orjson.JSONEncodeError, TypeError):
        return jdump(ev).encode("utf-8", "surrogatepass")


def _format_of(path: str, head: bytes) -> str:
    if head[:4] == b"PAR1" or path.endswith(".parquet"):
        return "parquet"
    return "json" if head.lstrip()[:1] == b"[" else "jsonl"


def read_events(path: str, tick: Any = None) -> Iterator[tuple[int, bytes | InvalidRequest]]:
    """``(index, event JSON bytes | the record's parse error)`` for every input record, in order.

    ``tick(raw_bytes_read)`` is called now and then for progress."""
    if path != "-" and os.path.isdir(path):
        yield from _parquet_events(path, tick)
        return
    src = open_input(path)
    try:
        head = src.stream.peek(64)[:64] if hasattr(src.stream, "peek") else b""
        fmt = _format_of(path, head)
        if fmt == "parquet":
            if path == "-":
                raise BatchError("Parquet input needs a file path (it cannot stream through a pipe)")
            src.close()
            yield from _parquet_events(path, tick)
            return
        if fmt == "json":
            try:
                doc = load_json(src.stream.read())
            except InvalidRequest as e:
                yield 0, e
                return
            if type(doc) is not list:
                yield 0, InvalidRequest({"detail": "a JSON input must be an array of events"})
                return
            for i, ev in enumerate(doc):
                yield i, _event_bytes(ev)
                doc[i] = None
            return
        i = 0
        n = 0
        for line in src.stream:
            n += 1
            if not line.strip():
                continue
            yield i, line
            i += 1
            if tick is not None and not n & 1023:
                tick(src.position())
        if tick is not None:
            tick(src.position())
    except (OSError, EOFError) as e:
        raise BatchError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    finally:
        src.close()


def _parquet_events(path: str, tick: Any) -> Iterator[tuple[int, bytes | InvalidRequest]]:
    try:
        from ..arrow import event_rows, read_parquet_requests
    except ImportError:
        raise BatchError('Parquet input needs pyarrow: pip install "textrepr[arrow]"') from None
    i = 0
    try:
        for b in read_parquet_requests(path, batch_size=4096):
            for ev in event_rows(b):
                yield i, _event_bytes(ev)
                i += 1
            if tick is not None:
                tick(None)
    except (OSError, ValueError) as e:
        raise BatchError(f"cannot read {path}: {e}") from None


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class _Sink:
    """Records out, in the order of their key (first index of a trace, or an input record's index)."""

    def __init__(self, out: BinaryIO, fmt: str, ordered: bool, tmpdir: str | None) -> None:
        self.out = out
        self.fmt = fmt
        self.ordered = ordered  # keys arrive increasing: write straight through
        self.entries: list[tuple[int, int, int]] = []  # key, offset, length in the temp file
        self.tmp: BinaryIO | None = None
        self.tmpdir = tmpdir
        self.pending: list[tuple[int, bytes]] = []  # event-level error records, by index
        self.next_pending = 0
        self.parquet_rows: list[dict[str, Any]] = []
        self.writer: Any = None

    def error_record(self, index: int, rec: dict[str, Any]) -> None:
        self.pending.append((index, _dumps(rec)))

    def trace_record(self, key: int, line: bytes) -> None:
        if self.ordered:
            self._flush_pending(key)
            self._emit(line)
            return
        if self.tmp is None:
            self.tmp = tempfile.TemporaryFile(prefix="textrepr-records-", dir=self.tmpdir)
        off = self.tmp.tell()
        self.tmp.write(line)
        self.entries.append((key, off, len(line)))

    def _flush_pending(self, before: int | None) -> None:
        """Write the event-level error records whose index comes before ``before`` (None: all)."""
        pending, k = self.pending, self.next_pending
        while k < len(pending) and (before is None or pending[k][0] < before):
            self._emit(pending[k][1])
            k += 1
        self.next_pending = k

    def _emit(self, line: bytes) -> None:
        if self.fmt == "parquet":
            self.parquet_rows.append(orjson.loads(line))
            if len(self.parquet_rows) >= 1024:
                self._write_parquet()
        else:
            self.out.write(line)

    def _write_parquet(self) -> None:
        from ..arrow import trace_rows_table

        t = trace_rows_table(self.parquet_rows)
        self.parquet_rows = []
        if self.writer is None:
            import pyarrow.parquet as pq

            self.writer = pq.ParquetWriter(self.out, t.schema, compression="zstd")
        self.writer.write_table(t)

    def finish(self) -> None:
        if self.tmp is not None:
            self.entries.sort()
            tmp = self.tmp
            for key, off, length in self.entries:
                self._flush_pending(key)
                tmp.seek(off)
                self._emit(tmp.read(length))
            tmp.close()
            self.entries = []
        self._flush_pending(None)
        if self.fmt == "parquet":
            if self.parquet_rows or self.writer is None:
                self._write_parquet()
            self.writer.close()


def _dumps(rec: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(rec) + b"\n"
    except TypeError:  # ints past 64 bits: the iterative encoder takes any JSON value
        return jdump(rec).encode("utf-8", "backslashreplace") + b"\n"


def traces_file(
    in_path: str,
    out: BinaryIO,
    *,
    fmt: str = "jsonl",
    options: Mapping[str, Any] | None = None,
    progress: bool | None = None,
    budget: int = DEFAULT_BUDGET,
    tmpdir: str | None = None,
    stderr: IO[str] | None = None,
    token_counter: Callable[[str], int] | None = None,
    redactor: Redactor | None = None,
) -> TracesResult:
    """Group the events of ``in_path`` by trace and write one record per trace to ``out``.

    ``fmt``: ``jsonl`` or ``parquet`` (``out`` must then be a seekable file). ``budget``: raw event bytes
    held in memory before grouping spills to temporary files. ``token_counter`` and ``redactor`` as for
    :func:`textrepr.text_repr`. Raises BatchError for unreadable input.
    """
    err = stderr if stderr is not None else sys.stderr
    opts = Options.from_mapping(options or {})  # validated once, before any work
    if progress is None:
        progress = _isatty(err)
    res = TracesResult()
    t0 = time.perf_counter()
    grouper = Grouper(budget=budget, tmpdir=tmpdir)
    first: dict[str, int] = {}
    sink: _Sink | None = None
    bar: Any = None
    try:
        size = os.path.getsize(in_path) if in_path != "-" and os.path.isfile(in_path) else None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, file=err,
                       desc="grouping", dynamic_ncols=True, mininterval=0.25, leave=False)

        def tick(pos: int | None) -> None:
            if pos is not None and bar is not None and size:
                bar.update(max(0, pos - bar.n))

        errors: list[tuple[int, dict[str, Any]]] = []
        for i, raw in read_events(in_path, tick if bar is not None else None):
            res.events += 1
            try:
                if type(raw) is not bytes:
                    raise raw
                try:
                    doc = load_json(raw)
                except InvalidRequest as e:  # named by its index, like every other input error
                    raise event_error(i, str(e.body.get("detail", e.body))) from None
                p = participant(unwrap(doc), i)
            except InvalidRequest as e:
                errors.append((i, {"index": i, "trace_id": None, "error": {"status": e.status, "body": e.body}}))
                continue
            if p is None:
                res.ignored += 1
                continue
            tid = trace_of(p[1])
            if tid is None:
                res.unassigned.append(i)
                continue
            if tid not in first:
                first[tid] = i
            grouper.add(i, tid, raw)
        if bar is not None:
            bar.close()
            bar = None
        res.spilled_bytes = grouper.spilled_bytes
        sink = _Sink(out, fmt, ordered=not grouper.spilled, tmpdir=tmpdir)
        for i, rec in errors:
            sink.error_record(i, rec)
        res.errors = len(errors)
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(first), unit=" traces", file=err, desc="rendering", dynamic_ncols=True,
                       mininterval=0.25, leave=False)
        for tid, group in grouper.groups():
            rec, nodes = render_group(tid, group, opts, token_counter=token_counter, redactor=redactor)
            if "error" in rec:
                res.errors += 1
            if fmt == "parquet":
                rec["nodes"] = nodes
            res.traces += 1
            sink.trace_record(first[tid], _dumps(rec))
            if bar is not None:
                bar.update(1)
        sink.finish()
    finally:
        if bar is not None:
            bar.close()
        grouper.close()
    res.seconds = time.perf_counter() - t0
    return res
