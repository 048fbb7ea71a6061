"""Recommendations: KNN shortlist, road ETA, own jurisdiction first, reasons, exclusions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, incident_body, make_unit

# Every test here ranks by road ETA on the real extract's OSRM data.
pytestmark = pytest.mark.usefixtures("road_data")


def _valid_incident(api_client) -> dict:  # noqa: ANN001
    created = api_client.post("/api/incidents", json=incident_body()).json()
    api_client.post(f"/api/incidents/{created['id']}/validate", json={"validity": "valid"})
    return created


def test_ranked_by_eta_with_reasons_and_exclusions(api_client, db_session, area) -> None:
    west = area.polsek_west
    near_car = make_unit(db_session, lon=INCIDENT_LON + 0.004, lat=INCIDENT_LAT, home=west)
    moto = make_unit(db_session, lon=INCIDENT_LON + 0.0045, lat=INCIDENT_LAT, kind="R2", home=west)
    far_car = make_unit(db_session, lon=INCIDENT_LON + 0.02, lat=INCIDENT_LAT + 0.008, home=west)
    stale = make_unit(
        db_session,
        lon=INCIDENT_LON + 0.001,
        lat=INCIDENT_LAT,
        fixed_at=datetime.now(UTC) - timedelta(minutes=10),
    )
    offline = make_unit(
        db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT + 0.001, link_connected=False
    )
    off_duty = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT - 0.001, status="off_duty")
    incident = _valid_incident(api_client)
    response = api_client.get(f"/api/incidents/{incident['id']}/recommendations")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["road_graph"] is True and body["target_s"] == 600
    ranked = [r["unit_id"] for r in body["recommendations"]]
    assert ranked[:3] == [moto.id, near_car.id, far_car.id]  # the motorcycle beats the car
    first = body["recommendations"][0]
    assert first["eta_method"] == "road" and first["own_jurisdiction"] == "polsek"
    assert any(r.startswith("ETA") for r in first["reasons"])
    assert any("Polsek setempat" in r for r in first["reasons"])
    excluded = {e["unit_id"]: " ".join(e["reasons"]) for e in body["excluded"]}
    assert "basi" in excluded[stale.id]
    assert "tidak terhubung" in excluded[offline.id]
    assert "off_duty" in excluded[off_duty.id]


def test_own_jurisdiction_preferred_when_within_target(api_client, db_session, area) -> None:
    outsider = make_unit(
        db_session, lon=INCIDENT_LON + 0.001, lat=INCIDENT_LAT, home=area.other_polres
    )
    own = make_unit(db_session, lon=INCIDENT_LON + 0.012, lat=INCIDENT_LAT, home=area.polsek_east)
    incident = _valid_incident(api_client)
    body = api_client.get(f"/api/incidents/{incident['id']}/recommendations").json()
    ranked = {r["unit_id"]: r for r in body["recommendations"]}
    assert ranked[own.id]["rank"] < ranked[outsider.id]["rank"]
    assert ranked[outsider.id]["eta_s"] < ranked[own.id]["eta_s"]
    assert ranked[own.id]["own_jurisdiction"] == "polres" and ranked[own.id]["within_target"]
    assert any("wilayah lain" in r for r in ranked[outsider.id]["reasons"])


def test_busy_unit_is_excluded_naming_its_incident(api_client, db_session, area) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON + 0.002, lat=INCIDENT_LAT, home=area.polsek_west)
    first = _valid_incident(api_client)
    assigned = api_client.post(
        f"/api/incidents/{first['id']}/assignments", json={"unit_ids": [unit.id]}
    )
    assert assigned.status_code == 201, assigned.text
    second = api_client.post("/api/incidents", json=incident_body(category="ancaman")).json()
    body = api_client.get(f"/api/incidents/{second['id']}/recommendations").json()
    assert unit.id not in [r["unit_id"] for r in body["recommendations"]]
    reasons = {e["unit_id"]: e["reasons"] for e in body["excluded"]}[unit.id]
    assert f"sedang ditugaskan ke laporan #{first['id']}" in reasons


def test_preference_uses_what_is_left_of_the_target(api_client, db_session, area) -> None:
    outsider = make_unit(
        db_session, lon=INCIDENT_LON + 0.001, lat=INCIDENT_LAT, home=area.other_polres
    )
    own = make_unit(db_session, lon=INCIDENT_LON + 0.012, lat=INCIDENT_LAT, home=area.polsek_east)
    called = (datetime.now(UTC) - timedelta(seconds=590)).isoformat()
    # The call rang 590 s ago (the telephony hook's record is what allows that T0).
    ring = {"caller_phone": "081200000590", "line": "110-1", "rang_at": called}
    call = api_client.post("/api/calls", json=ring).json()
    incident = api_client.post("/api/incidents", json=incident_body(call_id=call["id"])).json()
    body = api_client.get(f"/api/incidents/{incident['id']}/recommendations").json()
    assert body["target_s"] == 600 and 0 < body["time_left_s"] <= 10
    ranked = [r["unit_id"] for r in body["recommendations"]]
    assert ranked.index(outsider.id) < ranked.index(own.id)  # nobody makes it: fastest first
