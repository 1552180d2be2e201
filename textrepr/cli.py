"""Command line: ``textrepr render|batch|traces|segments|expand|refs|html``; ``textrepr FILE`` is ``textrepr render FILE``.

``textrepr FILE`` on a document without its own ``options`` and without option flags prints the view a person
reads (plain truncation notes instead of ``<<<...>>>`` markers) and says once on stderr how to get the UI form;
anything else renders exactly as asked.

Exit codes: 0 success; 1 invalid input (an invalid request, some invalid batch lines, unresolved line
references); 2 usage or I/O errors. Output is UTF-8 whatever the locale. A closed output pipe
(``| head``) ends the run quietly; Ctrl-C exits with 130.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Sequence

import orjson

from . import __version__, implementation
from .batch import (
    DEFAULT_CHUNK_BYTES, BatchError, as_request, batch_file, default_workers, open_input, render_document,
)
from .errors import InvalidRequest
from .options import Options
from .redact import Redactor
from .render.values import jdump

__all__ = ["add_option_flags", "as_request", "build_parser", "main", "options_from_args", "render_document"]

_PRESETS = {"frontend": Options.frontend, "llm-summary": Options.llm_summary, "llm-full": Options.llm_full}
# The fields each preset is documented to set (FORMAT.md §2.3); the others keep the request's own values.
_PRESET_FIELDS = {
    "frontend": ("truncated", "include_markers", "include_line_numbers"),
    "llm-summary": ("truncated", "include_markers", "collapsed"),
    "llm-full": ("truncated",),
}
_BOOL_FLAGS = (
    ("truncated", "middle-truncate long texts"),
    ("include_markers", "<<<...>>> markers for a UI (off: plain notes for an LLM)"),
    ("collapsed", "traces: one summary line per node"),
    ("include_hierarchy", "traces: tree (off: flat list)"),
    ("include_line_numbers", "prefix lines with L<n>:"),
    ("include_metadata", "accepted for compatibility; metadata is always returned"),
    ("include_reasoning", "thinking/reasoning blocks (off: one line with their size)"),
    ("include_system", "system messages (off: one line with their size)"),
    ("include_tools", "the AVAILABLE TOOLS section (off: one line with its size)"),
)
_INT_FLAGS = (
    ("max_length", "bound on the text's length; 0 = none"),
    ("truncate_buffer", "characters kept around a middle cut"),
    ("max_depth", "deepest trace level shown (roots are 0)"),
    ("tools_collapse_threshold", "collapse tool lists longer than this"),
    ("max_tokens", "bound on the text's tokens (counted by --tokenizer); 0 = none"),
)
_COMMANDS = ("render", "batch", "traces", "segments", "expand", "refs", "html")
# `textrepr FILE` for a document that carries no options, given no flags: the view a person reads.
READABLE_OPTIONS = {"include_markers": False}
READABLE_HINT = ("showing the readable view (plain truncation notes, no <<<...>>> markers); "
                 "for PostHog's UI form add --preset frontend")

SEGMENT_BREAK = "~" * 80  # between segments in `textrepr segments` output


class _Fail(Exception):
    """A usage or I/O problem: message for stderr, exit code 2."""


def add_option_flags(p: argparse.ArgumentParser) -> None:
    """Flags for every option of FORMAT.md §3.5, plus ``--preset``."""
    g = p.add_argument_group("rendering options (override the request's own options)")
    g.add_argument("--preset", choices=sorted(_PRESETS), help="start from a documented preset")
    for name, help_ in _INT_FLAGS:
        g.add_argument("--" + name.replace("_", "-"), dest=name, type=int, metavar="N", help=help_)
    for name, help_ in _BOOL_FLAGS:
        flag = name.replace("_", "-")
        g.add_argument("--" + flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_)
    g.add_argument("--fit", choices=("sample", "shrink"), default=None,
                   help="over budget: sample lines (default) or shrink texts, keeping the skeleton (plain mode)")
    g.add_argument("--tokenizer", default=None, metavar="NAME",
                   help="token counter for --max-tokens: estimate (default), estimate:o200k, estimate:cl100k, "
                        "chars, bytes, tiktoken:<encoding> (needs textrepr[tiktoken])")
    g.add_argument("--redact", nargs="?", const="secrets,pii", default=None, metavar="SETS",
                   help="redact secrets and personal data before rendering (SETS: secrets, pii or both, "
                        "comma-separated; default both)")
    g.add_argument("--redact-rules", metavar="FILE", default=None,
                   help="extra redaction rules: a TOML or JSON file with a [rules] table of name = pattern, "
                        "optional keys = [secret key names] and sets = [built-in rule sets]")


def _counter(args: argparse.Namespace) -> Any:
    """The --tokenizer counter (None: the default estimator)."""
    if args.tokenizer is None:
        return None
    from .tokens import counter

    try:
        return counter(args.tokenizer)
    except (ValueError, ImportError, KeyError) as e:
        raise _Fail(f"--tokenizer: {e}") from None


def options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The options the flags describe (a preset's documented fields first, explicit flags override)."""
    out: dict[str, Any] = {}
    if args.preset:
        preset = _PRESETS[args.preset]()
        out.update((name, getattr(preset, name)) for name in _PRESET_FIELDS[args.preset])
    for name, _ in _INT_FLAGS + _BOOL_FLAGS:
        v = getattr(args, name)
        if v is not None:
            out[name] = v
    if getattr(args, "fit", None) is not None:
        out["fit"] = args.fit
    if getattr(args, "redact", None) is not None:
        out["redact"] = [x.strip() for x in args.redact.split(",") if x.strip()]
    return out


