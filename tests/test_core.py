"""Unit tests of the hot core (``textrepr.core``), run against each implementation explicitly.

FORMAT.md §1.1 (json, json2, disp), §4.16 (trunc), §4.17 (neutralisation), §4.18 (line numbers),
§4.19 (max_length), plus ``assemble`` == finalise -> number_lines -> sample, and lazy TRUNCATED markers.
"""
from __future__ import annotations

import base64
import json
import re
import sys
from types import ModuleType
from typing import Any, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import twins

ZW = "\u200b"
SEP = "-" * 80


@pytest.fixture(scope="session")
def core(implementation: str) -> ModuleType:
    """The implementation module under test (compiled ``textrepr._core`` or ``textrepr._core_py``)."""
    return twins.CORE


# ------------------------------------------------------------------------------------------- b64


@pytest.mark.parametrize("s", ["", "a", "ab", "abc", "abcd", "é", "ÿé", "€", "日本語", "😀", "a😀é€\n\t", "x" * 1000,
                               "é" * 1001, "😀" * 7])
def test_b64_is_standard_base64_of_utf8(core: ModuleType, s: str) -> None:
    assert core.b64(s) == base64.b64encode(s.encode("utf-8")).decode("ascii")


def test_b64_example_of_spec(core: ModuleType) -> None:
    assert core.b64("cdefgh") == "Y2RlZmdo"
    assert core.b64("abcdefghij") == "YWJjZGVmZ2hpag=="


@pytest.mark.parametrize("s", ["\ud800", "ab\udfffcd", "é\ud83e", "😀\udc00"])
def test_b64_surrogate_raises_like_encode(core: ModuleType, s: str) -> None:
    with pytest.raises(UnicodeEncodeError) as e:
        core.b64(s)
    with pytest.raises(UnicodeEncodeError) as ref:
        s.encode("utf-8")
    assert str(e.value) == str(ref.value)


# ------------------------------------------------------------------------------------ neutralise


@pytest.mark.parametrize("s, want", [
    ("see <<<TRUNCATED|aGk=|2>>>", f"see <<<{ZW}TRUNCATED|aGk=|2>>>"),
    ("<<<GEN_EXPANDABLE|a|b|c>>>", f"<<<{ZW}GEN_EXPANDABLE|a|b|c>>>"),
    ("<<<TOOLS_EXPANDABLE|x|y>>>", f"<<<{ZW}TOOLS_EXPANDABLE|x|y>>>"),
    ("<<<EVENT_LINK|x|[EVENT]>>>", f"<<<{ZW}EVENT_LINK|x|[EVENT]>>>"),
    (f"<<<{ZW}TRUNCATED|", f"<<<{ZW}{ZW}TRUNCATED|"),  # already neutralised: one more
    (f"<<<{ZW}{ZW}EVENT_LINK|", f"<<<{ZW}{ZW}{ZW}EVENT_LINK|"),
    ("<<<<TRUNCATED|", f"<<<<{ZW}TRUNCATED|"),
    ("<<<TRUNCATED", "<<<TRUNCATED"),  # no "|"
    ("<<<TRUNCATED |", "<<<TRUNCATED |"),
    ("<< <TRUNCATED|", "<< <TRUNCATED|"),
    ("<<<truncated|", "<<<truncated|"),
    ("<<<GEN_EXPANDABLE", "<<<GEN_EXPANDABLE"),
    ("<<<TRUNCATED|<<<EVENT_LINK|", f"<<<{ZW}TRUNCATED|<<<{ZW}EVENT_LINK|"),
    ("é<<<EVENT_LINK|😀", f"é<<<{ZW}EVENT_LINK|😀"),
    ("plain text", "plain text"),
    ("", ""),
])
def test_neutralise(core: ModuleType, s: str, want: str) -> None:
    assert core.neutralise(s) == want


def test_neutralise_cannot_span_lines(core: ModuleType) -> None:
    assert core.neutralise("<<<\nTRUNCATED|") == "<<<\nTRUNCATED|"


# -------------------------------------------------------------------------------------- finalise


