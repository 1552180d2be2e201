"""JSON input layer (FORMAT.md §2.1). TEMPORARY STUB — being replaced by the full implementation."""
from __future__ import annotations

import json
from typing import Any

import orjson

from .errors import json_parse_error


def load_json(raw: bytes | str) -> Any:
    if not raw:
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise json_parse_error(str(e)) from None


def from_python(obj: Any) -> Any:
    return obj


def loads_strict(s: str) -> tuple[bool, Any]:
    try:
        return True, orjson.loads(s)
    except orjson.JSONDecodeError:
        return False, None


def loads_loose(s: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(s)
    except (ValueError, RecursionError):
        return False, None
