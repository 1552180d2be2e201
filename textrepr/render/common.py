"""Constants and small helpers shared by every renderer (FORMAT.md §1.1)."""
from __future__ import annotations

from threading import get_ident

from ..core import trunc as _trunc
from ..options import Options
from ..sink import SINKS

SEP = "-" * 80
EQ = "=" * 80


def tr(s: str, o: Options) -> list[str]:
    """``trunc(s)`` of FORMAT.md §4.16 under options ``o`` (or, while textrepr.fit records a template on
    this thread, a placeholder for ``s``)."""
    if SINKS:
        sink = SINKS.get(get_ident())
        if sink is not None:
            return [sink(s)]
    return _trunc(s, o.truncated, o.truncate_buffer, o.include_markers)
