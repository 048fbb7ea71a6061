"""Jurisdiction scoping through the real routes: each role sees its own part of the tree."""

from __future__ import annotations

from dispatch.taxonomy import CATEGORIES
from tests.security.conftest import Tree


def _incident(api_client, lon: float, lat: float) -> int:  # noqa: ANN001
    body = {
        "caller_name": "Pelapor Uji",
        "caller_phone": "081200000110",
        "category": next(iter(CATEGORIES)),
        "description": "uji cakupan wilayah",
        "lon": lon,
        "lat": lat,
    }
    response = api_client.post("/api/incidents", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_operators_see_only_their_own_subtree(api_client, user_client, tree: Tree) -> None:  # noqa: ANN001
    inside = _incident(api_client, 116.05, -1.25)  # Polsek -> Polres -> first Polda
    elsewhere = _incident(api_client, 117.05, -1.25)  # the other Polda
    cases = [
        ("polda_operator", tree.polda, {inside}),
        ("polres_operator", tree.polres, {inside}),
        ("polsek_operator", tree.polsek, {inside}),
        ("commander", tree.other_polda, {elsewhere}),
    ]
    for role, jurisdiction_id, expected in cases:
        client = user_client(role, jurisdiction_id=jurisdiction_id)
        seen = {row["id"] for row in client.get("/api/incidents").json()}
        assert seen & {inside, elsewhere} == expected, role
        hidden = ({inside, elsewhere} - expected).pop()
        assert client.get(f"/api/incidents/{hidden}").status_code == 404, role
    other_polres = user_client("polres_operator", jurisdiction_id=tree.other_polres)
    assert other_polres.get(f"/api/incidents/{inside}").status_code == 404
    assert other_polres.post(f"/api/incidents/{inside}/accept", json={}).status_code == 404


def test_units_list_is_scoped(user_client, tree: Tree) -> None:  # noqa: ANN001
    polres = user_client("polres_operator", jurisdiction_id=tree.polres)
    ids = {row["id"] for row in polres.get("/api/units").json()}
    assert tree.unit in ids and tree.other_unit not in ids
    assert polres.get(f"/api/units/{tree.other_unit}").status_code == 404


def test_units_cannot_be_homed_outside_the_callers_scope(user_client, tree: Tree) -> None:  # noqa: ANN001
    polres = user_client("polres_operator", jurisdiction_id=tree.polres)
    moved = polres.patch(
        f"/api/units/{tree.unit}", json={"home_jurisdiction_id": tree.other_polres}
    )
    assert moved.status_code == 403 and moved.json()["field"] == "home_jurisdiction_id"
    assert polres.get(f"/api/units/{tree.unit}").json()["home_jurisdiction_id"] != tree.other_polres
    created = polres.post(
        "/api/units",
        json={"call_sign": "SCOPE-X1", "kind": "R2", "home_jurisdiction_id": tree.other_polres},
    )
    assert created.status_code == 403 and created.json()["field"] == "home_jurisdiction_id"
    inside = polres.patch(f"/api/units/{tree.unit}", json={"home_jurisdiction_id": tree.polsek})
    assert inside.status_code == 200


def test_a_crew_updates_its_own_assignment_only(api_client, user_client, tree: Tree) -> None:  # noqa: ANN001
    incident = _incident(api_client, 116.05, -1.25)
    validated = api_client.post(f"/api/incidents/{incident}/validate", json={"validity": "valid"})
    assert validated.status_code == 200, validated.text
    response = api_client.post(
        f"/api/incidents/{incident}/assignments", json={"unit_ids": [tree.unit]}
    )
    assert response.status_code in (200, 201), response.text
    body = response.json()
    rows = body if isinstance(body, list) else body.get("assignments", [body])
    assignment = rows[0]["id"]
    url = f"/api/incidents/{incident}/assignments/{assignment}/status"
    stranger = user_client("unit", unit_id=tree.other_unit)
    refused = stranger.post(url, json={"status": "acknowledged"})
    assert refused.status_code == 403 and refused.json()["error"] == "access_denied"
    crew = user_client("unit", unit_id=tree.unit)
    assert crew.post(url, json={"status": "acknowledged"}).status_code == 200
