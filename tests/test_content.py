"""FORMAT.md §4.7: content_text, block_text, object_text, payload_text, Gemini parts, media blocks."""
from __future__ import annotations

import base64
import json

import pytest

from textrepr.render.content import (
    block_text,
    content_text,
    gemini_parts_text,
    object_text,
    payload_text,
)
from textrepr.render.media import is_media, media_placeholder, size_text, string_placeholder

B64_PNG = base64.b64encode(bytes(range(256)) * 1160).decode()  # 296,960 decoded bytes


# --------------------------------------------------------------------------------------------
# Media blocks


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": B64_PNG}},
            "[image: image/png, 290 KB]",
        ),
        ({"type": "image", "source": {"type": "url", "url": "https://example.com/ant.jpg"}},
         "[image: https://example.com/ant.jpg]"),
        ({"type": "input_audio", "input_audio": {"data": "[base64 audio redacted]", "format": "wav"}},
         "[audio: audio/wav, [base64 audio redacted]]"),
        ({"type": "file", "file": "https://b.example/inv.png", "mediaType": "image/png"},
         "[image: image/png, https://b.example/inv.png]"),
        ({"type": "image_url", "image_url": {"url": "https://x.test/y.png"}}, "[image: https://x.test/y.png]"),
        ({"inlineData": {"mimeType": "image/png", "data": "[redacted]"}}, "[image: image/png, [redacted]]"),
        ({"fileData": {"mimeType": "video/mp4", "fileUri": "gs://b/v.mp4"}}, "[video: video/mp4, gs://b/v.mp4]"),
        ({"file_data": {"mime_type": "application/pdf", "file_uri": "gs://b/x.pdf"}},
         "[file: application/pdf, gs://b/x.pdf]"),
        ({"type": "image"}, "[image]"),
        ({"type": "document"}, "[file]"),
        ({"type": "audio"}, "[audio]"),
        ({"type": "input_file", "file_id": "file-abc"}, "[file: file-abc]"),
        ({"type": "input_file", "filename": "a.pdf"}, "[file: a.pdf]"),
        ({"type": "input_image", "image_url": "data:image/jpeg;base64,/9j/4AAQ"}, "[image: image/jpeg, 6 B]"),
        # data: URL without base64: its length in characters
        ({"type": "file", "file": {"file_data": "data:text/plain,hello"}}, "[file: text/plain, 21 chars]"),
        # a known media type wins over the data: URL's
        ({"type": "input_file", "mime_type": "application/pdf", "file_data": "data:x/y;base64,AAAA"},
         "[file: application/pdf, 3 B]"),
        # whitespace and padding do not count
        ({"type": "image", "data": "data:image/png;base64,AA AA\nAA=="}, "[image: image/png, 4 B]"),
        # long non-base64 text: its length
        ({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x, " * 50}},
         "[file: text/plain, 150 chars]"),
        # long base64 without a data: URL: decoded size
        ({"type": "image", "image": "A" * 2048}, "[image: 2 KB]"),
        ({"type": "image", "image": "A" * 1364 + "=="}, "[image: 1023 B]"),
        ({"type": "image", "image": ("QUJD" * 100 + "\n") * 3}, "[image: 900 B]"),
        ({"type": "image_generation_call", "result": "A" * 4_000_000}, "[image: 2.9 MB]"),
        # CR/LF become spaces
        ({"type": "image", "url": "a\r\nb"}, "[image: a  b]"),
        # a media type of another major kind keeps the type's kind
        ({"type": "image_url", "image_url": "data:application/octet-stream;base64,AAAA"},
         "[image: application/octet-stream, 3 B]"),
    ],
)
def test_media_placeholder(block: dict, expected: str) -> None:
    assert is_media(block)
    assert media_placeholder(block) == expected


def test_media_never_contains_data() -> None:
    data = B64_PNG
    for b in (
        {"type": "image_url", "image_url": {"url": "data:image/png;base64," + data}},
        {"inline_data": {"mime_type": "image/png", "data": data}},
        {"type": "input_audio", "input_audio": {"data": data, "format": "mp3"}},
        {"type": "input_file", "file": {"file_data": "data:application/pdf;base64," + data}},
    ):
        out = media_placeholder(b)
        assert data[:65] not in out
        assert len(out) < 80


def test_is_media_negative() -> None:
    assert not is_media({"type": "text", "text": "x"})
    assert not is_media({"type": ["image"]})
    assert is_media({"inline_data": None})


