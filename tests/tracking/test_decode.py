"""Each payload file in tests/data/payloads has a decode test (Traccar style)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracking.decode import Rejected, decode_event, decode_fix, decode_link, parse_topic

PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "payloads"
T0 = 1795335330.0  # 2026-11-22T08:15:30Z

# file -> (lon, lat, fixed_at epoch, speed_mps, heading_deg, accuracy_m)
DECODED = {
    "project_fix.json": (116.8432151, -1.2651243, T0 + 0.25, 11.4, 87.5, 6.2),
    "project_fix_epoch.json": (116.8210001, -1.2567002, T0 + 0.5, 0.0, 0.0, 4.0),
    "project_fix_minimal.json": (116.85, -1.27, T0, None, None, None),
    "owntracks_location.json": (116.8384211, -1.2601877, T0, 43 / 3.6, 271.0, 12.0),
    "owntracks_location_ios.json": (116.8612, -1.2533, T0 + 70, None, None, 65.0),
}
REJECTED = {
    "owntracks_transition.json": "unsupported_type",
    "owntracks_lwt.json": "unsupported_type",
    "not_json.txt": "malformed",
    "project_fix_string_lat.json": "malformed",
    "project_fix_naive_time.json": "malformed",
}


def test_every_payload_file_has_a_decode_test():
    assert {p.name for p in PAYLOADS.iterdir()} == set(DECODED) | set(REJECTED)


@pytest.mark.parametrize("name", sorted(DECODED))
def test_decode_payload_file(name):
    raw = (PAYLOADS / name).read_bytes()
    fix = decode_fix(raw)
    lon, lat, fixed_at, speed, heading, accuracy = DECODED[name]
    assert (fix.lon, fix.lat) == (lon, lat)
    assert fix.fixed_at == pytest.approx(fixed_at)
    assert fix.speed_mps == pytest.approx(speed) if speed is not None else fix.speed_mps is None
    assert fix.heading_deg == heading
    assert fix.accuracy_m == accuracy
    assert fix.raw == raw.decode()


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_payload_file(name):
    with pytest.raises(Rejected) as err:
        decode_fix((PAYLOADS / name).read_bytes())
    assert err.value.reason == REJECTED[name]


def test_parse_topic_takes_unit_identity_from_topic():
    assert parse_topic("siaga/t-1/units/BPP-R4-01/location", "siaga/t-1") == (
        "BPP-R4-01",
        "location",
    )
    for bad in ("siaga/units/X/location", "siaga/t-1/units/X/other", "siaga/t-1/units//ack"):
        with pytest.raises(Rejected, match="bad_topic"):
            parse_topic(bad, "siaga/t-1")


def test_link_and_event_payloads():
    assert decode_link(b"online") is True
    assert decode_link(b'{"state": "offline"}') is False
    with pytest.raises(Rejected):
        decode_link(b"maybe")
    assert decode_event(b'{"job_id": 7}', "ack")[0] == "7"
    assert decode_event(b'{"status": "on_scene", "job_id": "J1"}', "status")[:2] == (
        "J1",
        "on_scene",
    )
    with pytest.raises(Rejected, match="malformed"):
        decode_event(b'{"job_id": "J1"}', "status")
