"""Manual arrival: recorded with the unit's distance and fix age; verified only when the fix
agrees. Clocks stop at arrival, and a closed incident nobody reached says so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dispatch.clock import response_clock
from dispatch.models import Incident
from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, incident_body, make_unit

# ~2.0 km east of the scene at this latitude.
FAR_LON = INCIDENT_LON + 0.018


def _dispatched(api_client, db_session, area, *, lon: float, fixed_at=None):  # noqa: ANN001, ANN202
    unit = make_unit(
        db_session, lon=lon, lat=INCIDENT_LAT, home=area.polsek_west, fixed_at=fixed_at
    )
    incident = api_client.post("/api/incidents", json=incident_body()).json()
    api_client.post(f"/api/incidents/{incident['id']}/validate", json={"validity": "valid"})
    (assignment,) = api_client.post(
        f"/api/incidents/{incident['id']}/assignments", json={"unit_ids": [unit.id]}
    ).json()
    return unit, incident["id"], assignment["id"]


def _arrive(client, incident_id: int, assignment_id: int):  # noqa: ANN001, ANN202
    response = client.post(
        f"/api/incidents/{incident_id}/assignments/{assignment_id}/status",
        json={"status": "on_scene"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_crew_arrival_two_km_out_is_recorded_unverified(
    api_client, user_client, db_session, area
) -> None:  # noqa: ANN001
    unit, incident_id, assignment_id = _dispatched(api_client, db_session, area, lon=FAR_LON)
    crew = user_client("unit", unit_id=unit.id)
    arrival = _arrive(crew, incident_id, assignment_id)
    assert arrival["arrival_verified"] is False
    assert arrival["arrival_distance_m"] == pytest.approx(2000, rel=0.05)
    assert arrival["arrival_fix_age_s"] is not None and arrival["arrival_fix_age_s"] < 60
    detail = api_client.get(f"/api/incidents/{incident_id}").json()
    assert detail["arrival_verified"] is False
    assert "belum terverifikasi" in detail["clock"]["message"]
    assert detail["clock"]["verified"] is False


def test_crew_arrival_where_the_fix_agrees_is_verified(
    api_client, user_client, db_session, area
) -> None:  # noqa: ANN001
    unit, incident_id, assignment_id = _dispatched(
        api_client, db_session, area, lon=INCIDENT_LON + 0.0002
    )
    arrival = _arrive(user_client("unit", unit_id=unit.id), incident_id, assignment_id)
    assert arrival["arrival_verified"] is True and arrival["arrival_distance_m"] < 75
    detail = api_client.get(f"/api/incidents/{incident_id}").json()
    assert detail["arrival_verified"] is True and detail["clock"]["verified"] is True


def test_a_stale_fix_near_the_scene_does_not_verify(api_client, db_session, area) -> None:  # noqa: ANN001
    old = datetime.now(UTC) - timedelta(minutes=10)
    _, incident_id, assignment_id = _dispatched(
        api_client, db_session, area, lon=INCIDENT_LON, fixed_at=old
    )
    arrival = _arrive(api_client, incident_id, assignment_id)  # the operator enters it
    assert arrival["arrival_verified"] is False and arrival["arrival_fix_age_s"] >= 590


def test_closed_without_anyone_on_scene_is_not_reached() -> None:
    t0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    closed = Incident(
        call_received_at=t0, response_target_s=600, closed_at=t0 + timedelta(minutes=3)
    )
    clock = response_clock(closed, now=t0 + timedelta(hours=1))
    assert clock["state"] == "not_reached" and clock["elapsed_s"] == 180
    assert "tanpa unit di lokasi" in clock["message"]