@pytest.mark.parametrize(
    ("n", "s"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1 KB"), (1535, "1 KB"), (1536, "2 KB"),
     (1048575, "1024 KB"), (1048576, "1.0 MB"), (1101004, "1.0 MB"), (1101005, "1.1 MB"),
     (296960, "290 KB"), (20 * 1048576, "20.0 MB")],
)
def test_size_text(n: int, s: str) -> None:
    assert size_text(n) == s


def test_string_placeholder() -> None:
    assert string_placeholder("data:image/png;base64,AAAA") == "[image: image/png, 3 B]"
    assert string_placeholder("data:application/pdf;base64,AAAA") == "[file: application/pdf, 3 B]"


# --------------------------------------------------------------------------------------------
# content_text


def test_scalars() -> None:
    assert content_text("x") == "x"
    assert content_text("") == ""
    assert content_text(None) == ""
    assert content_text(5) == "5"
    assert content_text(0.1) == "0.1"
    assert content_text(True) == "True"


def test_plain_path_example() -> None:
    c = [{"type": "text", "text": "a"}, {"type": "reasoning", "text": "r"}, {"type": "input_text", "text": "b"}]
    assert content_text(c) == "a\n\n[REASONING]\n\nr\n\nb"


def test_plain_path_rows() -> None:
    assert content_text(["x", "", "y"]) == "x\n\n\n\ny"
    assert content_text([{"type": "redacted_thinking", "data": "zzz"}]) == "[redacted thinking]"
    assert content_text([{"type": "thinking", "thinking": "Let me check.", "signature": "s"},
                         {"type": "text", "text": "Yes."}]) == "[THINKING]\n\nLet me check.\n\nYes."
    assert content_text([{"type": "refusal", "refusal": "No."}]) == "[REFUSAL]\n\nNo."
    assert content_text([{"type": "tool_result", "tool_use_id": "t1", "content": "36"}]) == "[TOOL_RESULT]\n\n36"
    assert content_text([{"type": "tool_result", "content": [{"type": "text", "text": "a"}, {"type": "text",
                                                                                           "text": "b"}]}]) \
        == "[TOOL_RESULT]\n\na\n\nb"
    # plain-text type without text contributes nothing (and no separator)
    assert content_text(["a", {"type": "text", "text": ""}, "b"]) == "a\n\nb"
    # unknown object → JSON
    assert content_text(["a", {"type": "x", "k": 1}]) == 'a\n\n{"type": "x", "k": 1}'
    # numbers, booleans, nested arrays, null
    assert content_text([1, True, None, ["p", "q"]]) == "1\n\nTrue\n\np\n\nq"
    # labels are upper-cased display forms
    assert content_text([{"type": "ß", "text": "t"}]) == "[SS]\n\nt"
    assert content_text([{"type": 5, "text": "t"}]) == "[5]\n\nt"
    # text first by truthiness, then content; a container is rendered as content
    assert content_text([{"text": "", "content": "c"}]) == "c"
    assert content_text([{"type": "text", "text": {"type": "text", "text": "in"}}]) == "in"