def test_finalise_turns_renderer_markers_into_text(core: ModuleType) -> None:
    m, p = core.MARK, core.PIPE
    text = f"├─ {m}GEN_EXPANDABLE|id{p}[GEN] x{p}QUJD>>>\nuser says <<<EVENT_LINK|x|y>>>"
    assert core.finalise(text, True) == f"├─ <<<GEN_EXPANDABLE|id|[GEN] x|QUJD>>>\nuser says <<<{ZW}EVENT_LINK|x|y>>>"


def test_finalise_plain_mode_untouched(core: ModuleType) -> None:
    assert core.finalise("<<<TRUNCATED|x|1>>>", False) == "<<<TRUNCATED|x|1>>>"


def test_finalise_result_is_canonical(core: ModuleType) -> None:
    # Dropping the surrogate leaves pure ASCII: the result must be the ASCII str (== compares kinds).
    out = core.finalise(core.MARK + "TRUNCATED|YQ==|1>>>", True)
    assert out == "<<<TRUNCATED|YQ==|1>>>" and out.isascii()
    assert core.finalise("é" + core.MARK + "EVENT_LINK|a" + core.PIPE + "[EVENT]>>>", True) == "é<<<EVENT_LINK|a|[EVENT]>>>"


def test_finalise_field_ending_in_marker_word(core: ModuleType) -> None:
    # An id ending in "<<<EVENT_LINK" is neutralised by the renderer's field escaping only when
    # followed by "|"; PIPE keeps the look-alike from forming with the separator.
    text = core.MARK + "EVENT_LINK|x<<<EVENT_LINK" + core.PIPE + "[EVENT]>>>"
    assert core.finalise(text, True) == "<<<EVENT_LINK|x<<<EVENT_LINK|[EVENT]>>>"


# ----------------------------------------------------------------------------------------- trunc


@pytest.mark.parametrize("buffer, markers, want", [
    (4, True, ["ab", "", "<<<TRUNCATED|Y2RlZmdo|6>>>", "", "ij"]),
    (4, False, ["ab\n\n... (6 chars truncated) ...\n\nij"]),
    (5, False, ["ab\n\n... (6 chars truncated) ...\n\nij"]),
    (0, True, ["", "", "<<<TRUNCATED|YWJjZGVmZ2hpag==|10>>>", "", ""]),
    (1, True, ["", "", "<<<TRUNCATED|YWJjZGVmZ2hpag==|10>>>", "", ""]),
    (10, True, ["abcdefghij"]),
    (11, False, ["abcdefghij"]),
])
def test_trunc_spec_table(core: ModuleType, buffer: int, markers: bool, want: list[str]) -> None:
    """FORMAT.md §4.16 examples, s = "abcdefghij" (markers shown after finalise)."""
    got = core.trunc("abcdefghij", True, buffer, markers)
    assert [core.finalise(x, True) for x in got] == want


def test_trunc_in_context(core: ModuleType) -> None:
    lines = [SEP, "", "INPUT:", "", *core.trunc("abcdefghij", True, 4, True)]
    assert core.finalise("\n".join(lines), True) == SEP + "\n\nINPUT:\n\nab\n\n<<<TRUNCATED|Y2RlZmdo|6>>>\n\nij"


def test_trunc_off(core: ModuleType) -> None:
    assert core.trunc("x" * 5000, False, 10, True) == ["x" * 5000]


def test_trunc_neutralises_payload_and_counts_before(core: ModuleType) -> None:
    s = "ab" + "<<<TRUNCATED|aGk=|2>>>" + "yz"
    first, _, marker, _, last = core.trunc(s, True, 4, True)
    n = len(s) - 4
    m = re.fullmatch(r"<<<\ud800TRUNCATED\|([A-Za-z0-9+/=]+)\|(\d+)>>>", marker)
    assert m and int(m.group(2)) == n
    assert base64.b64decode(m.group(1)).decode("utf-8") == f"<<<{ZW}TRUNCATED|aGk=|2>>>"
    assert (first, last) == ("ab", "yz")


