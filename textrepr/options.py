"""Rendering options: the endpoint's ``options`` object (FORMAT.md §2.3, §3.2, §3.5)."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, Mapping

from .errors import InvalidRequest

__all__ = ["Options", "coerce_options", "request_options"]

_INT_FIELDS = ("max_length", "truncate_buffer", "max_depth", "tools_collapse_threshold", "max_tokens")
_CHOICE_FIELDS = {"fit": ("sample", "shrink")}
_FIELD_ORDER = (
    "max_length", "truncated", "truncate_buffer", "include_markers", "collapsed",
    "include_metadata", "include_hierarchy", "max_depth", "tools_collapse_threshold",
    "include_line_numbers", "max_tokens", "fit",
)
# Version-2 options (issue 14), validated after the §3.2 ones, in this order.
_V2_BOOL_FIELDS = ("include_reasoning", "include_system", "include_tools")
_REDACT_SETS = ("secrets", "pii")
_BAD_REDACT = 'Must be a boolean or a list of rule-set names ("secrets", "pii").'
_NULL = "This field may not be null."
_BAD_INT = "A valid integer is required."
_TOO_LARGE = "String value too large."
_NEGATIVE = "Ensure this value is greater than or equal to 0."
_BAD_BOOL = "Must be a valid boolean."
_BAD_CHOICE = '"{}" is not a valid choice.'
_SHRINK_MARKERS = 'fit "shrink" needs include_markers: false (plain notes); markers cannot be cut to a budget.'
_DECIMAL_TAIL = re.compile(r"\.0*\s*$")
_FAST_INT = 10**18
_FAST_DIGITS = 18
_TRUE_STR = frozenset("t T y Y yes Yes YES true True TRUE on On ON 1".split())
_FALSE_STR = frozenset("f F n N no No NO false False FALSE off Off OFF 0".split())


def _py_str(v: Any) -> str:
    """Python ``str()`` of a parsed JSON value, as the reference's field parser sees it."""
    if type(v) is str:
        return v
    return str(v)  # containers give Python reprs; they never parse as integers anyway


def _coerce_int(v: Any) -> int | str:
    """Return the int, or the error message."""
    # Fast path for the usual values (a JSON int, or a plain digit string): the same answer as the
    # general path below, without its regex. Bounded well below any int<->str digit limit.
    t = type(v)
    if t is int:  # bool is not int here (type(True) is bool): "True" stays an error below
        if -_FAST_INT < v < _FAST_INT:
            return _NEGATIVE if v < 0 else v
    elif t is str and len(v) <= _FAST_DIGITS and v.isascii() and v.isdigit():
        return int(v)
    if v is None:
        return _NULL
    if type(v) is str and len(v) > 1000:
        return _TOO_LARGE
    if type(v) is list or type(v) is dict:
        return _BAD_INT  # str() of a container never parses (and may hit the recursion limit)
    try:
        n = int(_DECIMAL_TAIL.sub("", _py_str(v)))
    except (ValueError, TypeError):
        return _BAD_INT
    return _NEGATIVE if n < 0 else n


def _coerce_bool(v: Any) -> bool | str:
    if v is None:
        return _NULL
    t = type(v)
    if t is bool:
        return v
    if t is int or t is float:
        if v == 1:
            return True
        if v == 0:
            return False
        return _BAD_BOOL
    if t is str:
        if v in _TRUE_STR:
            return True
        if v in _FALSE_STR:
            return False
    return _BAD_BOOL


def _coerce_choice(v: Any, choices: tuple[str, ...]) -> str:
    """The choice, or the error message (``"\"x\" is not a valid choice."``, as for ``event_type``)."""
    if v is None:
        return _NULL
    s = _py_str(v) if type(v) is not list and type(v) is not dict else None
    if s is not None and s in choices:
        return s
    return _BAD_CHOICE.format(s if s is not None else str(v))


def _shrink_error(fit: Any, markers: Any) -> dict[str, list[str]]:
    """fit "shrink" needs plain mode: a marker's payload cannot fit a budget it was cut to meet."""
    if fit == "shrink" and markers is True:
        return {"fit": [_SHRINK_MARKERS]}
    return {}
