"""The demo fleet: spread over the real Polsek, each unit starting at its Polsek's station."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.measure import distance_m
from jurisdictions.demo import DEMO_FILE
from jurisdictions.importer import import_file
from jurisdictions.models import Jurisdiction
from places.demo import DEMO_DIR
from places.landmarks import load_places_csv
from places.stations import home_posts
from tracking.fleet import demo_homes, ensure_fleet, home_unit, unit_home_posts

STATIONS = {  # Polsek -> the real station its units start from (data/demo police list)
    "64.71.02": ("Pos Lantas Kebun Sayur", True),
    "64.71.03": ("Polsek Balikpapan Utara", True),
    "64.71.04": ("Pos Polisi Ahmad Yani", True),
    "64.71.05": ("Polsek Balikpapan Selatan", True),
    "64.71.06": ("Polsek Kawasan Pelabuhan Semayang Resor Balikpapan", True),
}


@pytest.fixture
def demo(db_session: Session) -> dict[str, int]:
    """The demo jurisdictions and police stations in the rolled-back session; {code: id}."""
    db_session.execute(text("DELETE FROM places WHERE kind = 'amenity=police'"))
    db_session.execute(text("UPDATE units SET home_jurisdiction_id = NULL"))
    db_session.execute(text("DELETE FROM jurisdictions"))
    import_file(db_session, path=DEMO_FILE)
    load_places_csv(db_session, path=DEMO_DIR / "balikpapan_police_osm.csv", source="t-police")
    # The landmark list holds the same points (Satpol PP, Samsat too) without a unit level.
    load_places_csv(db_session, path=DEMO_DIR / "balikpapan_places_osm.csv", source="t-places")
    rows = db_session.query(Jurisdiction.code, Jurisdiction.id).filter(
        Jurisdiction.level == "polsek"
    )
    return dict(rows.all())


def test_every_polsek_has_a_real_polri_station(db_session: Session, demo) -> None:
    posts = home_posts(db_session, jurisdiction_ids=demo.values())
    by_code = {code: posts[i] for code, i in demo.items()}
    for code, (name, inside) in STATIONS.items():
        assert (by_code[code].name, by_code[code].inside) == (name, inside), code
    # Balikpapan Timur has no Polri station in OSM: its units start at the nearest one.
    timur = by_code["64.71.01"]
    assert not timur.inside and timur.name.startswith("Polsek")
    assert all("Samsat" not in p.name and "Satpol" not in p.name for p in posts.values())


def test_fleet_is_spread_over_the_polsek_road_polsek_first(db_session: Session, demo) -> None:
    homes = demo_homes(db_session)
    assert homes[0] == demo["64.71.06"] and set(homes) == set(demo.values())
    fleet = ensure_fleet(db_session, count=12, prefix="TFLEET", homes=homes)
    posts = unit_home_posts(db_session, [sign for sign, _ in fleet])
    per_station = {}
    for post in posts.values():
        per_station[post.jurisdiction_id] = per_station.get(post.jurisdiction_id, 0) + 1
    assert len(posts) == 12 and set(per_station.values()) == {2}
    # Re-run with other homes (an older demo's jurisdictions): the units move.
    ensure_fleet(db_session, count=12, prefix="TFLEET", homes=[homes[1]])
    moved = unit_home_posts(db_session, [sign for sign, _ in fleet])
    assert {p.jurisdiction_id for p in moved.values()} == {homes[1]}


def test_units_start_at_their_station(settings, road_data, db_session: Session, demo) -> None:
    from roads.service import roads_for
    from tracking.driving import Planner

    rng = random.Random(11)
    planner = Planner(roads_for(settings), rng)
    posts = home_posts(db_session, jurisdiction_ids=demo.values())
    kota = posts[demo["64.71.06"]]  # in the road extract: starts on the road by the station
    unit = home_unit(planner, "T-KOTA", "R4", kota, rng)
    assert distance_m(unit.lon, unit.lat, kota.lon, kota.lat) < 300
    assert len(unit.posts) == 3
    assert all(distance_m(*p, kota.lon, kota.lat) < 2500 for p in unit.posts)
    assert all(planner.drive("R4", unit.posts[0], p, now=0.0).on_roads for p in unit.posts[1:])
    utara = posts[demo["64.71.03"]]  # no road data there: at the station itself
    north = home_unit(planner, "T-UTARA", "R2", utara, rng)
    assert (north.lon, north.lat) == (utara.lon, utara.lat) and north.mode == "at_post"
