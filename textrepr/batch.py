"""Streaming batch rendering: JSONL in, JSONL out, in input order, on many cores.

Every non-blank input line is one request (or a bare event or trace, see :func:`as_request`); every one
of them yields exactly one output line, in input order:

    {"line": n, "text": ..., "metadata": ...}
    {"line": n, "error": {"status": 400, "body": ...}}

``n`` is the 1-based physical line number in the (decompressed) input. Blank lines are skipped and
counted. The input is read in chunks of whole lines (about ``chunk_bytes``); a chunk is the unit of
work sent to a worker process and comes back as ready-to-write JSONL bytes, so inter-process traffic is
two byte strings per chunk. At most ``3 * workers`` chunks are in flight, which bounds memory
independently of the input's length (one line longer than a chunk is one chunk).
"""
from __future__ import annotations

import gzip
import io
import multiprocessing
import os
import re
import signal
import stat
import sys
import time
from collections import deque
from itertools import chain
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, Callable, Iterable, Iterator, Mapping

import orjson

from . import parse
from .api import text_repr
from .errors import InvalidRequest, RenderError
from .render.values import jdump

__all__ = [
    "BatchError", "BatchResult", "DEFAULT_CHUNK_BYTES", "as_request", "batch_file", "default_workers",
    "open_input", "open_output", "render_chunk", "render_document", "render_line", "run",
]

DEFAULT_CHUNK_BYTES = 256 * 1024
_IN_FLIGHT_PER_WORKER = 3
_GZIP_MAGIC = b"\x1f\x8b"
# A line that starts like a full request needs no wrapping: hand its bytes straight to text_repr,
# which parses them once. Exact: such an object always has the key (a parse error is then the same
# error either way).
_FULL_REQUEST = re.compile(rb'[ \t\r\n]*\{[ \t\r\n]*"event_type"[ \t\r\n]*:')
_BARE_EVENT_KINDS = ("$ai_generation", "$ai_span", "$ai_embedding")


class BatchError(Exception):
    """An I/O or setup failure that stops a batch (exit code 2); ``str()`` is a one-line message."""

    result: "BatchResult | None" = None


@dataclass(slots=True)
class BatchResult:
    """Counters of a batch run."""

    records: int = 0  # non-blank lines, each answered by one output line
    errors: int = 0  # of which answered with an error object
    blank: int = 0  # blank lines skipped
    bytes_in: int = 0  # (decompressed) input bytes consumed
    seconds: float = 0.0
    workers: int = 1  # processes that rendered (1 = in this process)
    error_lines: list[int] = field(default_factory=list)  # first few erroneous line numbers

    @property
    def mb_per_s(self) -> float:
        return self.bytes_in / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        s = (f"{self.records} records, {self.errors} errors, {self.seconds:.2f} s, "
             f"{self.mb_per_s:.1f} MB/s")
        s += f", {self.workers} worker" + ("s" if self.workers != 1 else "")
        if self.blank:
            s += f", {self.blank} blank line" + ("s" if self.blank != 1 else "") + " skipped"
        if self.error_lines:
            more = ", ..." if self.errors > len(self.error_lines) else ""
            s += " (errors on lines " + ", ".join(map(str, self.error_lines)) + more + ")"
        return s


# ----------------------------------------------------------------------------- one document


def as_request(doc: Any) -> Any:
    """A full request as-is; a bare event or a bare trace wrapped into one."""
    if type(doc) is not dict or "event_type" in doc or "data" in doc:
        return doc
    if "hierarchy" in doc or "trace" in doc:
        return {"event_type": "$ai_trace", "data": doc}
    ev = doc.get("event")
    kind = ev if ev in _BARE_EVENT_KINDS else "$ai_generation"
    return {"event_type": kind, "data": doc}