def _coerce_redact(v: Any) -> bool | tuple[str, ...] | str:
    """``redact``: a boolean (as the other boolean options) or a list of rule-set names -> canonical value
    (False, True, or the named sets in canonical order; an empty list is False), else the error message."""
    if type(v) is list or type(v) is tuple:
        if any(type(x) is not str or x not in _REDACT_SETS for x in v):
            return _BAD_REDACT
        sets = tuple(x for x in _REDACT_SETS if x in v)
        return True if len(sets) == len(_REDACT_SETS) else sets or False
    r = _coerce_bool(v)
    return _BAD_REDACT if r == _BAD_BOOL else r


def coerce_options(m: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Coerce an ``options`` object: (values for the fields present, errors in field order)."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if not m:  # the default options (the usual request): nothing to coerce, nothing to reject
        return values, errors
    for name in _FIELD_ORDER:
        if name not in m:
            continue
        if name in _CHOICE_FIELDS:
            c = _coerce_choice(m[name], _CHOICE_FIELDS[name])
            if c in _CHOICE_FIELDS[name]:
                values[name] = c
            else:
                errors[name] = [c]
            continue
        r = _coerce_int(m[name]) if name in _INT_FIELDS else _coerce_bool(m[name])
        if type(r) is str:
            errors[name] = [r]
        else:
            values[name] = r
    if "fit" not in errors:
        errors.update(_shrink_error(values.get("fit"), values.get("include_markers", True)))
    _coerce_v2(m, values, errors)
    return values, errors


def _coerce_v2(m: Mapping[str, Any], values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """The issue-14 options: ``redact`` and the content filters."""
    if "redact" in m:
        r = _coerce_redact(m["redact"])
        if type(r) is str:
            errors["redact"] = [r]
        else:
            values["redact"] = r
    for name in _V2_BOOL_FIELDS:
        if name in m:
            b = _coerce_bool(m[name])
            if type(b) is str:
                errors[name] = [b]
            else:
                values[name] = b


def _non_dict_message(v: Any) -> str:
    return f"Invalid data. Expected a dictionary, but got {_type_name(v)}."


def _type_name(v: Any) -> str:
    t = type(v)
    if t is list or t is tuple:
        return "list"
    if t is str:
        return "str"
    if t is bool:
        return "bool"
    if t is int:
        return "int"
    if t is float:
        return "float"
    return t.__name__


@dataclass(frozen=True, slots=True)
class Options:
    """Rendering options; construct with keywords or :meth:`from_mapping`."""

    max_length: int = 2_000_000
    truncated: bool = True
    truncate_buffer: int = 1000
    include_markers: bool = True
    collapsed: bool = False
    include_metadata: bool = True
    include_hierarchy: bool = True
    max_depth: int | None = None
    tools_collapse_threshold: int = 5
    include_line_numbers: bool = False
    max_tokens: int = 0
    fit: str = "sample"
    redact: bool | tuple[str, ...] = False
    include_reasoning: bool = True
    include_system: bool = True
    include_tools: bool = True

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        self._check_v2(errors)
        for name in _FIELD_ORDER:
            v = getattr(self, name)
            if name in _CHOICE_FIELDS:
                if type(v) is not str or v not in _CHOICE_FIELDS[name]:
                    errors[name] = [_NULL if v is None else _BAD_CHOICE.format(v)]
                continue
            if name in _INT_FIELDS:
                if name == "max_depth" and v is None:
                    continue
                if type(v) is not int:
                    errors[name] = [_NULL if v is None else _BAD_INT]
                elif v < 0:
                    errors[name] = [_NEGATIVE]
            elif type(v) is not bool:
                errors[name] = [_NULL if v is None else _BAD_BOOL]
        if "fit" not in errors:
            errors.update(_shrink_error(self.fit, self.include_markers))
        if errors:
            raise InvalidRequest({"options": _ordered(errors)})

    def _check_v2(self, errors: dict[str, list[str]]) -> None:
        r = self.redact
        if type(r) is list or type(r) is tuple:
            c = _coerce_redact(r)  # canonical, hashable form of a list of set names
            if type(c) is str:
                errors["redact"] = [c]
            else:
                object.__setattr__(self, "redact", c)
        elif type(r) is not bool:
            errors["redact"] = [_NULL if r is None else _BAD_REDACT]
        for name in _V2_BOOL_FIELDS:
            v = getattr(self, name)
            if type(v) is not bool:
                errors[name] = [_NULL if v is None else _BAD_BOOL]

    @classmethod
    def from_mapping(cls, m: Any) -> "Options":
        """Validate and coerce like the endpoint's ``options`` object."""
        if m is None:
            raise InvalidRequest({"options": [_NULL]})
        if not isinstance(m, Mapping):
            raise InvalidRequest({"options": {"non_field_errors": [_non_dict_message(m)]}})
        values, errors = coerce_options(m)
        if errors:
            raise InvalidRequest({"options": errors})
        return cls(**values)

    @classmethod
    def frontend(cls, **overrides: Any) -> "Options":
        """Frontend display: markers and line numbers."""
        return cls(**{"truncated": True, "include_markers": True, "include_line_numbers": True, **overrides})

    @classmethod
    def llm_summary(cls, **overrides: Any) -> "Options":
        """Backend LLM context for summaries: plain notes, collapsed traces."""
        return cls(**{"truncated": True, "include_markers": False, "collapsed": True, **overrides})

    @classmethod
    def llm_full(cls, **overrides: Any) -> "Options":
        """Backend LLM context, full: no middle truncation."""
        return cls(**{"truncated": False, **overrides})

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _ordered(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors in field order: the §3.2 fields, then the version-2 ones."""
    order = _FIELD_ORDER + ("redact",) + _V2_BOOL_FIELDS
    return {k: errors[k] for k in order if k in errors}


_SHARED: dict[tuple[tuple[str, Any], ...], Options] = {}
# Raw ``options`` objects already validated, with their Options (a batch sends the same object with every
# request): comparing two small dicts costs far less than coercing one, or than hashing its items.
_RECENT: list[tuple[dict[str, Any], Options]] = []
_RECENT_MAX = 8
_REUSE_INT = 10**15  # below: an equal float prints as "<int>.0" and coerces to the same int


def shared_options(values: dict[str, Any]) -> Options:
    """``Options(**values)`` for already coerced values, one instance per distinct set: a batch repeats a
    handful of option sets, and building (and re-checking) a frozen Options costs as much as parsing a
    small event. Bounded: the table is emptied once it holds 256 sets."""
    key = tuple(values.items())  # coerced: one type per field, field order, so equal keys mean equal options
    o = _SHARED.get(key)
    if o is None:
        if len(_SHARED) >= 256:
            _SHARED.clear()
        o = _SHARED[key] = Options(**values)
    return o


_DEFAULT = shared_options({})


def request_options(raw: dict[str, Any]) -> tuple[Options | None, dict[str, list[str]]]:
    """A request's ``options`` object (a dict): ``(options, {})``, or ``(None, errors)`` in field order.

    An object equal to one of the last few valid ones gives that one's instance without coercing it
    again; the empty one gives the defaults."""
    if not raw:
        return _DEFAULT, {}
    for seen, o in _RECENT:
        if seen == raw:
            return o, {}
    values, errors = coerce_options(raw)
    if errors:
        return None, errors
    o = shared_options(values)
    if _reusable(raw):
        if len(_RECENT) >= _RECENT_MAX:
            del _RECENT[0]
        _RECENT.append((dict(raw), o))
    return o, {}


def _reusable(raw: dict[str, Any]) -> bool:
    """Whether every object equal to ``raw`` (a valid options object) coerces as ``raw`` does: its values
    are flat scalars (no deep comparisons), and no integer field holds a value that a value of another
    type equals but coerces differently (True == 1 == 1.0, yet ``max_length: true`` is an error, and
    ``1e16`` is one where ``10000000000000000`` is not). Boolean fields coerce all equal values alike, and
    so does ``redact``'s list of set names (only an equal list of equal strings equals it; request
    documents hold plain ``str``)."""
    for name, v in raw.items():
        t = type(v)
        if t is list and name == "redact" and len(v) <= 2 and all(type(x) is str for x in v):
            continue
        if t is not str and t is not bool and t is not int and t is not float:
            return False
        if name in _INT_FIELDS and t is not str and not 2 <= v < _REUSE_INT:
            return False
    return True
