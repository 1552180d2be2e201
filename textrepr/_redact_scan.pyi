"""Type stub of the compiled redaction scan (``_redact_scan.pyx``); the pure twin is ``_redact_scan_py.py``."""
from typing import Any, Callable, Optional, Tuple

Walked = Tuple[int, list, list, list, list, Optional[dict]]

__all__ = [
    "PRE_SECRETS", "PRE_PII", "PRE_ALL", "PRE_STARTS", "K_AT_START", "K_AWS", "K_URL", "K_EMAIL", "K_V6", "K_NUM",
    "SECRET_MARKER", "MIN_MATCH", "prefilter", "prefilter_pays", "raw_clean", "triggers", "starts", "starts_of",
    "is_secret", "walk_value", "walk_event", "keys_of",
]

PRE_SECRETS: int
PRE_PII: int
PRE_ALL: int
PRE_STARTS: int
K_AT_START: int
K_AWS: int
K_URL: int
K_EMAIL: int
K_V6: int
K_NUM: int
SECRET_MARKER: str
MIN_MATCH: int

def prefilter_pays() -> bool: ...
def prefilter(s: str, flags: int) -> bool: ...
def raw_clean(raw: bytes, flags: int) -> bool: ...
def triggers(big: str, flags: int, words: tuple[str, ...]) -> list[tuple[int, int, int]]: ...
def starts(s: str, flags: int, words: tuple[str, ...]) -> list[int]: ...
def starts_of(s: str, found: list[tuple[int, int, int]]) -> list[int]: ...
def is_secret(known: dict[Any, bool], secret_key: Callable[[str], bool] | None, k: Any) -> bool: ...
def walk_value(root: Any, secret_list: bool, flags: int, known: dict[Any, bool],
               secret_key: Callable[[str], bool] | None, holders: list[Any], slots: list[Any],
               key_holders: list[dict], key_texts: list[str], skip: Any = ..., exempt: Any = ...,
               found: dict[int, list[int]] | None = ...) -> int: ...
def walk_event(ev: dict, flags: int, known: dict[Any, bool], secret_key: Callable[[str], bool] | None,
               skips: tuple[Any, Any], exempt: Any, prop_exempt: Any) -> Walked | None: ...
def keys_of(d: dict, exempt: Any, flags: int, key_holders: list[dict], key_texts: list[str],
            found: dict[int, list[int]] | None = ...) -> None: ...
def _set_simd(level: int) -> int: ...
