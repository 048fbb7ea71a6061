"""Every incident stores where it is as an operator says it, at creation and after a pin move."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.dispatch.factories import incident_body, make_area

# On Jl. Telaga Sari (Kel. Telaga Sari, Kec. Balikpapan Kota): west Polsek of make_area.
WEST_LON, WEST_LAT = 116.8312, -1.2654
# East of the factory's Polsek border, still in the road extract.
EAST_LON, EAST_LAT = 116.8560, -1.2700
# North of the road extract: the factory's other Polres.
NORTH_LON, NORTH_LAT = 116.8350, -1.2300


@pytest.fixture
def area(db_session: Session, balikpapan: dict):  # noqa: ANN201
    return make_area(db_session)


def _create(api_client, **overrides) -> dict:  # noqa: ANN001
    response = api_client.post("/api/incidents", json=incident_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def test_created_incident_stores_its_description(api_client, area) -> None:
    body = _create(api_client, lon=WEST_LON, lat=WEST_LAT)
    described = body["location_description"]
    assert described.startswith("Jl. ") and " ±" in described
    assert described.endswith("Kel. Telaga Sari, Kec. Balikpapan Kota")
    assert described in body["log"][0]["message"]  # the buku mutasi says where
    again = api_client.get(f"/api/incidents/{body['id']}").json()
    assert again["location_description"] == described


def test_moving_the_pin_describes_the_new_point(api_client, area) -> None:
    body = _create(api_client, lon=WEST_LON, lat=WEST_LAT)
    moved = api_client.post(
        f"/api/incidents/{body['id']}/location", json={"lon": EAST_LON, "lat": EAST_LAT}
    )
    assert moved.status_code == 200, moved.text
    after = moved.json()
    assert (after["lon"], after["lat"]) == (EAST_LON, EAST_LAT)
    assert after["location_description"] != body["location_description"]
    assert "Kec. Balikpapan Kota" in after["location_description"]
    assert after["polsek"]["id"] == area.polsek_east.id
    last = after["log"][-1]
    assert last["action"] == "relocated" and after["location_description"] in last["message"]
    assert "Lokasi dipindah ±" in last["message"]


def test_at_intake_the_pin_may_move_into_another_polres(api_client, area) -> None:
    body = _create(api_client, lon=WEST_LON, lat=WEST_LAT)
    moved = api_client.post(
        f"/api/incidents/{body['id']}/location", json={"lon": NORTH_LON, "lat": NORTH_LAT}
    ).json()
    assert moved["polres"]["id"] == area.other_polres.id and moved["polsek"] is None
    assert moved["location_description"].endswith("Kec. Balikpapan Utara")


def test_once_offered_a_move_into_another_polres_is_refused(api_client, area) -> None:
    body = _create(api_client, lon=WEST_LON, lat=WEST_LAT)
    valid = api_client.post(f"/api/incidents/{body['id']}/validate", json={"validity": "valid"})
    assert valid.status_code == 200, valid.text
    refused = api_client.post(
        f"/api/incidents/{body['id']}/location", json={"lon": NORTH_LON, "lat": NORTH_LAT}
    )
    assert refused.status_code == 409 and refused.json()["field"] == "lon"
    kept = api_client.get(f"/api/incidents/{body['id']}").json()
    assert (kept["lon"], kept["lat"]) == (WEST_LON, WEST_LAT)
    assert kept["location_description"] == body["location_description"]


def test_bad_point_names_the_field(api_client, area) -> None:
    body = _create(api_client, lon=WEST_LON, lat=WEST_LAT)
    path = f"/api/incidents/{body['id']}/location"
    bad = api_client.post(path, json={"lon": 116.83, "lat": 95})
    assert bad.status_code == 422 and "lat" in bad.json()["field"]
    missing = api_client.post("/api/incidents/999999999/location", json={"lon": 116.8, "lat": -1.2})
    assert missing.status_code == 404


def test_exports_carry_the_description(api_client, db_session, settings, area) -> None:
    from datetime import UTC, date, datetime

    from piket.journal import shift_journal
    from piket.report import generate_report, report_view
    from piket.report_pdf import report_html
    from tests.piket.factories import make_incident, make_user, open_shift

    received = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # inside the 30 Nov report (WITA)
    perwira = make_user(db_session, "perwira_piket", area.polda)
    shift = open_shift(db_session, area.polda, perwira, ["Bripka Uji"], at=received)
    incident = make_incident(db_session, at=received, lon=WEST_LON, lat=WEST_LAT)
    described = incident.location_description
    assert described and "Kel. Telaga Sari" in described

    eido = api_client.get(f"/api/incidents/{incident.id}/eido").json()
    (location,) = eido["locationComponent"]
    assert location["locationDescriptionText"].startswith(described)
    assert f"<LOC>{described}</LOC>" in location["locationByValue"]

    start, end = "2026-11-29", "2026-11-29"
    csv_text = api_client.get("/api/planner/export.csv", params={"from": start, "to": end}).text
    assert "Lokasi" in csv_text.splitlines()[0].split(",") and described in csv_text

    made = generate_report(
        db_session, settings, center=area.polda, report_date=date(2026, 11, 30), actor="t",
        with_pdf=False,
    )  # fmt: skip
    report = report_view(made)
    (open_row,) = [i for i in report["open_incidents"] if i["id"] == incident.id]
    assert open_row["location_description"] == described
    assert described in report_html(report)

    journal = shift_journal(db_session, shift_id=shift.id)
    assert any(described in row["message"] for row in journal)


def test_the_crew_page_shows_the_description(api_client, db_session, area) -> None:
    from dispatch.assign import assign_units
    from tests.dispatch.factories import make_unit
    from webmap.unit_page import current_job

    body = _create(api_client, lon=WEST_LON, lat=WEST_LAT)
    api_client.post(f"/api/incidents/{body['id']}/validate", json={"validity": "valid"})
    unit = make_unit(db_session, lon=WEST_LON + 0.002, lat=WEST_LAT, home=area.polsek_west)
    assign_units(db_session, incident_id=body["id"], unit_ids=[unit.id], actor="t")
    job = current_job(db_session, unit_id=unit.id)["job"]
    assert job["incident"]["location_description"] == body["location_description"]


def test_incidents_stored_before_descriptions_get_theirs(api_client, db_session, area) -> None:
    from dispatch.models import Incident
    from dispatch.relocate import describe_missing

    body = _create(api_client, lon=WEST_LON, lat=WEST_LAT)
    incident = db_session.get(Incident, body["id"])
    incident.location_description = None  # as an incident made before migration 1120 is
    db_session.flush()
    assert describe_missing(db_session, batch=1) >= 1
    db_session.refresh(incident)
    assert incident.location_description == body["location_description"]
    assert describe_missing(db_session) == 0
