"""What ``textrepr FILE`` says when FILE holds flat ``$ai_*`` events rather than one request."""
from __future__ import annotations

from typing import Any

import orjson

from .events import KINDS

__all__ = ["flat_events_hint"]


def _is_flat_event(doc: Any) -> bool:
    if type(doc) is dict and "event" not in doc and type(doc.get("data")) is dict:
        doc = doc["data"]  # a request-wrapped event (make_big, batch inputs)
    return type(doc) is dict and doc.get("event") in KINDS and ("properties" in doc or "uuid" in doc)


def flat_events_hint(raw: bytes, path: str) -> str | None:
    """A one-line hint when ``raw`` is a JSON array or JSONL of flat events, else None."""
    head = raw.lstrip()[:1]
    if head == b"[":
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if type(doc) is not list or not doc or not _is_flat_event(doc[0]):
            return None
        n = len(doc)
    elif head == b"{":
        lines = [ln for ln in raw.splitlines() if ln.strip()]
        if len(lines) < 2:
            return None
        try:
            if not _is_flat_event(orjson.loads(lines[0])):
                return None
        except orjson.JSONDecodeError:
            return None
        n = len(lines)
    else:
        return None
    name = path if path != "-" else "EVENTS"
    return (f"{name} holds {n} flat $ai_* events (one per captured event), not one request: render one text "
            f"per trace with `textrepr traces {name}` (docs/events.md)")