@given(s=st.text(), buffer=st.integers(0, 40))
def test_trunc_arithmetic(core: ModuleType, s: str, buffer: int) -> None:
    """§6.2 item 7."""
    s = s.encode("utf-8", "replace").decode("utf-8")  # repaired text holds no surrogates
    out = core.trunc(s, True, buffer, True)
    if len(s) <= buffer:
        assert out == [s]
        return
    h = buffer // 2
    first, e1, marker, e2, last = out
    m = re.fullmatch(r"<<<\ud800TRUNCATED\|([A-Za-z0-9+/=]*)\|(\d+)>>>", marker)
    assert m and (e1, e2) == ("", "")
    assert int(m.group(2)) == len(s) - 2 * h and len(first) == len(last) == h
    assert first == s[:h] and last == (s[len(s) - h:] if h else "")
    # head + decoded middle + tail == s, up to the neutralisation of look-alikes in the middle
    assert base64.b64decode(m.group(1)).decode("utf-8") == core.neutralise(s[h:len(s) - h])


def test_trunc_rejects_negative_buffer(core: ModuleType) -> None:
    with pytest.raises(ValueError):
        core.trunc("abc", True, -1, True)


def test_trunc_huge_buffer(core: ModuleType) -> None:
    assert core.trunc("abc", True, 10**40, True) == ["abc"]


# ---------------------------------------------------------------------------------- number_lines


@pytest.mark.parametrize("n, first, last", [(1, "L1: ", "L1: "), (9, "L1: ", "L9: "), (10, "L01: ", "L10: "),
                                            (99, "L01: ", "L99: "), (100, "L001: ", "L100: ")])
def test_number_lines_width(core: ModuleType, n: int, first: str, last: str) -> None:
    lines = core.number_lines("\n".join(["x"] * n)).split("\n")
    assert len(lines) == n and lines[0] == first + "x" and lines[-1] == last + "x"


def test_number_lines_spec(core: ModuleType) -> None:
    assert core.number_lines("") == "L1: "
    assert core.number_lines("a\n\nb\n\nc") == "L1: a\nL2: \nL3: b\nL4: \nL5: c"
    assert core.number_lines("a\n") == "L1: a\nL2: "
    assert core.number_lines("é\n😀\r\u2028x") == "L1: é\nL2: 😀\r\u2028x"  # split on "\n" only


def test_number_lines_kinds(core: ModuleType) -> None:
    for text in ["abc\ndef", "ÿ\né", "€\nx", "😀\nx\n€"]:
        want = "\n".join(f"L{i}: {x}" for i, x in enumerate(text.split("\n"), 1))
        assert core.number_lines(text) == want


# ---------------------------------------------------------------------------------------- sample


def six_messages(core: ModuleType) -> str:
    lines = [SEP, "", "INPUT:"]
    for i in range(1, 7):
        lines += ["", f"[{i}] USER", "", f"message number {i}"]
        if i < 6:
            lines += ["", SEP]
    return core.number_lines("\n".join(lines))


SPEC_SAMPLED = "\n".join([
    "L01: " + SEP, "L02: ",
    "[SAMPLED VIEW: Showing ~50% of 37 lines. Gaps in line numbers indicate omitted content.]",
    "L03: INPUT:", "L04: ", "L05: [1] USER", "L06: ", "L08: ", "L10: ", "L12: ", "L14: ", "L16: ", "L18: ",
    "L20: ", "L22: ", "L24: ", "L26: ", "L28: ", "L30: ", "L32: ", "L34: ", "L37: message number 6",
])


def test_sample_spec_example(core: ModuleType) -> None:
    text = six_messages(core)
    assert (len(text.split("\n")), len(text)) == (37, 851)
    out, cut = core.sample(text, 400, None)
    assert cut and out == SPEC_SAMPLED and len(out) == 324


def test_sample_unchanged(core: ModuleType) -> None:
    text = six_messages(core)
    assert core.sample(text, 0, None) == (text, False)
    assert core.sample(text, 851, None) == (text, False)
    assert core.sample(text, 10**30, None) == (text, False)


def test_sample_prefix_and_cut(core: ModuleType) -> None:
    assert core.sample("abcdef\ngh", 4, None) == ("abcd", True)
    assert core.sample("ab\ncd\nef", 5, None) == ("ab\ncd", True)


