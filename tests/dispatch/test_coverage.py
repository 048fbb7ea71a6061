"""Coverage against the target on the real extract: 0 without a unit, up when one is ready."""

from __future__ import annotations

import pytest

from tests.dispatch.factories import MID_LON, make_unit

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
    assert "100% jalan tidak terjangkau dalam 10 menit" == west["label"]

    busy.status = "available"
    db_session.flush()
    body = _coverage(api_client, area.polres.id)
    by_id = {p["jurisdiction_id"]: p for p in body["polsek"]}
    west, east = by_id[area.polsek_west.id], by_id[area.polsek_east.id]
    assert body["units_ready"] == 1
    assert 0 < west["share"] <= 1 and west["share"] > east["share"]
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
