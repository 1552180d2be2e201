"""How low can a renderer over Python objects go? A lower bound for issue 3's targets.

``walk(doc)`` visits every value of a parsed document and joins its keys and strings with newlines: the
least any renderer that reads orjson's objects must do — no formatting, truncation, markers, numbering,
sampling or validation. ``report.py`` times ``orjson.loads`` + ``walk`` against ``orjson.loads`` alone,
with ``walk`` run as Python and compiled by Cython from this very file (``compiled_walk``; the annotations
type its locals), beside ``orjson.dumps(orjson.loads(x))``, the fastest re-serialisation there is.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any, Callable


def walk(doc: object) -> str:
    out: list = []
    stack: list = [doc]
    v: object
    x: object
    while stack:
        v = stack.pop()
        if type(v) is dict:
            d: dict = v  # type: ignore[assignment]
            for k, x in d.items():
                out.append(k)
                if type(x) is str:
                    out.append(x)
                elif type(x) is dict or type(x) is list:
                    stack.append(x)
        elif type(v) is list:
            items: list = v  # type: ignore[assignment]
            for x in items:
                if type(x) is str:
                    out.append(x)
                elif type(x) is dict or type(x) is list:
                    stack.append(x)
    return "\n".join(out)


_BUILD = """
from setuptools import Extension, setup
from Cython.Build import cythonize
setup(ext_modules=cythonize([Extension("lb_walk", ["lb_walk.py"], extra_compile_args=["-O3"])],
      compiler_directives={"language_level": 3, "annotation_typing": True}),
      script_args=["build_ext", "--inplace"])
"""


def compiled_walk() -> tuple[Callable[[Any], str] | None, str]:
    """``walk`` compiled by Cython into a temporary directory: (function, "") or (None, why not)."""
    tmp = Path(tempfile.mkdtemp(prefix="textrepr-lb-"))
    try:
        shutil.copy(__file__, tmp / "lb_walk.py")
        r = subprocess.run([sys.executable, "-c", _BUILD], cwd=tmp, capture_output=True, text=True, timeout=600)
        built = sorted(tmp.glob("lb_walk*.so")) + sorted(tmp.glob("lb_walk*.pyd"))
        if r.returncode or not built:
            return None, (r.stderr.strip().splitlines() or ["no extension built"])[-1]
        spec = importlib.util.spec_from_file_location("lb_walk", built[0])
        assert spec is not None and spec.loader is not None
        mod: ModuleType = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod.walk, ""
    except (OSError, subprocess.SubprocessError, ImportError) as e:
        return None, str(e)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
