"""Constants and small helpers shared by every renderer (FORMAT.md §1.1)."""
from __future__ import annotations

from ..core import trunc as _trunc
from ..options import Options

SEP = "-" * 80
EQ = "=" * 80


def tr(s: str, o: Options) -> list[str]:
    """``trunc(s)`` of FORMAT.md §4.16 under options ``o``."""
    return _trunc(s, o.truncated, o.truncate_buffer, o.include_markers)
