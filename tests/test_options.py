"""Options: coercion through requests, and the shared instances that requests reuse."""
from __future__ import annotations

import pytest

from textrepr import InvalidRequest, options
from textrepr.options import Options, shared_options
from textrepr.validate import validate_request


def _opts(raw: dict) -> Options:
    return validate_request({"event_type": "$ai_generation", "data": {}, "options": raw})[2]


def test_equal_option_sets_share_one_instance() -> None:
    assert _opts({}) is _opts({}) == Options()
    assert _opts({"truncated": "false"}) is _opts({"truncated": False})  # coerced before the lookup
    assert _opts({"max_length": "1_000"}) is _opts({"max_length": 1000})
    assert _opts({"max_length": 1000}).max_length == 1000


def test_different_sets_never_share() -> None:
    # 1 == True in Python: a key without field names could confuse these two
    a, b = _opts({"max_length": 1}), _opts({"truncate_buffer": 1})
    assert a is not b and a.max_length == 1 and a.truncate_buffer == 1000 and b.truncate_buffer == 1
    assert _opts({"include_markers": True}) is not _opts({"include_markers": False})


def test_table_is_bounded() -> None:
    for n in range(600):
        assert shared_options({"max_length": n}).max_length == n
    assert len(options._SHARED) <= 256


def test_bad_values_still_rejected() -> None:
    with pytest.raises(InvalidRequest) as e:
        _opts({"max_length": -1})
    assert e.value.body == {"options": {"max_length": ["Ensure this value is greater than or equal to 0."]}}
