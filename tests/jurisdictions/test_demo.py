"""The demo set is real: Polda Kaltim -> Polresta Balikpapan -> one Polsek per kecamatan, from
the Kemendagri polygons in data/demo/, written by the project, loaded idempotently."""

from __future__ import annotations

import json

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from jurisdictions.demo import DEMO_DIR, DEMO_FILE, demo_collection, retire_synthetic_set
from jurisdictions.importer import import_file
from jurisdictions.models import Jurisdiction
from jurisdictions.service import lookup_point
from jurisdictions.validation import validate_jurisdictions

KECAMATAN = {
    "64.71.01": "Polsek Balikpapan Timur",
    "64.71.02": "Polsek Balikpapan Barat",
    "64.71.03": "Polsek Balikpapan Utara",
    "64.71.04": "Polsek Balikpapan Tengah",
    "64.71.05": "Polsek Balikpapan Selatan",
    "64.71.06": "Polsek Balikpapan Kota",
}


def test_committed_file_is_what_the_script_writes() -> None:
    on_disk = json.loads(DEMO_FILE.read_text())
    assert on_disk == json.loads(json.dumps(demo_collection()))
    names = {f["properties"]["code"]: f["properties"]["name"] for f in on_disk["features"]}
    assert names == {"64": "Polda Kalimantan Timur", "64.71": "Polresta Balikpapan", **KECAMATAN}
    assert not any("SINTETIS" in json.dumps(f["properties"]) for f in on_disk["features"])
    assert DEMO_FILE.stat().st_size < 300_000


def test_polsek_are_the_real_kecamatan_polygons() -> None:
    source = json.loads((DEMO_DIR / "balikpapan_kecamatan.geojson").read_text())["features"]
    real = {f["properties"]["kode_kec"]: shape(f["geometry"]) for f in source}
    demo = {f["properties"]["code"]: shape(f["geometry"]) for f in demo_collection()["features"]}
    assert set(real) == set(KECAMATAN)
    for code, polygon in real.items():
        assert demo[code].equals(polygon), code
    kota = json.loads((DEMO_DIR / "balikpapan_kabkota.geojson").read_text())["features"][0]
    assert demo["64.71"].equals(shape(kota["geometry"]))
    outside = demo["64.71"].difference(demo["64"])
    assert outside.area * 111_320**2 < 1.0  # the Polres lies inside its Polda (m², float noise)
    assert 125_000 < demo["64"].area * 111.32**2 < 135_000  # Kalimantan Timur, ~129,000 km²


def test_demo_set_loads_idempotently_and_resolves(clean_session: Session) -> None:
    first = import_file(clean_session, path=DEMO_FILE)
    assert first.created == 8
    assert import_file(clean_session, path=DEMO_FILE).changed == 0
    # Jl. Jenderal Sudirman, Kec. Balikpapan Kota: the Polresta's 600 s, WITA.
    result = lookup_point(clean_session, lon=116.8312, lat=-1.2654)
    assert (result.polda.name, result.polres.name) == (
        "Polda Kalimantan Timur",
        "Polresta Balikpapan",
    )
    assert result.polsek.name == "Polsek Balikpapan Kota"
    assert (result.match, result.response_target_s, result.timezone) == ("inside", 600, "WITA")
    # Kantor Kecamatan Balikpapan Utara / Selatan (real places of the demo's landmark list).
    assert lookup_point(clean_session, lon=116.8620, lat=-1.2052).polsek.code == "64.71.03"
    assert lookup_point(clean_session, lon=116.8978, lat=-1.2435).polsek.code == "64.71.05"
    # Samarinda is Polda Kaltim's, in no Polres of the demo.
    samarinda = lookup_point(clean_session, lon=117.1466, lat=-0.5022)
    assert samarinda.polda.code == "64" and samarinda.polres is None
    problems = validate_jurisdictions(clean_session)
    # The only finding: the rest of Kalimantan Timur is in no demo Polres (a gap, said so).
    assert problems and all(p.kind == "gap" and p.codes == ("64",) for p in problems), problems


def test_demo_retires_the_old_synthetic_set(clean_session: Session) -> None:
    old = Jurisdiction(
        code="SIN",
        name="Polda Kaltim Demo (SINTETIS)",
        level="polda",
        geom=from_shape(MultiPolygon([box(116.80, -1.29, 116.88, -1.24)]), srid=4326),
    )
    clean_session.add(old)
    clean_session.flush()
    import_file(clean_session, path=DEMO_FILE)
    assert retire_synthetic_set(clean_session) == 1
    clean_session.refresh(old)
    assert old.valid_to is not None
    in_force = clean_session.execute(
        text("SELECT count(*) FROM jurisdictions WHERE valid_to IS NULL")
    ).scalar_one()
    assert in_force == 8
