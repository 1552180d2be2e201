#!/usr/bin/env python3
"""Regenerate the project's own goldens: ``python scripts/update_goldens.py``.

Inputs: the small requests and bare events of ``tests/goldens/requests/`` (one per event kind and per SDK shape
FORMAT.md §1 names, plus traces, errors and invalid requests) and the bundled ``examples/*.json``. Each is
rendered the way ``textrepr FILE`` renders a file (bare events and traces are wrapped into requests) under
every option set of ``OPTION_SETS``. Outputs, in ``tests/goldens/rendered/``:

- ``<case>.txt``: the text, byte for byte (UTF-8), for every case that renders;
- ``index.json``: for every case, its input, options and status, with the metadata (status 200) or the
  400 body.

``tests/test_goldens.py`` checks every case under both implementations. After a deliberate change of the
rendering, rerun this script and review ``git diff tests/goldens``; ``--check`` only reports what would change.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = ROOT / "tests" / "goldens" / "requests"
EXAMPLES = ROOT / "examples"
RENDERED = ROOT / "tests" / "goldens" / "rendered"
INDEX = RENDERED / "index.json"
COMMAND = "python scripts/update_goldens.py"

# name -> options passed as CLI flags would be (they override a request's own options).
OPTION_SETS: dict[str, dict[str, Any]] = {
    "default": {},  # PostHog's UI form: <<<...>>> markers
    "plain": {"include_markers": False},  # what `textrepr FILE` prints at a terminal
    "summary": {"truncated": True, "include_markers": False, "collapsed": True},  # --preset llm-summary
    "numbered": {"include_line_numbers": True, "max_length": 1200, "truncate_buffer": 60,
                 "tools_collapse_threshold": 2},
}


def sources() -> list[tuple[str, Path]]:
    """(case stem, input file), in a stable order: the examples, then tests/goldens/requests."""
    out = [(f"example-{p.stem}", p) for p in sorted(EXAMPLES.glob("*.json"))]
    out += [(p.stem, p) for p in sorted(REQUESTS.glob("*.json"))]
    return out


def render(path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """One case's index entry plus its text (key ``text``, absent for a 400)."""
    from textrepr import InvalidRequest
    from textrepr.batch import render_document

    entry: dict[str, Any] = {"input": path.relative_to(ROOT).as_posix(), "options": options}
    try:
        body = render_document(path.read_bytes(), options)
    except InvalidRequest as e:
        return {**entry, "status": e.status, "body": e.body}
    return {**entry, "status": 200, "metadata": body["metadata"], "text": body["text"]}


def build() -> tuple[dict[str, Any], dict[str, bytes]]:
    """The index and every text file, as the current sources render them."""
    index: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for stem, path in sources():
        for set_name, options in OPTION_SETS.items():
            case = f"{stem}.{set_name}"
            entry = render(path, options)
            text = entry.pop("text", None)
            if text is not None:
                files[f"{case}.txt"] = text.encode("utf-8")
            index[case] = entry
    return index, files


def index_bytes(index: dict[str, Any]) -> bytes:
    return (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))  # the checkout's textrepr, not an installed one
    check = "--check" in argv
    index, files = build()
    files["index.json"] = index_bytes(index)
    old = {p.name: p.read_bytes() for p in RENDERED.glob("*")} if RENDERED.is_dir() else {}
    changed = sorted(n for n in files if old.get(n) != files[n])
    removed = sorted(set(old) - set(files))
    if check:
        for n in changed:
            print(f"differs: {n}")
        for n in removed:
            print(f"stale: {n}")
        return 1 if changed or removed else 0
    RENDERED.mkdir(parents=True, exist_ok=True)
    for n in removed:
        (RENDERED / n).unlink()
    for n in changed:
        (RENDERED / n).write_bytes(files[n])
    print(f"{len(index)} cases, {len(files) - 1} texts: {len(changed)} written, {len(removed)} removed "
          f"({RENDERED.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
