"""The calls the pure pipeline makes into the renderer functions that have a typed twin (issue 16).

``recorded(group)`` renders every request the shared corpus and the checked-in goldens hold through the
pure renderers (``textrepr.render``), under several option sets, with the public functions of the
group's modules wrapped so that each call's arguments are kept. tests/test_typed_<group>.py replays them
on the typed twins (results must be identical) and benchmarks/bench_typed_<group>.py times them.
"""
from __future__ import annotations

import importlib
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import conformance
from textrepr import api
from textrepr.errors import InvalidRequest
from textrepr.options import Options

ROOT = Path(__file__).resolve().parents[1]
CORPUS = conformance.SHARED / "corpus"

# The option sets of benchmarks/workloads.py (A, B, E), plus markers off, truncation off and small buffers.
OPTION_SETS: dict[str, dict[str, Any]] = {
    "A": {},
    "B": {"include_markers": False, "truncated": True, "collapsed": True, "include_line_numbers": True},
    "E": {"include_markers": False, "include_line_numbers": True, "max_length": 4000},
    "no_markers": {"include_markers": False},
    "untruncated": {"truncated": False},
    "buffer_7": {"truncate_buffer": 7},
    "buffer_0_plain": {"truncate_buffer": 0, "include_markers": False},
}

# Per twinned module: the functions whose calls are recorded, and whether their result depends on the
# options (only then are calls recorded under every option set; else under the first one).
GROUPS: dict[str, dict[str, tuple[tuple[str, ...], bool]]] = {
    "messages": {
        "messages": (("message_lines", "choices_lines", "embedding_input_lines", "normalise_choice",
                      "is_responses_item"), True),
        "content": (("content_text", "block_text", "object_text", "payload_text", "gemini_parts_text"), False),
        "media": (("is_media", "media_placeholder", "string_placeholder", "is_data_url", "size_text"), False),
    },
}

Call = tuple[str, str, tuple[Any, ...], dict[str, Any]]  # (module, function, args, kwargs)


def requests() -> list[dict[str, Any]]:
    """Every request document: corpus events and traces, the shared goldens (adversarial included) and
    tests/goldens. Empty when the shared corpus is absent (the checked-in goldens are then used alone)."""
    out: list[dict[str, Any]] = []
    paths: list[Path] = []
    if conformance.HAVE_CORPUS:
        paths += sorted((CORPUS / "events").glob("*.json")) + sorted((CORPUS / "traces").glob("*.json"))
    for p in paths:
        case = conformance.load_case(p)
        out.append({"event_type": case["event_type"], "data": case["data"]})
    if conformance.HAVE_CORPUS:
        for p in conformance.golden_files() + conformance.adversarial_files():
            req = conformance.load_case(p).get("request")
            if type(req) is dict:
                out.append({k: v for k, v in req.items() if k != "options"})
    for p in sorted((ROOT / "tests" / "goldens" / "requests").glob("*.json")):
        req = json.loads(p.read_text("utf-8"))
        if type(req) is dict:
            out.append({k: v for k, v in req.items() if k != "options"})
    # The goldens hold each request under several option sets: keep one copy (the options are ours).
    unique: dict[bytes, dict[str, Any]] = {}
    for doc in out:
        unique.setdefault(conformance.request_bytes(doc), doc)
    return list(unique.values())


def _pure_modules() -> list[Any]:
    from textrepr import renderers

    return [importlib.import_module(f"textrepr.render.{m}") for m in renderers.MODULES]


@contextmanager
def _recording(targets: dict[str, tuple[str, ...]], calls: list[Call]) -> Iterator[None]:
    """Wrap every reference to the target functions in the pure renderer modules."""
    mods = _pure_modules()
    saved: list[tuple[Any, str, Any]] = []
    for mod_name, names in targets.items():
        home = sys.modules[f"textrepr.render.{mod_name}"]
        for name in names:
            f = getattr(home, name)

            def wrapper(*a: Any, _m: str = mod_name, _n: str = name, _f: Callable[..., Any] = f,
                        **k: Any) -> Any:
                calls.append((_m, _n, a, k))
                return _f(*a, **k)

            for mod in mods:
                if getattr(mod, name, None) is f:
                    saved.append((mod, name, f))
                    setattr(mod, name, wrapper)
    try:
        yield
    finally:
        for mod, name, f in reversed(saved):
            setattr(mod, name, f)


def _render(doc: dict[str, Any]) -> None:
    """What textrepr.text_repr does with a request, through the pure renderers."""
    from textrepr.render.event import event_lines
    from textrepr.render.trace import render_trace_lines

    event_type, data, o = api.validate_request(api._as_document(conformance.request_bytes(doc)))
    if event_type == "$ai_trace":
        api.check_trace(data)
        api.prepare_data(data, o, None, True)
        api._guard(lambda: render_trace_lines(data["trace"], data["hierarchy"], o))
    else:
        api.check_event(event_type, data)
        api.prepare_data(data, o, None, False)
        props = data.get("properties", {})
        if type(props) is not dict:
            props = {}
        api._guard(lambda: event_lines(api._event_kind(data, event_type), props, o))


_CACHE: dict[str, list[Call]] = {}


def recorded(group: str, sets: tuple[str, ...] = tuple(OPTION_SETS)) -> list[Call]:
    """The calls of ``group``'s functions made while rendering every request under the option sets
    ``sets`` (default: all)."""
    key = f"{group}:{','.join(sets)}"
    if key in _CACHE:
        return _CACHE[key]
    docs = requests()
    calls: list[Call] = []
    spec = GROUPS[group]
    for i, name in enumerate(sets):
        opts = OPTION_SETS[name]
        targets = {m: names for m, (names, by_options) in spec.items() if by_options or i == 0}
        with _recording(targets, calls):
            for doc in docs:
                try:
                    _render({**doc, "options": opts})
                except InvalidRequest:
                    pass
    _CACHE[key] = calls
    return calls
