"""Decoding Traccar Client and Traccar server reports, from payloads in the form they send
(tests/tracking/traccar/SOURCES.md says where each form comes from)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from tracking.http_input import (
    KNOT_MPS,
    BadReport,
    decode_osmand_json,
    decode_osmand_params,
    decode_traccar_forward,
)

PAYLOADS = Path(__file__).parent / "traccar"
FIXED_AT = datetime(2026, 12, 4, 7, 15, 2, tzinfo=UTC).timestamp()
NOW = FIXED_AT + 30


def payload(name: str) -> str:
    return (PAYLOADS / name).read_text()


def query(name: str) -> list[tuple[str, str]]:
    return parse_qsl(payload(name), keep_blank_values=True)


def test_android_client_query_speed_in_knots_and_no_identifier_in_raw():
    report = decode_osmand_params(query("client_android_query.txt"), now=NOW)
    assert report.device == "48241179" and report.ignored is None
    [fix] = report.fixes
    assert (fix.lon, fix.lat, fix.fixed_at) == (116.831207, -1.265431, FIXED_AT)
    assert fix.speed_mps == pytest.approx(16.738397 * 0.514444, rel=1e-5)  # 8.61 m/s
    assert fix.heading_deg == 87.5
    assert fix.accuracy_m is None  # the Android client sends 0.0 for a GPS fix: unknown
    assert "48241179" not in fix.raw and "batt=81.0" in fix.raw


def test_charge_and_accuracy_of_newer_android_builds():
    [fix] = decode_osmand_params(query("client_android_charge_query.txt"), now=NOW).fixes
    assert fix.accuracy_m == 7.5 and "charge=true" in fix.raw


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("1796368502", FIXED_AT),  # seconds
        ("1796368502000", FIXED_AT),  # milliseconds
        ("2026-12-04T07:15:02Z", FIXED_AT),
        ("2026-12-04T15:15:02+08:00", FIXED_AT),  # WITA
        ("2026-12-04 07:15:02", FIXED_AT),  # Traccar's yyyy-MM-dd HH:mm:ss, UTC
        ("041226071502", FIXED_AT),  # ddMMyyHHmmss (UTC)
        ("1796368502.5", FIXED_AT + 0.5),
    ],
)
def test_osmand_timestamp_forms(timestamp, expected):
    pairs = [("id", "x"), ("lat", "-1.2"), ("lon", "116.8"), ("timestamp", timestamp)]
    assert decode_osmand_params(pairs, now=NOW).fixes[0].fixed_at == expected


def test_osmand_aliases_location_pair_and_missing_time():
    pairs = [("deviceid", "x"), ("location", "-1.2,116.8"), ("heading", "10"), ("s", "2")]
    report = decode_osmand_params(pairs, now=NOW)
    [fix] = report.fixes
    assert report.device == "x" and (fix.lat, fix.lon) == (-1.2, 116.8)
    assert fix.heading_deg == 10 and fix.speed_mps == pytest.approx(2 * KNOT_MPS)
    assert fix.fixed_at == NOW  # no timestamp: the time it arrived, as Traccar does


def test_osmand_invalid_and_mock_fixes_are_ignored_not_refused():
    base = [("id", "x"), ("lat", "-1.2"), ("lon", "116.8")]
    invalid = decode_osmand_params([*base, ("valid", "false")], now=NOW)
    mock = decode_osmand_params([*base, ("mock", "true")], now=NOW)
    assert (invalid.fixes, invalid.ignored) == ([], "invalid_fix")
    assert (mock.fixes, mock.ignored) == ([], "mock_location")
    assert decode_osmand_params([*base, ("valid", "1")], now=NOW).fixes


@pytest.mark.parametrize(
    ("pairs", "field"),
    [
        ([("lat", "-1.2"), ("lon", "116.8")], "id"),
        ([("id", "x"), ("lon", "116.8")], "lat"),
        ([("id", "x"), ("lat", "abc"), ("lon", "116.8")], "lat"),
        ([("id", "x"), ("lat", "nan"), ("lon", "116.8")], "lat"),
        ([("id", "x"), ("lat", "-1"), ("lon", "1"), ("speed", "fast")], "speed"),
        ([("id", "x"), ("lat", "-1"), ("lon", "1"), ("timestamp", "yesterday")], "timestamp"),
        ([("id", "x"), ("lat", "-1"), ("lon", "1"), ("valid", "maybe")], "valid"),
        ([("id", "x"), ("location", "-1.2")], "location"),
    ],
)
def test_malformed_osmand_parameters_name_the_field(pairs, field):
    with pytest.raises(BadReport) as caught:
        decode_osmand_params(pairs, now=NOW)
    assert caught.value.field == field and caught.value.message.startswith(f"{field}: ")
    assert caught.value.reason == "malformed"


def test_traccar_client_9_json_speed_in_mps_and_raw_without_identifier():
    report = decode_osmand_json(json.loads(payload("client9_location.json")))
    assert report.device == "48241179"
    [fix] = report.fixes
    assert (fix.lon, fix.lat) == (116.831207, -1.265431)
    assert fix.fixed_at == FIXED_AT + 0.512
    assert (fix.speed_mps, fix.heading_deg, fix.accuracy_m) == (8.61, 87.3, 4.9)
    assert "48241179" not in fix.raw and '"battery":{"level":0.81' in fix.raw


def test_traccar_client_9_unknown_speed_heading_and_batch_form():
    body = json.loads(payload("client9_location.json"))
    body["location"]["coords"].update(speed=-1, heading=-1)
    second = json.loads(json.dumps(body["location"]))
    second["timestamp"] = "2026-12-04T07:15:32.000Z"
    [fix] = decode_osmand_json(body).fixes
    assert fix.speed_mps is None and fix.heading_deg is None
    batch = decode_osmand_json({"device_id": "48241179", "location": [body["location"], second]})
    assert [f.fixed_at for f in batch.fixes] == [FIXED_AT + 0.512, FIXED_AT + 30]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.pop("device_id"), "device_id"),
        (lambda b: b.pop("location"), "location"),
        (lambda b: b["location"].pop("coords"), "location.coords"),
        (lambda b: b["location"]["coords"].update(latitude="x"), "location.coords.latitude"),
        (lambda b: b["location"].update(timestamp="kemarin"), "location.timestamp"),
        (lambda b: b["location"]["coords"].update(speed=True), "location.coords.speed"),
    ],
)
def test_malformed_client_9_json_names_the_field(change, field):
    body = json.loads(payload("client9_location.json"))
    change(body)
    with pytest.raises(BadReport) as caught:
        decode_osmand_json(body)
    assert caught.value.field == field


def test_forwarded_position_speed_in_knots_unique_id_and_raw():
    report = decode_traccar_forward(json.loads(payload("forward_position.json")))
    assert report.device == "359710042436064" and report.link is None
    [fix] = report.fixes
    assert (fix.lon, fix.lat, fix.fixed_at) == (116.831207, -1.265431, FIXED_AT)
    assert fix.speed_mps == pytest.approx(8.611, abs=1e-3)
    assert fix.heading_deg == 87.0 and fix.accuracy_m is None
    raw = json.loads(fix.raw)
    assert raw["position"]["protocol"] == "h02" and raw["device"]["uniqueId"] == "359710042436064"


def test_forwarded_position_of_traccar_4_dates():
    [fix] = decode_traccar_forward(json.loads(payload("forward_position_traccar4.json"))).fixes
    assert fix.fixed_at == FIXED_AT and fix.accuracy_m == 2200 and fix.speed_mps == 0


def test_forwarded_outdated_or_invalid_positions_are_ignored():
    body = json.loads(payload("forward_position.json"))
    body["position"]["outdated"] = True
    assert decode_traccar_forward(body).ignored == "outdated"
    body["position"].update(outdated=False, valid=False)
    assert decode_traccar_forward(body).ignored == "invalid_fix"


def test_forwarded_events_give_the_link_state_or_are_ignored():
    offline = decode_traccar_forward(json.loads(payload("forward_event_offline.json")))
    online = decode_traccar_forward(json.loads(payload("forward_event_online.json")))
    moving = decode_traccar_forward(json.loads(payload("forward_event_moving.json")))
    assert (offline.link, online.link) == (False, True)
    assert (moving.fixes, moving.link, moving.ignored) == ([], None, "event_not_used")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ({"position": {}}, "device"),
        ({"device": {"name": "x"}, "position": {}}, "device.uniqueId"),
        ({"device": {"uniqueId": "1"}}, "position"),
        ({"device": {"uniqueId": "1"}, "position": {"latitude": 1}}, "position.longitude"),
        (
            {"device": {"uniqueId": "1"}, "position": {"latitude": 1, "longitude": 1}},
            "position.fixTime",
        ),
        ({"device": {"uniqueId": "1"}, "event": {}}, "event.type"),
    ],
)
def test_malformed_forward_names_the_field(body, field):
    with pytest.raises(BadReport) as caught:
        decode_traccar_forward(body)
    assert caught.value.field == field


def test_nul_characters_are_refused_not_passed_to_the_database():
    with pytest.raises(BadReport) as caught:
        decode_osmand_params([("id", "a\x00b"), ("lat", "1"), ("lon", "1")], now=NOW)
    assert caught.value.field == "id"
    with pytest.raises(BadReport):
        decode_traccar_forward({"device": {"uniqueId": "1\x00"}, "event": {"type": "x"}})
