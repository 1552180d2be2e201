"""Command line: ``textrepr [render] FILE|-`` prints the text of a request, event or trace."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Sequence

from . import parse
from .api import text_repr
from .errors import InvalidRequest
from .options import Options

_PRESETS = {"frontend": Options.frontend, "llm-summary": Options.llm_summary, "llm-full": Options.llm_full}
_BOOL_FLAGS = (
    ("truncated", "middle-truncate long texts"),
    ("include_markers", "<<<...>>> markers for a UI (off: plain notes for an LLM)"),
    ("collapsed", "traces: one summary line per node"),
    ("include_hierarchy", "traces: tree (off: flat list)"),
    ("include_line_numbers", "prefix lines with L<n>:"),
)
_INT_FLAGS = (
    ("max_length", "bound on the text's length; 0 = none"),
    ("truncate_buffer", "characters kept around a middle cut"),
    ("max_depth", "deepest trace level shown (roots are 0)"),
    ("tools_collapse_threshold", "collapse tool lists longer than this"),
)


def add_option_flags(p: argparse.ArgumentParser) -> None:
    """Flags for every option of FORMAT.md §3.5, plus ``--preset``."""
    p.add_argument("--preset", choices=sorted(_PRESETS), help="start from a documented preset")
    for name, help_ in _INT_FLAGS:
        p.add_argument("--" + name.replace("_", "-"), dest=name, type=int, metavar="N", help=help_)
    for name, help_ in _BOOL_FLAGS:
        flag = name.replace("_", "-")
        p.add_argument("--" + flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_)


def options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The options object the flags describe (preset fields first, explicit flags override)."""
    out: dict[str, Any] = {}
    if args.preset:
        out.update(_PRESETS[args.preset]().to_dict())
    for name, _ in _INT_FLAGS + _BOOL_FLAGS:
        v = getattr(args, name)
        if v is not None:
            out[name] = v
    return out


def as_request(doc: Any) -> Any:
    """A full request as-is; a bare event or a bare trace wrapped into one."""
    if type(doc) is not dict or "event_type" in doc or "data" in doc:
        return doc
    if "hierarchy" in doc or "trace" in doc:
        return {"event_type": "$ai_trace", "data": doc}
    ev = doc.get("event")
    kind = ev if ev in ("$ai_generation", "$ai_span", "$ai_embedding") else "$ai_generation"
    return {"event_type": kind, "data": doc}


def render_document(raw: bytes, options: dict[str, Any]) -> dict[str, Any]:
    """Parse, wrap and render one document; flag options override the document's own."""
    doc = as_request(parse.load_json(raw))
    if options and type(doc) is dict:
        own = doc.get("options")
        doc = {**doc, "options": {**(own if type(own) is dict else {}), **options}}
    return text_repr(doc)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def cmd_render(args: argparse.Namespace) -> int:
    try:
        raw = _read(args.file)
    except OSError as e:
        print(f"textrepr: cannot read {args.file}: {e.strerror or e}", file=sys.stderr)
        return 2
    try:
        body = render_document(raw, options_from_args(args))
    except InvalidRequest as e:
        print(f"textrepr: invalid request (400): {e}", file=sys.stderr)
        return 1
    out = json.dumps(body, ensure_ascii=False) if args.json else body["text"]
    sys.stdout.write(out + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="textrepr", description="Render LLM-observability events and traces as text.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    r = sub.add_parser("render", help="render one request, event or trace (FILE or - for stdin)")
    r.add_argument("file", metavar="FILE")
    r.add_argument("--json", action="store_true", help="print the whole response body as JSON")
    add_option_flags(r)
    r.set_defaults(func=cmd_render)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = {"render"}
    if argv and argv[0] not in commands and argv[0] not in ("-h", "--help"):
        argv = ["render", *argv]  # `textrepr FILE` is `textrepr render FILE`
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except BrokenPipeError:
        sys.stderr.close()  # `textrepr ... | head`: not an error
        return 0


if __name__ == "__main__":
    sys.exit(main())
