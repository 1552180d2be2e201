"""Planted secrets and personal data for the redaction tests (issue 14), with what must never leave.

Each case is ``(rule, planted text, needles)``: the text is what a user or a tool would write, the
needles are the sensitive parts that must not appear anywhere in a rendering (in any form).
"""
from __future__ import annotations

import base64
from typing import Any

# A base64 body for the PEM blocks (not a real key).
_PEM_BODY = "MIIEowIBAAKCAQEAq7BFUpkGp3+LQmlQ\nYx0p4lUsNw1ZcOdx9Tb0R2kcFh8MmQa1\n"

PLANTS: list[tuple[str, str, tuple[str, ...]]] = [
    # secrets: provider keys
    ("openai_api_key", "sk-proj-Ab3dEf9hIjKlMn0pQrStUvWx1z2Y3x4W5v6U7t8S9r0Q", ("sk-proj-Ab3dEf9hIjKlMn0pQrStUvWx1z2Y3x4W5v6U7t8S9r0Q",)),
    ("openai_api_key", "sk-4fG7hJ2kL9mN3pQ6rS8tU1vW5xY0zA2bC4dE6fG8hJ0kL2mN", ("sk-4fG7hJ2kL9mN3pQ6rS8tU1vW5xY0zA2bC4dE6fG8hJ0kL2mN",)),
    ("anthropic_api_key", "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEf_12345", ("sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEf_12345",)),
    ("google_api_key", "AIzaSyD4fG7hJ2kL9mN3pQ6rS8tU1vW5xY0zA2b", ("AIzaSyD4fG7hJ2kL9mN3pQ6rS8tU1vW5xY0zA2b",)),
    ("aws_access_key_id", "AKIAZ7Q4R2T8Y6U3I1O5", ("AKIAZ7Q4R2T8Y6U3I1O5",)),
    ("aws_access_key_id", "ASIAQ2W3E4R5T6Y7U8I9", ("ASIAQ2W3E4R5T6Y7U8I9",)),
    ("aws_secret_access_key", "creds AKIAZ7Q4R2T8Y6U3I1O6 / kT9pL2mQ7vX4nB8cR1sD5fG3hJ6kW0yZ2aE4uI7o",
     ("AKIAZ7Q4R2T8Y6U3I1O6", "kT9pL2mQ7vX4nB8cR1sD5fG3hJ6kW0yZ2aE4uI7o")),
    ("github_token", "ghp_R4nD0mT0k3nV4lu3F0rT3st1ngPurp0s3sXY", ("ghp_R4nD0mT0k3nV4lu3F0rT3st1ngPurp0s3sXY",)),
    ("github_token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF", ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF",)),
    ("github_token", "gho_9Zy8Xw7Vu6Ts5Rq4Po3Nm2Lk1Ji0Hg9Fe8Dc7B", ("gho_9Zy8Xw7Vu6Ts5Rq4Po3Nm2Lk1Ji0Hg9Fe8Dc7B",)),
    ("slack_token", "xoxb-2048-4096-Zq8Wx7Ec6Rv5Tb4Yn3Um2I", ("xoxb-2048-4096-Zq8Wx7Ec6Rv5Tb4Yn3Um2I",)),
    ("stripe_key", "sk_live_51HqZ8x2eZvKYlo2C9Qw3Er4Ty", ("sk_live_51HqZ8x2eZvKYlo2C9Qw3Er4Ty",)),
    ("stripe_key", "rk_live_51HqZ8x2eZvKYlo2C7Uj6Hn5Bg", ("rk_live_51HqZ8x2eZvKYlo2C7Uj6Hn5Bg",)),
    ("huggingface_token", "hf_QwErTyUiOpAsDfGhJkLzXcVbNm1234567890", ("hf_QwErTyUiOpAsDfGhJkLzXcVbNm1234567890",)),
    ("posthog_key", "phx_7Gh2Jk9Lm4Np6Qr8St1Uv3Wx5Yz0Ab2Cd4Ef6Gh8", ("phx_7Gh2Jk9Lm4Np6Qr8St1Uv3Wx5Yz0Ab2Cd4Ef6Gh8",)),
    ("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5ODc2NTQzMjEwIiwibmFtZSI6IkphbmUifQ.Xb7Tq2mP9vL4nK8cR1sD5fG3hJ6kW0yZ2aE4uI7oQ",
     ("eyJzdWIiOiI5ODc2NTQzMjEwIiwibmFtZSI6IkphbmUifQ", "Xb7Tq2mP9vL4nK8cR1sD5fG3hJ6kW0yZ2aE4uI7oQ")),
    ("private_key", "-----BEGIN RSA PRIVATE KEY-----\n" + _PEM_BODY + "-----END RSA PRIVATE KEY-----",
     ("MIIEowIBAAKCAQEAq7BFUpkGp3+LQmlQ", "Yx0p4lUsNw1ZcOdx9Tb0R2kcFh8MmQa1")),
    ("private_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\n-----END OPENSSH PRIVATE KEY-----",
     ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE",)),
    ("bearer_token", "Authorization: Bearer 7fQ2mZ9xLp4Rk8Vt1Ws6Nb3Hc0Jd5Ge", ("7fQ2mZ9xLp4Rk8Vt1Ws6Nb3Hc0Jd5Ge",)),
    ("bearer_token", "curl -H 'authorization: bearer tok_9x8y7z6w5v4u3t2s'", ("tok_9x8y7z6w5v4u3t2s",)),
    ("basic_auth", "Authorization: Basic " + base64.b64encode(b"deploy:Tr0ub4dor&3x").decode(),
     (base64.b64encode(b"deploy:Tr0ub4dor&3x").decode(), "Tr0ub4dor&3x")),
    ("url_credentials", "postgres://app_user:S3cr3tPassw0rd@db.internal.example.com:5432/prod", ("S3cr3tPassw0rd",)),
    ("url_credentials", "https://bob:hunter2hunter2@git.example.org/repo.git", ("hunter2hunter2",)),
    ("secret_field", '{"password": "Pa55w0rd-Zq81!", "user": "ops"}', ("Pa55w0rd-Zq81!",)),
    ("secret_field", "{'api_key': 'k3y-Vq82Lm0Xp', 'model': 'x'}", ("k3y-Vq82Lm0Xp",)),
    ("secret_field", "DB_PASSWORD=Hx7Lm2Qp9Zt4 ./run.sh", ("Hx7Lm2Qp9Zt4",)),
    ("secret_field", 'client_secret: "cs-Qw8Er7Ty6Ui5"', ("cs-Qw8Er7Ty6Ui5",)),
    ("secret_field", 'accessToken = "tokVAL-5Tg6Yh7Uj"', ("tokVAL-5Tg6Yh7Uj",)),
    # pii
    ("email", "alice.martin+billing@example-corp.co.uk", ("alice.martin+billing@example-corp.co.uk", "alice.martin+billing")),
    ("email", "j_doe42@mail.example.com", ("j_doe42@mail.example.com",)),
    ("phone", "+1 (415) 555-0132", ("415) 555-0132", "555-0132")),
    ("phone", "+44 20 7946 0958", ("20 7946 0958",)),
    ("phone", "+4915123456789", ("4915123456789",)),
    ("phone", "(212) 555-0199", ("(212) 555-0199",)),
    ("phone", "312-555-0147", ("312-555-0147",)),
    ("phone", "06 12 34 56 78", ("06 12 34 56 78",)),
    ("phone", "030 1234 5678", ("030 1234 5678",)),
    ("card_number", "4111 1111 1111 1111", ("4111 1111 1111 1111",)),
    ("card_number", "5500-0000-0000-0004", ("5500-0000-0000-0004",)),
    ("card_number", "378282246310005", ("378282246310005",)),
    ("card_number", "6011000990139424", ("6011000990139424",)),
    ("iban", "DE89 3704 0044 0532 0130 00", ("3704 0044 0532 0130",)),
    ("iban", "GB82WEST12345698765432", ("GB82WEST12345698765432",)),
    ("iban", "FR1420041010050500013M02606", ("FR1420041010050500013M02606",)),
    ("us_ssn", "078-05-1120", ("078-05-1120",)),
    ("us_ssn", "219-09-9999", ("219-09-9999",)),
    ("ipv4", "203.0.113.42", ("203.0.113.42",)),
    ("ipv4", "10.24.7.193", ("10.24.7.193",)),
    ("ipv6", "2001:db8:85a3::8a2e:370:7334", ("2001:db8:85a3::8a2e:370:7334", "8a2e:370:7334")),
    ("ipv6", "fe80::1ff:fe23:4567:890a", ("fe80::1ff:fe23:4567:890a", "fe23:4567:890a")),
]

# Text that must come out unchanged: code, UUIDs, hashes, timestamps, version strings, numbers.
CLEAN: list[str] = [
    "def tokenize(text: str) -> list[str]:\n    return text.split()  # max_tokens=4096",
    "for (int i = 0; i < n; ++i) { total += a[i] * 31; } // std::vector<int> v;",
    "const apiKeyName = process.env.KEY_NAME; if (!password) throw new Error('missing');",
    "token_count: 1234, prompt_tokens: 567, completion_tokens: 89, total_tokens: 1890",
    "request id 123e4567-e89b-12d3-a456-426614174000 and f47ac10b-58cc-4372-a567-0e02b2c3d479",
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
    "md5 d41d8cd98f00b204e9800998ecf8427e",
    "2024-08-06T12:30:45.123456Z 2024-08-06 12:30:45 1733450000 1733450000123 06/08/2024 12:30",
    "version 1.2.3, v2.10.0-rc.1, python 3.11.7, numpy==1.26.4, node v20.11.1, 10.0.19041.1",
    "latency 0.123456789012345 s, cost $0.000123, 12,345 tokens, 98.6%",
    "pip install 'textrepr[ray]>=0.1.0' && git clone git@github.com:posthog/textrepr.git",
    "see https://example.com/docs?page=2#section and icon@2x.png",
    "The password must be at least 12 characters; the token expires in 3600 seconds.",
    "A basic understanding of bearer instruments is useful.",
    "matrix [[1, 2, 3], [4, 5, 6]] and range(0, 100) and 127.0.0.1:8080 and 0.0.0.0",
    "order #12345678901 shipped; ISBN 978-3-16-148410-0",
]


def b64_cores(needle: str) -> list[str]:
    """The parts of base64 that encode only ``needle``'s bytes, at each of the 3 byte alignments."""
    raw = needle.encode("utf-8")
    cores = []
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + raw).decode()
        start = 4 if k else 0
        end = (k + len(raw)) // 3 * 4
        core = enc[start:end]
        if len(core) >= 8:
            cores.append(core)
    return cores


def redacted_copy(doc: Any, sets: tuple[str, ...]) -> tuple[Any, Any]:
    """(counts, redacted copy) of ``doc`` under the built-in rule ``sets`` — for twins.same_as_pure."""
    import copy

    from textrepr.redact import Redactor, redact_data

    d = copy.deepcopy(doc)
    return redact_data(d, Redactor(sets=sets), False), d
