"""Intake through the API: jurisdiction resolution, validation errors, caller history, dupes."""

from __future__ import annotations

from tests.dispatch.factories import incident_body


def test_create_resolves_jurisdiction_and_logs(api_client, area) -> None:
    response = api_client.post("/api/incidents", json=incident_body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["polsek"]["id"] == area.polsek_west.id
    assert body["polres"]["id"] == area.polres.id
    assert body["polda"]["id"] == area.polda.id
    assert body["response_target_s"] == 600
    assert body["timezone"] == "WITA"
    assert body["caller_phone"] == "081234567890"
    assert body["validity"] == "pending" and body["status"] == "received"
    assert body["timestamps"]["call_received_at"] is not None
    assert [e["action"] for e in body["log"]] == ["created"]
    assert body["clock"]["state"] == "running" and body["clock"]["remaining_s"] <= 600
    detail = api_client.get(f"/api/incidents/{body['id']}").json()
    assert detail["id"] == body["id"] and detail["log"][0]["actor"].startswith("test-admin")


def test_bad_input_names_the_field(api_client, area) -> None:
    cases = [
        (incident_body(category="mencuri_ayam"), "category"),
        (incident_body(caller_phone="12"), "caller_phone"),
        (incident_body(priority=7), "priority"),
        (incident_body(lon=100.0, lat=10.0), "lat"),  # far outside every jurisdiction
        (incident_body(call_received_at="2099-01-01T00:00:00+00:00"), "call_received_at"),
    ]
    for body, field in cases:
        response = api_client.post("/api/incidents", json=body)
        assert response.status_code == 422, (field, response.text)
        assert field in response.json()["field"], (field, response.json())


def test_caller_history_flags_repeated_pranks(api_client, area) -> None:
    phone = "0811-555-0001"
    for _ in range(2):
        created = api_client.post("/api/incidents", json=incident_body(caller_phone=phone)).json()
        api_client.post(f"/api/incidents/{created['id']}/validate", json={"validity": "prank"})
    third = api_client.post("/api/incidents", json=incident_body(caller_phone=phone)).json()
    history = third["caller_history"]
    assert history["prank_count"] == 2 and history["flagged"] is True
    assert "palsu" in history["message"]
    assert api_client.get("/api/callers/+628115550001").json()["total"] == 3
    clean = api_client.get("/api/callers/0811-000-0000").json()
    assert clean["total"] == 0 and clean["flagged"] is False


def test_duplicate_suggested_and_merged(api_client, area) -> None:
    first = api_client.post("/api/incidents", json=incident_body(caller_phone="0812111")).json()
    near = incident_body(caller_phone="0812222", lon=first["lon"] + 0.001)  # about 110 m away
    second = api_client.post("/api/incidents", json=near).json()
    suggested = {d["incident_id"]: d for d in second["possible_duplicates"]}
    assert first["id"] in suggested
    assert any("kategori sama" in r for r in suggested[first["id"]]["reasons"])
    other = incident_body(caller_phone="0812333", category="kebakaran", lon=first["lon"] + 0.001)
    assert api_client.post("/api/incidents", json=other).json()["possible_duplicates"] == []
    merged = api_client.post(
        f"/api/incidents/{second['id']}/merge", json={"into_id": first["id"]}
    ).json()
    assert merged["validity"] == "duplicate" and merged["duplicate_of_id"] == first["id"]
    assert merged["status"] == "closed" and merged["disposition"] == "duplikat"
    original = api_client.get(f"/api/incidents/{first['id']}").json()
    assert original["log"][-1]["action"] == "merged_in"


def test_list_filters(api_client, area) -> None:
    created = api_client.post("/api/incidents", json=incident_body(caller_phone="0813999")).json()
    listed = api_client.get("/api/incidents", params={"phone": "0813999", "open": True}).json()
    assert [i["id"] for i in listed] == [created["id"]]
    assert (
        api_client.get("/api/incidents", params={"status": "closed", "phone": "0813999"}).json()
        == []
    )
    assert api_client.get("/api/incidents/999999").status_code == 404


def test_operators_see_only_their_jurisdiction(api_client, user_client, area) -> None:
    created = api_client.post("/api/incidents", json=incident_body(caller_phone="0813777")).json()
    own = user_client("polres_operator", jurisdiction_id=area.polres.id)
    other = user_client("polres_operator", jurisdiction_id=area.other_polres.id)
    assert own.get(f"/api/incidents/{created['id']}").status_code == 200
    assert other.get(f"/api/incidents/{created['id']}").status_code == 404
    assert other.get("/api/incidents", params={"phone": "0813777"}).json() == []
    accepted = other.post(f"/api/incidents/{created['id']}/accept", json={})
    assert accepted.status_code == 404


def test_only_the_polres_operator_accepts(api_client, user_client, area) -> None:
    created = api_client.post("/api/incidents", json=incident_body(caller_phone="0813888")).json()
    url = f"/api/incidents/{created['id']}"
    api_client.post(f"{url}/validate", json={"validity": "valid"})
    polda = user_client("polda_operator", jurisdiction_id=area.polda.id)
    assert polda.post(f"{url}/accept", json={}).status_code == 403
    polres = user_client("polres_operator", jurisdiction_id=area.polres.id)
    accepted = polres.post(f"{url}/accept", json={})
    assert accepted.status_code == 200 and accepted.json()["handler_level"] == "polres"
    assert api_client.get("/api/incidents", params={"validity": "valid", "phone": "0813888"}).json()
