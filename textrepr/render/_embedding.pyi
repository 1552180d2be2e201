from typing import Any

from textrepr.options import Options

__all__ = ["render_embedding"]

def render_embedding(props: dict[str, Any], o: Options) -> list[str]: ...