def test_plain_path_media() -> None:
    c = [
        {"type": "text", "text": "Image 1:"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": B64_PNG}},
        {"type": "text", "text": "Image 2:"},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/ant.jpg"}},
        {"type": "text", "text": "How are these images different?"},
    ]
    assert content_text(c) == (
        "Image 1:\n\n[image: image/png, 290 KB]\n\nImage 2:\n\n[image: https://example.com/ant.jpg]"
        "\n\nHow are these images different?"
    )


def test_plain_path_tool_result_vercel() -> None:
    c = [{"type": "tool-result", "toolName": "weather",
          "output": {"type": "json", "value": {"location": "San Francisco", "temperature": 72}}}]
    assert content_text(c) == '[Tool result: weather]\n\n{"location": "San Francisco", "temperature": 72}'
    assert content_text([{"type": "tool-result", "toolName": "weather",
                          "output": {"type": "text", "value": "72F"}}]) == "[Tool result: weather]\n\n72F"
    assert content_text([{"type": "tool-result", "result": None}]) == "[Tool result: unknown]"
    assert content_text([{"type": "tool-result", "toolName": "t", "result": 0}]) == "[Tool result: t]\n\n0"


def test_plain_path_empty_parts_fallback() -> None:
    assert content_text([{"type": "text", "text": ""}]) == '[{"type": "text", "text": ""}]'
    assert content_text([None]) == "[null]"
    big = [{"type": "text", "text": ""}] * 100
    out = content_text(big)
    assert len(out) == 503 and out.endswith("...") and out.startswith('[{"type": "text"')


def test_object_content() -> None:
    assert content_text({"text": "t"}) == "t"
    assert content_text({"text": None}) == "None"
    assert content_text({"text": 5}) == "5"
    assert content_text({"content": [{"type": "text", "text": "x"}]}) == "x"
    assert content_text({"a": 1}) == '{"a": 1}'
    assert content_text({"parts": [{"text": "p"}]}) == "p"
    assert content_text({"type": "thinking", "thinking": "hm"}) == "[THINKING]\n\nhm"
    assert content_text({"type": "image_url", "image_url": {"url": "https://x"}}) == "[image: https://x]"


# --------------------------------------------------------------------------------------------
# Special path and block_text


def test_special_path_quick_reference() -> None:
    assert content_text([{"type": "text", "text": "ok"}, {"type": "tool_use", "name": "w", "input": {"c": "P"}}]) \
        == 'ok\n\nw(c="P")'
    assert content_text([{"type": "function", "function": {"name": "g", "arguments": {"x": 1}}}]) == "g(x=1)"
    assert content_text([{"type": "tool-call", "toolName": "weather", "input": {"location": "SF"}}]) \
        == 'weather(location="SF")'
    assert content_text([{"type": "tool-call", "toolName": "weather", "args": {"location": "SF"}}]) \
        == 'weather(location="SF")'


def test_special_path_labels_asymmetry() -> None:
    c = [{"type": "note", "text": "r"}, {"type": "tool_use", "name": "f", "input": {}}]
    assert content_text(c) == "r\n\nf()"
    # ...except reasoning, a Responses/Vercel item that keeps its label on both paths (D13)
    c = [{"type": "reasoning", "text": "r"}, {"type": "tool_use", "name": "f", "input": {}}]
    assert content_text(c) == "[REASONING]\n\nr\n\nf()"
    # thinking keeps its label in the special path (object_text rule 2)
    c = [{"type": "thinking", "thinking": "t"}, {"type": "tool_use", "name": "f"}]
    assert content_text(c) == "[THINKING]\n\nt\n\nf()"


def test_special_path_elements() -> None:
    tu = {"type": "tool_use", "name": "f", "input": {"a": 1}}
    assert content_text(["", tu]) == "\n\nf(a=1)"
    # an empty nested array goes through the plain path's JSON fallback: "[]"
    assert content_text([None, 3, False, [], ["x"], tu]) == "3\n\nFalse\n\n[]\n\nx\n\nf(a=1)"
    # a special block found through content.toolName
    assert content_text([{"content": {"toolName": "t", "args": {"q": 1}}}]) == "t(q=1)"


def test_special_path_lifted_function_blocks() -> None:
    c = [{"type": "function", "function": {"name": "g", "arguments": "{}"}}]
    assert content_text(c, lifted=True) == ""
    assert content_text(c) == "g({})"
    c2 = [{"type": "text", "text": "hi"}, {"type": "function", "function": {"name": "g"}}]
    assert content_text(c2, lifted=True) == "hi"
    # a lifted message's non-lifted function block (no function object) still renders
    c3 = [{"type": "function", "function": {"name": "g"}}, {"type": "function", "content": "out", "name": "g"}]
    assert content_text(c3, lifted=True) == "[Tool result: g]\n\nout"


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"type": "tool-call", "toolName": "w", "input": None, "args": {"a": 1}}, "w(a=1)"),
        ({"type": "tool-call", "toolName": "w"}, "w()"),
        ({"type": "tool-call", "function": {"name": "x"}}, "x()"),  # D20 (version 1: unknown())
        ({"type": "tool-call", "toolName": "w", "input": "raw"}, "w(raw)"),
        ({"type": "tool_use", "name": "f", "input": {}, "partial_json": '{"a": "b"}'}, 'f(a="b")'),
        ({"type": "tool_use", "name": "f", "partial_json": "{bad"}, "f()"),
        ({"type": "tool_use", "partial_json": 5}, "unknown()"),
        ({"type": "tool_use", "name": "f", "input": {"x": 1}, "partial_json": '{"a": 1}'}, "f(x=1)"),
        ({"type": "tool_use", "name": 7, "input": {"x": [1, "ü"]}}, '7(x=[1, "ü"])'),
        ({"type": "function", "function": {"name": "g", "arguments": '{"x": 1}'}}, "g(x=1)"),
        ({"type": "function", "function": {"arguments": ""}}, "unknown()"),
        ({"type": "function", "name": "g", "content": {"r": 1}}, '[Tool result: g]\n\n{"r": 1}'),
        ({"type": "function", "tool_name": "tn", "name": "g", "content": None}, "[Tool result: tn]"),
        ({"type": "function", "content": ""}, "[Tool result: unknown]"),
        ({"type": "function", "x": 1}, '{"type": "function", "x": 1}'),
        ({"content": {"toolName": "t"}}, "t()"),
        ({"content": {"result": "r"}}, "[Tool result: unknown]\n\nr"),
        ({"content": {"result": []}}, "[Tool result: unknown]"),
        ({"type": "reasoning", "text": "r"}, "r"),
        ({"type": "text", "text": None}, "None"),
    ],
)
def test_block_text(block: dict, expected: str) -> None:
    assert block_text(block, False) == expected


