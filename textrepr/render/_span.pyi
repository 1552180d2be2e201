"""Typed twin of ``textrepr.render.span`` (issue 16)."""
from typing import Any

from ..options import Options

AGENT_KEYS: tuple[str, ...]

def lc_keyed_lines(state: dict[str, Any], o: Options) -> list[str]: ...
def state_body(state: Any, o: Options) -> list[str]: ...
def render_span(props: dict[str, Any], o: Options) -> list[str]: ...
