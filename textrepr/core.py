"""Selects the hot core: the compiled extension, or its pure-Python twin.

The twin is used when the extension is missing or ``TEXTREPR_NO_EXTENSIONS`` is set to a non-empty
value other than ``0``.
"""
from __future__ import annotations

import os

if os.environ.get("TEXTREPR_NO_EXTENSIONS", "") not in ("", "0"):
    from ._core_py import *  # noqa: F403
    from ._core_py import __all__  # noqa: F401

    IMPLEMENTATION = "pure"
else:
    try:
        from ._core import *  # type: ignore[import-not-found]  # noqa: F403
        from ._core import __all__  # type: ignore[import-not-found]  # noqa: F401

        IMPLEMENTATION = "compiled"
    except ImportError:
        from ._core_py import *  # noqa: F403
        from ._core_py import __all__  # noqa: F401

        IMPLEMENTATION = "pure"
