"""Selects the usual request's glue (``event_body``): the compiled ``_request`` or its pure twin
``_request_py``, as the core is selected."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._twins import export, select

if TYPE_CHECKING:  # both twins define the same names, with the same types
    from ._request_py import *  # noqa: F403

_impl, IMPLEMENTATION = select("_request", "_request_py")
__all__ = export(globals(), _impl)
