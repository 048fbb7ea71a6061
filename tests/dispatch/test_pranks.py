"""Prank history: stored per number, weighted by recency, a flag the Perwira Piket reviews."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dispatch.escalation import validate_incident
from dispatch.intake import caller_history, create_incident
from dispatch.models import PRANK_REVIEW_OUTCOMES, CallerFlag, CallerPrank
from dispatch.pranks import PRANK_FLAG_SCORE, PRANK_HALF_LIFE_DAYS, REVIEW_LABELS, prank_standing
from dispatch.schemas import IncidentCreate
from tests.dispatch.factories import incident_body, make_area

NOW = datetime.now(UTC).replace(microsecond=0)


def _phone() -> str:
    return "0813" + str(uuid.uuid4().int)[:8]


def _prank(db_session, phone: str, at: datetime):  # noqa: ANN001, ANN202
    """A call from `phone` at `at`, judged a prank then (services take the time)."""
    data = IncidentCreate(**incident_body(caller_phone=phone))
    incident = create_incident(db_session, data=data, actor="op", now=at)
    validate_incident(
        db_session, incident_id=incident.id, validity="prank", actor="op", accept_timeout_s=60,
        now=at,
    )  # fmt: skip
    return incident


def test_review_outcomes_are_one_vocabulary():
    assert tuple(REVIEW_LABELS) == PRANK_REVIEW_OUTCOMES


def test_old_pranks_fade_and_the_history_is_stored(db_session, area):
    phone = _phone()
    for days in (200, 100):
        _prank(db_session, phone, NOW - timedelta(days=days))
    marked = db_session.scalars(select(CallerPrank).where(CallerPrank.phone == phone)).all()
    assert sorted(m.marked_at for m in marked) == [NOW - timedelta(days=d) for d in (200, 100)]
    history = caller_history(db_session, phone=phone, now=NOW)
    # Two pranks on record, but months ago: shown, not flagged (all-time counting flagged it).
    assert history["prank_count"] == 2 and history["flagged"] is False
    expected = 0.5 ** (200 / PRANK_HALF_LIFE_DAYS) + 0.5 ** (100 / PRANK_HALF_LIFE_DAYS)
    assert history["prank_score"] == pytest.approx(expected, abs=0.001)
    assert "2 kali" in history["message"] and "PERHATIAN" not in history["message"]
    _prank(db_session, phone, NOW - timedelta(hours=1))
    assert caller_history(db_session, phone=phone, now=NOW)["flagged"] is False
    assert db_session.scalar(select(CallerFlag).where(CallerFlag.phone == phone)) is None


def test_repeated_recent_pranks_raise_one_flag(db_session, area):
    phone = _phone()
    first = _prank(db_session, phone, NOW - timedelta(days=3))
    assert prank_standing(db_session, phone=phone, now=NOW).open_flag is None
    second = _prank(db_session, phone, NOW - timedelta(days=1))
    standing = prank_standing(db_session, phone=phone, now=NOW)
    assert standing.score >= PRANK_FLAG_SCORE and standing.open_flag is not None
    assert standing.open_flag.incident_id == second.id != first.id
    _prank(db_session, phone, NOW)  # a third: still the one open flag
    flags = db_session.scalars(select(CallerFlag).where(CallerFlag.phone == phone)).all()
    assert len(flags) == 1
    history = caller_history(db_session, phone=phone, now=NOW)
    assert history["flagged"] is True and history["flag"]["id"] == flags[0].id
    assert history["message"].startswith("PERHATIAN") and "Perwira Piket" in history["message"]


def test_the_perwira_sees_and_reviews_the_flag(api_client, user_client, db_session, area):
    phone = _phone()
    for days in (2, 0):
        _prank(db_session, phone, NOW - timedelta(days=days))
    perwira = user_client("perwira_piket", jurisdiction_id=area.polda.id)
    flags = perwira.get("/api/callers/flags").json()
    mine = [f for f in flags if f["phone"] == phone]
    assert len(mine) == 1 and mine[0]["score_now"] >= PRANK_FLAG_SCORE
    other = make_area(db_session, shift_lon=3.0)
    outsider = user_client("perwira_piket", jurisdiction_id=other.polda.id)
    assert all(f["phone"] != phone for f in outsider.get("/api/callers/flags").json())
    path = f"/api/callers/flags/{mine[0]['id']}/review"
    assert outsider.post(path, json={"outcome": "peringatan"}).status_code == 404
    bad = perwira.post(path, json={"outcome": "hapus"})
    assert bad.status_code == 422 and bad.json()["field"] == "outcome"
    done = perwira.post(path, json={"outcome": "usul_blokir", "note": "nomor 3x iseng"})
    assert done.status_code == 200, done.text
    assert done.json()["review_label"].startswith("Diusulkan")
    assert perwira.post(path, json={"outcome": "pantau"}).status_code == 409
    assert all(f["phone"] != phone for f in perwira.get("/api/callers/flags").json())
    operator = user_client("polda_operator", jurisdiction_id=area.polda.id)
    assert operator.post(path, json={"outcome": "pantau"}).status_code == 403


def test_intake_and_the_board_show_the_flag(api_client, db_session, area):
    phone = _phone()
    for days in (1, 0):
        _prank(db_session, phone, NOW - timedelta(days=days))
    created = api_client.post("/api/incidents", json=incident_body(caller_phone=phone)).json()
    assert created["caller_history"]["flagged"] is True
    assert created["caller_history"]["prank_score"] >= PRANK_FLAG_SCORE
    board = api_client.get("/api/console/board").json()
    row = next(i for i in board["incidents"] if i["id"] == created["id"])
    assert "flagged_caller" in row["attention"]
    faded = _phone()
    for days in (300, 200, 100):
        _prank(db_session, faded, NOW - timedelta(days=days))
    calm = api_client.post("/api/incidents", json=incident_body(caller_phone=faded)).json()
    board = api_client.get("/api/console/board").json()
    row = next(i for i in board["incidents"] if i["id"] == calm["id"])
    assert "flagged_caller" not in row["attention"]
