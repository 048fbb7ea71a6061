"""GET /api/jurisdictions/lookup and friends through the real app (rolled-back session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from jurisdictions.importer import ImportOptions, import_file
from tests.jurisdictions.factories import LAT0, LON0, kemendagri_features, write_geojson


@pytest.fixture
def grid(db_session: Session, tmp_path: Path) -> Session:
    targets = tmp_path / "targets.csv"
    targets.write_text("code,response_target_s,timezone\n99.01,600,\n99,,WITA\n")
    path = write_geojson(tmp_path / "kec.geojson", kemendagri_features())
    import_file(db_session, path=path, options=ImportOptions(targets=targets))
    return db_session


def test_lookup_returns_the_chain(grid: Session, api_client) -> None:
    response = api_client.get(
        "/api/jurisdictions/lookup", params={"lat": LAT0 + 0.005, "lon": LON0 + 0.005}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [body[k]["code"] for k in ("polda", "polres", "polsek")] == ["99", "99.01", "99.01.01"]
    assert (body["match"], body["distance_m"]) == ("inside", 0.0)
    assert (body["response_target_s"], body["timezone"]) == (600, "WITA")


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"lat": 95, "lon": 116.8}, "lat", "lintang"),
        ({"lat": -1.2, "lon": 190}, "lon", "bujur"),
        ({"lat": "nan", "lon": 116.8}, "lat", "terhingga"),
        ({"lat": -40, "lon": 60}, "lat", "di luar wilayah layanan"),
        ({"lat": "abc", "lon": 116.8}, "query.lat", "harus berupa bilangan"),
    ],
)
def test_lookup_422_says_why(
    grid: Session, api_client, params: dict, field: str, words: str
) -> None:
    response = api_client.get("/api/jurisdictions/lookup", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and words in body["message"]


def test_batch_lookup(grid: Session, api_client) -> None:
    points = [{"lon": LON0 + 0.005, "lat": LAT0 + 0.015}, {"lon": LON0 + 0.025, "lat": LAT0}]
    points.append({"lon": 60.0, "lat": -40.0})
    response = api_client.post("/api/jurisdictions/lookup/batch", json={"points": points})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["inside"], body["nearest"], body["failed"]) == (1, 1, 1)
    first, second, third = body["results"]
    assert first["result"]["polsek"]["code"] == "99.01.02"
    assert second["result"]["match"] == "nearest" and second["result"]["distance_m"] > 0
    assert third["result"] is None and third["error"]["field"] == "lat"


def test_list_detail_and_geojson(grid: Session, api_client) -> None:
    listed = api_client.get("/api/jurisdictions", params={"level": "polres"}).json()
    mine = {row["code"]: row for row in listed if row["code"].startswith("99")}
    assert set(mine) == {"99.01", "99.02"}
    polsek = api_client.get("/api/jurisdictions", params={"parent_id": mine["99.01"]["id"]}).json()
    detail = api_client.get(f"/api/jurisdictions/{polsek[0]['id']}").json()
    assert detail["response_target_s"] is None
    assert (detail["effective_response_target_s"], detail["effective_timezone"]) == (600, "WITA")
    assert api_client.get("/api/jurisdictions/999999999").status_code == 404
    shapes = api_client.get(
        "/api/jurisdictions/geojson", params={"parent_id": mine["99.02"]["id"]}
    ).json()
    assert {f["properties"]["code"] for f in shapes["features"]} == {"99.02.01", "99.02.02"}
    assert shapes["features"][0]["geometry"]["type"] == "MultiPolygon"
