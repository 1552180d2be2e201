"""Redaction (issue 14): rules, the ``redact`` option, ``redactor=``, exempt keys, metadata."""
from __future__ import annotations

import base64
import pickle

import pytest
from redact_cases import CLEAN, PLANTS

import textrepr
from textrepr import InvalidRequest, Options, Redactor, markers
from textrepr.redact import EVENT_EXEMPT, PROPERTY_EXEMPT, marker

DEFAULT = Redactor.default()


def gen(props: dict, **options: object) -> dict:
    return textrepr.text_repr({"event_type": "$ai_generation", "data": {"id": "g1", "properties": props},
                               "options": options})


# ------------------------------------------------------------------------------------------ rules


@pytest.mark.parametrize(("rule", "text", "needles"), PLANTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(PLANTS)])
def test_every_planted_kind_is_redacted(rule: str, text: str, needles: tuple[str, ...]) -> None:
    for wrapped in (text, f"before {text} after", f"x\n{text}\ny"):
        out, counts = DEFAULT.redact_counted(wrapped)
        for n in needles:
            assert n not in out, (wrapped, out)
        assert rule in counts and marker(rule) in out, (wrapped, out, counts)


@pytest.mark.parametrize(("lead", "rule", "value"), [
    ("12345 ", "card_number", "4111111111111111"), ("call 12345 ", "card_number", "4111 1111 1111 1111"),
    ("ref 99 ", "card_number", "5500005555555559"), ("1 2 3 4 5 6 ", "phone", "+44 20 7946 0958"),
    ("2024 ", "phone", "(415) 555-2671"), ("7 ", "iban", "DE89 3704 0044 0532 0130 00"),
])
def test_a_number_right_after_another_is_redacted(lead: str, rule: str, value: str) -> None:
    """A number that starts within seven characters of the previous number still starts a match (once its
    start was hidden behind the previous number's trigger, and the card after "12345 " leaked)."""
    for text in (lead + value, lead + value + " end", "x " + lead + value):
        out = Redactor.default().redact(text)
        assert value not in out and f"[REDACTED:{rule}]" in out, (text, out)


@pytest.mark.parametrize("text", CLEAN)
def test_code_ids_hashes_timestamps_versions_are_kept(text: str) -> None:
    assert DEFAULT.redact(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("card 4111 1111 1111 1112 fails Luhn", "card 4111 1111 1111 1112 fails Luhn"),
    # (Its digits must not be PII of their own: "DE89 3704 0044 0532 0130 01" holds a Luhn-valid 18-digit run.)
    ("iban GB82 WEST 1234 5698 7654 33 fails mod-97", "iban GB82 WEST 1234 5698 7654 33 fails mod-97"),
    ("iban GB82 WEST 1234 5698 7654 32 ok", "iban [REDACTED:iban] ok"),
    ("ssn 000-12-3456 and 666-12-3456 are invalid", "ssn 000-12-3456 and 666-12-3456 are invalid"),
    ("ip 999.1.1.1 is not an address", "ip 999.1.1.1 is not an address"),
    ("iban DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX", "iban [REDACTED:iban] BIC COBADEFFXXX"),
    ("Bearer [REDACTED:bearer_token]", "Bearer [REDACTED:bearer_token]"),
    ('{"password": "", "token": null}', '{"password": "", "token": null}'),
])
def test_validators(text: str, expected: str) -> None:
    assert DEFAULT.redact(text) == expected


def test_rule_sets_select_rules() -> None:
    text = "mail a.b@example.com key sk-proj-Ab3dEf9hIjKlMn0pQrStUvWx1z2Y3x4W"
    assert Redactor(sets=["pii"]).redact(text) == "mail [REDACTED:email] key sk-proj-Ab3dEf9hIjKlMn0pQrStUvWx1z2Y3x4W"
    assert Redactor(sets=["secrets"]).redact(text) == "mail a.b@example.com key [REDACTED:openai_api_key]"
    assert Redactor(sets=()).redact(text) == text


def test_custom_rules_keys_and_callback() -> None:
    r = Redactor(rules={"ticket": r"TCK-\d{6}"}, keys=["pin"], callback=lambda s: s.replace("Acme", "[ORG]"),
                 sets=("secrets",))
    out, counts = r.redact_counted('Acme ticket TCK-123456, {"pin": "8812"} pin=0077')
    assert out == '[ORG] ticket [REDACTED:ticket], {"pin": "[REDACTED:secret_field]"} pin=0077'
    assert counts == {"ticket": 1, "secret_field": 1, "callback": 1}
    assert r.is_secret_key("card_pin") and r.is_secret_key("userPassword") and not r.is_secret_key("pinned")


