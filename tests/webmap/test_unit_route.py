"""The unit page's job carries the road route from the unit to the incident."""

from webmap.unit_page import attach_road_route

# Two points on the real Balikpapan Kota road extract, about 1.5 km apart.
UNIT = (116.8300, -1.2650)
INCIDENT = (116.8420, -1.2720)


def _view(unit_lonlat):
    lon, lat = unit_lonlat
    return {
        "unit": {"lon": lon, "lat": lat, "kind": "R2"},
        "job": {"incident": {"lon": INCIDENT[0], "lat": INCIDENT[1]}},
    }


def test_route_follows_roads_from_unit_to_incident(settings, road_data):
    view = attach_road_route(_view(UNIT), settings)
    route = view["job"]["route"]
    assert route["type"] == "LineString"
    coords = route["coordinates"]
    assert coords[0] == list(UNIT) and coords[-1] == list(INCIDENT)
    # A road path bends: many more vertices than the straight line's two.
    assert len(coords) > 5


def test_no_route_off_the_road_network(settings, road_data):
    view = attach_road_route(_view((120.0, -5.0)), settings)
    assert "route" not in view["job"]


def test_no_job_no_route(settings):
    view = {"unit": {"lon": 1.0, "lat": 1.0, "kind": "R4"}, "job": None}
    assert attach_road_route(view, settings) == view
