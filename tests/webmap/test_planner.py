"""Planner aggregates on real PostGIS, and the planner page in Chromium."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from core.errors import InvalidInput
from tests.webmap.factories import insert_incident
from webmap import analytics

DAY = date(2026, 1, 5)
AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 WITA


@pytest.fixture
def period_incidents(db_session, city):
    conn = db_session.connection()
    west = [(300, "pencurian"), (500, "pencurian"), (700, "kecelakaan_lalu_lintas")]
    for i, (response_s, category) in enumerate(west):
        insert_incident(
            conn, city, polsek=0, lon=127.01 + i * 0.004, lat=-6.0, category=category,
            received_at=AT + timedelta(minutes=i), response_s=response_s,
        )  # fmt: skip
    insert_incident(conn, city, polsek=1, lon=127.05, lat=-6.01, received_at=AT, response_s=400)
    insert_incident(conn, city, polsek=1, lon=127.06, lat=-6.01, received_at=AT)  # not arrived
    insert_incident(
        conn, city, polsek=1, lon=127.06, lat=-6.0, received_at=AT, response_s=5000,
        validity="prank",
    )  # fmt: skip
    return db_session


def test_summary_counts_share_and_percentiles(period_incidents):
    s = analytics.summarize_period(period_incidents, start=DAY, end=DAY)
    assert (s["total"], s["arrived"]) == (5, 4)  # the prank call is left out
    assert s["within_target_share"] == 0.75  # 300, 400, 500 within 600 s; 700 missed
    assert s["p90_response_s"] == pytest.approx(640.0)  # percentile_cont over 300..700
    by_category = {c["category"]: c for c in s["by_category"]}
    assert by_category["pencurian"]["count"] == 4
    assert by_category["kecelakaan_lalu_lintas"]["within_target_share"] == 0.0
    assert s["by_hour"][10]["count"] == 5 and sum(h["count"] for h in s["by_hour"]) == 5


def test_scope_and_period_filter(period_incidents, city):
    east = analytics.summarize_period(
        period_incidents, start=DAY, end=DAY, jurisdiction_ids={city.polsek_ids[1]}
    )
    assert east["total"] == 2
    before = analytics.summarize_period(
        period_incidents, start=DAY - timedelta(days=3), end=DAY - timedelta(days=1)
    )
    assert before["total"] == 0 and before["p90_response_s"] is None
    with pytest.raises(InvalidInput) as err:
        analytics.summarize_period(period_incidents, start=DAY, end=DAY - timedelta(days=1))
    assert err.value.field == "to"


def test_polsek_share_hexbins_and_heat(period_incidents, city):
    share = analytics.polsek_share_features(period_incidents, start=DAY, end=DAY)
    by_id = {f["properties"]["id"]: f["properties"] for f in share["features"]}
    assert by_id[city.polsek_ids[0]]["within_target_share"] == pytest.approx(0.6667)
    assert by_id[city.polsek_ids[1]]["within_target_share"] == 1.0
    hexes = analytics.hexbin_features(period_incidents, start=DAY, end=DAY, size_m=300)
    assert sum(f["properties"]["count"] for f in hexes["features"]) == 5
    assert all(f["geometry"]["type"] == "Polygon" for f in hexes["features"])
    points = analytics.heat_points(period_incidents, start=DAY, end=DAY)
    assert len(points) == 4 and all(0 < w <= 1 for _, _, w in points)
    with pytest.raises(InvalidInput):
        analytics.hexbin_features(period_incidents, start=DAY, end=DAY, size_m=5)


def test_exports_csv_and_geojson(period_incidents):
    rows = analytics.export_rows(period_incidents, start=DAY, end=DAY)
    parsed = list(csv.DictReader(io.StringIO(analytics.rows_to_csv(rows))))
    assert len(parsed) == 5
    assert sorted(r["Dalam target"] for r in parsed) == ["", "tidak", "ya", "ya", "ya"]
    geo = analytics.rows_to_geojson(rows)
    assert geo["features"][0]["geometry"]["type"] == "Point"
    assert "response_s" in geo["features"][0]["properties"]


@pytest.fixture(scope="session")
def june_incidents(engine, city) -> int:
    """Committed incidents in June 2025 for the page (the live server sees only commits)."""
    start = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
    count = 0
    with engine.begin() as conn:
        for i in range(40):
            lon, lat = 127.005 + (i % 8) * 0.009, -6.022 + (i // 8) * 0.008
            response_s = None if i % 9 == 0 else 240 + (i * 37) % 700
            insert_incident(
                conn, city, polsek=0 if lon < 127.04 else 1, lon=lon, lat=lat,
                category=("pencurian", "kecelakaan_lalu_lintas", "kdrt")[i % 3],
                received_at=start + timedelta(hours=i * 7), response_s=response_s,
            )  # fmt: skip
            count += 1
    return count


def test_planner_page_layers_and_export(open_page, june_incidents):
    visit = open_page("/planner", role="planner")
    page = visit.page
    page.wait_for_selector("path.leaflet-interactive")
    page.fill("#p-from", "2025-06-01")
    page.fill("#p-to", "2025-06-30")
    page.click("#p-apply")
    page.wait_for_function(
        f"() => document.getElementById('s-count').textContent === '{june_incidents}'"
    )
    page.wait_for_function(
        "() => window.Siaga.planner.layer"
        " && document.querySelectorAll('#by-category tbody tr').length === 3"
    )
    visit.screenshot("planner-hexbins")

    page.select_option("#p-layer", "share")
    page.wait_for_function("() => document.querySelector('#legend').textContent.includes('%')")
    visit.screenshot("planner-share")
    page.select_option("#p-layer", "heat")
    page.wait_for_selector("canvas.leaflet-heatmap-layer", state="attached", timeout=10000)
    visit.screenshot("planner-heat")

    with page.expect_download() as download:
        page.click("#export-csv")
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("No. laporan,Panggilan masuk") and len(lines) == june_incidents + 1
    assert "+08:00" in lines[1] and "WITA (+08:00)" in lines[1]
    with page.expect_download() as download:
        page.click("#export-geojson")
    assert '"FeatureCollection"' in open(download.value.path(), encoding="utf-8").read()
    visit.assert_clean()


def test_planner_coverage_for_an_hour_lists_each_polsek(open_page, city):
    visit = open_page("/planner", role="planner")
    page = visit.page
    page.wait_for_function("() => document.getElementById('cov-polres').options.length > 0")
    page.select_option("#cov-hour", "17")
    page.click("#cov-apply")
    page.wait_for_function(
        "() => document.querySelectorAll('#cov-result li').length >= 3"
        " && document.getElementById('cov-result').textContent.includes('Polsek')"
    )
    text = page.inner_text("#cov-result")
    # The synthetic city has no stored positions and lies outside the road extract.
    assert "Tidak ada unit siap tercatat pada jam ini." in text
    assert text.count("tidak ada data jalan") >= 2
    visit.screenshot("planner-coverage")
    visit.assert_clean()


def test_unverified_arrivals_are_counted_apart_never_met(db_session, city):
    conn = db_session.connection()
    for i, (response_s, verified) in enumerate(((300, True), (200, False), (900, False))):
        insert_incident(
            conn, city, polsek=0, lon=127.01 + i * 0.004, lat=-6.0, received_at=AT,
            response_s=response_s, verified=verified,
        )  # fmt: skip
    s = analytics.summarize_period(db_session, start=DAY, end=DAY)
    assert (s["arrived"], s["arrived_verified"], s["arrived_unverified"]) == (3, 1, 2)
    # Only the verified 300 s counts; the unverified 200 s would have "met" the target.
    assert s["within_target_share"] == 1.0 and s["median_response_s"] == 300.0
    assert s["unverified"]["within_target_share"] == 0.5
    assert s["unverified"]["median_response_s"] == 550.0
    assert s["by_hour"][10]["arrived_unverified"] == 2
    share = analytics.polsek_share_features(db_session, start=DAY, end=DAY)
    by_id = {f["properties"]["id"]: f["properties"] for f in share["features"]}
    west = by_id[city.polsek_ids[0]]
    assert (west["arrived_verified"], west["arrived_unverified"]) == (1, 2)
    assert len(analytics.heat_points(db_session, start=DAY, end=DAY)) == 1
    hexes = analytics.hexbin_features(db_session, start=DAY, end=DAY, size_m=300)
    assert sum(f["properties"]["arrived_unverified"] for f in hexes["features"]) == 2
    rows = analytics.export_rows(db_session, start=DAY, end=DAY)
    parsed = list(csv.DictReader(io.StringIO(analytics.rows_to_csv(rows))))
    by_arrival = sorted((r["Kedatangan"], r["Dalam target"]) for r in parsed)
    unverified = ("belum terverifikasi", "")
    assert by_arrival == [unverified, unverified, ("terverifikasi", "ya")]


def test_periods_are_local_days_and_times_carry_their_offset(db_session, city):
    conn = db_session.connection()
    # 17:30 UTC on the 5th is 01:30 WITA on the 6th; 15:30 UTC is 00:30 WIT on the 6th.
    late = datetime(2026, 1, 5, 17, 30, tzinfo=UTC)
    insert_incident(conn, city, polsek=0, lon=127.01, lat=-6.0, received_at=late, response_s=240)
    east = datetime(2026, 1, 5, 15, 30, tzinfo=UTC)
    insert_incident(conn, city, polsek=1, lon=127.05, lat=-6.0, received_at=east, tz="WIT")
    sixth = date(2026, 1, 6)
    assert analytics.summarize_period(db_session, start=DAY, end=DAY)["total"] == 0
    s = analytics.summarize_period(db_session, start=sixth, end=sixth)
    assert s["total"] == 2 and s["zones"] == ["WIT", "WITA"]
    assert s["by_hour"][1]["count"] == 1 and s["by_hour"][0]["count"] == 1
    assert "hari setempat" in s["period_label"] and "WITA (+08:00)" in s["period_label"]
    rows = {r["tz"]: r for r in analytics.export_rows(db_session, start=sixth, end=sixth)}
    assert rows["WITA"]["call_received_at"] == "2026-01-06T01:30:00+08:00"
    assert rows["WITA"]["call_received_local"] == "2026-01-06 01:30 WITA (+08:00)"
    assert rows["WITA"]["on_scene_local"] == "2026-01-06 01:34 WITA (+08:00)"
    assert rows["WIT"]["call_received_local"] == "2026-01-06 00:30 WIT (+09:00)"
    assert rows["WIT"]["on_scene_at"] is None and rows["WIT"]["arrival"] == "belum tiba"
    one_zone = analytics.summarize_period(
        db_session, start=sixth, end=sixth, jurisdiction_ids={city.polsek_ids[0]}
    )
    label = "2026-01-06 00:00 s.d. 2026-01-06 24:00 WITA (+08:00), hari setempat"
    assert one_zone["period_label"] == label