def test_redactor_is_immutable_hashable_picklable() -> None:
    a = Redactor(rules=[("x", "X+")], keys=("k",))
    b = Redactor(rules={"x": "X+"}, keys=["k"])
    assert a == b and hash(a) == hash(b)
    with pytest.raises(Exception):
        a.keys = ()  # type: ignore[misc]
    c = pickle.loads(pickle.dumps(a))
    assert c == a and c.redact("aXXb") == "a[REDACTED:x]b"
    assert Redactor.default() is Redactor.default()


@pytest.mark.parametrize("kwargs", [
    {"sets": ["secrets", "nope"]}, {"rules": {"bad": "("}}, {"rules": [("only-name",)]}, {"keys": [""]},
    {"callback": 5},
])
def test_redactor_rejects_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(InvalidRequest) as e:
        Redactor(**kwargs)
    assert list(e.value.body) == ["redactor"]


@pytest.mark.parametrize("key", ["password", "DB_PASSWORD", "x-api-key", "apiKey", "accessToken", "Cookie",
                                 "client_secret", "AWS_SECRET_ACCESS_KEY", "private_key", "Authorization", "passwd"])
def test_secret_key_names(key: str) -> None:
    assert DEFAULT.is_secret_key(key)


@pytest.mark.parametrize("key", ["max_tokens", "tokens", "token_count", "keyboard", "secretary_name", "input", "id"])
def test_not_secret_key_names(key: str) -> None:
    assert not DEFAULT.is_secret_key(key)


# ------------------------------------------------------------------------------------------ option


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), ("yes", True), ("0", False), (1, True),
    (["secrets"], ("secrets",)), (["pii", "secrets"], True), (["pii", "pii"], ("pii",)), ([], False),
])
def test_redact_option_coercion(value: object, expected: object) -> None:
    assert Options.from_mapping({"redact": value}).redact == expected


@pytest.mark.parametrize("value", ["all", ["secrets", "nope"], [1], {"secrets": True}, 2, "1.0"])
def test_redact_option_errors(value: object) -> None:
    with pytest.raises(InvalidRequest) as e:
        textrepr.text_repr({"event_type": "$ai_generation", "data": {"id": "1", "properties": {}},
                            "options": {"redact": value, "max_length": "x", "include_system": "maybe"}})
    assert e.value.body == {"options": {
        "max_length": ["A valid integer is required."],
        "redact": ['Must be a boolean or a list of rule-set names ("secrets", "pii").'],
        "include_system": ["Must be a valid boolean."],
    }}


def test_redact_option_null_and_direct_construction() -> None:
    with pytest.raises(InvalidRequest) as e:
        Options.from_mapping({"redact": None})
    assert e.value.body == {"options": {"redact": ["This field may not be null."]}}
    assert Options(redact=["pii"]).redact == ("pii",)
    assert hash(Options(redact=["pii"])) == hash(Options(redact=("pii",)))
    with pytest.raises(InvalidRequest):
        Options(redact="secrets")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest):
        Options(include_tools=1)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ rendering


def test_metadata_redactions_only_when_on_and_after_the_v1_keys() -> None:
    props = {"$ai_input": "write to bob@example.com or bob2@example.com, key hf_QwErTyUiOpAsDfGhJkLzXcVbNm1234567890"}
    off = gen(props)
    assert "redactions" not in off["metadata"] and "bob@example.com" in off["text"]
    on = gen(props, redact=True)
    assert list(on["metadata"]) == ["event_type", "event_id", "trace_id", "rendering", "char_count", "truncated",
                                    "redactions"]
    assert on["metadata"]["redactions"] == {"email": 2, "huggingface_token": 1}
    assert on["metadata"]["char_count"] == len(on["text"])
    clean = gen({"$ai_input": "nothing here"}, redact=["pii"])
    assert clean["metadata"]["redactions"] == {}


