"""Traces from flat events (issue 11): the cost of assembling a trace before rendering it.

    pytest benchmarks/bench_assembly.py -s                         # make_big's 5,000-node trace
    TEXTREPR_BENCH_QUICK=1 pytest benchmarks/bench_assembly.py     # its 250-node slice, for CI

Workload: make_big's ``trace_5000_nodes.json`` flattened into one flat event per node (``$ai_span_id`` /
``$ai_parent_id`` links, timestamps in tree order), as the JSON bytes of an event list. Compared:

* ``ready``: ``text_repr`` of the request bytes holding the same trace as a ready hierarchy (the very
  ``{"trace", "hierarchy"}`` the assembly produces, so both render the same text);
* ``flat``: parse the event list (``textrepr.parse.load_json``), ``assemble_trace``, render
  (``textrepr.assembly.render.render_data(plain=True)``, the route of ``textrepr traces``);
* ``assemble``: parse + ``assemble_trace`` alone; ``floor``: ``orjson.loads`` of the (repaired) event bytes.

Every timed round starts from a collected heap (``gc.collect()``, untimed; see ``_time``). Target:
``flat / ready <= 1.3`` under each option set. Ratios land in ``extra_info`` and in a table printed
at the end (``-s``); they are reported, not asserted (a shared machine makes timings noisy).
"""
from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Callable

import orjson
import pytest

import textrepr
from textrepr.assembly.render import render_data
from textrepr.assembly.values import latency_ms
from workloads import MAKE_BIG, OPTION_SETS, TIMER, repaired  # benchmarks/workloads.py

pytestmark = pytest.mark.skipif(not MAKE_BIG.is_file(), reason="../shared/corpus/make_big.py is not beside the checkout")

ROUNDS = 15
SETS = ("A", "B")
RESULTS: dict[tuple[str, str], float] = {}


def flatten(request: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat event per node of a ready trace request, linked by span ids, in tree order in time."""
    tid = "bench-trace"
    events: list[dict[str, Any]] = []
    stack: list[tuple[dict[str, Any], str]] = [(n, tid) for n in reversed(request["data"]["hierarchy"])]
    while stack:
        node, parent = stack.pop()
        ev = node["event"]
        k = len(events)
        sid = f"n{k}"
        props = {key: v for key, v in ev["properties"].items()
                 if key not in ("$ai_generation_id", "$ai_span_id", "$ai_parent_id", "$ai_ingestion_source")}
        props.update({"$ai_trace_id": tid, "$ai_span_id": sid, "$ai_parent_id": parent})
        # Captured at the end of the operation: start = k ms keeps siblings in their tree order.
        end_ms = 1_772_359_200_000 + k + latency_ms(props.get("$ai_latency", 0))
        sec, ms = divmod(end_ms, 1000)
        stamp = _iso(sec, ms)
        events.append({"uuid": f"u{k}", "event": ev.get("event", "$ai_span"), "timestamp": stamp, "properties": props})
        stack.extend((c, sid) for c in reversed(node.get("children") or []))
    return events


def _iso(sec: float, ms: float) -> str:
    from datetime import datetime, timezone

    dt = datetime.fromtimestamp(int(sec), tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{int(round(ms * 1000)):06d}Z"


@pytest.fixture(scope="module")
def workload(big: Path) -> dict[str, bytes]:
    request = textrepr.parse.load_json((big / "trace_5000_nodes.json").read_bytes())
    events = flatten(request)
    data = textrepr.assemble_trace(events)
    return {"events": orjson.dumps(events), "ready": orjson.dumps({"event_type": "$ai_trace", "data": data}),
            "nodes": str(len(events)).encode()}


def _time(fns: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Best of ROUNDS for each callable, rounds interleaved (one of each in turn, so a burst of load on the
    shared machine hits every route alike). Each round starts from a collected heap (``gc.collect()``,
    untimed); the collector stays on while timed, so the collections a route's own allocations trigger are
    part of its cost, and what is left out is a full collection owed to garbage of earlier rounds (or of
    pytest), which otherwise lands on whichever round happens to cross the threshold."""
    best = {k: float("inf") for k in fns}
    for fn in fns.values():
        fn()  # warm-up
    for _ in range(ROUNDS):
        for k, fn in fns.items():
            gc.collect()
            t0 = TIMER()
            fn()
            best[k] = min(best[k], TIMER() - t0)
    return best


@pytest.mark.parametrize("option_set", SETS)
def test_flat_events_vs_ready_hierarchy(benchmark: Any, workload: dict[str, bytes], option_set: str) -> None:
    opts = OPTION_SETS[option_set]
    ev_bytes = workload["events"]
    # The request as bytes only: a parsed copy kept alive here would make every garbage collection of the
    # timed code walk it.
    ready_bytes = workload["ready"] if not opts else b'{"options":' + orjson.dumps(opts) + b"," + workload["ready"][1:]
    floor_bytes = repaired(ev_bytes)

    def flat() -> str:
        data = textrepr.assemble_trace(textrepr.parse.load_json(ev_bytes))
        return render_data(data, opts, plain=True)["text"]

    def ready_fn() -> str:
        return textrepr.text_repr(ready_bytes)["text"]

    assert flat() == ready_fn()  # the same trace, the same text
    # The same timer for every figure (CPU time by default: the machine is shared).
    t = _time({"ready": ready_fn, "flat": flat, "floor": lambda: orjson.loads(floor_bytes),
               "assemble": lambda: textrepr.assemble_trace(textrepr.parse.load_json(ev_bytes))})
    t_ready, t_flat, t_assemble, t_floor = t["ready"], t["flat"], t["assemble"], t["floor"]
    benchmark.pedantic(flat, rounds=1, iterations=1)
    RESULTS[(option_set, "flat")] = t_flat
    RESULTS[(option_set, "ready")] = t_ready
    RESULTS[(option_set, "assemble")] = t_assemble
    RESULTS[(option_set, "floor")] = t_floor
    benchmark.extra_info.update({
        "nodes": int(workload["nodes"]), "event_bytes": len(ev_bytes),
        "flat_over_ready": round(t_flat / t_ready, 3), "target": 1.3,
        "assemble_over_floor": round(t_assemble / t_floor, 2), "flat_over_floor": round(t_flat / t_floor, 2),
    })


def teardown_module() -> None:
    if not RESULTS:
        return
    print("\n\nassembly: flat events vs ready hierarchy (best of %d, %s)" % (ROUNDS, TIMER.__name__))
    print(f"{'set':<4}{'ready ms':>10}{'flat ms':>10}{'flat/ready':>12}{'assemble ms':>13}{'floor ms':>10}")
    for s in SETS:
        if (s, "flat") in RESULTS:
            r, f, a, fl = (RESULTS[(s, k)] for k in ("ready", "flat", "assemble", "floor"))
            print(f"{s:<4}{r * 1e3:>10.1f}{f * 1e3:>10.1f}{f / r:>12.3f}{a * 1e3:>13.1f}{fl * 1e3:>10.1f}")
