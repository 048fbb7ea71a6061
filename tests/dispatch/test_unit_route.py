"""The console's route for a unit is the line its recommended ETA was computed on."""

from __future__ import annotations

import pytest

from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, incident_body, make_unit

pytestmark = pytest.mark.usefixtures("road_data")


def _incident(api_client) -> int:  # noqa: ANN001
    created = api_client.post("/api/incidents", json=incident_body()).json()
    api_client.post(f"/api/incidents/{created['id']}/validate", json={"validity": "valid"})
    return created["id"]


def test_route_matches_the_recommended_eta(api_client, db_session, area) -> None:  # noqa: ANN001
    car = make_unit(
        db_session, lon=INCIDENT_LON + 0.015, lat=INCIDENT_LAT + 0.006, home=area.polsek_west
    )
    moto = make_unit(db_session, lon=INCIDENT_LON + 0.015, lat=INCIDENT_LAT + 0.006, kind="R2")
    incident_id = _incident(api_client)
    recs = api_client.get(f"/api/incidents/{incident_id}/recommendations").json()
    by_unit = {r["unit_id"]: r for r in recs["recommendations"]}
    for unit in (car, moto):
        response = api_client.get(
            f"/api/incidents/{incident_id}/route", params={"unit_id": unit.id}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        route = body["route"]
        assert route["type"] == "LineString" and len(route["coordinates"]) > 5
        assert route["coordinates"][-1] == pytest.approx([INCIDENT_LON, INCIDENT_LAT])
        rec = by_unit[unit.id]
        assert rec["eta_method"] == body["eta_method"] == "road"
        # Same engine, same sums: a second apart at most (the clock moved between the calls).
        assert body["eta_s"] == pytest.approx(rec["eta_s"], abs=1.0)
        assert route["distance_m"] == pytest.approx(rec["road_distance_m"], abs=1.0)
        assert route["turns"][-1]["text"] == "Tiba di lokasi kejadian"


def test_outside_the_road_data_the_reason_is_given(api_client, db_session, area) -> None:  # noqa: ANN001
    far = make_unit(db_session, lon=117.3, lat=-0.9)
    incident_id = _incident(api_client)
    body = api_client.get(f"/api/incidents/{incident_id}/route", params={"unit_id": far.id}).json()
    assert body["route"] is None and body["eta_method"] == "straight"
    assert "unit di luar cakupan data jalan" in body["eta_how"]
    missing = api_client.get(f"/api/incidents/{incident_id}/route", params={"unit_id": 999_999})
    assert missing.status_code == 404 and missing.json()["field"] == "unit_id"
