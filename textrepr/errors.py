"""Exception types of the API contract (FORMAT.md §2.1)."""
from __future__ import annotations

from typing import Any

from .core import jdump

__all__ = ["InvalidRequest", "RenderError"]


class InvalidRequest(ValueError):
    """The endpoint's 400 answer. ``body`` is exactly the endpoint's JSON body."""

    status = 400

    def __init__(self, body: Any) -> None:
        self.body = body
        super().__init__(body)

    def __str__(self) -> str:
        return jdump(self.body)  # json.dumps(body, ensure_ascii=False), compiled

    def __repr__(self) -> str:
        return f"InvalidRequest({self.body!r})"


class RenderError(Exception):
    """The endpoint's 500 answer; kept so callers can catch a uniform family.

    textrepr never raises it for JSON input (FORMAT.md §2.1)."""

    status = 500
    body = {"error": "Internal server error", "detail": "Failed to generate text representation"}

    def __str__(self) -> str:
        return jdump(self.body)  # json.dumps(body, ensure_ascii=False), compiled


def json_parse_error(reason: str) -> InvalidRequest:
    """The §2.1 body for anything the JSON layer rejects."""
    return InvalidRequest({"detail": f"JSON parse error - {reason}"})
