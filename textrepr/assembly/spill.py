"""Grouping events by trace with bounded memory: in memory up to a budget, then spilled to disk.

Events arrive in input order as ``(index, trace id, raw JSON bytes)``. Below the budget they stay in a
dict of lists. Past it, every event (the buffered ones first) goes to one of ``partitions`` temporary
files chosen by a hash of its trace id, so all events of a trace share a file and keep input order in
it. Reading back loads one partition at a time: peak memory is about one partition of raw bytes plus
the trace being rendered, whatever the input's size.
"""
from __future__ import annotations

import os
import shutil
import struct
import tempfile
import zlib
from typing import BinaryIO, Iterator

__all__ = ["DEFAULT_BUDGET", "DEFAULT_PARTITIONS", "Grouper"]

DEFAULT_BUDGET = 256 << 20  # raw event bytes held in memory before spilling
DEFAULT_PARTITIONS = 128
_HEAD = struct.Struct("<QII")  # index, trace id length, event length

Group = tuple[str, list[tuple[int, bytes]]]


class Grouper:
    """Collects events by trace id; ``groups()`` yields ``(trace_id, [(index, raw), ...])``.

    Without spilling, groups come in order of first appearance; after a spill, partition by partition
    (the caller restores first-appearance order from the first index of each group).
    """

    def __init__(self, budget: int = DEFAULT_BUDGET, partitions: int = DEFAULT_PARTITIONS,
                 tmpdir: str | None = None) -> None:
        self.budget = budget
        self.partitions = max(1, partitions)
        self.tmpdir = tmpdir
        self.held = 0
        self.mem: dict[str, list[tuple[int, bytes]]] = {}
        self.dir: str | None = None
        self.files: list[BinaryIO] = []
        self.spilled_bytes = 0

    @property
    def spilled(self) -> bool:
        return self.dir is not None

    def add(self, index: int, tid: str, raw: bytes) -> None:
        if self.dir is None:
            g = self.mem.get(tid)
            if g is None:
                self.mem[tid] = g = []
            g.append((index, raw))
            self.held += len(raw) + 64
            if self.held > self.budget:
                self._spill()
        else:
            self._write(index, tid, raw)

    def _spill(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="textrepr-traces-", dir=self.tmpdir)
        self.files = [open(os.path.join(self.dir, f"p{k:04d}"), "wb", buffering=1 << 16)
                      for k in range(self.partitions)]
        mem, self.mem = self.mem, {}
        # Buffered events go out in input order, so each partition stays in input order.
        pending = sorted(((i, tid, raw) for tid, g in mem.items() for i, raw in g), key=lambda t: t[0])
        mem.clear()
        for i, tid, raw in pending:
            self._write(i, tid, raw)
        self.held = 0

    def _write(self, index: int, tid: str, raw: bytes) -> None:
        t = tid.encode("utf-8", "surrogatepass")
        f = self.files[zlib.crc32(t) % self.partitions]
        f.write(_HEAD.pack(index, len(t), len(raw)))
        f.write(t)
        f.write(raw)
        self.spilled_bytes += _HEAD.size + len(t) + len(raw)

    def groups(self) -> Iterator[Group]:
        if self.dir is None:
            mem, self.mem = self.mem, {}
            while mem:  # hand each group over and forget it: memory falls as rendering proceeds
                tid = next(iter(mem))
                yield tid, mem.pop(tid)
            return
        for f in self.files:
            f.close()
        for k in range(self.partitions):
            path = os.path.join(self.dir, f"p{k:04d}")
            with open(path, "rb") as f:
                data = f.read()
            os.unlink(path)  # disk is given back partition by partition
            part: dict[str, list[tuple[int, bytes]]] = {}
            pos, n = 0, len(data)
            view = memoryview(data)
            while pos < n:
                index, lt, lr = _HEAD.unpack_from(data, pos)
                pos += _HEAD.size
                tid = bytes(view[pos:pos + lt]).decode("utf-8", "surrogatepass")
                pos += lt
                raw = bytes(view[pos:pos + lr])
                pos += lr
                g = part.get(tid)
                if g is None:
                    part[tid] = g = []
                g.append((index, raw))
            view.release()
            del data
            while part:
                tid = next(iter(part))
                yield tid, part.pop(tid)

    def close(self) -> None:
        for f in self.files:
            try:
                f.close()
            except OSError:
                pass
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.mem = {}
