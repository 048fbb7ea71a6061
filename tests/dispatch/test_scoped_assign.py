"""Scoped dispatch: operators assign units of their own jurisdiction; another Polres's unit
only through a bantuan request that the unit's Polres (or the Polda) approves, logged on both
sides. One test per role.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, Area, incident_body, make_area
from tests.dispatch.factories import make_unit as _make_unit
from tracking.models import Unit


@dataclass
class Fleet:
    west: Unit  # home: the incident's Polsek
    east: Unit  # the other Polsek of the same Polres
    other: Unit  # the neighbouring Polres of the same Polda
    foreign: Unit  # a Polres of another Polda


@pytest.fixture
def fleet(db_session: Session, area: Area) -> Fleet:
    elsewhere = make_area(db_session, shift_lon=2.0)

    def unit(home) -> Unit:  # noqa: ANN001
        return _make_unit(db_session, lon=INCIDENT_LON + 0.002, lat=INCIDENT_LAT, home=home)

    return Fleet(
        unit(area.polsek_west),
        unit(area.polsek_east),
        unit(area.other_polres),
        unit(elsewhere.polres),
    )


def _incident(api_client) -> int:  # noqa: ANN001
    created = api_client.post("/api/incidents", json=incident_body()).json()
    validated = api_client.post(
        f"/api/incidents/{created['id']}/validate", json={"validity": "valid"}
    )
    assert validated.status_code == 200, validated.text
    return created["id"]


def _assign(client, incident_id: int, unit: Unit):  # noqa: ANN001, ANN202
    return client.post(f"/api/incidents/{incident_id}/assignments", json={"unit_ids": [unit.id]})


def _refused_as_outside(response) -> None:  # noqa: ANN001
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["field"] == "unit_ids" and "bantuan" in body["message"]


def test_polsek_operator_assigns_only_units_of_its_polsek(api_client, user_client, area, fleet):  # noqa: ANN001
    operator = user_client("polsek_operator", jurisdiction_id=area.polsek_west.id)
    incident = _incident(api_client)
    _refused_as_outside(_assign(operator, incident, fleet.east))
    _refused_as_outside(_assign(operator, incident, fleet.other))
    assert _assign(operator, incident, fleet.west).status_code == 201


def test_polres_operator_assigns_its_polsek_units_not_another_polres(
    api_client, user_client, area, fleet
) -> None:  # noqa: ANN001
    operator = user_client("polres_operator", jurisdiction_id=area.polres.id)
    incident = _incident(api_client)
    _refused_as_outside(_assign(operator, incident, fleet.other))
    assert _assign(operator, incident, fleet.east).status_code == 201
    assert _assign(operator, incident, fleet.west).status_code == 201


def test_polda_operator_assigns_any_unit_of_its_polda_only(api_client, user_client, area, fleet):  # noqa: ANN001
    operator = user_client("polda_operator", jurisdiction_id=area.polda.id)
    incident = _incident(api_client)
    _refused_as_outside(_assign(operator, incident, fleet.foreign))
    assert _assign(operator, incident, fleet.other).status_code == 201


def test_admin_assigns_anywhere(api_client, fleet) -> None:  # noqa: ANN001
    assert _assign(api_client, _incident(api_client), fleet.foreign).status_code == 201


def test_watchers_and_crews_cannot_assign(api_client, user_client, area, fleet) -> None:  # noqa: ANN001
    incident = _incident(api_client)
    for client in (
        user_client("commander", jurisdiction_id=area.polda.id),
        user_client("planner", jurisdiction_id=area.polda.id),
        user_client("unit", unit_id=fleet.west.id),
    ):
        assert _assign(client, incident, fleet.west).status_code == 403


def test_reassign_keeps_to_the_callers_units(api_client, user_client, area, fleet) -> None:  # noqa: ANN001
    operator = user_client("polres_operator", jurisdiction_id=area.polres.id)
    incident = _incident(api_client)
    (first,) = _assign(operator, incident, fleet.west).json()
    moved = operator.post(
        f"/api/incidents/{incident}/assignments/{first['id']}/reassign",
        json={"unit_id": fleet.other.id, "reason": "unit lebih dekat"},
    )
    _refused_as_outside(moved)


def _request(client, incident_id: int, unit: Unit):  # noqa: ANN001, ANN202
    return client.post(
        f"/api/incidents/{incident_id}/bantuan",
        json={"unit_id": unit.id, "note": "semua unit kami bertugas"},
    )


def test_bantuan_from_another_polres_is_approved_by_that_polres(
    api_client, user_client, area, fleet, db_session
) -> None:  # noqa: ANN001
    requester = user_client("polres_operator", jurisdiction_id=area.polres.id)
    lender = user_client("polres_operator", jurisdiction_id=area.other_polres.id)
    incident = _incident(api_client)
    requested = _request(requester, incident, fleet.other)
    assert requested.status_code == 201, requested.text
    request = requested.json()
    assert (
        request["status"] == "pending" and request["lender_jurisdiction_id"] == area.other_polres.id
    )
    # The requester cannot approve their own request; the lender sees it in its list.
    assert requester.post(f"/api/bantuan/{request['id']}/approve", json={}).status_code == 404
    assert request["id"] in {row["id"] for row in lender.get("/api/bantuan").json()}
    approved = lender.post(f"/api/bantuan/{request['id']}/approve", json={"note": "silakan"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["assignment_id"]
    db_session.refresh(fleet.other)
    assert fleet.other.status == "dispatched"
    log = [row["action"] for row in api_client.get(f"/api/incidents/{incident}/log").json()]
    assert "bantuan_requested" in log and "bantuan_approved" in log and "assigned" in log
    sides = {(row["jurisdiction_id"], row["action"]) for row in approved.json()["log"]}
    for side in (area.polres.id, area.other_polres.id):
        assert (side, "requested") in sides and (side, "approved") in sides


def test_bantuan_is_approved_by_the_polda_but_not_by_a_polsek_or_a_third_polres(
    api_client, user_client, area, fleet, db_session
) -> None:  # noqa: ANN001
    requester = user_client("polsek_operator", jurisdiction_id=area.polsek_west.id)
    incident = _incident(api_client)
    request = _request(requester, incident, fleet.east).json()
    assert request["lender_jurisdiction_id"] == area.polres.id
    polsek = user_client("polsek_operator", jurisdiction_id=area.polsek_east.id)
    assert polsek.post(f"/api/bantuan/{request['id']}/approve", json={}).status_code == 403
    third = user_client("polres_operator", jurisdiction_id=area.other_polres.id)
    assert third.post(f"/api/bantuan/{request['id']}/approve", json={}).status_code == 404
    polda = user_client("polda_operator", jurisdiction_id=area.polda.id)
    assert polda.post(f"/api/bantuan/{request['id']}/approve", json={}).status_code == 200
    again = polda.post(f"/api/bantuan/{request['id']}/approve", json={})
    assert again.status_code == 409


def test_refused_bantuan_leaves_the_unit_alone(api_client, user_client, area, fleet, db_session):  # noqa: ANN001
    requester = user_client("polres_operator", jurisdiction_id=area.polres.id)
    lender = user_client("polres_operator", jurisdiction_id=area.other_polres.id)
    incident = _incident(api_client)
    request = _request(requester, incident, fleet.other).json()
    refused = lender.post(f"/api/bantuan/{request['id']}/refuse", json={"note": "unit dibutuhkan"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    db_session.refresh(fleet.other)
    assert fleet.other.status == "available"
    log = api_client.get(f"/api/incidents/{incident}/log").json()
    assert any(row["action"] == "bantuan_refused" for row in log)


def test_bantuan_is_not_for_own_units(api_client, user_client, area, fleet) -> None:  # noqa: ANN001
    requester = user_client("polres_operator", jurisdiction_id=area.polres.id)
    response = _request(requester, _incident(api_client), fleet.east)
    assert response.status_code == 422 and response.json()["field"] == "unit_id"
