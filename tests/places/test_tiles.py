"""Vector tiles: what a tile of Balikpapan Kota holds, ETag/304, cache invalidated on import."""

from __future__ import annotations

import math

import mapbox_vector_tile
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from places.osm_import import import_osm
from places.tiles import TileCache, cached_tile, render_tile
from tests.places.factories import BASE_LAT, BASE_LON, write_extract


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


# Klandasan, the densest streets of the extract (Jl. Jenderal Sudirman runs through it).
DENSE = (116.8245, -1.2705)


def test_dense_tile_has_named_streets_places_police_and_areas(
    db_session: Session, balikpapan: dict
) -> None:
    from sqlalchemy import text

    on_sudirman = db_session.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_LineInterpolatePoint(geom, 0.5) AS p"
            " FROM streets WHERE source = :s AND name = 'Jalan Jenderal Sudirman'"
            " ORDER BY osm_id LIMIT 1) q"
        ),
        {"s": balikpapan["source"]},
    ).one()
    x, y = tile_of(*on_sudirman, 15)
    layers = mapbox_vector_tile.decode(render_tile(db_session, z=15, x=x, y=y))
    assert {"streets", "places", "areas"} <= set(layers)
    streets = layers["streets"]["features"]
    names = {f["properties"].get("name") for f in streets}
    assert "Jalan Jenderal Sudirman" in names
    assert {f["properties"]["class"] for f in streets} >= {"trunk", "residential"}
    assert all(f["geometry"]["type"] in ("LineString", "MultiLineString") for f in streets)
    label_at = db_session.execute(
        text("SELECT ST_X(point), ST_Y(point) FROM admin_areas WHERE name = 'Klandasan Ilir'")
    ).one()
    x, y = tile_of(*label_at, 13)
    layers = mapbox_vector_tile.decode(render_tile(db_session, z=13, x=x, y=y))
    labels = {f["properties"]["name"] for f in layers["area_labels"]["features"]}
    assert "Klandasan Ilir" in labels


def test_low_zoom_keeps_main_roads_only(db_session: Session, balikpapan: dict) -> None:
    x, y = tile_of(*DENSE, 10)
    layers = mapbox_vector_tile.decode(render_tile(db_session, z=10, x=x, y=y))
    classes = {f["properties"]["class"] for f in layers["streets"]["features"]}
    assert classes and classes <= {"motorway", "trunk", "primary"}
    assert "places" not in layers


def test_police_stations_have_their_layer(db_session: Session, balikpapan: dict) -> None:
    # Direktorat Sabhara Polda Kaltim (police CSV), lon 116.8191, lat -1.2796.
    x, y = tile_of(116.8191018, -1.279597, 14)
    layers = mapbox_vector_tile.decode(render_tile(db_session, z=14, x=x, y=y))
    names = {f["properties"]["name"] for f in layers["police"]["features"]}
    assert "Direktorat Sabhara Polda Kaltim" in names


def test_tile_api_etag_and_304(api_client, balikpapan: dict) -> None:
    x, y = tile_of(*DENSE, 16)
    first = api_client.get(f"/tiles/16/{x}/{y}.mvt")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    etag = first.headers["etag"]
    again = api_client.get(f"/tiles/16/{x}/{y}.mvt", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content


@pytest.mark.parametrize(
    "path, field",
    [("/tiles/23/0/0.mvt", "z"), ("/tiles/3/8/0.mvt", "x"), ("/tiles/3/0/-1.mvt", "y")],
)
def test_tile_api_bad_address_is_422(api_client, path: str, field: str) -> None:
    response = api_client.get(path)
    assert response.status_code == 422 and response.json()["field"] == field


def test_import_invalidates_the_cache(engine: Engine, tmp_path, osm_source: str) -> None:
    from core.db import make_session_factory

    cache = TileCache()
    x, y = tile_of(BASE_LON + 0.002, BASE_LAT, 16)
    with make_session_factory(engine)() as session:
        before, version = cached_tile(session, cache, z=16, x=x, y=y)
        assert cached_tile(session, cache, z=16, x=x, y=y) == (before, version)  # a hit
        session.rollback()
        import_osm(
            engine,
            path=write_extract(tmp_path / "baru.osm.pbf", street_name="Jalan Segar"),
            source=osm_source,
        )
        after, new_version = cached_tile(session, cache, z=16, x=x, y=y)
    assert new_version > version
    names = {
        f["properties"].get("name") for f in mapbox_vector_tile.decode(after)["streets"]["features"]
    }
    assert "Jalan Segar" in names


def test_satpol_pp_is_drawn_as_a_place_not_a_police_station(
    db_session: Session, balikpapan: dict
) -> None:
    # Tagged amenity=police in OSM; the police list marks it as no Polri station.
    name = "Satuan Polisi Pamong Praja Balikpapan"
    x, y = tile_of(116.8265543, -1.2772418, 15)
    layers = mapbox_vector_tile.decode(render_tile(db_session, z=15, x=x, y=y))
    assert name not in {f["properties"]["name"] for f in layers["police"]["features"]}
    assert name in {f["properties"]["name"] for f in layers["places"]["features"]}
