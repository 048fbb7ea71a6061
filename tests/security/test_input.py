"""SQL injection and oversized text on every text field of the API: rejected, without effect.

Walks the OpenAPI spec: every string in a JSON body, every string query parameter and every
string path parameter gets SQL-injection payloads, a NUL character and an oversized value, as
an administrator (who passes the role policy everywhere).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.deps import MAX_TEXT_CHARS

INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    '" OR 1=1; --',
    "1; UPDATE users SET role='admin' --",
    "x') UNION SELECT username, password_hash FROM users --",
    "$$; DELETE FROM incidents; $$",
]
SKIP = {("GET", "/api/live/units")}  # never ends; it has no text input besides the token
DUMMY_ID = 2_000_000_000


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    if "anyOf" in schema:  # Optional[X]: take the non-null branch
        branches = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _resolve(spec, branches[0]) if branches else schema
    return schema


def _sample(spec: dict, schema: dict) -> Any:
    schema = _resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _sample(spec, sub) for name, sub in props.items()}
    if kind == "array":
        return [_sample(spec, schema.get("items", {}))] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 0) if "minimum" in schema else 0.5
    if kind == "boolean":
        return True
    return "uji"


def _operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if (method.upper(), path) not in SKIP:
                yield method.upper(), path, operation


def _json_body_schema(spec: dict, operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return _resolve(spec, schema) if schema else None


def _url(path: str, operation: dict, override: tuple[str, str] | None = None) -> str:
    values = {}
    for param in operation.get("parameters", []):
        if param["in"] == "path":
            is_text = param.get("schema", {}).get("type") == "string"
            values[param["name"]] = "uji" if is_text else str(DUMMY_ID)
    if override and override[0] in values:
        values[override[0]] = override[1]
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: values.get(m.group(1), "1"), path)


def _text_cases(max_length: int | None) -> list[tuple[str, bool]]:
    """(value, must_be_rejected) for one text field."""
    oversized = "A" * (max(max_length or 0, MAX_TEXT_CHARS) + 1)
    return [(payload, False) for payload in INJECTIONS] + [(oversized, True), ("a\x00b", True)]


def _counts(session: Session) -> dict[str, int]:
    tables = session.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    ).all()
    return {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}  # noqa: S608


def _send(client, method: str, url: str, kwargs: dict[str, Any]):  # noqa: ANN001, ANN202
    return client.request(method, url, **kwargs)


def test_text_inputs_resist_injection_and_size(api_client, db_session: Session) -> None:  # noqa: ANN001
    spec = api_client.app.openapi()
    before = _counts(db_session)
    failures: list[str] = []
    echoes: list[tuple[str, Any]] = []
    for method, path, operation in _operations(spec):
        for where, name, max_length, request in _inputs(spec, method, path, operation):
            for value, must_reject in _text_cases(max_length):
                response = _send(api_client, method, *request(value))
                label = f"{method} {path} {where}.{name} <- {value[:30]!r}"
                if response.status_code >= 500:
                    failures.append(f"{label}: {response.status_code}")
                elif must_reject and response.status_code < 400:
                    failures.append(f"{label}: accepted ({response.status_code})")
                elif response.status_code < 300 and method != "GET":
                    echoes.append((value, response.json()))
    assert not failures, "\n".join(failures)
    _assert_without_effect(db_session, before, echoes)


def _inputs(spec: dict, method: str, path: str, operation: dict) -> Iterator[tuple]:
    """(where, name, maxLength, request(value) -> (url, kwargs)) for each text input."""
    for param in operation.get("parameters", []):
        schema = _resolve(spec, param.get("schema", {}))
        if (
            schema.get("type") != "string"
            or "enum" in schema
            or param["in"]
            not in (
                "query",
                "path",
            )
        ):
            continue
        name = param["name"]
        if param["in"] == "path":
            yield "path", name, schema.get("maxLength"), _path_request(path, operation, name)
        else:
            yield "query", name, schema.get("maxLength"), _query_request(path, operation, name)
    body_schema = _json_body_schema(spec, operation)
    if body_schema and body_schema.get("type") == "object":
        base = _sample(spec, body_schema)
        for name, sub in body_schema.get("properties", {}).items():
            sub = _resolve(spec, sub)
            if sub.get("type") == "string" and "enum" not in sub:
                yield "body", name, sub.get("maxLength"), _body_request(path, operation, base, name)


def _path_request(path: str, operation: dict, name: str):  # noqa: ANN202
    return lambda value: (_url(path, operation, (name, quote(value, safe=""))), {})


def _query_request(path: str, operation: dict, name: str):  # noqa: ANN202
    return lambda value: (_url(path, operation), {"params": {name: value}})


def _body_request(path: str, operation: dict, base: dict, name: str):  # noqa: ANN202
    return lambda value: (_url(path, operation), {"json": {**base, name: value}})


def _assert_without_effect(session: Session, before: dict[str, int], echoes: list) -> None:
    after = _counts(session)
    assert set(after) == set(before), "a table appeared or disappeared"
    assert after["users"] == before["users"]
    assert session.scalar(text("SELECT count(*) FROM users WHERE role = 'admin'")) == 1
    # Accepted writes stored the payload as data: it comes back verbatim.
    stored = [(value, body) for value, body in echoes if value in INJECTIONS]
    for value, body in stored:
        assert value in json.dumps(body, ensure_ascii=False), (value, body)


def test_login_form_resists_injection(api_client) -> None:  # noqa: ANN001
    for payload in INJECTIONS:
        for form in (
            {"username": payload, "password": "x"},
            {"username": "a", "password": payload},
        ):
            response = api_client.post("/api/auth/token", data=form, headers={"Authorization": ""})
            assert response.status_code in (401, 422, 429), (form, response.status_code)
    huge = {"username": "a" * 100_000, "password": "b"}
    assert api_client.post("/api/auth/token", data=huge).status_code in (413, 422)


def test_oversized_body_is_refused_before_parsing(api_client) -> None:  # noqa: ANN001
    response = api_client.post("/api/auth/users", content=b"{" + b" " * 2_000_000 + b"}",
                               headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 413


def test_injection_strings_are_stored_as_plain_data(api_client, db_session: Session) -> None:  # noqa: ANN001
    from dispatch.taxonomy import CATEGORIES
    from tests.security.conftest import add_jurisdiction

    polda = add_jurisdiction(db_session, level="polda", parent_id=None, x0=116.0)
    polres = add_jurisdiction(db_session, level="polres", parent_id=polda, x0=116.0)
    add_jurisdiction(db_session, level="polsek", parent_id=polres, x0=116.0)
    before = _counts(db_session)
    payload = INJECTIONS[1]  # '; DROP TABLE users; --
    body = {
        "caller_name": payload,
        "caller_phone": "0812' OR '1'='1",
        "category": next(iter(CATEGORIES)),
        "description": INJECTIONS[3],
        "address": INJECTIONS[4],
        "lon": 116.05,
        "lat": -1.25,
    }
    created = api_client.post("/api/incidents", json=body)
    assert created.status_code == 201, created.text
    stored = api_client.get(f"/api/incidents/{created.json()['id']}").json()
    for field in ("caller_name", "description", "address"):
        assert stored[field] == body[field], field
    after = _counts(db_session)
    assert set(after) == set(before) and after["users"] == before["users"]
    assert after["incidents"] == before["incidents"] + 1
    assert db_session.scalar(text("SELECT count(*) FROM users WHERE role = 'admin'")) == 1
