"""`siaga roads build`: profiles as data, atomic switch, a failed build changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import SetupError
from roads.build import build_info, build_roads, current_build, ensure_roads
from roads.config import load_profiles, render_lua_profile
from roads.engine import load_engine

PBF = "roads/balikpapan_kota_drive.osm.pbf"
ORIGIN, TARGET = (116.86, -1.257), (116.84, -1.265)


def test_profiles_come_from_the_config_file() -> None:
    profiles = load_profiles()
    assert set(profiles) == {"R4", "R2"}
    car, moto = profiles["R4"], profiles["R2"]
    assert car.allow_toll and not moto.allow_toll
    assert "motorway" in car.highway_kmh and "motorway" not in moto.highway_kmh
    assert moto.vehicle_width_m < car.vehicle_width_m
    lua = render_lua_profile(moto)
    assert 'SIAGA = { ["allow_toll"] = false' in lua and '["living_street"] = 20.0' in lua


def test_rebuild_switches_while_the_old_engine_keeps_routing(shared_data, tmp_path) -> None:
    pbf = shared_data / PBF
    first = build_roads(pbf, tmp_path, say=lambda _: None)
    profiles = load_profiles()
    old = load_engine(tmp_path, profiles)
    assert old.kinds() == ["R2", "R4"]
    assert ensure_roads(pbf, tmp_path, say=lambda _: None) == first  # same file: no rebuild
    second = build_roads(pbf, tmp_path, say=lambda _: None)
    assert current_build(tmp_path) == second != first
    assert build_info(second)["sha1"] == build_info(first)["sha1"]
    assert old.route("R4", ORIGIN, TARGET) is not None  # a process mid-request is unharmed
    new = load_engine(tmp_path, profiles)
    assert new is not old and new.build_dir == second
    assert first.is_dir()  # the previous build is kept for processes still reading it


def test_a_failed_build_leaves_the_current_data(shared_data, tmp_path: Path) -> None:
    good = build_roads(shared_data / PBF, tmp_path, say=lambda _: None)
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"not an OSM file")
    with pytest.raises(SetupError, match="osrm extract failed"):
        build_roads(broken, tmp_path, say=lambda _: None)
    assert current_build(tmp_path) == good
    assert sorted(p.name for p in (tmp_path / "builds").iterdir()) == [good.name]
    with pytest.raises(SetupError, match="not found"):
        build_roads(tmp_path / "missing.osm.pbf", tmp_path, say=lambda _: None)


def test_a_small_graph_routes_on_ch_with_the_durations_mld_gives(road_data) -> None:  # noqa: ANN001
    import osrm

    from roads.build import ch_eligible

    assert build_info(road_data)["algorithms"] == {"R2": "CH", "R4": "CH"}
    assert ch_eligible(road_data / "R4")
    engine = load_engine(road_data.parent.parent, load_profiles())
    assert engine.algorithms == {"R2": "CH", "R4": "CH"}
    mld = osrm.OSRM(
        storage_config=str(road_data / "R4" / "data.osrm"),
        algorithm="MLD",
        use_shared_memory=False,
    )
    units = [(116.81 + 0.006 * i, -1.25 - 0.0028 * i) for i in range(10)]
    _, legs = engine.table_to("R4", TARGET, units)
    params = osrm.TableParameters(
        coordinates=[TARGET, *units],
        sources=list(range(1, 11)),
        destinations=[0],
        annotations=["duration"],
    )
    mld_s = [row[0] for row in mld.Table(params)["durations"]]
    access_mps = load_profiles()["R4"].access_kmh / 3.6
    ch_s = [None if leg is None else leg.duration_s - leg.off_road_m / access_mps for leg in legs]
    assert sum(s is not None for s in ch_s) >= 8
    for ch, expected in zip(ch_s, mld_s, strict=True):
        assert (ch is None) == (expected is None)
        assert ch is None or ch == pytest.approx(expected, abs=0.5)
