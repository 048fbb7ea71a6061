"""OSRM on the real Balikpapan Kota extract: streets, one-way rules, gang, table = route."""

from __future__ import annotations

import pytest
from pyproj import Geod, Transformer
from shapely.geometry import LineString

from roads.service import Roads, estimate_etas, roads_for, route_to
from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON
from tests.roads.streets import street_distances_m

GEOD = Geod(ellps="WGS84")
UTM50S = Transformer.from_crs(4326, 32750, always_xy=True)
# Jalan Jenderal Ahmad Yani, oneway=yes (OSM way 843820197), 10 % and 90 % along it.
AHMAD_YANI_START = (116.837068, -1.267514)
AHMAD_YANI_END = (116.837990, -1.271542)
# Either side of Gang Al Mujahidin (living_street, motorcar=destination, motorcycle=yes):
# 25 m along the lane north of it and along Jalan Siaga south of it.
GANG_NORTH = (116.856518, -1.265860)
GANG_SOUTH = (116.856570, -1.267452)
SEA = (116.90, -1.30)


@pytest.fixture(scope="module")
def roads(settings, road_data) -> Roads:  # noqa: ANN001
    return roads_for(settings)


def _route(roads: Roads, kind: str, origin, target) -> dict:  # noqa: ANN001
    route = route_to(roads, kind=kind, origin=origin, target=target, hour=3)
    assert route is not None
    return route


def test_route_runs_along_the_streets(roads, shared_data) -> None:  # noqa: ANN001
    origin, target = (116.86, -1.257), (INCIDENT_LON, INCIDENT_LAT)
    route = _route(roads, "R4", origin, target)
    line = LineString(route["coordinates"][1:-1])
    inner = [line.interpolate(i / 50, normalized=True) for i in range(51)]
    worst_m = max(street_distances_m(shared_data, [(p.x, p.y) for p in inner]))
    assert worst_m < 3.0  # every sampled point of the line lies on a mapped street
    straight_m = GEOD.inv(*origin, *target)[2]
    assert straight_m < route["distance_m"] < 3 * straight_m
    roads_named = {t["road"] for t in route["turns"]}
    assert "Jalan Jenderal Sudirman" in roads_named
    assert route["turns"][-1]["text"] == "Tiba di lokasi kejadian"
    assert any(t["text"].startswith("Belok ") for t in route["turns"])


def test_one_way_street_is_driven_only_its_way(roads) -> None:  # noqa: ANN001
    along = _route(roads, "R4", AHMAD_YANI_START, AHMAD_YANI_END)
    against = _route(roads, "R4", AHMAD_YANI_END, AHMAD_YANI_START)
    way_m = GEOD.inv(*AHMAD_YANI_START, *AHMAD_YANI_END)[2]
    assert along["distance_m"] < 1.2 * way_m
    assert against["distance_m"] > 1.5 * way_m  # a detour round the block


def test_motorcycle_takes_the_gang_the_car_cannot(roads) -> None:  # noqa: ANN001
    moto = _route(roads, "R2", GANG_NORTH, GANG_SOUTH)
    car = _route(roads, "R4", GANG_NORTH, GANG_SOUTH)
    assert "Gang Al Mujahidin" in {t["road"] for t in moto["turns"]}
    assert "Gang Al Mujahidin" not in {t["road"] for t in car["turns"]}
    assert moto["distance_m"] < car["distance_m"]


def test_table_eta_is_the_route_eta(roads) -> None:  # noqa: ANN001
    origins = [(116.86, -1.257), (116.83, -1.265), GANG_NORTH]
    target = (INCIDENT_LON, INCIDENT_LAT)
    for kind in ("R4", "R2"):
        units = [(kind, lon, lat, 0.0) for lon, lat in origins]
        etas = estimate_etas(roads, target=target, hour=8, units=units)
        for eta, origin in zip(etas, origins, strict=True):
            route = route_to(roads, kind=kind, origin=origin, target=target, hour=8)
            assert eta.method == "road"
            assert eta.eta_s == pytest.approx(route["eta_s"], abs=0.5)
            assert eta.road_distance_m == pytest.approx(route["distance_m"], abs=1.0)


def test_peak_hours_are_slower_and_outside_the_data_says_so(roads) -> None:  # noqa: ANN001
    target = (INCIDENT_LON, INCIDENT_LAT)
    unit = [("R4", 116.86, -1.257, 2500.0)]
    (night,) = estimate_etas(roads, target=target, hour=3, units=unit)
    (peak,) = estimate_etas(roads, target=target, hour=17, units=unit)
    assert peak.eta_s > night.eta_s
    (far,) = estimate_etas(roads, target=target, hour=3, units=[("R4", 117.2, -1.0, 5e4)])
    assert far.method == "straight" and "unit di luar cakupan data jalan" in far.how
    (sea,) = estimate_etas(roads, target=SEA, hour=3, units=unit)
    assert sea.method == "straight" and "lokasi kejadian di luar cakupan" in sea.how
    assert route_to(roads, kind="R4", origin=unit[0][1:3], target=SEA, hour=3) is None
    (boat,) = estimate_etas(roads, target=target, hour=3, units=[("boat", 116.86, -1.26, 2e3)])
    assert boat.method == "water"


def test_without_road_data_every_eta_is_a_labelled_straight_line(roads) -> None:  # noqa: ANN001
    empty = Roads(None, roads.profiles)
    (eta,) = estimate_etas(empty, target=(0, 0), hour=3, units=[("R2", 0.01, 0, 1000.0)])
    profile = roads.profiles["R2"]
    assert eta.method == "straight" and "data jalan belum dibangun" in eta.how
    assert eta.eta_s == pytest.approx(1000 * profile.detour_factor / (profile.fallback_kmh / 3.6))
