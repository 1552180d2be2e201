"""The value forms of the assembly rules (RULES.md §A–D): ids, names, instants, latencies, JSON sameness.

Every function here takes any Python value (decoded JSON or whatever a caller or a Parquet column holds)
and never raises.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ..core import int_str

__all__ = [
    "EPOCH", "ID", "NAME", "first", "instant_us", "latency_ms", "same_key", "timestamp_text",
]

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)
# ISO 8601 "24:00" (end of day) is accepted by dateutil's isoparse, which PostHog uses; fromisoformat is not.
_HOUR_24 = re.compile(r"([T ]|^\d{8}T|^\d{4}-\d\d-\d\dT)24(:?00(:?00([.,]0+)?)?)?(?=$|[Zz+-])")


def ID(v: Any) -> str | None:
    """Rule 6: the id form of ``v`` (``None`` = no id)."""
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return int_str(v)
    if t is float:
        return str(v)
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, int):
        return int_str(int.__int__(v))
    if isinstance(v, float):
        return str(float.__float__(v))
    return None


def NAME(v: Any) -> str | None:
    """Rule 12: a non-empty string as itself, a number or boolean as its id form, otherwise none."""
    if type(v) is str:
        return v or None
    if isinstance(v, str):
        return str.__str__(v) or None
    return ID(v)


def first(props: dict[str, Any], k1: str, k2: str) -> Any:
    """Rule 8: ``props[k1]`` if set (present, not null), else ``props[k2]`` if set, else None."""
    v = props.get(k1)
    return props.get(k2) if v is None else v


def _parse_iso(s: str) -> datetime | None:
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        pass
    m = _HOUR_24.search(s)
    if m is None:
        return None
    try:
        dt = datetime.fromisoformat(s[: m.start()] + m.group(1) + "00" + s[m.start() + len(m.group(1)) + 2:])
    except ValueError:
        return None
    try:
        return dt + timedelta(days=1)
    except OverflowError:
        return None


def instant_us(ts: Any) -> int | None:
    """Rule 9: microseconds since the epoch of an ISO-8601 string (no offset = UTC); None if unparseable."""
    if type(ts) is not str:
        if not isinstance(ts, str):
            return None
        ts = str.__str__(ts)
    if not ts:
        return None
    dt = _parse_iso(ts)
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return (dt - EPOCH) // _US


def latency_ms(x: Any) -> float:
    """Rule 18: ``float(x) * 1000`` when that is > 0, else 0.0 (anything float() refuses counts as 0)."""
    t = type(x)
    if t is float:
        v = x
    elif t is int or t is bool or t is str:
        try:
            v = float(x)
        except (ValueError, OverflowError):
            return 0.0
    else:
        return 0.0
    return v * 1000 if v > 0 else 0.0


def timestamp_text(v: Any) -> Any:
    """A Parquet/Python timestamp as the rules' ISO form; a string (or anything else) is kept as given.

    A ``datetime`` (naive = UTC) gives ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC; a ``date`` its midnight;
    an epoch number is seconds, or milliseconds / microseconds / nanoseconds when its magnitude says so
    (>= 1e11, 1e14, 1e17: later than the year 5138 in seconds). Out-of-range values are kept as given.
    """
    if type(v) is str or v is None or type(v) is bool:
        return v
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            try:
                v = v.astimezone(timezone.utc)
            except (OverflowError, ValueError):
                return v.isoformat()
        return v.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z" if v.year >= 1000 else v.isoformat()
    if isinstance(v, date):
        return timestamp_text(datetime(v.year, v.month, v.day))
    if isinstance(v, (int, float)):
        try:
            a = abs(v)
            scale = 1 if a < 1e11 else 1_000 if a < 1e14 else 1_000_000 if a < 1e17 else 1_000_000_000
            us = (int(v) * 1_000_000) // scale if type(v) is int else round(v * 1_000_000 / scale)
            return timestamp_text(EPOCH + timedelta(microseconds=us))
        except (OverflowError, ValueError):
            return v
    return v


# ------------------------------------------------------------------------- JSON sameness (rule 11)

_OPEN_DICT = object()
_OPEN_LIST = object()


class _Key:
    """An object key on the walk stack (distinct from every value type)."""

    __slots__ = ("k",)

    def __init__(self, k: Any) -> None:
        self.k = k


def same_key(v: Any) -> tuple[Any, ...]:
    """A hashable form of a JSON value under rule 11's sameness: key order ignored, strings exact,
    ``true`` is not ``1``, ``1`` is not ``1.0``, floats by value. Iterative (any depth)."""
    out: list[Any] = []
    stack: list[Any] = [v]
    pop = stack.pop
    push = stack.append
    while stack:
        x = pop()
        t = type(x)
        if t is _Key:
            out.append(("key", x.k))
        elif t is dict or (t is not list and isinstance(x, dict)):
            out.append(_OPEN_DICT)
            out.append(len(x))
            items = sorted(x.items(), key=_item_order)
            for k, y in reversed(items):
                push(y)
                push(_Key(k))
        elif t is list or t is tuple:
            out.append(_OPEN_LIST)
            out.append(len(x))
            for y in reversed(x):
                push(y)
        elif t is str or t is int or t is float or t is bool or x is None:
            out.append((t.__name__, x))
        else:  # not a JSON value (a caller's object): compared by type and repr
            try:
                out.append(("object", t.__name__, repr(x)))
            except Exception:
                out.append(("object", t.__name__, id(x)))
    return tuple(out)


def _item_order(kv: tuple[Any, Any]) -> tuple[str, Any]:
    k = kv[0]
    return (type(k).__name__, k if isinstance(k, (str, int, float)) else repr(k))
