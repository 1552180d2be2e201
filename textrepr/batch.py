"""Streaming batch rendering: JSONL in, JSONL out, in input order, on many cores.

Every non-blank input line is one request (or a bare event or trace, see :func:`as_request`); every one
of them yields exactly one output line, in input order:

    {"line": n, "text": ..., "metadata": ...}
    {"line": n, "error": {"status": 400, "body": ...}}

``n`` is the 1-based physical line number in the (decompressed) input. Blank lines are skipped and
counted. The input is read in chunks of whole lines (about ``chunk_bytes``); a chunk is the unit of
work sent to a worker process through a pipe and comes back as ready-to-write JSONL bytes, so
inter-process traffic is two raw byte messages per chunk (no pickling). At most ``3 * workers`` chunks
are in flight, which bounds memory independently of the input's length (one line longer than a chunk
is one chunk).
"""
from __future__ import annotations

import gzip
import io
import multiprocessing
import os
import queue
import re
import select
import signal
import stat
import struct
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, Callable, Iterable, Iterator, Mapping

import orjson

from . import parse
from .api import _respond, text_repr
from .errors import InvalidRequest, RenderError
from .redact import Redactor
from .render.values import jdump

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "BatchError", "BatchResult", "DEFAULT_CHUNK_BYTES", "Input", "as_request", "batch_file", "default_workers",
    "open_input", "open_output", "render_chunk", "render_document", "render_line", "request_document", "run",
]

DEFAULT_CHUNK_BYTES = 256 * 1024
_IN_FLIGHT_PER_WORKER = 3
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_LEVEL = 6
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


def render_document(raw: bytes, options: Mapping[str, Any] | None = None, redactor: Redactor | None = None, *,
                    token_counter: Callable[[str], int] | None = None) -> dict[str, Any]:
    """Parse, wrap and render one JSON document; ``options`` override the document's own options;
    ``redactor``: custom redaction rules (see :class:`textrepr.Redactor`).

    ``token_counter`` counts tokens for ``max_tokens``; an ``options`` key ``tokenizer`` (a name for
    ``textrepr.tokens.counter``, as the CLI passes to its worker processes) sets it too.
    Returns the 200 body; raises :class:`InvalidRequest` like :func:`textrepr.text_repr`.
    """
    if options and "tokenizer" in options:
        from .tokens import counter

        options = dict(options)
        token_counter = counter(options.pop("tokenizer"))
    if not options and _FULL_REQUEST.match(raw):
        return text_repr(raw, token_counter=token_counter, redactor=redactor)
    doc, plain = _request_document(raw, options)
    if plain:  # already what text_repr would make of it: no second copy of the whole document
        return _respond(doc, token_counter, redactor)
    return text_repr(doc, token_counter=token_counter, redactor=redactor)


def request_document(raw: bytes, options: Mapping[str, Any] | None = None) -> Any:
    """The request a JSON document stands for (a bare event or trace wrapped, :func:`as_request`), with
    ``options`` merged over its own; a parse error raises :class:`InvalidRequest`."""
    return _request_document(raw, options)[0]


def _request_document(raw: bytes, options: Mapping[str, Any] | None) -> tuple[Any, bool]:
    """:func:`request_document`, and whether the document is already plain JSON values as ``text_repr``
    would copy it to (``parse.from_python``): the parsed document is, and merged ``options`` are made so
    here — unless wrapping a bare document may have pushed it past the nesting limit, which only a
    document with 1024 opening brackets can reach (then ``text_repr``'s copy decides, as before)."""
    parsed = parse.load_json(raw)
    doc = as_request(parsed)
    if options and type(doc) is dict:
        own = doc.get("options")
        merged = {**(own if type(own) is dict else {}), **options}
        # The options object sits at depth 2 of the request, as in this wrapper: the same limit applies.
        doc = {**doc, "options": parse.from_python({"options": merged})["options"]}
    plain = doc is parsed or raw.count(b"[") + raw.count(b"{") < parse.MAX_DEPTH
    return doc, plain


