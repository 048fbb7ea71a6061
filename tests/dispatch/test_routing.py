"""Road ETAs on the real Balikpapan Kota OSM graph, per vehicle kind, with the fallback."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch.routing import MAX_SNAP_M, estimate_etas, load_road_graph, straight_line_eta
from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON


@pytest.fixture(scope="module")
def graph(shared_data):  # noqa: ANN001, ANN201
    loaded = load_road_graph(str(shared_data / "roads/balikpapan_kota_drive_simplified.graphml"))
    assert loaded is not None
    return loaded


def test_graph_loads_and_snaps(graph) -> None:  # noqa: ANN001
    assert graph.node_count == 1207 and len(graph.edges) == 2683
    assert graph.epsg == 32750  # UTM 50S
    _, _, off_m = graph.snap(np.array([INCIDENT_LON, 116.90]), np.array([INCIDENT_LAT, -1.30]))
    assert off_m[0] < MAX_SNAP_M < off_m[1]  # the second point is in the sea


def test_one_dijkstra_gives_every_unit_a_road_time(graph) -> None:  # noqa: ANN001
    # Three OSM intersections of the extract, and the incident itself.
    lons = np.array([116.8613969, 116.8463770, 116.8624967, INCIDENT_LON])
    lats = np.array([-1.2614595, -1.2753662, -1.2604732, INCIDENT_LAT])
    times = graph.times_to(INCIDENT_LON, INCIDENT_LAT, kind="R4", peak=False, lons=lons, lats=lats)
    assert np.all(np.isfinite(times)) and np.all(times >= 0)
    assert times[3] < times[:3].min()  # the unit at the incident is nearest by road too
    peak = graph.times_to(INCIDENT_LON, INCIDENT_LAT, kind="R4", peak=True, lons=lons, lats=lats)
    assert np.all(peak >= times)


def test_motorcycle_beats_car_in_town_and_far_units_fall_back(graph) -> None:  # noqa: ANN001
    units = [
        ("R4", 116.8600, -1.2550, 2500.0),
        ("R2", 116.8600, -1.2550, 2500.0),
        ("R4", 117.2, -1.0, 50_000.0),
        ("boat", 116.8600, -1.2550, 2500.0),
    ]
    car, moto, far, boat = estimate_etas(
        graph, lon=INCIDENT_LON, lat=INCIDENT_LAT, peak=True, units=units
    )
    assert car.method == moto.method == "road" and moto.eta_s < car.eta_s
    assert far.method == "straight"
    assert far.eta_s == pytest.approx(straight_line_eta(50_000.0, "R4").eta_s)
    assert boat.method == "water"
    assert estimate_etas(None, lon=0, lat=0, peak=False, units=units[:1])[0].method == "straight"


def test_path_follows_the_roads_and_matches_the_eta(graph) -> None:  # noqa: ANN001
    origin, target = (116.8613969, -1.2614595), (116.8463770, -1.2753662)
    path = graph.path_to(origin, target, kind="R4")
    assert path[0] == origin and path[-1] == target and len(path) > 10
    hops = np.hypot(np.diff([p[0] for p in path]), np.diff([p[1] for p in path])) * 111_000
    length_m = hops.sum()
    straight_m = np.hypot(origin[0] - target[0], origin[1] - target[1]) * 111_000
    assert straight_m < length_m < 3 * straight_m
    assert graph.path_to((116.90, -1.30), target, kind="R4") is None  # from the sea
