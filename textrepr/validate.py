"""Request validation: field-keyed request checks (§3.2) and the view checks (§3.3)."""
from __future__ import annotations

from typing import Any

from .errors import InvalidRequest
from .options import Options, _non_dict_message, request_options
from .render.values import int_str

__all__ = ["EVENT_TYPES", "validate_request", "check_event", "check_trace", "event_id"]

EVENT_TYPES = ("$ai_generation", "$ai_span", "$ai_embedding", "$ai_trace")
_REQUIRED = "This field is required."
_NULL = "This field may not be null."
_ABSENT = object()


def _py_str(v: Any) -> str:
    """Python ``str()`` as the reference's choice field formats a value (reprs for containers)."""
    t = type(v)
    if t is int:
        return int_str(v)
    if t is list or t is dict:
        try:
            return str(v)
        except (ValueError, RecursionError):  # a huge int inside, or nesting past the recursion limit
            return _py_repr(v)
    return str(v)


def _py_repr(v: Any) -> str:
    """Python ``repr()`` of a JSON container, without recursion and without the int-digit limit."""
    out: list[str] = []
    # Stack items: values to print, or literal text wrapped in a 1-tuple (JSON data holds no tuples).
    stack: list[Any] = [v]
    while stack:
        x = stack.pop()
        t = type(x)
        if t is tuple:
            out.append(x[0])
        elif t is list:
            stack.append(("]",))
            for i in range(len(x) - 1, -1, -1):
                stack.append(x[i])
                if i:
                    stack.append((", ",))
            stack.append(("[",))
        elif t is dict:
            items = list(x.items())
            stack.append(("}",))
            for i in range(len(items) - 1, -1, -1):
                k, y = items[i]
                stack.append(y)
                stack.append((repr(k) + ": ",))
                if i:
                    stack.append((", ",))
            stack.append(("{",))
        elif t is int:
            out.append(int_str(x))
        else:
            out.append(repr(x))
    return "".join(out)


def validate_request(doc: Any) -> tuple[str, Any, Options]:
    """§3.2 checks of a parsed request: ``(event_type, data, options)`` or InvalidRequest."""
    if doc is None:
        raise InvalidRequest({"non_field_errors": ["No data provided"]})
    if type(doc) is not dict:
        raise InvalidRequest({"non_field_errors": [_non_dict_message(doc)]})
    errors: dict[str, Any] = {}
    event_type = doc.get("event_type")
    if type(event_type) is not str or event_type not in EVENT_TYPES:
        errors["event_type"] = [_event_type_error(doc, event_type)]
    data = doc.get("data")
    if data is None:
        errors["data"] = [_NULL if "data" in doc else _REQUIRED]
    o: Options | None = None
    raw = doc.get("options", _ABSENT)
    if raw is _ABSENT or type(raw) is dict:
        o, opt_errors = request_options({} if raw is _ABSENT else raw)
        if opt_errors:
            errors["options"] = opt_errors
    elif raw is None:
        errors["options"] = [_NULL]
    else:
        errors["options"] = {"non_field_errors": [_non_dict_message(raw)]}
    if errors or o is None:
        raise InvalidRequest(errors)
    return event_type, data, o


def _event_type_error(doc: dict[str, Any], event_type: Any) -> str:
    """The message for a missing, null or unknown ``event_type``."""
    if "event_type" not in doc:
        return _REQUIRED
    if event_type is None:
        return _NULL
    # str() of any non-string JSON value is never a valid choice, so this covers every type.
    name = event_type if type(event_type) is str else _py_str(event_type)
    return f'"{name}" is not a valid choice.'



def _trace_id(trace: dict[str, Any]) -> Any:
    props = trace.get("properties", {})
    return (type(props) is dict and props.get("$ai_trace_id")) or trace.get("id") or trace.get("trace_id")


TRACE_SHAPE = "Trace events require 'trace' object and 'hierarchy' array in data field"
TRACE_PROPERTIES = "Trace events require 'properties' object in trace field"
TRACE_ID = "Trace events require an ID (trace.id or trace.properties.$ai_trace_id)"


def check_trace(data: Any) -> None:
    """§3.3 checks for ``$ai_trace`` requests."""
    if type(data) is not dict or not data.get("trace"):
        raise InvalidRequest([TRACE_SHAPE])
    check_trace_parts(data["trace"], data.get("hierarchy"))
    if not _trace_id(data["trace"]):
        raise InvalidRequest([TRACE_ID])


def check_trace_parts(trace: Any, hierarchy: Any) -> None:
    """The shape checks that ``render_trace`` also applies (an empty trace and no ID are fine there)."""
    if type(trace) is not dict or type(hierarchy) is not list:
        raise InvalidRequest([TRACE_SHAPE])
    if "properties" in trace and type(trace["properties"]) is not dict:
        raise InvalidRequest([TRACE_PROPERTIES])


def _uuid_id(data: dict[str, Any]) -> bool:
    """D19: a missing ``id`` with a non-empty string ``uuid`` (capture and batch-export shape) passes."""
    u = data.get("uuid")
    return "id" not in data and type(u) is str and u != ""


def event_id(data: dict[str, Any]) -> Any:
    """§4.20 ``metadata.event_id``: the id, or (D19) the ``uuid`` standing in for a missing one; else None."""
    return data.get("id") or (data["uuid"] if _uuid_id(data) else None)


def check_event(event_type: str, data: Any, *, require_id: bool = True, require_properties: bool = True) -> None:
    """§3.3 checks for single events; ``<type>`` in messages is the request's event_type."""
    if type(data) is not dict or (require_properties and "properties" not in data):
        raise InvalidRequest([_missing_properties(event_type)])
    if require_id and not data.get("id") and not _uuid_id(data):
        raise InvalidRequest([f"{event_type} events require an 'id' field"])
    if "properties" in data and type(data["properties"]) is not dict:
        raise InvalidRequest([_missing_properties(event_type)])


def _missing_properties(event_type: str) -> str:
    return f"{event_type} events require 'properties' object in data field"
