"""Public entry points: parse -> validate -> render -> finalise -> number -> sample -> metadata."""
from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

from . import parse
from .core import assemble
from .errors import InvalidRequest
from .options import Options, shared_options
from .filters import apply_filters
from .redact import Redactor, redact_data, resolve
from .renderers import EVENT_KINDS, event_lines, render_trace_lines
from .validate import check_event, check_trace, check_trace_parts, validate_request

__all__ = ["Rendering", "text_repr", "render_event", "render_trace", "prepare_data"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rendering:
    """A rendered text and its §4.20 metadata."""

    text: str
    metadata: dict[str, Any]


def _as_document(request: Any) -> Any:
    if isinstance(request, (bytes, bytearray, memoryview, str)):
        return parse.load_json(bytes(request) if not isinstance(request, (bytes, str)) else request)
    return parse.from_python(request)


def _options(options: Any) -> Options:
    if options is None:
        return shared_options({})
    if isinstance(options, Options):
        return options
    return Options.from_mapping(options)


def _finish(lines: list[str], o: Options, node_lines: list[int] | None) -> tuple[str, bool]:
    # finalise -> number_lines -> sample in one pass that builds only the lines sampling keeps.
    return assemble(lines, o.include_markers, o.include_line_numbers, o.max_length, node_lines)


def _event_kind(data: dict[str, Any], event_type: str) -> str:
    ev = data.get("event")
    if type(ev) is str:
        return ev if ev in EVENT_KINDS else "$ai_generation"
    return event_type


def prepare_data(data: Any, o: Options, redactor: Redactor | None, trace: bool) -> dict[str, int] | None:
    """The pre-pass of issue 14 on a request's freshly parsed ``data`` (a single event's object, or
    ``{"trace", "hierarchy"}``), in place, before anything is rendered, cut or encoded: the content
    filters (``include_reasoning``, ``include_system``), then redaction. The ``redactor`` keyword wins over
    the ``redact`` option. Returns the counts per rule (sorted by rule name) for ``metadata.redactions``,
    or None when redaction is off."""
    apply_filters(data, o)
    r = resolve(o.redact, redactor)
    if r is None:
        return None
    counts = redact_data(data, r, trace)
    return dict(sorted(counts.items())) if counts else {}


def _render_event(data: dict[str, Any], kind: str, event_type: str, o: Options,
                  redactor: Redactor | None = None) -> Rendering:
    redactions = prepare_data(data, o, redactor, False)
    props = data.get("properties", {})
    if type(props) is not dict:  # only reachable through render_event's relaxed checks
        props = {}
    text, truncated = _guard(lambda: _finish(event_lines(kind, props, o), o, None))
    metadata = {
        "event_type": event_type,
        "event_id": data.get("id") or None,  # render_event accepts a falsy id: then None (§2.2)
        "trace_id": props.get("$ai_trace_id") or data.get("trace_id"),
        "rendering": "detailed",
        "char_count": len(text),
        "truncated": truncated,
    }
    if redactions is not None:
        metadata["redactions"] = redactions
    return Rendering(text, metadata)


def _render_trace(data: dict[str, Any], o: Options, redactor: Redactor | None = None) -> Rendering:
    redactions = prepare_data(data, o, redactor, True)
    trace = data["trace"]
    props = trace.get("properties", {})

    def run() -> tuple[str, bool]:
        lines, node_lines = render_trace_lines(trace, data["hierarchy"], o)
        return _finish(lines, o, node_lines)

    text, truncated = _guard(run)
    metadata = {
        "event_type": "$ai_trace",
        "event_id": data.get("id"),
        "trace_id": props.get("$ai_trace_id") or trace.get("id") or trace.get("trace_id"),
        "rendering": "detailed",
        "char_count": len(text),
        "truncated": truncated,
    }
    if redactions is not None:
        metadata["redactions"] = redactions
    return Rendering(text, metadata)


_deep_lock = threading.Lock()


def _guard(fn: Callable[[], T]) -> T:
    """Run ``fn``; if data nesting exhausts the recursion limit, rerun it on a big-stack thread.

    Input depth is bounded (1024 levels) so the rerun always finishes; the raised limit is restored after.
    """
    try:
        return fn()
    except RecursionError:
        pass
    result: list[Any] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except BaseException as e:  # re-raised in the caller's thread
            error.append(e)

    with _deep_lock:
        old_limit = sys.getrecursionlimit()
        old_stack = threading.stack_size()
        try:
            sys.setrecursionlimit(max(old_limit, 200_000))
            threading.stack_size(1 << 29)
            t = threading.Thread(target=target, name="textrepr-deep")
            t.start()
            t.join()
        finally:
            threading.stack_size(old_stack)
            sys.setrecursionlimit(old_limit)
    if error:
        raise error[0]
    return result[0]


def text_repr(request: Mapping[str, Any] | bytes | str, *, redactor: Redactor | None = None) -> dict[str, Any]:
    """The endpoint: a request document (Mapping or JSON) -> its 200 body, or InvalidRequest (400).
    ``redactor``: custom redaction rules (overrides the ``redact`` option's built-in sets)."""
    doc = _as_document(request)
    event_type, data, o = validate_request(doc)
    if event_type == "$ai_trace":
        check_trace(data)
        r = _render_trace(data, o, redactor)
    else:
        check_event(event_type, data)
        r = _render_event(data, _event_kind(data, event_type), event_type, o, redactor)
    return {"text": r.text, "metadata": r.metadata}


def render_event(event: Any, options: Options | Mapping[str, Any] | None = None, *,
                 redactor: Redactor | None = None) -> Rendering:
    """Render one event object (the ``data`` of a single-event request)."""
    o = _options(options)
    data = parse.from_python(event)
    ev = data.get("event") if type(data) is dict else None
    kind = ev if type(ev) is str and ev in EVENT_KINDS else "$ai_generation"
    check_event(kind, data, require_id=False, require_properties=False)
    return _render_event(data, kind, kind, o, redactor)


def render_trace(trace: Any, hierarchy: Any, options: Options | Mapping[str, Any] | None = None, *,
                 redactor: Redactor | None = None) -> Rendering:
    """Render a trace object and its hierarchy list."""
    o = _options(options)
    data = parse.from_python({"trace": trace, "hierarchy": hierarchy})
    check_trace_parts(data["trace"], data["hierarchy"])
    return _render_trace(data, o, redactor)