def test_sample_rejects_negative(core: ModuleType) -> None:
    with pytest.raises(ValueError):
        core.sample("abc", -1, None)
    with pytest.raises(ValueError):
        core.assemble(["abc"], True, False, -1, None)


# -------------------------------------------------------------------------------------- assemble


def chain(core: ModuleType, elements: list[str], markers: bool, numbers: bool, m: int,
          nodes: list[int] | None) -> tuple[str, bool]:
    text = core.finalise("\n".join(elements), markers)
    if numbers:
        text = core.number_lines(text)
    return core.sample(text, m, nodes)


def test_assemble_spec_example(core: ModuleType) -> None:
    lines = [SEP, "", "INPUT:"]
    for i in range(1, 7):
        lines += ["", f"[{i}] USER", "", f"message number {i}"]
        if i < 6:
            lines += ["", SEP]
    assert core.assemble(lines, False, True, 400, None) == (SPEC_SAMPLED, True)
    assert core.assemble([], True, True, 0, None) == ("L1: ", False)
    assert core.assemble([""], False, False, 0, None) == ("", False)


TOKENS = ["a", "b", "é", "€", "😀", "├─ ", "\n", "\n\n", "<", "<<<", "TRUNCATED|", "EVENT_LINK|", "GEN_EXPANDABLE|",
          "TOOLS_EXPANDABLE|", ZW, "|", "x" * 30, "MARK", "PIPE", " "]


def _piece(core: ModuleType) -> Any:
    return st.lists(st.sampled_from(TOKENS), max_size=12).map(
        lambda xs: "".join(core.MARK if x == "MARK" else core.PIPE if x == "PIPE" else x for x in xs))


@given(data=st.data(), markers=st.booleans(), numbers=st.booleans(), m=st.integers(0, 400),
       nodes=st.none() | st.lists(st.integers(0, 60)))
def test_assemble_equals_chain(core: ModuleType, data: st.DataObject, markers: bool, numbers: bool, m: int,
                               nodes: list[int] | None) -> None:
    elements = data.draw(st.lists(_piece(twins.pure), max_size=30))
    assert core.assemble(elements, markers, numbers, m, nodes) == chain(core, elements, markers, numbers, m, nodes)


@pytest.mark.parametrize("m", [0, 1, 2, 50, 200, 900, 5000])
def test_assemble_equals_chain_trace_like(core: ModuleType, m: int) -> None:
    elements = ["AGENT", "=" * 80, "", SEP, "", "TRACE HIERARCHY:", ""]
    nodes = []
    line = 7
    for i in range(40):
        body = "\n".join(f"   │      line {j} of node {i} é" for j in range(i % 5))
        el = f"├─ {core.MARK}GEN_EXPANDABLE|id{i}{core.PIPE}[GEN] m{core.PIPE}{core.b64(body)}>>>" if i % 3 else \
            f"└─ [+] [SPAN] s{i}\n{body}" if body else f"└─ [+] [SPAN] s{i}"
        nodes.append(line)
        elements.append(el)
        line += el.count("\n") + 1
    for markers in (True, False):
        for numbers in (True, False):
            got = core.assemble(elements, markers, numbers, m, nodes)
            assert got == chain(core, elements, markers, numbers, m, nodes)


def test_assemble_rejects_non_str_like_join(core: ModuleType) -> None:
    with pytest.raises(TypeError) as e:
        core.assemble(["a", 5], True, False, 0, None)
    with pytest.raises(TypeError) as ref:
        "\n".join(["a", 5])  # type: ignore[list-item]
    assert str(e.value) == str(ref.value)


# ----------------------------------------------------------------------------- lazy TRUNCATED markers


@pytest.fixture
def lazy_small(core: ModuleType) -> Iterator[ModuleType]:
    """Make every TRUNCATED middle of 5+ characters lazy in ``core``."""
    old = core._set_lazy_min(5)
    try:
        yield core
    finally:
        core._set_lazy_min(old)
        core.assemble([], True, False, 0, None)  # empty the registry


