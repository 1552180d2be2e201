"""Type stub of the compiled redaction scan (``_redact_scan.pyx``); the pure twin is ``_redact_scan_py.py``."""
from typing import Any, Callable

__all__ = [
    "PRE_SECRETS", "PRE_PII", "PRE_ALL", "K_AT_START", "K_AWS", "K_URL", "K_EMAIL", "K_V6", "K_NUM",
    "prefilter", "prefilter_pays", "triggers", "walk_value", "collect_keys",
]

PRE_SECRETS: int
PRE_PII: int
PRE_ALL: int
K_AT_START: int
K_AWS: int
K_URL: int
K_EMAIL: int
K_V6: int
K_NUM: int

def prefilter_pays() -> bool: ...
def prefilter(s: str, flags: int) -> bool: ...
def triggers(big: str, flags: int, words: tuple[str, ...]) -> list[tuple[int, int, int]]: ...
def walk_value(root: Any, secret_list: bool, flags: int, secret_key: Callable[[str], bool] | None,
               secret: Callable[[str], str], holders: list[Any], slots: list[Any], key_dicts: list[Any],
               skip: Any = ...) -> None: ...
def collect_keys(key_dicts: list[dict], key_exempt: list[Any], flags: int, texts: list[str],
                 key_owner: list[int]) -> None: ...
def _set_simd(level: int) -> int: ...
