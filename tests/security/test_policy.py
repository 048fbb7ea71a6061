"""The role policy: every route has an entry, and each role gets exactly what it allows.

Walks the app's routes and its OpenAPI spec; a route added without a policy entry fails here
(and is refused to everyone at run time).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import iter_route_contexts

from api.models import ROLES
from api.policy import POLICY, rule_for
from tests.security.conftest import Tree

# Values for path parameters: ids that exist nowhere (but fit in int4).
DUMMY = {"phone": "081234567890", "username": "tidak-ada"}
DUMMY_ID = 2_000_000_000
ROLE_JURISDICTION = {
    "polda_operator": "polda",
    "polres_operator": "polres",
    "polsek_operator": "polsek",
    "commander": "polda",
    "planner": "polda",
    "perwira_piket": "polda",
    "direktur": "polda",
    "desk": "polres",
    "spkt": "polres",
    "telephony": "polda",
}
# Desk users carry a function (piket/functions.py).
ROLE_EXTRA = {"desk": {"function_code": "reskrim"}}


def _app_routes(app) -> Iterator[tuple[str, str]]:  # noqa: ANN001
    """(method, path template) of every route the project's routers define."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        module = getattr(getattr(route, "endpoint", None), "__module__", "")
        if not module.startswith("api."):
            continue  # FastAPI's own /docs, /redoc, /openapi.json
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                yield method, context.path


def _spec_operations(app) -> Iterator[tuple[str, str]]:  # noqa: ANN001
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            yield method.upper(), path


def _fill(path: str, *, unit_id: int | None = None) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        if name == "unit_id" and unit_id is not None:
            return str(unit_id)
        return DUMMY.get(name, str(DUMMY_ID))

    return re.sub(r"\{([^}]+)\}", value, path)


def _call(client, method: str, url: str, *, stream: bool = False) -> tuple[int, dict]:  # noqa: ANN001
    """(status, JSON body or {}); an event stream is opened and closed after its status."""
    if stream:
        with client.stream(method, url) as response:
            if response.status_code == 200:
                return 200, {}
            response.read()
            return response.status_code, _json(response)
    body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    response = client.request(method, url, **body)
    return response.status_code, _json(response)


def test_every_route_has_a_policy_entry_and_no_entry_is_stale(api_client) -> None:  # noqa: ANN001
    routes = set(_app_routes(api_client.app))
    missing = sorted(routes - POLICY.keys())
    assert not missing, f"routes without a policy entry (refused to everyone): {missing}"
    stale = sorted(POLICY.keys() - routes)
    assert not stale, f"policy entries for routes that do not exist: {stale}"
    spec = set(_spec_operations(api_client.app))
    assert spec <= routes, "the OpenAPI spec lists routes the walk did not see"


def test_every_non_public_route_wants_a_token(api_client) -> None:  # noqa: ANN001
    failures = []
    for method, path in _app_routes(api_client.app):
        rule = rule_for(method, path)
        if rule is None or rule.public:
            continue
        response = api_client.request(method, _fill(path), headers={"Authorization": ""})
        if response.status_code != 401:
            failures.append((method, path, response.status_code))
    assert not failures, failures


def _clients(user_client, tree: Tree) -> dict:  # noqa: ANN001
    ids = {"polda": tree.polda, "polres": tree.polres, "polsek": tree.polsek}
    clients = {}
    for role in ROLES:
        if role == "unit":
            clients[role] = user_client(role, unit_id=tree.unit)
        elif role in ROLE_JURISDICTION:
            clients[role] = user_client(
                role, jurisdiction_id=ids[ROLE_JURISDICTION[role]], **ROLE_EXTRA.get(role, {})
            )
        else:
            clients[role] = user_client(role)
    return clients


