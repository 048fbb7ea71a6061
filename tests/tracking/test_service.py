"""Unit registry on the real database: transitions, link vs fix freshness, positions."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict, InvalidInput, NotFound
from tests.tracking.factories import make_polsek, make_unit, stage
from tracking.models import UnitStatusChange
from tracking.service import (
    create_unit,
    delete_unit,
    get_unit,
    list_positions,
    list_units,
    set_unit_link,
    set_unit_status,
)
from tracking.writer import write_fixes


def test_call_sign_is_unique(db_session):
    unit = make_unit(db_session)
    with pytest.raises(Conflict) as err:
        create_unit(db_session, call_sign=unit.call_sign, kind="R2")
    assert err.value.field == "call_sign"
    with pytest.raises(InvalidInput, match="jenis"):
        create_unit(db_session, call_sign="X-1", kind="tank")


def test_allowed_and_forbidden_transitions(db_session):
    unit = make_unit(db_session)
    for status in ("dispatched", "en_route", "on_scene", "returning", "available"):
        set_unit_status(db_session, unit_id=unit.id, status=status, reason="uji", actor="test")
    assert unit.status == "available"
    with pytest.raises(Conflict) as err:
        set_unit_status(db_session, unit_id=unit.id, status="on_scene", actor="test")
    assert err.value.field == "status"
    changes = db_session.query(UnitStatusChange).filter_by(unit_id=unit.id).count()
    assert changes == 5
    with pytest.raises(NotFound):
        set_unit_status(db_session, unit_id=-1, status="available", actor="test")


def test_link_liveness_is_apart_from_fix_freshness(db_session):
    unit = make_unit(db_session)
    view = list_units(db_session, stale_s=120, unit_ids=[unit.id])[0]
    assert (view.position, view.fix_stale, view.available, unit.link_connected) == (
        None,
        True,
        False,
        False,
    )
    write_fixes(db_session, [stage(unit.id, time.time() - 5)])
    view = list_units(db_session, stale_s=120, unit_ids=[unit.id])[0]
    assert not view.fix_stale and view.available and not view.unit.link_connected
    set_unit_link(db_session, unit_id=unit.id, connected=True, at=datetime.now(UTC))
    later = datetime.now(UTC) + timedelta(seconds=200)
    view = list_units(db_session, stale_s=120, unit_ids=[unit.id], now=later)[0]
    assert view.fix_stale and not view.available and view.unit.link_connected


def test_units_listed_as_available_are_the_dispatchable_ones(db_session):
    """/api/units?available= answers from the same table as the recommendation."""
    unit = make_unit(db_session)
    write_fixes(db_session, [stage(unit.id, time.time() - 5)])
    for status, dispatchable in (("dispatched", False), ("returning", True), ("off_duty", False)):
        set_unit_status(db_session, unit_id=unit.id, status=status, actor="test")
        view = list_units(db_session, stale_s=120, unit_ids=[unit.id])[0]
        assert view.available is dispatchable, status


def test_history_ignores_duplicates_and_latest_only_moves_forward(db_session):
    unit = make_unit(db_session)
    now = time.time()
    assert write_fixes(db_session, [stage(unit.id, now - 10), stage(unit.id, now - 10)]) == 1
    assert write_fixes(db_session, [stage(unit.id, now - 10), stage(unit.id, now - 5, 116.85)]) == 1
    assert write_fixes(db_session, [stage(unit.id, now - 30, 116.70)]) == 1  # late fix
    view = list_units(db_session, stale_s=120, unit_ids=[unit.id])[0]
    assert view.position.lon == pytest.approx(116.85)
    history = list_positions(db_session, unit_id=unit.id)
    assert [round(p.lon, 2) for p in history] == [116.85, 116.84, 116.70]


def test_scope_and_delete(db_session):
    polsek = make_polsek(db_session)
    inside = make_unit(db_session, home=polsek.id)
    outside = make_unit(db_session)
    ids = {v.unit.id for v in list_units(db_session, stale_s=120, jurisdiction_ids={polsek.id})}
    assert inside.id in ids and outside.id not in ids
    with pytest.raises(NotFound):
        get_unit(db_session, unit_id=outside.id, jurisdiction_ids={polsek.id})
    write_fixes(db_session, [stage(inside.id, time.time())])
    delete_unit(db_session, unit_id=inside.id)
    with pytest.raises(NotFound):
        get_unit(db_session, unit_id=inside.id)
    assert list_positions(db_session, unit_id=inside.id) == []