def _dumps(rec: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(rec)
    except TypeError:  # ints past 64 bits or nesting orjson refuses: the iterative encoder takes any
        # A surrogate (never produced by textrepr) becomes a JSON \u escape, so the line stays valid.
        return jdump(rec).encode("utf-8", "backslashreplace")


def render_line(line: bytes, lineno: int, options: Mapping[str, Any] | None = None,
                redactor: Redactor | None = None) -> tuple[bytes, bool]:
    """One output JSONL record (without newline) for one input line, and whether it is an error."""
    try:
        body = render_document(line, options) if redactor is None else render_document(line, options, redactor)
    except InvalidRequest as e:
        return _dumps({"line": lineno, "error": {"status": e.status, "body": e.body}}), True
    except Exception as e:  # a renderer bug must cost one record, not the run
        err = {"status": RenderError.status, "body": RenderError.body, "exception": f"{type(e).__name__}: {e}"}
        return _dumps({"line": lineno, "error": err}), True
    return _dumps({"line": lineno, "text": body["text"], "metadata": body["metadata"]}), False


def render_chunk(
    first_lineno: int, blob: bytes, options: Mapping[str, Any] | None = None, redactor: Redactor | None = None
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
            rec, bad = render_line(line, lineno, options, redactor)
            out.append(rec)
            if bad:
                errors += 1
                if len(error_lines) < 10:
                    error_lines.append(lineno)
        lineno += 1
    if out:
        out.append(b"")  # trailing newline after the last record
    return b"\n".join(out), len(out) - 1 if out else 0, errors, blank, error_lines


def _render_piece(
    first_lineno: int, blob: bytes, options: Mapping[str, Any] | None, gzip_level: int | None,
    redactor: Redactor | None = None,
) -> tuple[bytes, int, int, int, list[int]]:
    """:func:`render_chunk`, its output gzipped as one member when ``gzip_level`` is set.

    Concatenated gzip members are one valid gzip stream, so compression runs in the workers too."""
    out = render_chunk(first_lineno, blob, options, redactor)
    if gzip_level is None or not out[0]:
        return out
    return (gzip.compress(out[0], compresslevel=gzip_level, mtime=0), *out[1:])  # type: ignore[return-value]


# ----------------------------------------------------------------------------- streams


@dataclass(slots=True)
class Input:
    """An opened input: the (decompressed) byte stream and what progress reporting needs."""

    stream: BinaryIO
    raw: BinaryIO  # the file itself (differs from ``stream`` for gzip)
    size: int | None  # raw bytes to read, when known (a regular file)
    base: int = 0

    def position(self) -> int:
        """Raw bytes consumed so far (0 when the raw stream cannot tell, e.g. a pipe)."""
        try:
            return self.raw.tell() - self.base
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        if self.stream is not self.raw:
            self.stream.close()  # GzipFile leaves the file it was given open
        if self.raw is not sys.stdin.buffer:
            self.raw.close()


def open_input(path: str) -> Input:
    """Open ``path`` (``-`` = stdin) for binary reading, gunzipping when it starts with the gzip magic.

    Raises :class:`BatchError` with a clear message when it cannot be read.
    """
    raw: BinaryIO | None = None
    try:
        if path == "-":
            raw = sys.stdin.buffer
        else:
            if os.path.isdir(path):
                raise BatchError(f"cannot read {path}: Is a directory")
            raw = open(path, "rb")
        size: int | None = None
        base = 0
        try:
            st = os.fstat(raw.fileno())
            if stat.S_ISREG(st.st_mode):
                base = raw.tell()  # stdin may be a file redirect, partly read
                size = st.st_size - base
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        peek = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    except OSError as e:
        if raw is not None and path != "-":
            raw.close()
        raise BatchError(f"cannot read {path}: {e.strerror or e}") from None
    stream = gzip.GzipFile(fileobj=raw, mode="rb") if peek == _GZIP_MAGIC else raw
    return Input(stream, raw, size, base)  # type: ignore[arg-type]


class _Output:
    """The output stream; a write failure becomes a :class:`BatchError` naming the output (a closed
    pipe stays ``BrokenPipeError``, which is not an error of the run)."""

    def __init__(self, stream: BinaryIO, name: str, flush: bool) -> None:
        self.stream = stream
        self.name = name
        self.flush_each = flush
        self.written = 0

    def _failed(self, e: OSError) -> BatchError:
        return BatchError(f"cannot write {self.name}: {e.strerror or e}")

    def write(self, data: bytes | memoryview) -> None:
        try:
            self.stream.write(data)
            self.written += len(data)
            if self.flush_each:
                self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as e:
            raise self._failed(e) from None

    def finish(self) -> None:
        try:
            if self.name == "-":
                self.stream.flush()
            else:
                self.stream.close()
        except BrokenPipeError:
            raise
        except OSError as e:
            raise self._failed(e) from None


def open_output(path: str) -> BinaryIO:
    """Open ``path`` (``-`` = stdout) for binary writing (``.gz``: the caller writes gzip members)."""
    if path == "-":
        return sys.stdout.buffer
    try:
        return open(path, "wb", buffering=1 << 20)
    except OSError as e:
        raise BatchError(f"cannot write {path}: {e.strerror or e}") from None


def _readiness(f: Any) -> Callable[[], bool]:
    """Whether more input can be read right now without waiting (always, for a regular file)."""
    try:
        fd = f.fileno()
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return lambda: True
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return lambda: True

    def ready() -> bool:
        try:
            return bool(select.select([fd], [], [], 0)[0])
        except (OSError, ValueError):
            return True

    return ready


def iter_chunks(
    f: BinaryIO, chunk_bytes: int = DEFAULT_CHUNK_BYTES, pos: Callable[[], int] | None = None
) -> Iterator[tuple[int, bytes, int]]:
    """Pieces of whole lines: (first line number, bytes, raw position after reading them).

    A piece holds about ``chunk_bytes`` while input is flowing, less when a pipe has nothing more to
    give yet (so a slow producer's lines are answered promptly). The last piece may lack a final
    newline; a line longer than ``chunk_bytes`` is one piece.
    """
    read = getattr(f, "read1", None) or f.read
    ready = _readiness(f)
    lineno = 1
    parts: list[bytes] = []  # bytes read but not yet handed out, in order
    size = 0
    nl_free = 0  # parts[:nl_free] hold no newline (a long line is not rescanned on every read)
    while True:
        data = read(chunk_bytes)
        if data:
            parts.append(data)
            size += len(data)
            if size < chunk_bytes and ready():
                continue
        cut = 0
        i = len(parts) - 1
        while i >= nl_free:
            cut = parts[i].rfind(b"\n") + 1
            if cut:
                break
            i -= 1
        if cut:
            p = parts[i]
            if cut == len(p):
                head, rest = parts[: i + 1], parts[i + 1:]
            else:
                head, rest = [*parts[:i], p[:cut]], [p[cut:], *parts[i + 1:]]
            blob = head[0] if len(head) == 1 else b"".join(head)
            parts, size, nl_free = rest, size - len(blob), 0
            yield lineno, blob, pos() if pos else 0
            lineno += blob.count(b"\n")
        else:
            nl_free = len(parts)
        if not data:
            break
    if parts:
        yield lineno, b"".join(parts), pos() if pos else 0


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


def _mp_context() -> Any:
    # fork is the cheapest start (the parent has textrepr imported); elsewhere the platform default.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


# Frames on the pipes (multiprocessing Connection byte messages, never pickled):
#   to a worker:   seq, first line number | input bytes          (an empty message: stop)
#   from a worker: seq, records, errors, blank, k | k error line numbers | output bytes
_IN = struct.Struct("<qq")
_PIPE_BYTES = 1 << 20
_OUT = struct.Struct("<qqqqq")


def _worker_main(conn_in: Any, conn_out: Any, options: dict[str, Any] | None, gzip_level: int | None,
                 redactor: Redactor | None = None) -> None:
    """A worker process: render chunks until told to stop (or the parent goes away)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides
    while True:
        try:
            msg = conn_in.recv_bytes()
        except (EOFError, OSError):
            return
        if not msg:
            return
        seq, first = _IN.unpack_from(msg)
        out, records, errors, blank, error_lines = _render_piece(first, msg[_IN.size:], options, gzip_level, redactor)
        head = _OUT.pack(seq, records, errors, blank, len(error_lines))
        tail = struct.pack(f"<{len(error_lines)}q", *error_lines)
        try:
            conn_out.send_bytes(b"".join((head, tail, out)))
        except OSError:  # the parent is gone
            return


def _widen(conn: Any) -> None:
    """Give a pipe room for a whole chunk (Linux): fewer writes, wake-ups and context switches."""
    setsz = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsz is not None:
        try:
            fcntl.fcntl(conn.fileno(), setsz, _PIPE_BYTES)
        except OSError:  # above /proc/sys/fs/pipe-max-size: keep the default
            pass


class _Pool:
    """Worker processes fed through raw pipes: no pickling, one copy per direction.

    Each worker has a writer thread (so a busy worker never stalls the others' input) and a reader
    thread (so workers never block on output). Results are keyed by chunk sequence number; the caller
    bounds how many are outstanding.
    """

    def __init__(self, n: int, options: dict[str, Any] | None, gzip_level: int | None,
                 redactor: Redactor | None = None) -> None:
        ctx = _mp_context()
        self.cv = threading.Condition()
        self.results: dict[int, tuple[memoryview, int, int, int, list[int]]] = {}
        self.outstanding = [0] * n
        self.error: str | None = None
        self.closing = False
        self.procs: list[Any] = []
        self.queues: list[queue.SimpleQueue[bytes | None]] = []
        conns: list[tuple[Any, Any]] = []
        for stream in (sys.stdout, sys.stderr):  # a forked child flushes its copies when it exits
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        for _ in range(n):  # all processes first: no thread of ours exists while forking
            r_in, w_in = ctx.Pipe(duplex=False)
            r_out, w_out = ctx.Pipe(duplex=False)
            _widen(w_in)
            _widen(w_out)
            p = ctx.Process(target=_worker_main, args=(r_in, w_out, options, gzip_level, redactor), daemon=True)
            p.start()
            r_in.close()
            w_out.close()  # the worker holds the only write end: its death reads as EOF here
            self.procs.append(p)
            conns.append((w_in, r_out))
        self.threads: list[threading.Thread] = []
        for i, (w_in, r_out) in enumerate(conns):
            q: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
            self.queues.append(q)
            for target, conn in ((self._writer, w_in), (self._reader, r_out)):
                t = threading.Thread(target=target, args=(i, conn, q), daemon=True, name=f"textrepr-batch-{i}")
                t.start()
                self.threads.append(t)

    def _fail(self, i: int) -> None:
        p = self.procs[i]
        if not self.closing:
            p.join(0.5)  # for its exit code
        with self.cv:
            if not self.closing and self.error is None:
                self.error = f"a worker process died unexpectedly (exit code {p.exitcode}; out of memory?)"
            self.cv.notify_all()

    def _writer(self, i: int, conn: Any, q: "queue.SimpleQueue[bytes | None]") -> None:
        try:
            while True:
                msg = q.get()
                if msg is None:
                    conn.send_bytes(b"")
                    return
                conn.send_bytes(msg)
        except (OSError, ValueError):
            self._fail(i)
        finally:
            conn.close()

    def _reader(self, i: int, conn: Any, q: object) -> None:
        try:
            while True:
                msg = conn.recv_bytes()
                seq, records, errors, blank, k = _OUT.unpack_from(msg)
                lines = list(struct.unpack_from(f"<{k}q", msg, _OUT.size))
                body = memoryview(msg)[_OUT.size + 8 * k:]
                with self.cv:
                    self.results[seq] = (body, records, errors, blank, lines)
                    self.outstanding[i] -= 1
                    self.cv.notify_all()
        except (EOFError, OSError):
            self._fail(i)
        finally:
            conn.close()

    def submit(self, seq: int, first_lineno: int, blob: bytes) -> None:
        with self.cv:
            if self.error:
                raise BatchError(self.error)
            i = min(range(len(self.outstanding)), key=self.outstanding.__getitem__)
            self.outstanding[i] += 1
        self.queues[i].put(b"".join((_IN.pack(seq, first_lineno), blob)))

    def done(self, seq: int) -> bool:
        with self.cv:
            return seq in self.results

    def result(self, seq: int) -> tuple[memoryview, int, int, int, list[int]]:
        with self.cv:
            while seq not in self.results:
                if self.error:
                    raise BatchError(self.error)
                self.cv.wait(1.0)
            return self.results.pop(seq)

    def close(self) -> None:
        """Stop the workers after their queued chunks (all results must have been taken)."""
        with self.cv:
            self.closing = True
        for q in self.queues:
            q.put(None)
        for p in self.procs:
            p.join()
        self._join_threads()

    def _join_threads(self) -> None:
        # No thread of ours should outlive the pool: a later fork must not copy a process with threads.
        for t in self.threads:
            t.join(5)

    def kill(self) -> None:
        """Stop now (broken pipe, Ctrl-C, error): queued and running chunks are dropped."""
        with self.cv:
            self.closing = True
        for q in self.queues:
            q.put(None)
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(5)
        self._join_threads()


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
    dst: Any,
    *,
    workers: int = 1,
    options: Mapping[str, Any] | None = None,
    on_chunk: Callable[[int, BatchResult], None] | None = None,
    input_ready: Callable[[], bool] | None = None,
    gzip_level: int | None = None,
    redactor: Redactor | None = None,
) -> BatchResult:
    """Render ``chunks`` (see :func:`iter_chunks`) to ``dst`` in input order.

    ``workers > 1`` renders in that many processes, started only when there is more than one chunk.
    ``input_ready()`` says whether the next chunk can be read without waiting; while it cannot, the
    chunks in flight are finished and written first. ``gzip_level`` gzips each chunk's output (in the
    workers) as one gzip member.
    ``dst`` needs only ``write(bytes | memoryview)``. ``on_chunk(raw_position, result_so_far)`` runs
    after each chunk is written. Exceptions from ``dst`` and ``KeyboardInterrupt`` propagate after the
    pool is stopped.
    """
    res = BatchResult()
    t0 = time.perf_counter()
    opts = dict(options) if options else None

    def emit(out: tuple[bytes | memoryview, int, int, int, list[int]], nbytes: int, pos: int) -> None:
        data, records, errors, blank, error_lines = out
        if data:
            dst.write(data)
        res.records += records
        res.errors += errors
        res.blank += blank
        res.bytes_in += nbytes
        if len(res.error_lines) < 10:
            res.error_lines.extend(error_lines[: 10 - len(res.error_lines)])
        if on_chunk is not None:
            res.seconds = time.perf_counter() - t0
            on_chunk(pos, res)

    ready = input_ready or (lambda: True)
    it = iter(chunks)
    pool: _Pool | None = None
    held: tuple[int, bytes, int] | None = None  # a chunk waiting for a second one to justify a pool
    pending: deque[tuple[int, int, int]] = deque()  # seq, input bytes, raw position
    limit = workers * _IN_FLIGHT_PER_WORKER
    seq = 0
    try:
        while True:
            # Write finished chunks in order: the oldest one when the in-flight limit is reached, any
            # that are done, and all of them while the input has nothing to read (a slow stream's
            # answers must not wait for more input).
            while pending and (len(pending) >= limit or pool.done(pending[0][0]) or not ready()):  # type: ignore[union-attr]
                k, n, p = pending.popleft()
                emit(pool.result(k), n, p)  # type: ignore[union-attr]
            if held is not None and not ready():
                emit(_render_piece(held[0], held[1], opts, gzip_level, redactor), len(held[1]), held[2])
                held = None
            c = next(it, None)
            if c is None:
                break
            if pool is None:
                if workers <= 1:
                    emit(_render_piece(c[0], c[1], opts, gzip_level, redactor), len(c[1]), c[2])
                    continue
                if held is None:
                    held = c
                    continue
                pool = _Pool(workers, opts, gzip_level, redactor)
                res.workers = workers
                pool.submit(seq, held[0], held[1])
                pending.append((seq, len(held[1]), held[2]))
                seq += 1
                held = None
            pool.submit(seq, c[0], c[1])
            pending.append((seq, len(c[1]), c[2]))
            seq += 1
        if held is not None:  # the whole input was one chunk
            emit(_render_piece(held[0], held[1], opts, gzip_level, redactor), len(held[1]), held[2])
        while pending:
            k, n, p = pending.popleft()
            emit(pool.result(k), n, p)  # type: ignore[union-attr]
    except BaseException:
        if pool is not None:
            pool.kill()
        raise
    if pool is not None:
        pool.close()
    res.seconds = time.perf_counter() - t0
    return res


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


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
    redactor: Redactor | None = None,
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
    src = open_input(in_path)  # before the output: a missing input creates no file
    dst: BinaryIO | None = None
    bar: Any = None
    try:
        if (out_path != "-" and in_path != "-" and os.path.exists(out_path)
                and os.path.samefile(in_path, out_path)):
            raise BatchError(f"refusing to overwrite the input {in_path}")
        dst = open_output(out_path)
        out = _Output(dst, out_path, flush=out_path == "-")
        if progress is None:  # a bar on the terminal, unless records are scrolling over it there too
            progress = _isatty(err) and (out_path != "-" or not _isatty(sys.stdout))
        if progress:
            bar = _progress_bar(src.size, err)

        def on_chunk(pos: int, r: BatchResult) -> None:
            bar.update(max(0, (pos if src.size is not None else r.bytes_in) - bar.n))
            bar.set_postfix_str(f"{r.records} records, {r.errors} errors", refresh=False)

        reader = _Reader(iter_chunks(src.stream, chunk_bytes, src.position), in_path)
        gzip_level = _GZIP_LEVEL if out_path.endswith(".gz") else None
        res = run(reader, out, workers=workers, options=options, on_chunk=on_chunk if bar is not None else None,
                  input_ready=_readiness(src.stream), gzip_level=gzip_level, redactor=redactor)
        if gzip_level is not None and not out.written:
            out.write(gzip.compress(b"", mtime=0))  # an empty file is no gzip stream
        out.finish()
        if reader.error is not None:
            reader.error.result = res
            raise reader.error
        return res
    except (BrokenPipeError, BatchError, KeyboardInterrupt):
        raise
    except OSError as e:  # e.g. the system refused to start worker processes
        raise BatchError(f"{e.strerror or e}") from None
    finally:
        if bar is not None:
            bar.close()
        if dst is not None and out_path != "-" and not dst.closed:
            try:
                dst.close()
            except OSError:
                pass
        src.close()
