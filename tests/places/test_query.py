"""Reading what operators type: coordinates, map links, plus codes, filler words."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from places.query import decode_plus_code, find_plus_code, parse_point, split_fillers

LON, LAT = 116.8312, -1.2654


@pytest.mark.parametrize(
    "typed",
    [
        "-1.2654, 116.8312",
        "-1.2654,116.8312",
        "-1,2654 116,8312",
        "-1,2654; 116,8312",
        "116.8312, -1.2654",  # lon first: the first number cannot be a latitude
        "1,2654 LS 116,8312 BT",
        "S 1.2654 E 116.8312",
        "1.2654S 116.8312E",
        "1°15'55.44\"S 116°49'52.32\"E",
        "1° 15' 55.44\" S, 116° 49' 52.32\" E",
    ],
)
def test_coordinates_in_typed_forms(typed: str) -> None:
    point = parse_point(typed)
    assert point is not None and point.kind == "coordinate"
    assert point.lon == pytest.approx(LON, abs=1e-4) and point.lat == pytest.approx(LAT, abs=1e-4)


def test_degrees_minutes_as_the_issue_writes_them() -> None:
    point = parse_point("1°16'S 116°50'E")
    assert point.lat == pytest.approx(-(1 + 16 / 60)) and point.lon == pytest.approx(116 + 50 / 60)


@pytest.mark.parametrize(
    "link",
    [
        "https://www.google.com/maps/place/Masjid/@-1.2700,116.8300,17z/data=!3m1!4b1!4m6!3m5"
        "!1s0x0:0x0!8m2!3d-1.2654!4d116.8312",  # the place's own !3d!4d, not the view's @
        "https://maps.google.com/?q=-1.2654,116.8312",
        "https://www.google.com/maps/search/?api=1&query=-1.2654%2C116.8312",
        "https://www.google.com/maps/@-1.2654,116.8312,15z",
        "https://www.openstreetmap.org/#map=17/-1.26540/116.83120",
        "https://www.openstreetmap.org/?mlat=-1.2654&mlon=116.8312#map=17/-1.2700/116.8300",
        "geo:-1.2654,116.8312?z=17",
    ],
)
def test_map_links_from_whatsapp(link: str) -> None:
    point = parse_point(link)
    assert point is not None and point.kind == "map_link"
    assert (round(point.lon, 4), round(point.lat, 4)) == (LON, LAT)


def test_short_google_link_needs_the_full_one() -> None:
    with pytest.raises(InvalidInput, match="tautan pendek") as caught:
        parse_point("https://maps.app.goo.gl/AbCdEf123")
    assert caught.value.field == "q"


def test_out_of_range_coordinate_is_refused() -> None:
    with pytest.raises(InvalidInput, match="di luar jangkauan"):
        parse_point("-95.1, 200.2")


@pytest.mark.parametrize("words", ["jl sudirman", "SDN 001", "rs 2", "masjid at-taqwa", "gg. 3"])
def test_words_are_not_points(words: str) -> None:
    assert parse_point(words) is None and find_plus_code(words) is None


def test_plus_codes_full_and_short() -> None:
    full = find_plus_code("6PCRQR5J+XG")
    assert full.locality == ""
    point = decode_plus_code(full, ref_lon=0, ref_lat=0)
    assert (round(point.lon, 3), round(point.lat, 3)) == (116.831, -1.240)
    short = find_plus_code("QR5J+XG Balikpapan")
    assert short.code == "QR5J+XG" and short.locality == "Balikpapan"
    near = decode_plus_code(short, ref_lon=116.83, ref_lat=-1.26)
    assert near.label == "6PCRQR5J+XG"


@pytest.mark.parametrize(
    "typed, anchor, landmark",
    [
        ("jl sudirman depan bank mandiri", "jl sudirman", "bank mandiri"),
        ("kecelakaan di jl. jend sudirman dpn bank mandiri", "jl. jend sudirman", "bank mandiri"),
        ("dekat masjid at taqwa", "masjid at taqwa", None),
        ("di depan indomaret", "indomaret", None),
        ("jl ahmad yani samping RS", "jl ahmad yani", "RS"),
        ("masjid at taqwa", "masjid at taqwa", None),
    ],
)
def test_filler_words_split_street_and_landmark(typed: str, anchor: str, landmark: str) -> None:
    assert split_fillers(typed) == (anchor, landmark)