def redactor_from_args(args: argparse.Namespace) -> Redactor | None:
    """The ``--redact-rules`` file as a :class:`Redactor` (built-in sets from the file, else ``--redact``)."""
    path = getattr(args, "redact_rules", None)
    if path is None:
        return None
    data = _read_bytes(path)
    try:
        if path.endswith(".toml"):
            import tomllib

            doc: Any = tomllib.loads(data.decode("utf-8"))
        else:
            doc = orjson.loads(data)
    except (ValueError, UnicodeDecodeError) as e:  # tomllib.TOMLDecodeError and orjson's are ValueErrors
        raise _Fail(f"cannot read redaction rules {path}: {e}") from None
    if type(doc) is not dict:
        raise _Fail(f"redaction rules {path}: expected an object / table")
    rules = doc.get("rules", {k: v for k, v in doc.items() if k not in ("keys", "sets")})
    sets = doc.get("sets")
    if sets is None:
        sets = [x.strip() for x in (args.redact or "secrets,pii").split(",") if x.strip()]
    try:
        if type(rules) is not dict:
            raise InvalidRequest({"redactor": ["rules must be a table of name = pattern"]})
        return Redactor(rules=rules, keys=doc.get("keys", ()), sets=sets)
    except (InvalidRequest, TypeError) as e:
        raise _Fail(f"invalid redaction rules {path}: {e}") from None


# ----------------------------------------------------------------------------- I/O helpers


