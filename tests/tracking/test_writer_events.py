"""Tracker events are deduplicated by message identity within a window, not for all time;
link reports land in the order they happened."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tests.tracking.factories import make_unit
from tracking.models import Unit, UnitEvent
from tracking.writer import store_event, store_link


def _status(db_session, unit, at: datetime, word: str = "available") -> bool:  # noqa: ANN001
    body = {"status": word}
    return store_event(
        db_session, unit_id=unit.id, call_sign=unit.call_sign, kind="status", job_id=None,
        status=word, payload=body, topic=f"t/units/{unit.call_sign}/status",
        raw=json.dumps(body).encode(), received_at=at, dedup_window_s=600,
    )  # fmt: skip


def test_a_repeated_status_is_a_duplicate_only_within_the_window(db_session):
    unit = make_unit(db_session)
    t0 = datetime.now(UTC) - timedelta(hours=2)
    assert _status(db_session, unit, t0) is True
    assert _status(db_session, unit, t0 + timedelta(seconds=30)) is False  # a redelivery
    assert _status(db_session, unit, t0 + timedelta(seconds=601)) is True  # available again
    assert _status(db_session, unit, t0 + timedelta(hours=1)) is True
    stored = db_session.scalar(
        select(func.count()).select_from(UnitEvent).where(UnitEvent.unit_id == unit.id)
    )
    assert stored == 3


def test_an_older_link_report_does_not_undo_a_newer_one(db_session):
    unit = make_unit(db_session)
    t0 = datetime.now(UTC)
    assert store_link(db_session, unit_id=unit.id, connected=True, at=t0)
    # A will received later, then a fix that was received before it (same batch, other order).
    assert store_link(db_session, unit_id=unit.id, connected=False, at=t0 + timedelta(seconds=5))
    assert not store_link(db_session, unit_id=unit.id, connected=True, at=t0 + timedelta(seconds=2))
    db_session.expire_all()
    assert db_session.get(Unit, unit.id).link_connected is False
    assert store_link(db_session, unit_id=unit.id, connected=True, at=t0 + timedelta(seconds=9))
    db_session.expire_all()
    assert db_session.get(Unit, unit.id).link_connected is True
