"""Coverage against the target on the real extract: 0 without a unit, up when one is ready."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dispatch.coverage import coverage_report
from roads.service import roads_for
from tests.dispatch.factories import MID_LON, make_unit
from tests.dispatch.history import available_at, stored_fix

pytestmark = pytest.mark.usefixtures("road_data")


def _coverage(api_client, jurisdiction_id: int) -> dict:  # noqa: ANN001
    response = api_client.get(
        "/api/coverage", params={"jurisdiction_id": jurisdiction_id, "hour": 3}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_no_ready_unit_covers_nothing_and_one_unit_raises_it(api_client, db_session, area) -> None:  # noqa: ANN001
    west_lon = (116.806 + MID_LON) / 2
    busy = make_unit(db_session, lon=west_lon, lat=-1.265, home=area.polsek_west, status="off_duty")
    body = _coverage(api_client, area.polres.id)
    assert body["road_data"] is True and body["units_ready"] == 0
    by_id = {p["jurisdiction_id"]: p for p in body["polsek"]}
    west, east = by_id[area.polsek_west.id], by_id[area.polsek_east.id]
    assert west["road_km"] > 20 and east["road_km"] > 20  # Balikpapan Kota's streets
    assert west["share"] == 0 and east["share"] == 0 and body["move_up"] is None
    assert west["area_share"] == 0 and east["area_share"] == 0
    # The two Polsek halve the extract's box: about 3.8 x 3.7 km each.
    assert 12 < west["area_km2"] < 16 and 12 < east["area_km2"] < 16
    assert "100% jalan, 100% wilayah tidak terjangkau dalam 10 menit" == west["label"]

    busy.status = "available"
    db_session.flush()
    body = _coverage(api_client, area.polres.id)
    by_id = {p["jurisdiction_id"]: p for p in body["polsek"]}
    west, east = by_id[area.polsek_west.id], by_id[area.polsek_east.id]
    assert body["units_ready"] == 1
    assert 0 < west["share"] <= 1 and west["share"] > east["share"]
    assert 0 < west["area_share"] <= 1 and west["area_share"] > east["area_share"]
    assert west["covered_area_km2"] == pytest.approx(west["area_share"] * west["area_km2"], 0.01)
    assert len(west["uncovered"]) < len(east["uncovered"])


def test_a_shorter_target_covers_less_and_move_up_goes_east(api_client, db_session, area) -> None:  # noqa: ANN001
    # Both units in the far west of the extract: the east is what a move-up should fix.
    make_unit(db_session, lon=116.812, lat=-1.270, home=area.polsek_west)
    make_unit(db_session, lon=116.815, lat=-1.268, kind="R2", home=area.polsek_west)
    ten = {p["jurisdiction_id"]: p for p in _coverage(api_client, area.polres.id)["polsek"]}
    assert ten[area.polsek_west.id]["share"] > ten[area.polsek_east.id]["share"] > 0.1
    area.polres.response_target_s = 240
    db_session.flush()
    body = _coverage(api_client, area.polres.id)
    four = {p["jurisdiction_id"]: p for p in body["polsek"]}
    for polsek in (area.polsek_west.id, area.polsek_east.id):
        assert four[polsek]["target_s"] == 240
        assert four[polsek]["share"] < ten[polsek]["share"]
    move = body["move_up"]
    assert move["gain_m"] > 1000 and move["to"][0] > MID_LON > move["from"][0]


def test_coverage_of_an_unknown_or_polda_area_is_a_clear_4xx(api_client, area) -> None:  # noqa: ANN001
    missing = api_client.get("/api/coverage", params={"jurisdiction_id": 999_999})
    assert missing.status_code == 404 and missing.json()["field"] == "jurisdiction_id"
    polda = api_client.get("/api/coverage", params={"jurisdiction_id": area.polda.id})
    assert polda.status_code in (400, 422) and polda.json()["field"] == "jurisdiction_id"


def test_the_planner_hour_comes_from_stored_positions_and_statuses(
    settings,
    db_session,
    area,  # noqa: ANN001
) -> None:
    """16:30 WITA on the last three days: the unit was on patrol in the west on two of them."""
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # 20:00 WITA
    west_lon = (116.806 + MID_LON) / 2
    patrol = make_unit(db_session, lon=116.87, lat=-1.25, home=area.polsek_west)
    available_at(db_session, patrol, [("2026-11-30T10:00", "off_duty"),
                                      ("2026-12-01T06:00", "available"),
                                      ("2026-12-02T07:00", "off_duty"),
                                      ("2026-12-02T12:00", "available")])  # fmt: skip
    for day in ("2026-12-01", "2026-12-02", "2026-12-03"):
        stored_fix(db_session, patrol, f"{day}T08:00", west_lon, -1.265)
    # Off duty until today 10:00 UTC: never on patrol at 16:30 WITA (08:30 UTC) before that.
    late = make_unit(db_session, lon=116.87, lat=-1.25, home=area.polsek_east)
    available_at(db_session, late, [("2026-12-03T10:00", "available")], first="off_duty")
    stored_fix(db_session, late, "2026-12-03T08:00", 116.86, -1.26)

    def report(hour: int) -> dict:
        return coverage_report(
            db_session,
            roads_for(settings),
            jurisdiction_id=area.polres.id,
            stale_s=120,
            now=now,
            hour=hour,
            history_days=3,
        )

    body = report(16)
    assert body["units_ready"] == 1 and body["hour"] == 16
    assert body["history_at"] in (datetime(2026, 12, d, 8, 30, tzinfo=UTC) for d in (1, 3))
    by_id = {p["jurisdiction_id"]: p for p in body["polsek"]}
    west, east = by_id[area.polsek_west.id], by_id[area.polsek_east.id]
    assert west["share"] > east["share"] and west["area_share"] > east["area_share"]
    # 05:30 WITA: the last fixes are 13.5 h old, nobody was on patrol.
    night = report(5)
    assert night["units_ready"] == 0 and all(p["share"] == 0 for p in night["polsek"])
