"""SOS events to alerts (dispatch/alarms.py), on the rolled-back test session: a repeat within
the window joins the unit's alert, a later one is a new alert; the position falls back to the
unit's latest fix; a unit off any job still gets its unit-level record; scope by area."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from dispatch.alarms import acknowledge_alarm, list_alarms, raise_tracker_alarms
from tests.dispatch.factories import make_area, make_unit

T0 = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
INSERT_EVENT = text(
    """
    INSERT INTO unit_events (unit_id, kind, status, payload, received_at, dedup_key)
    VALUES (:u, 'status', :status, CAST(:payload AS jsonb), :at, :key)
    """
)


def report(session: Session, unit_id: int, at: datetime, status: str = "sos", **fix) -> None:
    payload = {"status": status, "source": "mqtt", **fix}
    params = {"u": unit_id, "status": status, "payload": json.dumps(payload), "at": at,
              "key": uuid.uuid4().hex}  # fmt: skip
    session.execute(INSERT_EVENT, params)


def alerts(session: Session, unit_id: int) -> list[dict]:
    query = text(
        "SELECT id, report_count, ST_X(geom) AS lon, incident_id, raised_at, last_reported_at "
        "FROM unit_alarms WHERE unit_id = :u ORDER BY id"
    )
    return [dict(r) for r in session.execute(query, {"u": unit_id}).mappings()]


@pytest.fixture
def unit(db_session: Session):  # noqa: ANN201
    area = make_area(db_session, shift_lon=12.0)
    return area, make_unit(db_session, lon=128.8, lat=-1.26, home=area.polsek_west)


def test_a_repeat_within_the_window_joins_and_a_later_sos_is_new(db_session, unit):  # noqa: ANN001
    _, row = unit
    report(db_session, row.id, T0, lon=128.81, lat=-1.26, fixed_at=T0.timestamp())
    report(db_session, row.id, T0 + timedelta(seconds=30), lon=128.82, lat=-1.26,
           fixed_at=T0.timestamp() + 30)  # fmt: skip
    report(db_session, row.id, T0 + timedelta(seconds=40), status="en_route")  # not an alarm
    raised = raise_tracker_alarms(db_session, window_s=600)
    assert [r.call_sign for r in raised] == [row.call_sign]
    [alert] = alerts(db_session, row.id)
    assert alert["report_count"] == 2 and alert["lon"] == pytest.approx(128.82)  # newer fix
    assert alert["incident_id"] is None  # off any job: the unit-level record only
    assert raise_tracker_alarms(db_session, window_s=600) == []  # nothing new
    report(db_session, row.id, T0 + timedelta(seconds=30 + 601))
    [again] = raise_tracker_alarms(db_session, window_s=600)
    second = alerts(db_session, row.id)[1]
    assert second["id"] == again.alarm_id and second["report_count"] == 1
    # Without a fix of its own, the alert shows the unit's latest position.
    assert second["lon"] == pytest.approx(128.8)


def test_a_broken_fix_in_the_alarm_falls_back_to_the_latest_position(db_session, unit):  # noqa: ANN001
    _, row = unit
    report(db_session, row.id, T0, lon=128.81, lat=-1.26, fixed_at=1e300)
    report(db_session, row.id, T0 + timedelta(seconds=1), lon="x", lat=None)
    [raised] = raise_tracker_alarms(db_session, window_s=600)
    [alert] = alerts(db_session, row.id)
    assert alert["report_count"] == 2 and alert["lon"] == pytest.approx(128.8)


def test_scope_and_acknowledgement(db_session, unit):  # noqa: ANN001
    area, row = unit
    report(db_session, row.id, T0, lon=128.81, lat=-1.26, fixed_at=T0.timestamp())
    [raised] = raise_tracker_alarms(db_session, window_s=600)
    ids = {area.polres.id, area.polsek_west.id}
    assert [a["id"] for a in list_alarms(db_session, jurisdiction_ids=ids, now=T0)] == [
        raised.alarm_id
    ]
    assert list_alarms(db_session, jurisdiction_ids={area.other_polres.id}, now=T0) == []
    with pytest.raises(NotFound):
        acknowledge_alarm(db_session, alarm_id=raised.alarm_id, username="lain",
                          jurisdiction_ids={area.other_polres.id})  # fmt: skip
    taken = acknowledge_alarm(
        db_session, alarm_id=raised.alarm_id, username="op.polres", jurisdiction_ids=ids, now=T0
    )
    assert taken["acknowledged_by"] == "op.polres"
    with pytest.raises(Conflict, match="op.polres"):
        acknowledge_alarm(db_session, alarm_id=raised.alarm_id, username="op2",
                          jurisdiction_ids=ids)  # fmt: skip
    # Shown for an hour after it was taken, then no longer.
    later = T0 + timedelta(hours=2)
    assert list_alarms(db_session, jurisdiction_ids=ids, now=later) == []
