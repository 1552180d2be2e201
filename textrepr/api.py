"""Public entry points: parse -> validate -> render -> finalise -> number -> sample -> metadata."""
from __future__ import annotations

import dataclasses
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

from . import fit, parse, segments
from .core import assemble
from .errors import InvalidRequest
from .options import Options, shared_options
from .filters import apply_filters, no_filters
from .redact import Redactor, redact_data, resolve
from .renderers import EVENT_KINDS, event_lines, render_trace_lines
from .request import event_body, parse_request
from .validate import check_event, check_trace, check_trace_parts, event_id, validate_request

__all__ = ["Rendering", "text_repr", "render_event", "render_trace", "render_segments", "prepare_data"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rendering:
    """A rendered text and its §4.20 metadata."""

    text: str
    metadata: dict[str, Any]


def _as_document(request: Any) -> Any:
    if type(request) is bytes:  # the usual request
        return parse.load_json(request)
    if isinstance(request, (bytes, bytearray, memoryview, str)):
        return parse.load_json(bytes(request) if not isinstance(request, (bytes, str)) else request)
    return parse.from_python(request)


def _options(options: Any) -> Options:
    if options is None:
        return shared_options({})
    if isinstance(options, Options):
        return options
    return Options.from_mapping(options)


Counter = Callable[[str], int]


def _plain(o: Options) -> bool:
    """Whether ``_finish`` only assembles (no token bound, no shrink-to-fit)."""
    return not o.max_tokens and o.fit == "sample"


def _finish(render: Callable[[], tuple[list[str], list[int] | None]], o: Options,
            counter: Counter | None) -> tuple[str, bool]:
    if not _plain(o):  # a token bound or shrink-to-fit: textrepr.fit
        return fit.finish(render, o, counter)
    lines, node_lines = render()
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
    if redactor is None and _nothing_to_prepare(o):
        return None
    apply_filters(data, o)
    r = resolve(o.redact, redactor)
    if r is None:
        return None
    counts = redact_data(data, r, trace)
    return dict(sorted(counts.items())) if counts else {}


def _nothing_to_prepare(o: Options) -> bool:
    """Whether ``prepare_data`` leaves the data alone with these options (and no ``redactor``)."""
    return o.redact is False and no_filters(o)


def _usual(o: Options) -> bool | Redactor:
    """Whether a request with options ``o`` (and no token counter or redactor) is only rendered and
    assembled: ``_finish`` only assembles, and ``prepare_data`` does nothing (True) or only redacts with
    the built-in rules (their Redactor: the ``redact`` option, no filter). ``request.event_body`` takes such
    event requests on its fast path."""
    if not (no_filters(o) and _plain(o)):  # prepare_data would filter, or _finish would do more than assemble
        return False
    return True if o.redact is False else resolve(o.redact, None)  # type: ignore[return-value]


def _render_event(data: dict[str, Any], kind: str, event_type: str, o: Options,
                  counter: Counter | None = None, redactor: Redactor | None = None) -> Rendering:
    return Rendering(*_event_body(data, kind, event_type, o, counter, redactor))


def _event_body(data: dict[str, Any], kind: str, event_type: str, o: Options, counter: Counter | None,
                redactor: Redactor | None) -> tuple[str, dict[str, Any]]:
    """An event's text and metadata (``_render_event`` without the Rendering, for ``text_repr``)."""
    redactions = prepare_data(data, o, redactor, False)
    props = data.get("properties", {})
    if type(props) is not dict:  # only reachable through render_event's relaxed checks
        props = {}
    if not _plain(o):
        text, truncated = _guard(lambda: _finish(lambda: (event_lines(kind, props, o), None), o, counter))
    else:  # _finish's plain path without its closures (the usual request); the big-stack rerun stays
        try:
            text, truncated = assemble(event_lines(kind, props, o), o.include_markers, o.include_line_numbers,
                                       o.max_length, None)
        except RecursionError:
            text, truncated = _deep(lambda: _finish(lambda: (event_lines(kind, props, o), None), o, counter))
    metadata = {
        "event_type": event_type,
        "event_id": event_id(data),  # render_event accepts a falsy id: then None (§2.2); uuid: D19
        "trace_id": props.get("$ai_trace_id") or data.get("trace_id"),
        "rendering": "detailed",
        "char_count": len(text),
        "truncated": truncated,
    }
    if redactions is not None:
        metadata["redactions"] = redactions
    return text, metadata


def _render_trace(data: dict[str, Any], o: Options, counter: Counter | None = None,
                  redactor: Redactor | None = None) -> Rendering:
    redactions = prepare_data(data, o, redactor, True)
    trace = data["trace"]
    props = trace.get("properties", {})

    def run() -> tuple[str, bool]:
        return _finish(lambda: render_trace_lines(trace, data["hierarchy"], o), o, counter)

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
        return _deep(fn)


def _deep(fn: Callable[[], T]) -> T:
    """Run ``fn`` on a big-stack thread (``_guard``'s rerun)."""
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


def text_repr(request: Mapping[str, Any] | bytes | str, *, token_counter: Counter | None = None,
              redactor: Redactor | None = None) -> dict[str, Any]:
    """The endpoint: a request document (Mapping or JSON) -> its 200 body, or InvalidRequest (400).

    ``token_counter`` counts tokens for ``max_tokens`` (default: ``textrepr.tokens.estimate``);
    ``redactor``: custom redaction rules (overrides the ``redact`` option's built-in sets).
    """
    if type(request) is bytes and token_counter is None and redactor is None:
        doc, body = parse_request(request, _usual, _deep)  # load_json, and the usual event request's body or None
        return body if body is not None else _general(doc, None, None)
    return _respond(_as_document(request), token_counter, redactor)


def _respond(doc: Any, token_counter: Counter | None, redactor: Redactor | None) -> dict[str, Any]:
    """``text_repr`` of a parsed request: a document of plain JSON values (``_as_document``'s result, or a
    fresh one of the same kind; it may be changed in place)."""
    if token_counter is None and redactor is None:
        body = event_body(doc, _usual, _deep)  # the usual event request, or None
        if body is not None:
            return body
    return _general(doc, token_counter, redactor)


def _general(doc: Any, token_counter: Counter | None, redactor: Redactor | None) -> dict[str, Any]:
    """``_respond`` for every request: checks, pre-pass, render, finish, metadata."""
    event_type, data, o = validate_request(doc)
    if event_type == "$ai_trace":
        check_trace(data)
        r = _render_trace(data, o, token_counter, redactor)
        return {"text": r.text, "metadata": r.metadata}
    check_event(event_type, data)
    text, metadata = _event_body(data, _event_kind(data, event_type), event_type, o, token_counter, redactor)
    return {"text": text, "metadata": metadata}


def render_event(event: Any, options: Options | Mapping[str, Any] | None = None, *,
                 token_counter: Counter | None = None, redactor: Redactor | None = None) -> Rendering:
    """Render one event object (the ``data`` of a single-event request)."""
    o = _options(options)
    data = parse.from_python(event)
    ev = data.get("event") if type(data) is dict else None
    kind = ev if type(ev) is str and ev in EVENT_KINDS else "$ai_generation"
    check_event(kind, data, require_id=False, require_properties=False)
    return _render_event(data, kind, kind, o, token_counter, redactor)


def render_trace(trace: Any, hierarchy: Any, options: Options | Mapping[str, Any] | None = None, *,
                 token_counter: Counter | None = None, redactor: Redactor | None = None) -> Rendering:
    """Render a trace object and its hierarchy list."""
    o = _options(options)
    data = parse.from_python({"trace": trace, "hierarchy": hierarchy})
    check_trace_parts(data["trace"], data["hierarchy"])
    return _render_trace(data, o, token_counter, redactor)


def render_segments(request: Mapping[str, Any] | bytes | str, *, max_length: int | None = None,
                    max_tokens: int | None = None, token_counter: Counter | None = None,
                    redactor: Redactor | None = None) -> list[segments.Segment]:
    """The request's full rendering (no bound, no sampling) split into segments within a budget.

    The budget is ``max_length`` characters and/or ``max_tokens`` tokens (``token_counter``, default
    ``textrepr.tokens.estimate``) per segment, header included; a keyword left ``None`` takes the
    request's option of that name. See ``textrepr.segments``. The ``redact`` option and ``redactor``
    apply as for ``text_repr``: redaction runs on the parsed data before anything is rendered or split.
    """
    doc = _as_document(request)
    event_type, data, o = validate_request(doc)
    b = fit.Budget(o.max_length if max_length is None else _bound("max_length", max_length),
                   o.max_tokens if max_tokens is None else _bound("max_tokens", max_tokens),
                   token_counter or fit.estimate)
    full = dataclasses.replace(o, max_length=0, max_tokens=0, include_line_numbers=False, fit="sample")
    if event_type == "$ai_trace":
        check_trace(data)
        prepare_data(data, o, redactor, True)
        lines, node_lines = _guard(lambda: render_trace_lines(data["trace"], data["hierarchy"], full))
    else:
        check_event(event_type, data)
        prepare_data(data, o, redactor, False)
        props = data.get("properties", {})
        lines, node_lines = _guard(lambda: event_lines(_event_kind(data, event_type), props, full)), []
    text, _ = assemble(lines, full.include_markers, False, 0, None)
    title = next((x for x in text.split("\n", 8) if x.strip("-= ")), event_type)
    return segments.split(text, node_lines, title, b)


def _bound(name: str, v: Any) -> int:
    if type(v) is not int or v < 0:
        raise InvalidRequest({name: ["Ensure this value is an integer greater than or equal to 0."]})
    return v
