"""Selects the redaction prefilter and walk: the compiled ``_redact_scan``, or its pure twin
``_redact_scan_py`` (with ``TEXTREPR_NO_EXTENSIONS`` set, or when the extension is missing), like
``textrepr.core``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._twins import export, select

if TYPE_CHECKING:  # both twins define the same names, with the same types
    from ._redact_scan_py import *  # noqa: F403

_impl, IMPLEMENTATION = select("_redact_scan", "_redact_scan_py")
__all__ = export(globals(), _impl)
