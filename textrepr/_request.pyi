from typing import Any, Callable, TypeVar

from .options import Options
from .redact import Redactor

__all__ = ["event_body", "parse_request"]

T = TypeVar("T")
Usual = Callable[[Options], "bool | Redactor"]
Deep = Callable[[Callable[[], T]], T]

def event_body(doc: Any, usual: Usual, deep: Deep | None = None, raw: bytes | None = None,
               checked: bool = True) -> Any: ...
def parse_request(raw: bytes, usual: Usual, deep: Deep | None = None) -> tuple[Any, dict[str, Any] | None]: ...
