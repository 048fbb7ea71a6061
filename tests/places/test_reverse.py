"""Reverse geocoding: points on known streets name that street, and where they are."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from places.reverse import describe_point, street_label


def test_points_on_known_streets_name_that_street(db_session: Session, balikpapan: dict) -> None:
    # Midpoints of named segments of the real extract, a deterministic sample of 120.
    samples = db_session.execute(
        text(
            "SELECT name, ST_X(p) AS lon, ST_Y(p) AS lat FROM ("
            " SELECT name, ST_LineInterpolatePoint(geom, 0.5) AS p FROM streets"
            " WHERE source = :s AND name IS NOT NULL ORDER BY osm_id LIMIT 120) m"
        ),
        {"s": balikpapan["source"]},
    ).all()
    named = [describe_point(db_session, lon=s.lon, lat=s.lat) for s in samples]
    right = sum(
        1
        for s, d in zip(samples, named, strict=True)
        if d["street"] and d["street"]["name"] == s.name
    )
    assert len(samples) == 120 and right / len(samples) >= 0.98


def test_description_line(db_session: Session, balikpapan: dict) -> None:
    described = describe_point(db_session, lon=116.8312, lat=-1.2654)
    assert described["street"]["distance_m"] < 100
    assert described["desa"]["name"] == "Telaga Sari"
    assert described["kecamatan"]["name"] == "Balikpapan Kota"
    line = described["description"]
    assert (
        line.startswith("Jl. ")
        and " ±" in line
        and "Kel. Telaga Sari, Kec. Balikpapan Kota" in line
    )


def test_far_from_everything(db_session: Session, balikpapan: dict) -> None:
    described = describe_point(db_session, lon=100.0, lat=-60.0)
    assert described["street"] is None and described["desa"] is None
    assert described["description"] == "lokasi tanpa nama jalan atau tempat terdekat"


def test_street_label() -> None:
    assert street_label("Jalan Ahmad Yani") == "Jl. Ahmad Yani"
    assert street_label("Gang Mawar") == "Gang Mawar"


def test_reverse_api(api_client, balikpapan: dict) -> None:
    response = api_client.get("/api/places/reverse", params={"lon": 116.8312, "lat": -1.2654})
    assert response.status_code == 200
    body = response.json()
    assert body["kecamatan"]["name"] == "Balikpapan Kota" and body["description"]
    bad = api_client.get("/api/places/reverse", params={"lon": 116.83})
    assert bad.status_code == 422 and bad.json()["field"] == "query.lat"
