#!/usr/bin/env python3
"""Where text_repr's time goes on the corpus events: parse, validate, render, assemble, metadata (issue 16).

    python benchmarks/stages.py            # both implementations, each in its own worker process

Each stage is timed on its own over all corpus event requests (set A, B or E), with the inputs the previous
stage produced (prepared once, outside the timing), CPU time, min over the rounds, as a multiple of the
floor (orjson.loads of the same bytes). *metadata* is the rest of ``text_repr``: the whole call minus the
four timed stages — the metadata dict, the glue between the stages, and what running the stages one after
the other for each request costs over running each alone (caches) — so the columns add up to the total.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE.parent / "tests")]  # the checkout, not an installed copy

import orjson  # noqa: E402

import workloads as wl  # noqa: E402

STAGES = ("parse", "validate", "render", "assemble", "metadata")


def _best(fn: Callable[[], Any], rounds: int) -> float:
    fn()  # warm-up
    return wl.min_time(fn, rounds)


def split(option_set: str, rounds: int = 15) -> dict[str, float]:
    """Stage -> ratio to the floor, plus "total", for the corpus events under ``option_set``, here."""
    import textrepr
    from textrepr import api
    from textrepr.core import assemble
    from textrepr.validate import check_event, validate_request

    w = wl.load("corpus_events", option_set, None)
    docs = [api._as_document(u) for u in w.units]
    valid = []
    for d in docs:
        try:
            event_type, data, o = validate_request(d)
            check_event(event_type, data)
        except textrepr.InvalidRequest:
            continue
        valid.append((event_type, data, o))
    rendered = []
    for event_type, data, o in valid:
        kind = api._event_kind(data, event_type)
        props = data.get("properties", {})
        rendered.append((kind, props if type(props) is dict else {}, o))
    lines = [(api.event_lines(k, p, o), o) for k, p, o in rendered]

    def parse() -> None:
        for u in w.units:
            api._as_document(u)

    def validate() -> None:
        for d in docs:
            try:
                event_type, data, o = validate_request(d)
                check_event(event_type, data)
            except textrepr.InvalidRequest:
                pass

    def render() -> None:
        for k, p, o in rendered:
            api.event_lines(k, p, o)

    def assemble_() -> None:
        for ls, o in lines:
            assemble(ls, o.include_markers, o.include_line_numbers, o.max_length, None)

    def whole() -> None:
        for u in w.units:
            try:
                textrepr.text_repr(u)
            except textrepr.InvalidRequest:
                pass

    floor = _best(wl.run_units(orjson.loads, w.floor_units), rounds)
    out = {"parse": _best(parse, rounds), "validate": _best(validate, rounds), "render": _best(render, rounds),
           "assemble": _best(assemble_, rounds), "total": _best(whole, rounds)}
    out["metadata"] = max(0.0, out["total"] - sum(out[s] for s in STAGES[:4]))
    return {k: v / floor for k, v in out.items()}


def table(impls: dict[str, Any]) -> str:
    """Markdown rows: implementation x option set -> each stage's ratio."""
    rows = ["| implementation | set | " + " | ".join(STAGES) + " | total |", "|" + "---|" * (len(STAGES) + 3)]
    for name, worker in impls.items():
        for s in wl.OPTION_SETS:
            status, r = worker.call("stages:split", s)
            if status != "ok":
                raise RuntimeError(f"{name}: {status}: {r}")
            rows.append(f"| {name} | {s} | " + " | ".join(f"{r[k]:.2f}×" for k in STAGES) + f" | {r['total']:.2f}× |")
    return "\n".join(rows)


def main() -> int:
    import twins

    if not wl.CORPUS.is_dir():
        print("../shared corpus missing", file=sys.stderr)
        return 2
    impls = {"compiled": twins.Worker(False, expect="compiled"), "pure": twins.Worker(True, expect="pure")}
    print(table(impls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
