"""Build script: compiles the Cython core when possible, else installs the pure-Python twin.

``TEXTREPR_REQUIRE_EXTENSIONS=1`` turns a failed build into an error (CI sets it);
``TEXTREPR_NO_EXTENSIONS=1`` skips the build entirely.
"""
from __future__ import annotations

import os
import sys
import warnings

from setuptools import setup
from setuptools.command.build_ext import build_ext

REQUIRE = os.environ.get("TEXTREPR_REQUIRE_EXTENSIONS", "") not in ("", "0")
SKIP = os.environ.get("TEXTREPR_NO_EXTENSIONS", "") not in ("", "0")
EXT_SOURCES = {"textrepr._core": "textrepr/_core.pyx"}


class OptionalBuildExt(build_ext):
    """Falls back to pure Python (with a warning) when a compiler is missing, unless required."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as e:  # compiler missing or broken
            self._fail(e)

    def build_extension(self, ext) -> None:  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as e:
            self._fail(e)

    def _fail(self, e: Exception) -> None:
        if REQUIRE:
            raise
        warnings.warn(f"textrepr: compiled core not built ({e}); using the pure-Python twin", stacklevel=1)
        print(f"WARNING: textrepr compiled core not built: {e}", file=sys.stderr)


def extensions() -> list:
    if SKIP or not all(os.path.exists(p) for p in EXT_SOURCES.values()):
        return []
    try:
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError as e:
        if REQUIRE:
            raise
        print(f"WARNING: Cython unavailable ({e}); using the pure-Python twin", file=sys.stderr)
        return []
    exts = [Extension(name, [src], extra_compile_args=["-O2"]) for name, src in EXT_SOURCES.items()]
    return cythonize(exts, language_level=3, compiler_directives={"boundscheck": False, "wraparound": False})


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
