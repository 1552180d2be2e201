"""Build script: compiles the Cython core and renderers when possible, else installs the pure-Python twins.

The core is ``textrepr/_core.pyx`` (twin: ``_core_py.py``). The hot renderers have typed twins
``textrepr/render/_<name>.pyx`` beside their pure modules ``<name>.py`` (``textrepr.renderers`` selects). The redaction scan is ``textrepr/_redact_scan.pyx`` (twin:
``_redact_scan_py.py``; ``textrepr.redact_scan`` selects).

``TEXTREPR_REQUIRE_EXTENSIONS=1`` turns a failed build (no Cython, no compiler, a compile error) into an
error (CI sets it); ``TEXTREPR_NO_EXTENSIONS=1`` skips the build entirely. Otherwise a failure prints a
warning and the install goes on with the pure twin, which ``textrepr.core`` then selects.
"""
from __future__ import annotations

import glob
import os
import sys
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

REQUIRE = os.environ.get("TEXTREPR_REQUIRE_EXTENSIONS", "") not in ("", "0")
SKIP = os.environ.get("TEXTREPR_NO_EXTENSIONS", "") not in ("", "0")
CORE_SOURCES = {"textrepr._core": "textrepr/_core.pyx", "textrepr._tokens": "textrepr/_tokens.pyx",
                "textrepr._fit": "textrepr/_fit.pyx"}
# The redaction prefilter and walk (twin: ``_redact_scan_py.py``); its C file goes to build/ (issue 14).
SCAN_SOURCES = {"textrepr._redact_scan": "textrepr/_redact_scan.pyx"}
# Typed Cython twins of the hot renderers (issue 16): textrepr/render/_<name>.pyx beside <name>.py.
TYPED_SOURCES = {
    f"textrepr.render.{os.path.basename(p)[:-4]}": p for p in sorted(glob.glob("textrepr/render/_*.pyx"))
}
# The usual request's glue (issue 16): textrepr/_request.pyx beside _request_py.py; built as the typed twins.
TYPED_SOURCES["textrepr._request"] = "textrepr/_request.pyx"
DIRECTIVES = {"language_level": 3, "boundscheck": False, "wraparound": False, "cdivision": True}


def _warn(what: str, e: BaseException) -> None:
    print(f"WARNING: textrepr extensions not built ({what}: {e}); the pure-Python twins will be used",
          file=sys.stderr)


class OptionalBuildExt(build_ext):
    """Falls back to pure Python (with a warning) when the build fails, unless it is required."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as e:  # compiler missing or broken
            if REQUIRE:
                raise
            _warn("build_ext", e)

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except Exception as e:
            if REQUIRE:
                raise
            _warn(ext.name, e)


def extensions() -> list[Extension]:
    if SKIP or not all(os.path.exists(p) for p in CORE_SOURCES.values()):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError as e:
        if REQUIRE:
            raise
        _warn("Cython unavailable", e)
        return []
    args = ["-O3"] if os.name != "nt" else []
    core = [Extension(n, [src], extra_compile_args=args) for n, src in CORE_SOURCES.items()]
    scan = [Extension(n, [src], extra_compile_args=args, include_dirs=["textrepr"],
                      depends=["textrepr/_redact_simd.h"]) for n, src in SCAN_SOURCES.items()]
    typed = [Extension(n, [src], extra_compile_args=args) for n, src in TYPED_SOURCES.items()]
    try:
        # The scan's and the typed renderers' C files go to build/: textrepr/render/ holds only sources.
        return (cythonize(core, compiler_directives=DIRECTIVES)
                + cythonize(scan, compiler_directives=DIRECTIVES, build_dir="build/cython")
                + cythonize(typed, compiler_directives=DIRECTIVES, build_dir="build/cython"))
    except Exception as e:  # Cython compile error
        if REQUIRE:
            raise
        _warn("cythonize", e)
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
