"""Exact BPE token counts for tests and benchmarks: tiktoken with the rank files of ../shared/tokenizers.

``encodings()`` returns {name: encode_ordinary-based counter} or raises ``Unavailable`` with one clear reason
(tiktoken not installed, or the shared folder absent). The library never uses this module.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from typing import Callable

from conformance import NO_CORPUS, SHARED

TOKENIZERS = SHARED / "tokenizers"
NAMES = ("o200k_base", "cl100k_base")


class Unavailable(Exception):
    """Why exact counts cannot be had here."""


@cache
def encodings() -> dict[str, Callable[[str], int]]:
    try:
        import tiktoken
    except ImportError as e:
        raise Unavailable(f"tiktoken is not installed ({e})") from None
    if not SHARED.is_dir():
        raise Unavailable(NO_CORPUS)  # the one reason every test that needs ../shared gives
    missing = [n for n in NAMES if not (TOKENIZERS / f"{n}.tiktoken").is_file()]
    if missing:
        raise Unavailable(f"no rank files for {', '.join(missing)} in {TOKENIZERS}")
    cache_dir = tempfile.mkdtemp(prefix="textrepr-tiktoken-")
    for name in NAMES:
        url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
        os.symlink(TOKENIZERS / f"{name}.tiktoken", os.path.join(cache_dir, hashlib.sha1(url.encode()).hexdigest()))
    old = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = cache_dir
    try:
        encs = {name: tiktoken.get_encoding(name) for name in NAMES}
    finally:
        if old is None:
            del os.environ["TIKTOKEN_CACHE_DIR"]
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = old
    return {name: (lambda e: lambda s: len(e.encode_ordinary(s)))(enc) for name, enc in encs.items()}