def test_object_text_rules() -> None:
    assert object_text({"type": "redacted_thinking"}) == "[redacted thinking]"
    assert object_text({"type": "refusal", "refusal": "no"}) == "[REFUSAL]\n\nno"
    assert object_text({"type": "refusal", "refusal": ""}) == '{"type": "refusal", "refusal": ""}'
    assert object_text({"type": "tool-result", "toolName": "w", "result": {"type": "error-text", "value": "E"}}) \
        == "[Tool result: w] (error)\n\nE"  # D21
    assert object_text({"parts": [{"text": "a"}, {"text": "b"}]}) == "a\n\nb"
    assert object_text({"parts": [], "text": "t"}) == "t"
    assert object_text({"content": None}) == ""


# --------------------------------------------------------------------------------------------
# payload_text


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (None, ""),
        ("s", "s"),
        ("", ""),
        ([], ""),
        ({}, ""),
        (0, "0"),
        (False, "False"),
        ({"type": "text", "value": "v"}, "v"),
        ({"type": "error-text", "value": "bad"}, "bad"),
        ({"type": "json", "value": {"a": "é"}}, '{"a": "é"}'),
        ({"type": "error-json", "value": None}, "null"),
        ({"type": "content", "value": [{"type": "text", "text": "x"}, {"type": "text", "text": "y"}]}, "x\n\ny"),
        ({"type": "text", "value": 5}, '{"type": "text", "value": 5}'),
        ([{"type": "text", "text": "a"}], "a"),
        ({"content": "c"}, "c"),
    ],
)
def test_payload_text(p: object, expected: str) -> None:
    assert payload_text(p) == expected


# --------------------------------------------------------------------------------------------
# Gemini parts


def test_gemini_parts() -> None:
    assert gemini_parts_text([{"text": "Caption this."}, {"inlineData": {"mimeType": "image/png",
                                                                         "data": "[redacted]"}}]) \
        == "Caption this.\n\n[image: image/png, [redacted]]"
    assert gemini_parts_text([{"text": "Sure."}, {"functionCall": {"name": "g", "args": {"x": 1}}}]) \
        == "Sure.\n\ng(x=1)"
    assert gemini_parts_text([{"text": "hm", "thought": True}, {"text": "ok"}]) == "[THINKING]\n\nhm\n\nok"
    assert gemini_parts_text([{"function_call": {"name": "g", "args": {}}}]) == "g()"
    assert gemini_parts_text([{"functionResponse": {"name": "g", "response": {"t": 20}}}]) \
        == '[Tool result: g]\n\n{"t": 20}'
    assert gemini_parts_text([{"function_response": {"name": "g", "response": {}}}]) == "[Tool result: g]"
    assert gemini_parts_text([{"x": 1}, "s", 5]) == '{"x": 1}\n\n"s"\n\n5'
    assert gemini_parts_text([{"file_data": {"mime_type": "audio/mp3", "file_uri": "gs://a"}}]) \
        == "[audio: audio/mp3, gs://a]"


# --------------------------------------------------------------------------------------------
# Depth and size


def test_deep_nesting_no_recursion_error() -> None:
    c: object = "core"
    for _ in range(1200):
        c = [c]
    assert content_text(c) == "core"
    d: object = "leaf"
    for i in range(1200):
        d = {"type": "text", "text": d} if i % 2 else {"content": [d]}
    assert content_text(d) == "leaf"
    e: object = {"type": "text", "text": "x"}
    for _ in range(1100):
        e = {"type": "tool-result", "toolName": "t", "output": {"type": "content", "value": [e]}}
    out = content_text([e])
    assert out.count("[Tool result: t]") == 1100 and out.endswith("x")


def test_big_string_identity() -> None:
    s = "x" * 5_000_000
    assert content_text(s) is s
    assert content_text([{"type": "text", "text": s}]) == s


def test_json_keeps_non_ascii() -> None:
    assert content_text([{"type": "weird", "v": "Zürich"}]) == '{"type": "weird", "v": "Zürich"}'
    assert json.loads(content_text([{"type": "weird", "v": "\u2028"}]))["v"] == "\u2028"
