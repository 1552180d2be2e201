"""Where the renderers hand their truncatable texts while ``textrepr.fit`` builds a shrinkable template.

``SINKS`` maps a thread id to a function ``text -> placeholder``; ``render.common.tr`` consults it (an
empty dict, the usual case, costs one truth test). It lives outside ``textrepr.render`` so that the
pure and the compiled renderer families share it.
"""
from __future__ import annotations

from typing import Callable

__all__ = ["SINKS"]

SINKS: dict[int, Callable[[str], str]] = {}
