"""Map data services on real PostGIS: jurisdiction layer, live units, the unit's job."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from core.errors import InvalidInput, NotFound
from tracking.decode import decode_location
from webmap.service import jurisdiction_features, list_live_units
from webmap.unit_page import current_job, phone_fix_payload


def test_jurisdiction_layer_inherits_target_and_zone_and_follows_scope(db_session, city):
    everything = jurisdiction_features(db_session)
    levels = [f["properties"]["level"] for f in everything["features"]]
    assert levels.index("polda") < levels.index("polres") < levels.index("polsek")
    (polsek,) = jurisdiction_features(db_session, jurisdiction_ids={city.polsek_ids[0]})["features"]
    assert polsek["properties"]["response_target_s"] == 600  # from the Polres
    assert polsek["properties"]["timezone"] == "WITA"  # from the Polda
    assert polsek["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert jurisdiction_features(db_session, jurisdiction_ids=set())["features"] == []


def test_live_units_since_cursor_staleness_and_scope(db_session, city):
    units = {u["call_sign"]: u for u in list_live_units(db_session, stale_after_s=120)}
    assert {"WEB-R4-1", "WEB-R2-1", "WEB-R4-2"} <= set(units)
    now = db_session.execute(text("SELECT now()")).scalar_one()
    assert list_live_units(db_session, since=now + timedelta(hours=1), stale_after_s=120) == []
    # The session's fixtures age with the run: set both ages here, one old and one fresh.
    db_session.execute(
        text("UPDATE unit_positions_latest SET fixed_at = CASE WHEN unit_id = :old "
             "THEN now() - interval '1 hour' ELSE now() END WHERE unit_id IN (:old, :fresh)"),
        {"old": city.unit_ids["WEB-R2-1"], "fresh": city.unit_ids["WEB-R4-2"]},
    )  # fmt: skip
    units = {u["call_sign"]: u for u in list_live_units(db_session, stale_after_s=120)}
    assert units["WEB-R2-1"]["stale"] is True and units["WEB-R4-2"]["stale"] is False
    east = list_live_units(db_session, stale_after_s=120, jurisdiction_ids={city.polsek_ids[1]})
    assert {u["call_sign"] for u in east} >= {"WEB-R2-1", "WEB-R4-2"}
    assert "WEB-R4-1" not in {u["call_sign"] for u in east}


def test_current_job_without_assignment_and_for_a_missing_unit(db_session, city):
    db_session.execute(text("UPDATE assignments SET released_at = now()"))
    data = current_job(db_session, unit_id=city.unit_ids["WEB-R4-2"])
    assert data["unit"]["call_sign"] == "WEB-R4-2" and data["job"] is None
    with pytest.raises(NotFound):
        current_job(db_session, unit_id=999_999)


def test_phone_fix_is_an_owntracks_location():
    body = json.loads(phone_fix_payload(lat=-6.0, lon=116.83, tst=1, acc=5, vel_mps=10, cog=90))
    assert body == {
        "_type": "location", "lat": -6.0, "lon": 116.83, "tst": 1, "tid": "hp",
        "acc": 5, "vel": 36.0, "cog": 90,
    }  # fmt: skip
    with pytest.raises(InvalidInput):
        phone_fix_payload(lat=95, lon=0, tst=1, acc=None, vel_mps=None, cog=None)
    # The ingest reads it as a fix that marks the link up: a phone sharing its location is a
    # connected tracker, never "pelacak tidak terhubung".
    decoded = decode_location("WEB-R4-1", phone_fix_payload(
        lat=-6.0, lon=116.83, tst=1, acc=5, vel_mps=10, cog=90
    ))  # fmt: skip
    assert decoded.connected is True and decoded.fix.speed_mps == pytest.approx(10)
