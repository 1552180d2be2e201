"""Selects the hot core: the compiled extension, or its pure-Python twin.

The twin is used when the extension is missing or ``TEXTREPR_NO_EXTENSIONS`` is set to a non-empty
value other than ``0``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._twins import export, select

if TYPE_CHECKING:  # both twins define the same names, with the same types
    from ._core_py import *  # noqa: F403

_impl, IMPLEMENTATION = select("_core", "_core_py")
__all__ = export(globals(), _impl)