def render_document(raw: bytes, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Parse, wrap and render one JSON document; ``options`` override the document's own options.

    Returns the 200 body; raises :class:`InvalidRequest` like :func:`textrepr.text_repr`.
    """
    if not options and _FULL_REQUEST.match(raw):
        return text_repr(raw)
    doc = as_request(parse.load_json(raw))
    if options and type(doc) is dict:
        own = doc.get("options")
        doc = {**doc, "options": {**(own if type(own) is dict else {}), **options}}
    return text_repr(doc)


def _dumps(rec: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(rec)
    except TypeError:  # ints past 64 bits or nesting orjson refuses: the iterative encoder takes any
        # A surrogate (never produced by textrepr) becomes a JSON \u escape, so the line stays valid.
        return jdump(rec).encode("utf-8", "backslashreplace")


def render_line(line: bytes, lineno: int, options: Mapping[str, Any] | None = None) -> tuple[bytes, bool]:
    """One output JSONL record (without newline) for one input line, and whether it is an error."""
    try:
        body = render_document(line, options)
    except InvalidRequest as e:
        return _dumps({"line": lineno, "error": {"status": e.status, "body": e.body}}), True
    except Exception as e:  # a renderer bug must cost one record, not the run
        err = {"status": RenderError.status, "body": RenderError.body, "exception": f"{type(e).__name__}: {e}"}
        return _dumps({"line": lineno, "error": err}), True
    return _dumps({"line": lineno, "text": body["text"], "metadata": body["metadata"]}), False


def render_chunk(
    first_lineno: int, blob: bytes, options: Mapping[str, Any] | None = None
) -> tuple[bytes, int, int, int, list[int]]:
    """Render a piece of whole lines: (JSONL bytes, records, errors, blank lines, error line numbers)."""
    lines = blob.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # the piece's final newline
    out: list[bytes] = []
    errors = blank = 0
    error_lines: list[int] = []
    lineno = first_lineno
    for line in lines:
        if not line or line.isspace():
            blank += 1
        else:
            rec, bad = render_line(line, lineno, options)
            out.append(rec)
            if bad:
                errors += 1
                if len(error_lines) < 10:
                    error_lines.append(lineno)
        lineno += 1
    if out:
        out.append(b"")  # trailing newline after the last record
    return b"\n".join(out), len(out) - 1 if out else 0, errors, blank, error_lines


# ----------------------------------------------------------------------------- streams


def open_input(path: str) -> tuple[BinaryIO, Callable[[], int], int | None]:
    """Open ``path`` (``-`` = stdin) for binary reading, gunzipping when it starts with the gzip magic.

    Returns (stream, position of the underlying raw stream in bytes, raw size if known). Raises
    :class:`BatchError` with a clear message when it cannot be read.
    """
    try:
        if path == "-":
            raw: BinaryIO = sys.stdin.buffer
        else:
            if os.path.isdir(path):
                raise BatchError(f"cannot read {path}: Is a directory")
            raw = open(path, "rb")
        size: int | None = None
        try:
            st = os.fstat(raw.fileno())
            if stat.S_ISREG(st.st_mode):
                size = st.st_size - raw.tell()  # stdin may be a file redirect, part read
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        peek = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    except OSError as e:
        raise BatchError(f"cannot read {path}: {e.strerror or e}") from None
    base = 0 if size is None else raw.tell()

    def raw_pos() -> int:
        try:
            return raw.tell() - base
        except OSError:  # pipes cannot tell; progress then counts decompressed bytes
            return 0

    if peek == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb"), raw_pos, size  # type: ignore[return-value]
    return raw, raw_pos, size


def open_output(path: str) -> BinaryIO:
    """Open ``path`` (``-`` = stdout) for binary writing (gzipped when it ends in ``.gz``)."""
    if path == "-":
        return sys.stdout.buffer
    try:
        if path.endswith(".gz"):
            return gzip.open(path, "wb", compresslevel=6)  # type: ignore[return-value]
        return open(path, "wb", buffering=1 << 20)
    except OSError as e:
        raise BatchError(f"cannot write {path}: {e.strerror or e}") from None


def iter_chunks(
    f: BinaryIO, chunk_bytes: int = DEFAULT_CHUNK_BYTES, pos: Callable[[], int] | None = None
) -> Iterator[tuple[int, bytes, int]]:
    """Pieces of whole lines: (first line number, bytes, raw position after reading them).

    The last piece may lack a final newline. A line longer than ``chunk_bytes`` is one piece.
    """
    read = getattr(f, "read1", None) or f.read  # read1: hand a slow pipe's lines on promptly
    lineno = 1
    carry: list[bytes] = []  # a partial line, kept in parts (no quadratic growth on a huge line)
    while True:
        data = read(chunk_bytes)
        if not data:
            break
        cut = data.rfind(b"\n") + 1
        if not cut:
            carry.append(data)
            continue
        if carry:
            carry.append(data[:cut])
            blob = b"".join(carry)
            carry = []
        else:
            blob = data if cut == len(data) else data[:cut]
        if cut < len(data):
            carry.append(data[cut:])
        yield lineno, blob, pos() if pos else 0
        lineno += blob.count(b"\n")
    if carry:
        yield lineno, b"".join(carry), pos() if pos else 0


def default_workers() -> int:
    """All cores this process may use."""
    n = getattr(os, "process_cpu_count", None)
    if n is not None:
        return max(1, n() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------------- the engine


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group: let the parent alone decide what happens.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _mp_context() -> Any:
    # fork is the cheapest start (the parent has textrepr imported); elsewhere the platform default.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _kill_pool(ex: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel queued chunks and terminate running ones (broken pipe, Ctrl-C)."""
    ex.shutdown(wait=False, cancel_futures=True)
    for p in list((getattr(ex, "_processes", None) or {}).values()):  # no public API for this
        try:
            p.terminate()
        except Exception:
            pass


class _Reader:
    """Chunk iterator that turns a read failure into a deferred :class:`BatchError`, so the chunks read
    before it are still rendered and written."""

    def __init__(self, chunks: Iterator[tuple[int, bytes, int]], name: str) -> None:
        self.chunks = chunks
        self.name = name
        self.error: BatchError | None = None

    def __iter__(self) -> Iterator[tuple[int, bytes, int]]:
        try:
            yield from self.chunks
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            msg = getattr(e, "strerror", None) or str(e) or type(e).__name__
            self.error = BatchError(f"cannot read {self.name}: {msg}")


def run(
    chunks: Iterable[tuple[int, bytes, int]],
    dst: IO[bytes],
    *,
    workers: int = 1,
    options: Mapping[str, Any] | None = None,
    on_chunk: Callable[[int, BatchResult], None] | None = None,
    flush: bool = False,
) -> BatchResult:
    """Render ``chunks`` (see :func:`iter_chunks`) to ``dst`` in input order.

    ``workers > 1`` renders in that many processes, started only when there is more than one chunk.
    ``on_chunk(raw_position, result_so_far)`` runs after each chunk is written. Exceptions from ``dst``
    (``BrokenPipeError``, ``OSError``) and ``KeyboardInterrupt`` propagate after the pool is stopped.
    """
    res = BatchResult()
    t0 = time.perf_counter()
    opts = dict(options) if options else None

    def emit(out: tuple[bytes, int, int, int, list[int]], nbytes: int, pos: int) -> None:
        data, records, errors, blank, error_lines = out
        if data:
            dst.write(data)
            if flush:
                dst.flush()
        res.records += records
        res.errors += errors
        res.blank += blank
        res.bytes_in += nbytes
        if len(res.error_lines) < 10:
            res.error_lines.extend(error_lines[: 10 - len(res.error_lines)])
        if on_chunk is not None:
            res.seconds = time.perf_counter() - t0
            on_chunk(pos, res)

    it = iter(chunks)
    head: list[tuple[int, bytes, int]] = []
    if workers > 1:  # a pool only pays off from the second chunk on
        for c in it:
            head.append(c)
            if len(head) == 2:
                break
    if workers <= 1 or len(head) < 2:
        for first, blob, pos in chain(head, it):
            emit(render_chunk(first, blob, opts), len(blob), pos)
    else:
        ex = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(), initializer=_init_worker)
        res.workers = workers
        pending: deque[tuple[Future[Any], int, int]] = deque()
        limit = workers * _IN_FLIGHT_PER_WORKER
        try:
            for first, blob, pos in chain(head, it):
                pending.append((ex.submit(render_chunk, first, blob, opts), len(blob), pos))
                # Write what is ready now (keeps a slow stream's output flowing), and wait for the
                # oldest chunk only when the in-flight limit is reached.
                while pending and (len(pending) >= limit or pending[0][0].done()):
                    f, n, p = pending.popleft()
                    emit(f.result(), n, p)
            while pending:
                f, n, p = pending.popleft()
                emit(f.result(), n, p)
        except BaseException:
            _kill_pool(ex)
            raise
        ex.shutdown(wait=True)
    res.seconds = time.perf_counter() - t0
    return res