def test_redactor_keyword_everywhere_and_wins_over_option() -> None:
    r = Redactor(rules={"codename": r"Project Blue\w*"}, sets=())
    ev = {"id": "e", "properties": {"$ai_input": "Project Bluebird for a@b.example.com"}}
    body = textrepr.text_repr({"event_type": "$ai_generation", "data": ev, "options": {"redact": True}}, redactor=r)
    assert "[REDACTED:codename]" in body["text"] and "a@b.example.com" in body["text"]
    assert body["metadata"]["redactions"] == {"codename": 1}
    assert "[REDACTED:codename]" in textrepr.render_event(ev, redactor=r).text
    tr = textrepr.render_trace({"id": "t", "properties": {"$ai_input_state": "Project Blue"}}, [], redactor=r)
    assert "[REDACTED:codename]" in tr.text and tr.metadata["redactions"] == {"codename": 1}
    with pytest.raises(InvalidRequest):
        textrepr.render_event(ev, redactor="secrets")  # type: ignore[arg-type]


def test_caller_data_is_not_modified() -> None:
    ev = {"id": "e", "properties": {"$ai_input": [{"role": "user", "content": "a@b.example.com"}]}}
    textrepr.render_event(ev, {"redact": True})
    assert ev["properties"]["$ai_input"][0]["content"] == "a@b.example.com"


def test_exempt_keys_are_kept_and_the_rest_is_redacted() -> None:
    assert {"id", "uuid", "timestamp"} <= EVENT_EXEMPT and "$ai_trace_id" in PROPERTY_EXEMPT
    email = "ops@example.com"
    data = {"id": email, "timestamp": "2024-01-01", "event": "$ai_generation",
            "properties": {"$ai_trace_id": email, "$ai_model": "gpt-4o", "$ai_input": email,
                           "$ai_output_choices": [{"role": "assistant", "content": email, "id": email}]}}
    body = textrepr.text_repr({"event_type": "$ai_generation", "data": data, "options": {"redact": True}})
    assert body["metadata"]["event_id"] == email and body["metadata"]["trace_id"] == email
    assert email not in body["text"] and body["metadata"]["redactions"] == {"email": 3}


def test_trace_ids_kept_for_links() -> None:
    hier = [{"event": {"id": "n@example.com", "event": "$ai_span", "properties": {
        "$ai_span_name": "lookup", "$ai_input_state": {"password": "Pa55w0rd-Zq81!", "q": "call +44 20 7946 0958"}}},
        "children": []}]
    r = textrepr.render_trace({"id": "t1", "properties": {}}, hier, {"redact": True, "max_length": 0})
    assert "n@example.com" in r.text  # a node id is exempt (it links the UI to the event)
    full = markers.expand(r.text)
    assert "Pa55w0rd" not in full and "7946" not in full
    assert r.metadata["redactions"] == {"phone": 1, "secret_field": 1}


def test_secret_named_object_keys() -> None:
    props = {
        "$ai_tools": [{"type": "function", "function": {"name": "login", "parameters": {
            "type": "object", "properties": {"password": {"type": "string"}, "token": {"type": "string"}}}}}],
        "$ai_input": [{"role": "tool", "content": {"headers": {"Cookie": ["sid=abc123", "theme=dark"],
                                                               "Authorization": "opaque", "X-Count": 3},
                                                   "token": 12345}}],
    }
    text = gen(props, redact=["secrets"], include_markers=False)["text"]
    assert "login(password?: string, token?: string)" in text  # a schema under a secret name is not a value
    assert "sid=abc123" not in text and "theme=dark" not in text and "opaque" not in text
    assert '"X-Count": 3' in text and '"token": 12345' in text  # numbers are never changed


def test_object_keys_are_redacted_and_stay_distinct() -> None:
    props = {"$ai_input": [{"role": "tool", "content": {"a@example.com": 1, "b@example.com": 2}}]}
    text = gen(props, redact=True, include_markers=False)["text"]
    assert '"[REDACTED:email]": 1' in text and '"[REDACTED:email]#2": 2' in text


@pytest.mark.parametrize("markers_on", [True, False])
def test_redaction_happens_before_truncation(markers_on: bool) -> None:
    secret = "sk-proj-Ab3dEf9hIjKlMn0pQrStUvWx1z2Y3x4W5v6U7t8S9r0Q"
    long = "x " * 3000 + secret + " y" * 3000
    body = gen({"$ai_input": long}, redact=True, include_markers=markers_on, truncate_buffer=100)
    assert "[REDACTED" not in body["text"]  # the middle was cut
    expanded = markers.expand(body["text"])
    assert secret not in expanded and (not markers_on or "[REDACTED:openai_api_key]" in expanded)
    assert body["metadata"]["redactions"] == {"openai_api_key": 1}