def eager(core: ModuleType, s: str, buffer: int) -> list[str]:
    old = core._set_lazy_min(sys.maxsize)
    try:
        return core.trunc(s, True, buffer, True)
    finally:
        core._set_lazy_min(old)


@pytest.mark.parametrize("m", [0, 30, 60, 120, 10_000])
@pytest.mark.parametrize("numbers", [False, True])
def test_lazy_marker_matches_eager(lazy_small: ModuleType, m: int, numbers: bool) -> None:
    core = lazy_small
    s = "head " + "é<<<TRUNCATED|x|1>>> 😀 " * 20 + " tail"
    want = core.assemble(["T", "", "INPUT:", "", *eager(core, s, 10), "", "end"], True, numbers, m, None)
    lines = core.trunc(s, True, 10, True)
    assert len(lines[2]) < 20  # a placeholder, not the payload
    assert core.assemble(["T", "", "INPUT:", "", *lines, "", "end"], True, numbers, m, None) == want


def test_lazy_marker_finalise_and_embedding(lazy_small: ModuleType) -> None:
    core = lazy_small
    s = "abcdefghijklmnopqrstuvwxyz" * 3
    want = core.finalise("\n".join(eager(core, s, 4)), True)
    lines = core.trunc(s, True, 4, True)
    assert core.finalise("\n".join(lines), True) == want  # trace node contents go through finalise
    glued = ["x" + "\n".join(core.trunc(s, True, 4, True)) + "y"]  # a placeholder inside a larger element
    plain = ["x" + "\n".join(eager(core, s, 4)) + "y"]
    assert core.assemble(glued, True, True, 0, None) == core.assemble(plain, True, True, 0, None)


def test_lazy_registry_emptied_by_assemble(lazy_small: ModuleType) -> None:
    core = lazy_small
    core.trunc("x" * 100, True, 4, True)
    assert core._local.reg
    core.assemble(["done"], True, False, 0, None)
    assert not core._local.reg


def test_lazy_marker_real_threshold(core: ModuleType) -> None:
    s = "p" * 600 + "Ünïcödé 😀 text\n" * 70_000 + "q" * 600
    lines = core.trunc(s, True, 1000, True)
    assert len(lines[2]) < 40 <= core.LAZY_MIN
    head = ["TITLE", "=" * 80, "", SEP, "", "INPUT:", ""]
    out, cut = core.assemble([*head, *lines, "", "end"], True, False, 2_000, None)
    assert cut and "TRUNCATED" not in out and out.endswith("\nend")
    assert (out, cut) == core.assemble([*head, *eager(core, s, 1000), "", "end"], True, False, 2_000, None)
    full, cut = core.assemble([*head, *core.trunc(s, True, 1000, True)], True, False, 0, None)
    marker = full.split("\n")[9]
    payload = re.fullmatch(r"<<<TRUNCATED\|([A-Za-z0-9+/=]+)\|(\d+)>>>", marker)
    assert not cut and payload and base64.b64decode(payload.group(1)).decode() == s[500:-500]


# ------------------------------------------------------------------------------------------- JSON


JSON_VALUES: list[Any] = [
    None, True, False, 0, -1, 7, 2**63, -(2**63), 2**64 + 1, 10**300, -(10**20),
    0.1, 1e-05, 1e16, 100.0, -0.0, 1.5e300, 5e-324, float("nan"), float("inf"), float("-inf"),
    "", "plain", 'q"uote\\back', "\n\r\t\b\f\x00\x01\x1f\x7f", "é€😀\u2028\u2029\ufeff", "\ud800 lone",
    [], {}, [[]], {"": {}}, [1, "a", None, [2, [3, {}]]],
    {"b": 1, "a": [1.0, {"z": None, "é": "😀"}], "": [], "k": {"x": [{"y": []}]}},
]


@pytest.mark.parametrize("v", JSON_VALUES, ids=range(len(JSON_VALUES)))
def test_jdump_equals_json_dumps(core: ModuleType, v: Any) -> None:
    assert core.jdump(v) == json.dumps(v, ensure_ascii=False)
    assert core.jdump2(v) == json.dumps(v, ensure_ascii=False, indent=2)


