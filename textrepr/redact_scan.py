"""Selects the redaction prefilter and walk: the compiled ``_redact_scan``, or its pure twin
``_redact_scan_py`` (with ``TEXTREPR_NO_EXTENSIONS`` set, or when the extension is missing), like
``textrepr.core``."""
from __future__ import annotations

import os

if os.environ.get("TEXTREPR_NO_EXTENSIONS", "") not in ("", "0"):
    from ._redact_scan_py import *  # noqa: F403
    from ._redact_scan_py import __all__  # noqa: F401

    IMPLEMENTATION = "pure"
else:
    try:
        from ._redact_scan import *  # type: ignore[import-not-found]  # noqa: F403
        from ._redact_scan import __all__  # type: ignore[import-not-found]  # noqa: F401

        IMPLEMENTATION = "compiled"
    except ImportError:
        from ._redact_scan_py import *  # noqa: F403
        from ._redact_scan_py import __all__  # noqa: F401

        IMPLEMENTATION = "pure"