def test_parsed_strings_are_redacted_inside() -> None:
    props = {"$ai_output_choices": [{"role": "assistant", "tool_calls": [{"type": "function", "function": {
        "name": "connect", "arguments": '{"dsn": "postgres://u:S3cr3tPassw0rd@h/db", "api_key": "k3y-Vq82Lm0Xp"}'}}]}],
        "$ai_error": '{"error": {"message": "bad key sk-4fG7hJ2kL9mN3pQ6rS8tU1vW5xY0zA2bC4dE6fG8hJ0kL2mN"}}'}
    text = gen(props, redact=True)["text"]
    assert 'connect(dsn="postgres://[REDACTED:url_credentials]@h/db", api_key="[REDACTED:secret_field]")' in text
    assert "message: bad key [REDACTED:openai_api_key]" in text
    span = textrepr.text_repr({"event_type": "$ai_span", "data": {"id": "s", "properties": {
        "$ai_input_state": "{'password': 'Pa55w0rd-Zq81!', 'n': 3}"}}, "options": {"redact": True}})
    assert '"password": "[REDACTED:secret_field]"' in span["text"] and '"n": 3' in span["text"]


def test_base64_media_strings_do_not_break() -> None:
    img = "data:image/png;base64," + base64.b64encode(bytes(range(256)) * 40).decode()
    props = {"$ai_input": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": img}}]}]}
    assert gen(props, redact=True)["text"] == gen(props)["text"]


def test_deep_nesting_with_redaction() -> None:
    v: object = "a@example.com"
    for _ in range(1000):
        v = [v]
    body = gen({"$ai_input": [{"role": "user", "content": {"x": v}}]}, redact=True)
    assert "a@example.com" not in body["text"] and body["metadata"]["redactions"] == {"email": 1}


# ------------------------------------------------------------------------------------------ routes

_REQ = {"event_type": "$ai_generation", "data": {"id": "1", "properties": {
    "$ai_input": "call +1 (415) 555-0132 about TCK-123456 with sk-proj-Ab3dEf9hIjKlMn0pQrStUvWx1z2Y3x4W"}}}


def test_cli_redact_flags(tmp_path, capsysbinary) -> None:  # type: ignore[no-untyped-def]
    import json

    from textrepr import cli

    req = tmp_path / "r.json"
    req.write_text(json.dumps(_REQ))
    assert cli.main([str(req), "--redact"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert "[REDACTED:phone]" in out and "[REDACTED:openai_api_key]" in out and "TCK-123456" in out
    assert cli.main([str(req), "--redact", "secrets", "--json"]) == 0
    body = json.loads(capsysbinary.readouterr().out)
    assert body["metadata"]["redactions"] == {"openai_api_key": 1}
    rules = tmp_path / "rules.toml"
    rules.write_text('sets = ["pii"]\n[rules]\nticket = "TCK-\\\\d{6}"\n')
    assert cli.main([str(req), "--redact-rules", str(rules)]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert "[REDACTED:ticket]" in out and "[REDACTED:phone]" in out and "sk-proj-" in out
    rules_json = tmp_path / "rules.json"
    rules_json.write_text(json.dumps({"ticket": "TCK-\\d{6}"}))
    assert cli.main([str(req), "--redact-rules", str(rules_json)]) == 0
    assert "[REDACTED:ticket]" in capsysbinary.readouterr().out.decode()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"rules": {"x": "("}}))
    assert cli.main([str(req), "--redact-rules", str(bad)]) == 2
    assert cli.main([str(req), "--redact", "everything"]) == 1
    assert cli.main([str(req), "--no-include-tools", "--no-include-system", "--no-include-reasoning"]) == 0


def test_cli_traces_and_html_take_redaction_rules_and_tokenizer(tmp_path, capsysbinary) -> None:  # type: ignore[no-untyped-def]
    import json

    from textrepr import cli

    events = [{"uuid": "t1", "event": "$ai_trace", "properties": {"$ai_trace_id": "t1"}},
              {"uuid": "g1", "event": "$ai_generation", "properties": {
                  "$ai_trace_id": "t1", "$ai_parent_id": "t1", "$ai_input": "ticket TCK-123456, call +1 415 555 0134",
                  "$ai_output_choices": "word " * 400}}]
    flat = tmp_path / "flat.jsonl"
    flat.write_text("\n".join(json.dumps(e) for e in events))
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"ticket": "TCK-\\d{6}"}))
    out = tmp_path / "out.jsonl"
    assert cli.main(["traces", str(flat), "-o", str(out), "-q", "--redact-rules", str(rules)]) == 0
    (rec,) = [json.loads(x) for x in out.read_text().splitlines()]
    text = textrepr.markers.expand(rec["text"])  # the generation is folded in a GEN_EXPANDABLE marker
    assert "[REDACTED:ticket]" in text and "TCK-123456" not in text
    assert rec["metadata"]["redactions"]["ticket"] == 1
    # --tokenizer reaches the trace renderer: a 1-per-character counter bounds the text like max_length would.
    assert cli.main(["traces", str(flat), "-o", str(out), "-q", "--no-include-markers", "--max-tokens", "300",
                     "--tokenizer", "chars"]) == 0
    (rec,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rec["text"]) <= 300 and rec["metadata"]["truncated"] is True
    page = tmp_path / "p.html"
    assert cli.main(["html", str(flat), "-o", str(page), "-q", "--redact-rules", str(rules)]) == 0
    html = page.read_text("utf-8")
    assert "[REDACTED:ticket]" in html and "TCK-123456" not in html


