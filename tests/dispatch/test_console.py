"""Console API: the board (scope, urgency, attention), find by number or phone, the fleet's
current Polsek, cancel with a reason, reassign in one transaction, call back, policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dispatch.models import Assignment, Incident
from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, MID_LON, incident_body, make_unit
from tracking.models import Unit


def _valid(client, **overrides) -> dict:  # noqa: ANN001, ANN003
    created = client.post("/api/incidents", json=incident_body(**overrides)).json()
    client.post(f"/api/incidents/{created['id']}/validate", json={"validity": "valid"})
    return created


def _assign(client, incident_id: int, unit_id: int) -> dict:  # noqa: ANN001
    response = client.post(
        f"/api/incidents/{incident_id}/assignments", json={"unit_ids": [unit_id]}
    )
    assert response.status_code == 201, response.text
    return response.json()[0]


def _log_actions(client, incident_id: int) -> list[str]:  # noqa: ANN001
    return [e["action"] for e in client.get(f"/api/incidents/{incident_id}/log").json()]


def test_board_sorts_by_urgency_and_keeps_to_scope(user_client, db_session, area) -> None:
    operator = user_client("polda_operator", jurisdiction_id=area.polda.id)
    calm = _valid(operator, priority=3, caller_phone="081300000001")
    urgent = _valid(operator, priority=1, caller_phone="081300000002")
    late = _valid(operator, priority=3, caller_phone="081300000003")
    row = db_session.get(Incident, late["id"])  # called in 11 minutes ago: target 10 missed
    row.call_received_at = datetime.now(UTC) - timedelta(minutes=11)
    db_session.flush()
    unit = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT, home=area.polsek_west)
    _assign(operator, urgent["id"], unit.id)
    board = operator.get("/api/console/board")
    assert board.status_code == 200, board.text
    rows = board.json()["incidents"]
    assert [r["id"] for r in rows] == [late["id"], urgent["id"], calm["id"]]
    assert rows[0]["attention"][0] == "overdue"
    assert rows[1]["units"][0]["call_sign"] == unit.call_sign
    assert rows[1]["polres"]["id"] == area.polres.id
    assert board.json()["attention_labels"]["overdue"] == "Melewati target"
    other = user_client("polres_operator", jurisdiction_id=area.other_polres.id)
    assert other.get("/api/console/board").json()["incidents"] == []


def test_board_flags_a_prank_caller_and_shows_the_escalation(user_client, area) -> None:
    operator = user_client("polda_operator", jurisdiction_id=area.polda.id)
    phone = "081377778888"
    for _ in range(2):
        prank = operator.post("/api/incidents", json=incident_body(caller_phone=phone)).json()
        operator.post(f"/api/incidents/{prank['id']}/validate", json={"validity": "prank"})
    again = operator.post("/api/incidents", json=incident_body(caller_phone=phone)).json()
    (row,) = [r for r in operator.get("/api/console/board").json()["incidents"]]
    assert row["id"] == again["id"] and row["caller_flagged"]
    assert row["attention"] == ["flagged_caller", "pending"]


def test_find_by_number_and_by_phone_in_any_form(user_client, area) -> None:
    operator = user_client("polda_operator", jurisdiction_id=area.polda.id)
    first = _valid(operator, caller_phone="+62 813-5555-0101")
    found = operator.get("/api/console/find", params={"q": f"#{first['id']}"}).json()
    assert [r["id"] for r in found] == [first["id"]]
    by_phone = operator.get("/api/console/find", params={"q": "0813 5555 0101"}).json()
    assert [r["id"] for r in by_phone] == [first["id"]]
    outsider = user_client("polres_operator", jurisdiction_id=area.other_polres.id)
    assert outsider.get("/api/console/find", params={"q": str(first["id"])}).json() == []
    bad = operator.get("/api/console/find", params={"q": "08x"})
    assert bad.status_code == 422 and bad.json()["field"] == "caller_phone"


def test_fleet_reports_the_polsek_a_unit_is_in_now(user_client, db_session, area) -> None:
    # Based in the west Polsek, driving in the east one.
    unit = make_unit(db_session, lon=MID_LON + 0.01, lat=INCIDENT_LAT, home=area.polsek_west)
    operator = user_client("polda_operator", jurisdiction_id=area.polda.id)
    (row,) = [u for u in operator.get("/api/console/units").json() if u["id"] == unit.id]
    assert row["home_jurisdiction_id"] == area.polsek_west.id
    assert row["current_polsek_id"] == area.polsek_east.id
    assert row["current_polres_id"] == area.polres.id
    assert row["fix_age_s"] < 60 and not row["fix_stale"]


def test_cancel_needs_a_reason_and_frees_the_unit(api_client, db_session, area) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT)
    incident = _valid(api_client)
    assignment = _assign(api_client, incident["id"], unit.id)
    path = f"/api/incidents/{incident['id']}/assignments/{assignment['id']}/cancel"
    empty = api_client.post(path, json={"reason": "   "})
    assert empty.status_code == 422 and empty.json()["field"] == "reason"
    assert "alasan" in empty.json()["message"]
    done = api_client.post(path, json={"reason": "ban kempes"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "offered"  # back to awaiting a unit
    db_session.refresh(unit)
    assert unit.status == "available"
    log = done.json()["log"]
    assert any("ban kempes" in e["message"] for e in log)
    again = api_client.post(path, json={"reason": "lagi"})
    assert again.status_code == 409 and again.json()["field"] == "assignment_id"


def test_reassign_swaps_units_in_one_transaction(api_client, db_session, area) -> None:
    old = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT)
    new = make_unit(db_session, lon=INCIDENT_LON + 0.002, lat=INCIDENT_LAT)
    busy = make_unit(db_session, lon=INCIDENT_LON + 0.004, lat=INCIDENT_LAT)
    incident, elsewhere = _valid(api_client), _valid(api_client, category="ancaman")
    assignment = _assign(api_client, incident["id"], old.id)
    _assign(api_client, elsewhere["id"], busy.id)
    path = f"/api/incidents/{incident['id']}/assignments/{assignment['id']}/reassign"
    refused = api_client.post(path, json={"unit_id": busy.id, "reason": "lebih dekat"})
    assert refused.status_code == 409 and f"#{elsewhere['id']}" in refused.json()["message"]
    db_session.expire_all()
    assert db_session.get(Assignment, assignment["id"]).released_at is None  # old stays on
    same = api_client.post(path, json={"unit_id": old.id, "reason": "x"})
    assert same.status_code == 422 and same.json()["field"] == "unit_id"
    moved = api_client.post(path, json={"unit_id": new.id, "reason": "unit lama mogok"})
    assert moved.status_code == 201, moved.text
    assert moved.json()[0]["unit_id"] == new.id
    db_session.expire_all()
    active = db_session.scalars(
        select(Assignment.unit_id).where(
            Assignment.incident_id == incident["id"], Assignment.released_at.is_(None)
        )
    ).all()
    assert active == [new.id]
    assert db_session.get(Unit, old.id).status == "available"
    detail = api_client.get(f"/api/incidents/{incident['id']}").json()
    assert detail["status"] == "dispatched"
    actions = _log_actions(api_client, incident["id"])
    assert "reassigned" in actions and "undispatched" not in actions


def test_callback_is_recorded_and_close_finishes_the_incident(api_client, area) -> None:
    incident = _valid(api_client)
    path = f"/api/incidents/{incident['id']}/callback"
    bad = api_client.post(path, json={"outcome": "entah"})
    assert bad.status_code == 422 and "hasil telepon balik" in bad.json()["message"]
    ok = api_client.post(path, json={"outcome": "tidak_diangkat", "note": "dua kali"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["callback_outcome"] == "tidak_diangkat"
    assert ok.json()["log"][-1]["message"] == "Telepon balik ke pelapor: Tidak diangkat (dua kali)"
    closed = api_client.post(
        f"/api/incidents/{incident['id']}/close",
        json={"disposition": "dibatalkan_pelapor", "callback_outcome": "tersambung"},
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_commander_watches_but_cannot_cancel(user_client, api_client, db_session, area) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT, home=area.polsek_west)
    incident = _valid(api_client)
    assignment = _assign(api_client, incident["id"], unit.id)
    commander = user_client("commander", jurisdiction_id=area.polda.id)
    assert commander.get("/api/console/board").status_code == 200
    assert commander.get("/api/console/find", params={"q": "1"}).status_code == 403
    path = f"/api/incidents/{incident['id']}/assignments/{assignment['id']}/cancel"
    assert commander.post(path, json={"reason": "x"}).status_code == 403
    crew = user_client("unit", unit_id=unit.id, jurisdiction_id=area.polsek_west.id)
    assert crew.post(path, json={"reason": "x"}).status_code == 403


def test_crew_finishes_its_own_job_with_a_result(user_client, api_client, db_session, area):
    mine = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT, home=area.polsek_west)
    other = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT, home=area.polsek_west)
    incident = _valid(api_client)
    assignment = _assign(api_client, incident["id"], mine.id)
    path = f"/api/incidents/{incident['id']}/assignments/{assignment['id']}/complete"
    stranger = user_client("unit", unit_id=other.id, jurisdiction_id=area.polsek_west.id)
    assert stranger.post(path, json={"result": "x"}).status_code == 403
    crew = user_client("unit", unit_id=mine.id, jurisdiction_id=area.polsek_west.id)
    empty = crew.post(path, json={"result": ""})
    assert empty.status_code == 422 and empty.json()["field"] == "result"
    done = crew.post(path, json={"result": "pelaku kabur, korban dibawa ke RS"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cleared"
    detail = api_client.get(f"/api/incidents/{incident['id']}").json()
    assert detail["status"] == "cleared"
    messages = [e["message"] for e in detail["log"]]
    assert f"Hasil dari unit {mine.call_sign}: pelaku kabur, korban dibawa ke RS" in messages
    job = crew.get("/api/me/job").json()
    assert job["job"] is None
