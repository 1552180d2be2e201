"""Display and JSON forms of parsed JSON values (FORMAT.md §1.1: disp, json, json2).

They live in the hot core (``textrepr.core``: compiled, or the pure-Python twin); renderers import them
from here.
"""
from __future__ import annotations

from ..core import disp, int_str, jdump, jdump2

__all__ = ["disp", "jdump", "jdump2", "int_str"]