def _read_bytes(path: str) -> bytes:
    """All of ``path`` (``-`` = stdin), gunzipped when it starts with the gzip magic."""
    try:
        src = open_input(path)
    except BatchError as e:
        raise _Fail(str(e)) from None
    try:
        return src.stream.read()
    except (OSError, EOFError) as e:  # also a corrupt gzip stream
        raise _Fail(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    finally:
        src.close()


def _read_text(path: str) -> str:
    """A rendered text from ``path``: plain UTF-8, or the ``text`` of a JSON response (``render --json``).

    Invalid UTF-8 survives as surrogate escapes and is written back unchanged."""
    data = _read_bytes(path)
    if data.lstrip()[:1] == b"{":
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            doc = None
        if type(doc) is dict and type(doc.get("text")) is str:
            return doc["text"]
    text = data.decode("utf-8", "surrogateescape")
    return text[:-1] if text.endswith("\n") else text  # the newline `render` prints after the text


def _write(s: str) -> None:
    sys.stdout.buffer.write(s.encode("utf-8", "surrogateescape"))


def _err(msg: str) -> None:
    print(f"textrepr: {msg}", file=sys.stderr)


# ----------------------------------------------------------------------------- commands


def _carries_options(raw: bytes) -> bool:
    """Whether the document has its own top-level ``options`` (an unparsable one counts as having them, so that
    its error is exactly today's)."""
    if b'"options"' not in raw:
        return False
    from .parse import load_json

    try:
        doc = load_json(raw)
    except InvalidRequest:
        return True
    return type(doc) is not dict or "options" in doc


def cmd_render(args: argparse.Namespace) -> int:
    raw = _read_bytes(args.file)
    options = options_from_args(args)
    readable = not options and not args.json and not _carries_options(raw)
    counter = _counter(args)
    try:
        redactor = redactor_from_args(args)
        body = render_document(raw, READABLE_OPTIONS if readable else options, redactor,
                               token_counter=counter)
    except InvalidRequest as e:
        _err(f"invalid request ({e.status}): {e}")
        from .assembly.hint import flat_events_hint  # flat $ai_* events are rendered per trace

        hint = flat_events_hint(raw, args.file)
        if hint:
            _err(hint)
        if args.json:
            _write(jdump({"error": {"status": e.status, "body": e.body}}) + "\n")
        return 1
    if readable:
        _err(READABLE_HINT)
    if args.json:
        _write(jdump(body) + "\n")
    else:
        from .term import colourize, wants_colour

        text = body["text"]
        _write((colourize(text) if wants_colour(sys.stdout, args.color) else text) + "\n")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    if args.workers < 0:
        raise _Fail("--workers must be >= 0 (0 = all cores)")
    if args.chunk_size < 1:
        raise _Fail("--chunk-size must be >= 1")
    workers = args.workers or default_workers()
    fmt = args.format or ("parquet" if str(args.input).endswith(".parquet") else "jsonl")
    if fmt == "parquet":
        return _batch_parquet(args, workers)
    options = options_from_args(args)
    if args.tokenizer is not None:
        _counter(args)  # fail fast on a bad name
        options["tokenizer"] = args.tokenizer  # the workers build the counter (render_document)
    try:
        res = batch_file(args.input, args.output, workers=workers, options=options,
                         progress=args.progress, chunk_bytes=args.chunk_size,
                         redactor=redactor_from_args(args))
    except BatchError as e:
        if e.result is not None and not args.quiet:
            _err(f"batch: {e.result.summary()}")
        raise _Fail(str(e)) from None
    if not args.quiet:
        _err(f"batch: {res.summary()}")
    return 1 if res.errors else 0


def _batch_parquet(args: argparse.Namespace, workers: int) -> int:
    """Parquet in, Parquet out through the Arrow kernel (textrepr.arrow); errors land in its ``error`` column."""
    if args.input == "-" or args.output == "-":
        raise _Fail("--format parquet needs file paths for IN and -o (Parquet cannot stream through a pipe)")
    try:
        from .arrow import render_parquet
    except ImportError:
        raise _Fail('--format parquet needs pyarrow: pip install "textrepr[arrow]"') from None
    try:
        if args.tokenizer is not None:
            _counter(args)  # fail fast on a bad name
        s = render_parquet(args.input, args.output, options_from_args(args) or None, column=args.column,
                           workers=workers, wrap_bare=True, token_counter=args.tokenizer,
                           redactor=redactor_from_args(args))
    except InvalidRequest as e:
        raise _Fail(f"invalid options: {e}") from None
    except (OSError, KeyError, TypeError, ValueError) as e:
        raise _Fail(f"cannot render {args.input}: {e}") from None
    if not args.quiet:
        mbps = s.bytes_in / 1e6 / s.seconds if s.seconds else 0.0
        _err(f"batch: {s.rows} records, {s.errors} errors, {s.seconds:.2f} s, {mbps:.1f} MB/s (parquet)")
    return 1 if s.errors else 0


def cmd_traces(args: argparse.Namespace) -> int:
    from .assembly.run import traces_file

    fmt = args.format or ("parquet" if str(args.output).endswith(".parquet") else "jsonl")
    if fmt == "parquet" and args.output == "-":
        raise _Fail("--format parquet needs a file path for -o (Parquet cannot stream through a pipe)")
    opts = options_from_args(args)
    try:
        Options.from_mapping(opts)
    except InvalidRequest as e:
        raise _Fail(f"invalid options: {e}") from None
    if args.output != "-" and args.input != "-" and os.path.exists(args.output) and os.path.samefile(
            args.input, args.output):
        raise _Fail(f"refusing to overwrite the input {args.input}")
    tmp = None if args.output == "-" else args.output + ".tmp"  # no complete-looking file after a failure
    try:
        f = sys.stdout.buffer if tmp is None else open(tmp, "wb", buffering=1 << 20)
    except OSError as e:
        raise _Fail(f"cannot write {args.output}: {e.strerror or e}") from None
    done = False
    try:
        out = f
        if fmt == "jsonl" and args.output.endswith(".gz"):
            import gzip

            out = gzip.GzipFile(fileobj=f, mode="wb", compresslevel=6, mtime=0)  # type: ignore[assignment]
        res = traces_file(args.input, out, fmt=fmt, options=opts or None, progress=args.progress,
                          budget=max(1, args.memory) << 20, token_counter=_counter(args),
                          redactor=redactor_from_args(args))
        if out is not f:
            out.close()
        f.flush()
        if tmp is not None:
            f.close()
            os.replace(tmp, args.output)
        done = True
    except BatchError as e:
        raise _Fail(str(e)) from None
    except OSError as e:
        raise _Fail(f"cannot write {args.output}: {e.strerror or e}") from None
    finally:
        if tmp is not None and not done:
            f.close()
            if os.path.exists(tmp):
                os.unlink(tmp)
    if not args.quiet:
        _err(f"traces: {res.summary()}")
    return 1 if res.errors else 0


def cmd_segments(args: argparse.Namespace) -> int:
    from .api import render_segments
    from .batch import request_document

    raw = _read_bytes(args.file)
    counter = _counter(args)
    redactor = redactor_from_args(args)
    try:
        # The same parse (lone surrogates, big integers) and option merge as `render` and `batch`.
        segs = render_segments(request_document(raw, options_from_args(args)), token_counter=counter,
                               redactor=redactor)
    except InvalidRequest as e:
        _err(f"invalid request ({e.status}): {e}")
        return 1
    except ValueError as e:  # a budget too small for one segment
        raise _Fail(str(e)) from None
    if args.json:
        _write("".join(jdump({"index": g.index, "count": g.count, "first_line": g.first_line,
                              "last_line": g.last_line, "path": list(g.path), "text": g.text}) + "\n"
                       for g in segs))
    else:
        _write(("\n" + SEGMENT_BREAK + "\n").join(g.text for g in segs) + "\n")
    return 0


def cmd_expand(args: argparse.Namespace) -> int:
    from . import markers

    _write(markers.expand(_read_text(args.file)) + "\n")
    return 0


def cmd_refs(args: argparse.Namespace) -> int:
    from .refs import resolve

    if args.summary == "-" and args.text == "-":
        raise _Fail("SUMMARY and TEXT cannot both be stdin")
    summary = _read_bytes(args.summary).decode("utf-8", "surrogateescape")
    refs = resolve(summary, _read_text(args.text))
    if args.json:
        _write(jdump([r.to_dict() for r in refs]) + "\n")
    else:
        out: list[str] = []
        group_at = -1
        for r in refs:
            if r.group_start != group_at:
                group_at = r.group_start
                out.append(r.group)
            if not r.ok:
                out.append(f"  ! {r.message}")
            out.extend(f"  L{n}: {s}" for n, s in r.lines)
        if out:
            _write("\n".join(out) + "\n")
    if not refs:
        _err("no line references found")
    bad = sum(not r.ok for r in refs)
    if bad:
        _err(f"{bad} of {len(refs)} references could not be resolved")
    return 1 if bad else 0


def cmd_html(args: argparse.Namespace) -> int:
    from .html import items_from_bytes, render_page

    items = []
    for path in args.files:
        name = "stdin" if path == "-" else os.path.basename(path)
        items += items_from_bytes(name, _read_bytes(path), options_from_args(args), assemble=args.assemble,
                                  token_counter=_counter(args), redactor=redactor_from_args(args))
    page = render_page(items, title=args.title or ", ".join(os.path.basename(f) for f in args.files))
    if args.output == "-":
        _write(page)
    else:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as f:
                f.write(page)
        except OSError as e:
            raise _Fail(f"cannot write {args.output}: {e.strerror or e}") from None
    bad = sum(it.error is not None for it in items)
    if not args.quiet:
        _err(f"html: {len(items)} renderings ({bad} invalid) -> {args.output}")
    return 1 if bad else 0


def implementation_note() -> str:
    """Which implementation runs, from where, and why it is the pure one when it is (``--version``)."""
    import textrepr

    here = os.path.dirname(os.path.abspath(textrepr.__file__))
    impl = implementation()
    line = f"textrepr {__version__} ({impl} implementation) from {here}"
    if impl == "compiled":
        return line
    if os.environ.get("TEXTREPR_NO_EXTENSIONS", "") not in ("", "0"):
        why = "TEXTREPR_NO_EXTENSIONS is set"
    elif os.path.exists(os.path.join(os.path.dirname(here), "setup.py")):
        why = ("these are a source checkout's uncompiled sources (Python imports the checkout when run inside "
               "it): build them in place with `python setup.py build_ext --inplace`, or run from outside the "
               "checkout to use the installed build")
    else:
        why = "the compiled extensions did not import (reinstall with a C compiler: pip install --force-reinstall .)"
    return f"{line}\npure because {why}"


class _Version(argparse.Action):
    """``--version`` printed as written (argparse's own action reflows the text)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(implementation_note())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="textrepr",
        description="Render LLM-observability events and traces as text. `textrepr FILE` = `textrepr render FILE`.",
        epilog="exit codes: 0 ok, 1 invalid input, 2 usage or I/O error",
    )
    p.add_argument("--version", action=_Version, nargs=0, help="print the version and which implementation runs")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser("render", help="render one request, event or trace (FILE or - for stdin)",
                       description="Render one request ({event_type, data, options}), bare event or bare trace.")
    r.add_argument("file", metavar="FILE", help="JSON file (gzip ok), or - for stdin")
    r.add_argument("--json", action="store_true", help="print the whole response body as JSON")
    r.add_argument("--color", "--colour", choices=("auto", "always", "never"), default="auto",
                   help="colour labels, roles and tree lines (auto: on a terminal, unless NO_COLOR is set)")
    add_option_flags(r)
    r.set_defaults(func=cmd_render)

    b = sub.add_parser(
        "batch", help="render a JSONL stream, one response per line, in order, on all cores",
        description="Render one request (or bare event/trace) per input line. Writes one JSON line per "
                    'input line, in order: {"line": n, "text", "metadata"} or {"line": n, "error": '
                    '{"status", "body"}}. Blank lines are skipped. Exit 1 if any line was invalid.')
    b.add_argument("input", metavar="IN", help="JSONL file (.gz or any gzip data ok), or - for stdin")
    b.add_argument("-o", "--output", metavar="OUT", default="-",
                   help="output JSONL file (gzipped if it ends in .gz), or - for stdout (default)")
    b.add_argument("-w", "--workers", type=int, default=0, metavar="N",
                   help=f"worker processes; 0 = all cores (default, here {default_workers()})")
    b.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    b.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    b.add_argument("--format", choices=("jsonl", "parquet"), default=None,
                   help="input/output format (default: parquet for *.parquet input, else jsonl); "
                        "parquet needs the arrow extra")
    b.add_argument("--column", default="request", metavar="NAME",
                   help="parquet: the column holding request documents (default: request)")
    b.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_BYTES, metavar="BYTES",
                   help=f"bytes of input per unit of work (default {DEFAULT_CHUNK_BYTES})")
    add_option_flags(b)
    b.set_defaults(func=cmd_batch)

    t = sub.add_parser(
        "traces", help="group flat $ai_* events by trace and render one response per trace",
        description="Read flat events (JSONL, a JSON array, or Parquet in PostHog's batch-export shape; "
                    "gzip ok), group them by $ai_trace_id and write one record per trace in order of first "
                    'appearance: {"trace_id", "text", "metadata"}, or {"trace_id", "error"} for a trace that '
                    'cannot be rendered, or {"index", "trace_id": null, "error"} for an unusable input '
                    "record. Inputs larger than memory are grouped on disk. Exit 1 if any record is an error.")
    t.add_argument("input", metavar="EVENTS", help="events file (.jsonl, .json, .parquet, gzip ok), or - for stdin")
    t.add_argument("-o", "--output", metavar="OUT", default="-",
                   help="output file (.jsonl, .jsonl.gz or .parquet), or - for stdout (default)")
    t.add_argument("--format", choices=("jsonl", "parquet"), default=None,
                   help="output format (default: parquet for a *.parquet OUT, else jsonl)")
    t.add_argument("--memory", type=int, default=256, metavar="MB",
                   help="event bytes held in memory before grouping spills to temporary files (default 256)")
    t.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bars on stderr (default: when stderr is a terminal)")
    t.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    add_option_flags(t)
    t.set_defaults(func=cmd_traces)

    sg = sub.add_parser(
        "segments", help="split the full rendering into segments within a budget (global line numbers)",
        description="Render one request unbounded and split it into segments of at most --max-length "
                    "characters and/or --max-tokens tokens each, header included; body lines keep the whole "
                    "text's L<n>: numbers. Segments are separated by a line of 80 '~' (or one JSON object "
                    "per line with --json).")
    sg.add_argument("file", metavar="FILE", help="JSON file (gzip ok), or - for stdin")
    sg.add_argument("--json", action="store_true", help="one JSON object per segment")
    add_option_flags(sg)
    sg.set_defaults(func=cmd_segments)

    e = sub.add_parser("expand", help="replace every <<<...>>> marker by its decoded content",
                       description="Expand the markers of a rendered text (plain text, or a JSON response "
                                   "with a \"text\" field as printed by `render --json`).")
    e.add_argument("file", metavar="FILE", help="rendered text, or - for stdin")
    e.set_defaults(func=cmd_expand)

    f = sub.add_parser("refs", help="resolve [L45], [L45-52], L003 references of a summary",
                       description="Print the lines of a line-numbered TEXT cited by SUMMARY; unknown or "
                                   "out-of-range references are reported (exit 1).")
    f.add_argument("summary", metavar="SUMMARY", help="summary file, or - for stdin")
    f.add_argument("text", metavar="TEXT", help="line-numbered text (or a JSON response), or - for stdin")
    f.add_argument("--json", action="store_true", help="print the resolved references as JSON")
    f.set_defaults(func=cmd_refs)

    h = sub.add_parser(
        "html", help="write a self-contained HTML trace viewer of events, traces or requests",
        description="One HTML page (no network, no external script or style) showing each rendering the way "
                    "PostHog's UI does: folded nodes and tool lists that open, truncated middles that expand, "
                    "linkable line numbers, a search box, light and dark themes, an index for several. FILE: a "
                    "request, bare event or bare trace, a JSON array or JSON Lines of them, or flat events.")
    h.add_argument("files", nargs="+", metavar="FILE", help="JSON or JSONL file (gzip ok), or - for stdin")
    h.add_argument("-o", "--output", metavar="PAGE", default="-", help="output HTML file, or - for stdout")
    h.add_argument("--title", help="page title (default: the file names)")
    h.add_argument("--assemble", action=argparse.BooleanOptionalAction, default=None,
                   help="treat the input as flat events and group them into traces (default: when they look flat; "
                        "needs textrepr.assemble_traces)")
    h.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    add_option_flags(h)
    h.set_defaults(func=cmd_html)
    return p


def _silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the exit-time flush cannot complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and argv[0] not in _COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        argv = ["render", *argv]  # `textrepr FILE` is `textrepr render FILE`
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: 0 for --help/--version, 2 for usage errors
        return int(e.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        rc = int(args.func(args))
        sys.stdout.flush()
        return rc
    except _Fail as e:
        _err(str(e))
        return 2
    except BrokenPipeError:  # `textrepr ... | head`: not an error
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