def test_each_role_gets_exactly_what_the_policy_allows(user_client, tree: Tree) -> None:  # noqa: ANN001
    clients = _clients(user_client, tree)
    failures = []
    for method, path in sorted(set(_spec_operations(clients["admin"].app))):
        rule = rule_for(method, path)
        assert rule is not None, (method, path)
        if rule.public:
            continue
        for role, client in clients.items():
            own = tree.unit if role == "unit" else None
            allowed = role in rule.roles
            if rule.unit_param == "assignment_id" and role == "unit":
                allowed = False  # no assignment of this unit exists: refused centrally
            url = _fill(path, unit_id=own)
            status, body = _call(client, method, url, stream=rule.query_token)
            denied = status == 403 and body.get("error") == "access_denied"
            if status == 401 or denied == allowed or status >= 500:
                failures.append((role, method, path, status, body.get("message")))
    assert not failures, "\n".join(map(str, failures))


def _json(response) -> dict:  # noqa: ANN001
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@pytest.mark.parametrize("role", ["unit"])
def test_a_unit_is_refused_another_units_records(user_client, tree: Tree, role: str) -> None:  # noqa: ANN001
    client = user_client(role, unit_id=tree.unit)
    assert client.get(f"/api/units/{tree.unit}").status_code == 200
    for url in (f"/api/units/{tree.other_unit}", f"/api/units/{tree.other_unit}/positions"):
        response = client.get(url)
        assert response.status_code == 403 and response.json()["error"] == "access_denied"
    response = client.post(f"/api/units/{tree.other_unit}/status", json={"status": "off_duty"})
    assert response.status_code == 403


def _allowed(role: str) -> set[tuple[str, str]]:
    return {key for key, rule in POLICY.items() if not rule.public and role in rule.roles}


def test_the_policy_says_what_the_roles_mean() -> None:
    """The intent, independent of enforcement: who reads aggregates, who acts, who watches."""
    planner = {path for _, path in _allowed("planner")}
    assert all(
        # reference data: boundaries, places (search, reverse geocoding)
        p.startswith(
            ("/api/planner/", "/api/map/", "/api/jurisdictions", "/api/places/", "/tiles/")
        )
        or p in ("/api/auth/me", "/api/auth/logout")
        for p in planner
    ), planner
    for method, path in _allowed("unit"):
        rule = POLICY[(method, path)]
        mine = path.startswith("/api/me/") or path in ("/api/auth/me", "/api/auth/logout")
        own = rule.unit_param or mine
        assert own or path.startswith("/tiles/"), path  # the basemap is no one's own data
    # Commanders watch: their POSTs are a read (batch lookup), their own session, a wall screen.
    commander_writes = {key for key in _allowed("commander") if key[0] != "GET"}
    assert commander_writes <= {
        ("POST", "/api/jurisdictions/lookup/batch"),
        ("POST", "/api/auth/logout"),
        ("POST", "/api/auth/wall"),
    }
    admin_only = {key for key in POLICY if key[1].startswith(("/api/auth/users", "/api/auth/a"))}
    assert all(POLICY[key].roles == {"admin"} for key in admin_only)
    for method, path in POLICY:
        if method != "GET" and not path.startswith(
            ("/api/jurisdictions/lookup", "/api/auth/logout")
        ):
            assert "planner" not in POLICY[(method, path)].roles, path
    assert [key for key, rule in POLICY.items() if rule.query_token] == [("GET", "/api/live/units")]


def test_event_streams_take_the_token_as_a_query_parameter(user_client, tree: Tree) -> None:  # noqa: ANN001
    client = user_client("commander", jurisdiction_id=tree.polda)
    token = client.headers["Authorization"].removeprefix("Bearer ")
    client.headers.pop("Authorization")
    assert _call(client, "GET", "/api/live/units", stream=True)[0] == 401
    assert _call(client, "GET", f"/api/live/units?access_token={token}", stream=True)[0] == 200
    assert _call(client, "GET", "/api/live/units?access_token=rusak", stream=True)[0] == 401
