"""Typed twin of ``textrepr.render.error_body`` (issue 16)."""
from typing import Any

NO_DETAILS: str

def error_body_lines(err: Any) -> list[str]: ...
