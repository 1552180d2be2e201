from typing import Any, Callable

from .options import Options

__all__ = ["event_body", "parse_request"]

def event_body(doc: Any, usual: Callable[[Options], bool]) -> dict[str, Any] | None: ...
def parse_request(raw: bytes, usual: Callable[[Options], bool]) -> tuple[Any, dict[str, Any] | None]: ...
