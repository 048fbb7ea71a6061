"""True T0: the call's ring time from the telephony hook, or the operator's "Terima panggilan";
a T0 given to the API is bounded by what the system saw.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.dispatch.factories import incident_body


def _iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def pabx(user_client, area):  # noqa: ANN001, ANN201
    return user_client("telephony", jurisdiction_id=area.polda.id)


@pytest.fixture
def operator(user_client, area):  # noqa: ANN001, ANN201
    return user_client("polda_operator", jurisdiction_id=area.polda.id)


def test_a_ringing_call_waits_for_an_operator_and_becomes_t0(pabx, operator) -> None:  # noqa: ANN001
    rang_at = datetime.now(UTC) - timedelta(seconds=40)  # queued at the PABX for 40 s
    posted = pabx.post(
        "/api/calls",
        json={"caller_phone": "+62 812-5555-0110", "line": "110-1", "rang_at": _iso(rang_at)},
    )
    assert posted.status_code == 201, posted.text
    call = posted.json()
    assert call["status"] == "waiting" and call["caller_phone"] == "081255550110"
    waiting = operator.get("/api/calls", params={"status": "waiting"}).json()
    assert call["id"] in {row["id"] for row in waiting}
    answered = operator.post(f"/api/calls/{call['id']}/answer")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert operator.post(f"/api/calls/{call['id']}/answer").status_code == 409
    body = incident_body(caller_phone=answered.json()["caller_phone"], call_id=call["id"])
    incident = operator.post("/api/incidents", json=body)
    assert incident.status_code == 201, incident.text
    t0 = datetime.fromisoformat(incident.json()["timestamps"]["call_received_at"])
    assert abs((t0 - rang_at).total_seconds()) < 0.01
    assert incident.json()["t0_source"] == "telephony"
    again = operator.post("/api/incidents", json=body)
    assert again.status_code == 409 and again.json()["field"] == "call_id"


def test_terima_panggilan_records_t0_before_the_form(operator) -> None:  # noqa: ANN001
    taken = operator.post("/api/calls/take", json={})
    assert taken.status_code == 201, taken.text
    call = taken.json()
    assert call["status"] == "answered" and call["source"] == "console"
    incident = operator.post("/api/incidents", json=incident_body(call_id=call["id"])).json()
    t0 = datetime.fromisoformat(incident["timestamps"]["call_received_at"])
    created = datetime.fromisoformat(incident["timestamps"]["created_at"])
    assert t0 == datetime.fromisoformat(call["rang_at"]) and t0 < created
    assert incident["t0_source"] == "console"


def test_a_ring_time_is_bounded_by_when_the_system_saw_the_call(pabx) -> None:  # noqa: ANN001
    now = datetime.now(UTC)
    for rang_at in (now + timedelta(minutes=5), now - timedelta(hours=2)):
        response = pabx.post(
            "/api/calls",
            json={"caller_phone": "081255550111", "line": "110-1", "rang_at": _iso(rang_at)},
        )
        assert response.status_code == 422 and response.json()["field"] == "rang_at"


def test_a_given_t0_is_bounded_by_what_the_system_saw(operator) -> None:  # noqa: ANN001
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    refused = operator.post("/api/incidents", json=incident_body(call_received_at=_iso(long_ago)))
    assert refused.status_code == 422 and refused.json()["field"] == "call_received_at"
    call = operator.post("/api/calls/take", json={}).json()
    before_ring = datetime.fromisoformat(call["rang_at"]) - timedelta(minutes=1)
    earlier = operator.post(
        "/api/incidents",
        json=incident_body(call_id=call["id"], call_received_at=_iso(before_ring)),
    )
    assert earlier.status_code == 422 and earlier.json()["field"] == "call_received_at"
    recent = datetime.now(UTC) - timedelta(seconds=90)
    entered = operator.post("/api/incidents", json=incident_body(call_received_at=_iso(recent)))
    assert entered.status_code == 201 and entered.json()["t0_source"] == "entered"


def test_calls_are_scoped_to_the_lines_jurisdiction(pabx, user_client, area) -> None:  # noqa: ANN001
    call = pabx.post("/api/calls", json={"caller_phone": "081255550112", "line": "110-2"}).json()
    stranger = user_client("polres_operator", jurisdiction_id=area.other_polres.id)
    assert call["id"] not in {row["id"] for row in stranger.get("/api/calls").json()}
    assert stranger.post(f"/api/calls/{call['id']}/answer").status_code == 404
    assert (
        stranger.post("/api/calls", json={"caller_phone": "0811", "line": "x"}).status_code == 403
    )
