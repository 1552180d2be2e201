from typing import Any, Callable

from .options import Options

__all__ = ["event_body"]

def event_body(doc: Any, usual: Callable[[Options], bool]) -> dict[str, Any] | None: ...
