"""Place search on real Balikpapan: landmarks, streets, areas, police, points, and the API."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from places.search import search_places

# Map centre: Kec. Balikpapan Kota, where the operator's map opens.
CENTRE = {"lon": 116.835, "lat": -1.265}


def _top(session: Session, q: str, n: int = 3, **kw) -> list[dict]:
    return search_places(session, q=q, limit=n, **{**CENTRE, **kw})


def test_landmarks_found_by_exact_name_in_top3(db_session: Session, balikpapan: dict) -> None:
    path = balikpapan["shared_data"] / "places" / "balikpapan_places_osm.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    missed = []
    for row in rows:
        name = row["nama_tempat"].strip()
        lon, lat = float(row["lon"]), float(row["lat"])
        found = any(
            r["name"] == name and abs(r["lon"] - lon) < 1e-4 and abs(r["lat"] - lat) < 1e-4
            for r in _top(db_session, name)
        )
        if not found:
            missed.append(name)
    assert len(rows) == 1094
    assert 1 - len(missed) / len(rows) >= 0.98, missed[:30]


def test_street_names_of_the_extract_are_found(db_session: Session, balikpapan: dict) -> None:
    names = (
        db_session.execute(
            text("SELECT DISTINCT name FROM streets WHERE source = :s AND name IS NOT NULL"),
            {"s": balikpapan["source"]},
        )
        .scalars()
        .all()
    )
    missed = [n for n in names if not any(r["name"] == n for r in _top(db_session, n))]
    assert len(names) > 150
    assert 1 - len(missed) / len(names) >= 0.98, missed


@pytest.mark.parametrize(
    "typed, expected, kind",
    [
        ("jl sudirman", "Jalan Jenderal Sudirman", "street"),
        ("jln. jend sudirman", "Jalan Jenderal Sudirman", "street"),
        ("JALAN JENDRAL SUDIRMAN", "Jalan Jenderal Sudirman", "street"),
        ("rs kanujoso", "RSUD Dr. Kanujoso Djatiwibowo Balikpapan", "place"),
        ("masjid at taqwa", "Masjid At Taqwa", "place"),
        ("mesjid at-taqwa", "Masjid At Taqwa", "place"),
        ("dekat masjid at taqwa", "Masjid At Taqwa", "place"),
        ("klandasan ilir", "Klandasan Ilir", "desa"),
        ("kel. klandasan ilir", "Klandasan Ilir", "desa"),
        ("kec balikpapan kota", "Balikpapan Kota", "kecamatan"),
        ("kota balikpapan", "Kota Balikpapan", "kabkota"),
        ("polda kaltim", "Kepolisian Daerah Kalimantan Timur (Polda Kaltim)", "police"),
    ],
)
def test_what_callers_say(db_session: Session, balikpapan: dict, typed, expected, kind) -> None:
    first = _top(db_session, typed, 1)[0]
    assert (first["name"], first["kind"]) == (expected, kind)


def test_typo_in_a_rare_word(db_session: Session, balikpapan: dict) -> None:
    found = _top(db_session, "rumah sakit kanujosso", 3)
    assert "RSUD Dr. Kanujoso Djatiwibowo Balikpapan" in [r["name"] for r in found]


def test_result_says_where_and_how_far(db_session: Session, balikpapan: dict) -> None:
    first = _top(db_session, "masjid at taqwa", 1)[0]
    assert "Kec. Balikpapan Kota" in first["description"]
    assert "Kel. " in first["description"] and "dari pusat peta" in first["description"]
    assert 0 < first["distance_m"] < 5000


def test_indomaret_in_gunung_sari(db_session: Session, balikpapan: dict) -> None:
    found = _top(db_session, "indomaret gunung sari", 3)
    assert any(
        r["name"].startswith("Indomaret") and "Gunung Sari" in r["description"] for r in found
    )


def test_street_then_landmark_puts_the_landmark_on_that_street(
    db_session: Session, balikpapan: dict
) -> None:
    first = _top(db_session, "jl sudirman depan bank mandiri", 5)[0]
    assert first["name"].startswith("Bank Mandiri")
    assert "dekat Jalan Jenderal Sudirman" in first["description"]
    distance = db_session.execute(
        text(
            "SELECT min(ST_Distance(geom::geography, ST_MakePoint(:lon, :lat)::geography)) "
            "FROM streets WHERE source = :s AND name = 'Jalan Jenderal Sudirman'"
        ),
        {"lon": first["lon"], "lat": first["lat"], "s": balikpapan["source"]},
    ).scalar()
    assert distance < 300


def test_nearer_the_map_centre_ranks_higher(db_session: Session, balikpapan: dict) -> None:
    shops = db_session.execute(
        text(
            "SELECT name, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM places"
            " WHERE source LIKE :s AND name LIKE 'Indomaret %' ORDER BY ST_Y(geom)"
        ),
        {"s": balikpapan["source"] + "%"},
    ).all()
    southmost, northmost = shops[0], shops[-1]
    for shop in (southmost, northmost):
        # The map centred ~200 m from one shop: "indomaret" lists that shop first.
        found = search_places(
            db_session, q="indomaret", lon=shop.lon + 0.0015, lat=shop.lat + 0.001, limit=5
        )
        assert found[0]["name"] == shop.name, (shop, found[0])


def test_coordinates_and_plus_codes_are_described(db_session: Session, balikpapan: dict) -> None:
    point = _top(db_session, "-1,2654 116,8312", 1)[0]
    assert point["kind"] == "coordinate" and "Kel. Telaga Sari" in point["description"]
    code = _top(db_session, "QR5J+XG Balikpapan", 1)[0]
    assert code["kind"] == "plus_code" and code["name"] == "6PCRQR5J+XG"
    link = _top(db_session, "https://www.openstreetmap.org/#map=18/-1.2654/116.8312", 1)[0]
    assert link["kind"] == "map_link" and "Jl. " in link["description"]


def test_search_api(api_client, user_client, balikpapan: dict) -> None:
    response = api_client.get("/api/places/search", params={"q": "jl sudirman", **CENTRE})
    assert response.status_code == 200
    first = response.json()[0]
    assert set(first) >= {"name", "kind", "lon", "lat", "description"}
    assert first["name"] == "Jalan Jenderal Sudirman"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "masjid", "lon": 116.8}, "lat"),
        ({"q": "masjid", "lon": 500, "lat": 0}, "query.lon"),
        ({"q": "https://maps.app.goo.gl/xyz"}, "q"),
        ({"q": "QR5J+XG"}, "q"),
    ],
)
def test_search_api_bad_input_is_422_naming_the_field(api_client, params, field) -> None:
    response = api_client.get("/api/places/search", params=params)
    assert response.status_code == 422
    assert response.json()["field"] == field and response.json()["message"]


def test_planner_may_search(user_client) -> None:
    assert user_client("planner").get("/api/places/search", params={"q": "x"}).status_code == 200


def test_search_needs_a_token(api_client) -> None:
    from fastapi.testclient import TestClient

    anonymous = TestClient(api_client.app)
    assert anonymous.get("/api/places/search", params={"q": "masjid"}).status_code == 401
