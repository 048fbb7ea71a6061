"""Refused input is explained in Bahasa Indonesia, naming the field (pydantic's own English
messages never reach the user)."""

from __future__ import annotations

import typing

import pytest
from pydantic_core import core_schema

ENGLISH = ("Field required", "Input should", "String should", "Value error", "valid", "least")


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "reason"),
    [
        ("post", "/api/incidents", {"caller_name": "Budi"}, "body.caller_phone", "wajib diisi"),
        ("post", "/api/units", {"call_sign": "A 1", "kind": "R4"}, "body.call_sign", "pola"),
        ("post", "/api/units", {"call_sign": "A1", "kind": "kapal"}, "body.kind", "salah satu"),
        ("get", "/api/incidents?limit=abc", None, "query.limit", "bilangan bulat"),
        ("patch", "/api/units/1", {"crew": "awak"}, "body.crew", "daftar"),
        ("post", "/api/calls", {"line": ""}, "body.line", "minimal 1 karakter"),
        ("post", "/api/calls", {"line": "1", "rang_at": "kemarin"}, "body.rang_at", "tanggal"),
    ],
)
def test_validation_errors_are_indonesian_and_name_the_field(
    api_client, method: str, path: str, body: dict | None, field: str, reason: str
) -> None:  # noqa: ANN001
    response = api_client.request(method.upper(), path, json=body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["field"] == field, answer
    assert answer["message"].startswith(field.split(".", 1)[1] + ": "), answer
    assert reason in answer["message"], answer
    for item in answer["errors"]:
        assert not any(word in item["reason"] for word in ENGLISH), item


def test_every_pydantic_error_type_has_an_indonesian_reason() -> None:
    from api.errors import validation_reason

    for error_type in typing.get_args(core_schema.ErrorType):
        reason = validation_reason({"type": error_type, "msg": "Input should be valid", "ctx": {}})
        assert reason and not any(word in reason for word in ENGLISH), (error_type, reason)


def test_our_own_validator_messages_pass_through() -> None:
    from api.errors import validation_reason

    error = {"type": "value_error", "msg": "Value error, kategori tidak dikenal: 'x'"}
    error["ctx"] = {"error": ValueError("kategori tidak dikenal: 'x'")}
    assert validation_reason(error) == "kategori tidak dikenal: 'x'"
