"""Type stub of the compiled redaction scan (``_redact_scan.pyx``); the pure twin is ``_redact_scan_py.py``."""
from typing import Any, Callable

__all__ = ["PRE_SECRETS", "PRE_PII", "PRE_ALL", "prefilter", "walk_value"]

PRE_SECRETS: int
PRE_PII: int
PRE_ALL: int

def prefilter(s: str, flags: int) -> bool: ...
def walk_value(root: Any, secret_list: bool, flags: int, secret_key: Callable[[str], bool] | None,
               secret: Callable[[str], str], holders: list[Any], slots: list[Any], key_dicts: list[Any]) -> None: ...
