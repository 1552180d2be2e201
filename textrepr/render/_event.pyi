"""Typed twin of ``textrepr.render.event`` (issue 16)."""
from typing import Any

from ..options import Options

EVENT_KINDS: tuple[str, ...]

def event_lines(kind: str, props: dict[str, Any], o: Options) -> list[str]: ...
def event_text(kind: str, props: dict[str, Any], o: Options) -> str: ...