def test_jdump_formats(core: ModuleType) -> None:
    assert core.jdump({"a": [1, 2.5, None, True]}) == '{"a": [1, 2.5, null, true]}'
    assert core.jdump2({"a": [1, {}], "b": []}) == '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": []\n}'
    assert core.jdump("\x01\x1f") == '"\\u0001\\u001f"'


def test_jdump_huge_int(core: ModuleType) -> None:
    n = 7 ** 20_000  # > 4300 digits: str() refuses it
    assert core.jdump([n, -n]) == f"[{core.int_str(n)}, -{core.int_str(n)}]"
    assert core.int_str(n) == twins.pure.int_str(n)
    with pytest.raises(ValueError):
        str(n)


def test_int_str(core: ModuleType) -> None:
    for n in (0, 5, -5, 10**4299, -(10**4300), 10**10_000 + 12345, -(3 ** 30_000)):
        digits = core.int_str(n)
        assert re.fullmatch(r"-?\d+", digits)
        sys.set_int_max_str_digits(0)
        try:
            assert digits == str(n)
        finally:
            sys.set_int_max_str_digits(4300)


def test_jdump_deep_nesting(core: ModuleType) -> None:
    from conformance import in_big_stack

    v: Any = "x"
    for i in range(5000):
        v = [v] if i % 2 else {"k": v}
    for dump, indent in ((core.jdump, None), (core.jdump2, 2)):
        out = dump(v)
        assert out == in_big_stack(lambda: json.dumps(v, ensure_ascii=False, indent=indent))


class S(str):
    pass


class I(int):  # noqa: E742
    pass


@pytest.mark.parametrize("v", [(1, 2), [S("a")], {"x": I(3)}, {1: "a", False: "b", None: 1, 2.5: 0}, [(1, [2])]],
                         ids=["tuple", "str-subclass", "int-subclass", "non-str-keys", "nested-tuple"])
def test_jdump_other_types_like_json(core: ModuleType, v: Any) -> None:
    assert core.jdump(v) == json.dumps(v, ensure_ascii=False)
    assert core.jdump2(v) == json.dumps(v, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("v", [{1, 2}, object(), [b"x"], {(1,): 2}])
def test_jdump_unserialisable_raises_like_json(core: ModuleType, v: Any) -> None:
    with pytest.raises(TypeError) as e:
        core.jdump(v)
    with pytest.raises(TypeError) as ref:
        json.dumps(v, ensure_ascii=False)
    assert str(e.value) == str(ref.value)


@pytest.mark.parametrize("v, want", [
    ("s", "s"), (None, "None"), (True, "True"), (False, "False"), (5, "5"), (-0.0, "-0.0"), (0.1, "0.1"),
    (1e-05, "1e-05"), (1e16, "1e+16"), (100.0, "100.0"), ([1, "a"], '[1, "a"]'), ({"k": [True]}, '{"k": [true]}'),
])
def test_disp_spec(core: ModuleType, v: Any, want: str) -> None:
    assert core.disp(v) == want


def test_all_names_exported(core: ModuleType) -> None:
    assert core.__all__ == twins.pure.__all__
    for name in core.__all__:
        assert hasattr(core, name)
    assert core.MARK == "<<<\ud800" and core.PIPE == "\udbff"


@pytest.mark.parametrize("s", ["<<<TRUNCATED|<<<TRUNCATED|\U0010ffff", "\U0001f600ab<<<EVENT_LINK|cdé\U0001f600",
                               "€€<<<GEN_EXPANDABLE|aaaa€", "ÿÿ<<<TOOLS_EXPANDABLE|xxxxÿ"])
def test_trunc_neutralised_middle_narrower_than_text(core: ModuleType, s: str) -> None:
    """A middle with a look-alike, whose widest characters are all in the kept head/tail."""
    first, _, marker, _, last = core.trunc(s, True, 2, True)
    payload = re.fullmatch(r"<<<\ud800TRUNCATED\|([A-Za-z0-9+/=]+)\|(\d+)>>>", marker)
    assert payload and base64.b64decode(payload.group(1)).decode("utf-8") == twins.pure.neutralise(s[1:-1])