def test_batch_and_arrow_routes_take_a_redactor(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from textrepr import batch

    r = Redactor(rules={"ticket": r"TCK-\d{6}"}, sets=["pii"])
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(_REQ) for _ in range(3)) + "\n")
    for workers in (1, 2):
        dst = tmp_path / f"out{workers}.jsonl"
        res = batch.batch_file(str(src), str(dst), workers=workers, redactor=r, chunk_bytes=64)
        assert res.records == 3 and res.errors == 0
        for line in dst.read_text().splitlines():
            rec = json.loads(line)
            assert "[REDACTED:ticket]" in rec["text"] and rec["metadata"]["redactions"] == {"phone": 1, "ticket": 1}
    pa = pytest.importorskip("pyarrow")
    from textrepr import arrow

    tbl = pa.table({"request": [json.dumps(_REQ).encode()] * 2})
    out = arrow.render_batch(tbl, redactor=r)
    assert all("[REDACTED:ticket]" in t for t in out.column("text").to_pylist())
    out = arrow.render_batch(tbl, {"redact": ["secrets"]})
    assert all("[REDACTED:openai_api_key]" in t and "TCK-123456" in t for t in out.column("text").to_pylist())


def test_prepare_data_is_the_single_pre_pass() -> None:
    """``api.prepare_data``: what every entry point runs on freshly parsed data before rendering."""
    from textrepr.api import prepare_data

    data = {"id": "x", "properties": {"$ai_input": [
        {"role": "system", "content": "mail ops@example.com"},
        {"role": "user", "content": [{"type": "thinking", "thinking": "card 4111 1111 1111 1111"},
                                     {"type": "text", "text": "call 312-555-0147"}]}]}}
    assert prepare_data(data, Options(), None, False) is None and "ops@example.com" in str(data)
    counts = prepare_data(data, Options(redact=True, include_system=False, include_reasoning=False), None, False)
    assert counts == {"phone": 1}  # what the filters dropped is not counted
    assert data["properties"]["$ai_input"][0]["content"] == "[system message omitted: 20 chars]"
    assert "4111" not in str(data) and "312-555-0147" not in str(data)


def test_children_of_a_non_node_object_are_redacted() -> None:
    ev = {"id": "e", "properties": {"$ai_input": "hi"}, "children": ["a@example.com"]}
    hier = [{"event": {"id": "n", "event": "$ai_span", "children": ["b@example.com"], "properties": {}},
             "children": [{"id": "bare", "event": "$ai_span", "properties": {"$ai_span_name": "c@example.com"}}]}]
    data = {"trace": {"id": "t", "children": ["d@example.com"]}, "hierarchy": hier}
    from textrepr.api import prepare_data

    prepare_data(ev, Options(redact=True), None, False)
    prepare_data(data, Options(redact=True), None, True)
    assert "@example.com" not in str(ev) + str(data)