def _progress_bar(total: int | None, stream: IO[str]) -> Any:
    from tqdm import tqdm

    class _Bar(tqdm):  # type: ignore[misc, type-arg]
        monitor_interval = 0  # no monitor thread (worker processes are forked)

    return _Bar(total=total, unit="B", unit_scale=True, unit_divisor=1024, file=stream, desc="textrepr",
                dynamic_ncols=True, mininterval=0.25, smoothing=0.1, leave=True)


def batch_file(
    in_path: str,
    out_path: str = "-",
    *,
    workers: int | None = None,
    options: Mapping[str, Any] | None = None,
    progress: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    stderr: IO[str] | None = None,
) -> BatchResult:
    """``textrepr batch``: render the JSONL file ``in_path`` (``-`` = stdin, gzip detected) to ``out_path``.

    ``workers=None`` uses every core; ``progress=None`` shows a bar when ``stderr`` is a terminal.
    Raises :class:`BatchError` for unreadable input, unwritable output or a dead worker (output already
    written stays; ``.result`` holds the counters so far when rendering had started), and lets
    ``BrokenPipeError`` / ``KeyboardInterrupt`` through.
    """
    err = stderr if stderr is not None else sys.stderr
    if workers is None or workers <= 0:
        workers = default_workers()
    src, raw_pos, size = open_input(in_path)  # before the output: a missing input creates no file
    dst: IO[bytes] | None = None
    bar: Any = None
    try:
        if (out_path != "-" and in_path != "-" and os.path.exists(out_path)
                and os.path.samefile(in_path, out_path)):
            raise BatchError(f"refusing to overwrite the input {in_path}")
        dst = open_output(out_path)
        if progress is None:
            progress = bool(getattr(err, "isatty", lambda: False)())
        if progress:
            bar = _progress_bar(size, err)

        def on_chunk(pos: int, r: BatchResult) -> None:
            bar.update(max(0, (pos if size is not None else r.bytes_in) - bar.n))
            bar.set_postfix_str(f"{r.records} records, {r.errors} errors", refresh=False)

        reader = _Reader(iter_chunks(src, chunk_bytes, raw_pos), in_path)
        res = run(reader, dst, workers=workers, options=options,
                  on_chunk=on_chunk if bar is not None else None, flush=out_path == "-")
        if out_path == "-":
            dst.flush()
        else:
            dst.close()
        if reader.error is not None:
            reader.error.result = res
            raise reader.error
        return res
    except BrokenPipeError:
        raise
    except OSError as e:
        raise BatchError(f"cannot write {out_path}: {e.strerror or e}") from None
    except BrokenExecutor:
        raise BatchError("a worker process died unexpectedly (out of memory?)") from None
    finally:
        if bar is not None:
            bar.close()
        if dst is not None and out_path != "-" and not dst.closed:
            try:
                dst.close()
            except OSError:
                pass
        if in_path != "-":
            src.close()
