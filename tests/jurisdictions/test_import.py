"""Import on small synthetic files: schemas, CRS, repair, mapping CSV, idempotence, versions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from jurisdictions.importer import ImportOptions, import_file
from jurisdictions.models import Jurisdiction, JurisdictionPart
from jurisdictions.service import lookup_point
from tests.jurisdictions.factories import (
    LAT0,
    LON0,
    kemendagri_features,
    square,
    write_geojson,
    write_layer,
)


def _in_force(session: Session, code: str) -> Jurisdiction:
    return session.scalars(
        select(Jurisdiction).where(Jurisdiction.code == code, Jurisdiction.valid_to.is_(None))
    ).one()


def test_kemendagri_fields_build_the_three_levels(db_session: Session, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "kec.geojson", kemendagri_features())
    report = import_file(db_session, path=path)
    assert (report.created, report.changed) == (7, 7)  # 1 polda, 2 polres, 4 polsek
    kab = _in_force(db_session, "99.01")
    kec = _in_force(db_session, "99.01.02")
    assert (kab.level, kec.level, kec.parent_id) == ("polres", "polsek", kab.id)
    assert kab.name == "Polres Kab Uji 99.01"
    # The Polres is the union of its Polsek, not a copy of one of them.
    area = db_session.scalar(
        select(func.ST_Area(Jurisdiction.geom)).where(Jurisdiction.id == kab.id)
    )
    assert area == pytest.approx(0.0002, rel=1e-9)
    parts = db_session.scalar(
        select(func.count()).where(JurisdictionPart.jurisdiction_id == kec.id)
    )
    assert parts >= 1  # the trigger subdivided it
    assert import_file(db_session, path=path).changed == 0  # a re-import changes nothing


def test_self_intersecting_polygon_is_repaired_and_reported(
    db_session: Session, tmp_path: Path
) -> None:
    features = kemendagri_features()
    lon, lat = LON0 + 0.01, LAT0
    bowtie = [
        [lon, lat],
        [lon + 0.01, lat + 0.01],
        [lon + 0.01, lat],
        [lon, lat + 0.01],
        [lon, lat],
    ]
    features[2] = (features[2][0], bowtie)
    report = import_file(db_session, path=write_geojson(tmp_path / "bad.geojson", features))
    assert len(report.repairs) == 1
    assert "fitur #3" in report.repairs[0] and "Self-intersection" in report.repairs[0]
    repaired = _in_force(db_session, "99.02.01")
    assert db_session.scalar(select(func.ST_IsValid(repaired.geom)))


@pytest.mark.parametrize(
    ("ring", "reason"),
    [(None, "geometri kosong"), ([[LON0, LAT0], [LON0 + 0.01, LAT0], [LON0, LAT0]], "tidak valid")],
)
def test_bad_feature_fails_naming_it(
    db_session: Session, tmp_path: Path, ring: list | None, reason: str
) -> None:
    features = kemendagri_features()
    features[1] = (features[1][0], ring)
    with pytest.raises(InvalidInput) as caught:
        import_file(db_session, path=write_geojson(tmp_path / "bad.geojson", features))
    assert (
        "fitur #2 (kode_kec=99.01.02)" in caught.value.message or "fitur #2" in caught.value.message
    )
    assert reason in caught.value.message


def test_unknown_schema_asks_for_fields(db_session: Session, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "x.geojson", [({"foo": "1"}, square(0, 0))])
    with pytest.raises(InvalidInput, match="--code-field"):
        import_file(db_session, path=path)


def test_geopackage_in_utm_with_explicit_fields(db_session: Session, tmp_path: Path) -> None:
    # A Polda-level file in UTM 50S; the importer reprojects it to EPSG:4326.
    box = shapely.MultiPolygon([shapely.box(481_000, 9_860_000, 483_000, 9_862_000)])
    path = write_layer(
        tmp_path / "polda.gpkg",
        driver="GPKG",
        crs="EPSG:32750",
        fields={"KODE": ["UTM1"], "NAMA": ["Polda UTM"]},
        geoms=[box],
    )
    options = ImportOptions(level="polda", code_field="KODE", name_field="NAMA")
    assert import_file(db_session, path=path, options=options).created == 1
    # Scoped to the synthetic polygon; other data may exist nearby in a shared test database.
    hit = lookup_point(db_session, lon=116.836, lat=-1.2555)
    assert "UTM1" in {ref.code for ref in (hit.polda, hit.polres, hit.polsek) if ref}


def test_big_shapefile_schema_is_detected(db_session: Session, tmp_path: Path) -> None:
    geoms = [shapely.MultiPolygon([shapely.Polygon(square(0, 0))])]
    path = write_layer(
        tmp_path / "big.shp",
        driver="ESRI Shapefile",
        crs="EPSG:4326",
        fields={"KDPPUM": ["98"], "WADMPR": ["Prov BIG"], "KDPKAB": ["98.01"], "WADMKK": ["Kab"]},
        geoms=geoms,
    )
    assert import_file(db_session, path=path).created == 2
    result = lookup_point(db_session, lon=LON0 + 0.005, lat=LAT0 + 0.005)
    assert (result.polda.code, result.polres.code, result.polsek) == ("98", "98.01", None)


def test_gadm_schema_is_detected(db_session: Session, tmp_path: Path) -> None:
    props = {"GID_1": "IDN.99_1", "NAME_1": "Uji", "GID_2": "IDN.99.1_1", "NAME_2": "Uji Kab"}
    path = write_geojson(tmp_path / "gadm.geojson", [(props, square(0, 0))])
    assert import_file(db_session, path=path).created == 2
    assert _in_force(db_session, "IDN.99.1_1").level == "polres"


def test_mapping_csv_dissolves_admin_polygons(db_session: Session, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "kec.geojson", kemendagri_features())
    mapping = tmp_path / "polisi.csv"
    mapping.write_text(
        "code,name,level,parent,admin_codes,response_target_s,timezone\n"
        "PD,Polda Uji,polda,,,,WITA\n"
        "PR1,Polresta Uji,polres,PD,99.01,600,\n"
        "PR2,Polres Pelabuhan Uji,polres,PD,99.02.01;99.02.02,,\n"
        "PS1,Polsek Uji,polsek,PR1,99.01.01,,\n"
    )
    report = import_file(db_session, path=path, options=ImportOptions(mapping=mapping))
    assert report.created == 4
    inside = lookup_point(db_session, lon=LON0 + 0.005, lat=LAT0 + 0.005)
    assert (inside.polda.code, inside.polres.code, inside.polsek.code) == ("PD", "PR1", "PS1")
    assert (inside.response_target_s, inside.timezone) == (600, "WITA")
    other = lookup_point(db_session, lon=LON0 + 0.015, lat=LAT0 + 0.015)
    assert (other.match, other.polres.code, other.polsek) == ("inside", "PR2", None)
    assert other.response_target_s is None
    polda_area = db_session.scalar(select(func.ST_Area(_in_force(db_session, "PD").geom)))
    assert polda_area == pytest.approx(0.0004, rel=1e-9)


def test_mapping_csv_unknown_admin_code_names_the_row(db_session: Session, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "kec.geojson", kemendagri_features())
    mapping = tmp_path / "polisi.csv"
    mapping.write_text("code,name,level,parent,admin_codes\nPD,Polda,polda,,99.07\n")
    with pytest.raises(InvalidInput, match="baris 2.*99.07"):
        import_file(db_session, path=path, options=ImportOptions(mapping=mapping))


def test_changed_boundary_makes_a_new_version(db_session: Session, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "kec.geojson", kemendagri_features())
    import_file(db_session, path=path)
    old = _in_force(db_session, "99.01.01")
    features = kemendagri_features()
    features[0] = (features[0][0], square(0, 0, 0.012))  # grows into its neighbour's corner
    split = datetime(2030, 1, 1, tzinfo=UTC)
    report = import_file(
        db_session,
        path=write_geojson(tmp_path / "new.geojson", features),
        options=ImportOptions(valid_from=split),
    )
    assert (report.replaced, report.created) == (1, 0)
    new = _in_force(db_session, "99.01.01")
    assert new.id != old.id and new.parent_id == old.parent_id
    point = {"lon": LON0 + 0.0115, "lat": LAT0 + 0.0115}  # inside only the new version
    before = lookup_point(db_session, **point, at=datetime(2029, 12, 31, tzinfo=UTC))
    after = lookup_point(db_session, **point, at=datetime(2030, 1, 2, tzinfo=UTC))
    assert before.polsek.code == "99.02.02"
    # Overlap with 99.02.02 after the change: the lowest code wins, deterministically.
    assert after.polsek.code == "99.01.01" and after.polsek.id == new.id


def test_targets_csv_sets_polres_target(db_session: Session, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "kec.geojson", kemendagri_features())
    targets = tmp_path / "targets.csv"
    targets.write_text("code,response_target_s,timezone\n99.01,600,WITA\n99.77,300,\n")
    report = import_file(db_session, path=path, options=ImportOptions(targets=targets))
    assert any("99.77" in warning for warning in report.warnings)
    result = lookup_point(db_session, lon=LON0 + 0.005, lat=LAT0 + 0.005)
    assert (result.polsek.code, result.response_target_s, result.timezone) == (
        "99.01.01",
        600,
        "WITA",
    )
    again = import_file(db_session, path=path, options=ImportOptions(targets=targets))
    assert again.changed == 0
