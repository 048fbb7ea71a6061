"""Each payload file in tests/tracking/payloads has a decode test (Traccar style)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracking.decode import (
    Rejected,
    decode_event,
    decode_fix,
    decode_link,
    decode_location,
    decode_message,
    decode_owntracks,
    open_sealed,
    owntracks_key,
    parse_topic,
    topic_identity,
)

PAYLOADS = Path(__file__).resolve().parent / "payloads"
T0 = 1795335330.0  # 2026-11-22T08:15:30Z
SECRET = "rahasia-polres-bpp"  # owntracks_encrypted_location.json (SOURCES.md)

# file -> (lon, lat, fixed_at epoch, speed_mps, heading_deg, accuracy_m)
DECODED = {
    "project_fix.json": (116.8432151, -1.2651243, T0 + 0.25, 11.4, 87.5, 6.2),
    "project_fix_epoch.json": (116.8210001, -1.2567002, T0 + 0.5, 0.0, 0.0, 4.0),
    "project_fix_minimal.json": (116.85, -1.27, T0, None, None, None),
    "owntracks_location.json": (116.8384211, -1.2601877, T0, 43 / 3.6, 271.0, 12.0),
    "owntracks_location_android.json": (116.8311207, -1.2660391, T0 + 120, 10.0, None, 9.0),
    "owntracks_location_ios.json": (116.8612, -1.2533, T0 + 70, None, None, 65.0),
}
# OwnTracks messages that are not fixes -> (kind, link state, counter note)
UNDERSTOOD = {
    "owntracks_lwt.json": ("link", False, ""),
    "owntracks_status_android.json": ("link", True, ""),
    "owntracks_transition.json": ("ignored", None, "owntracks_transition"),
    "owntracks_waypoint.json": ("ignored", None, "owntracks_waypoint"),
    "owntracks_waypoints.json": ("ignored", None, "owntracks_waypoints"),
    "owntracks_card.json": ("ignored", None, "owntracks_card"),
    "owntracks_cmd.json": ("ignored", None, "owntracks_cmd"),
    "owntracks_steps.json": ("ignored", None, "owntracks_steps"),
    "owntracks_beacon.json": ("ignored", None, "owntracks_beacon"),
    "owntracks_encrypted_location.json": ("sealed", None, ""),
    "owntracks_encrypted_broken.json": ("sealed", None, ""),
}
REJECTED = {
    "owntracks_unknown_type.json": "unsupported_type",
    "not_json.txt": "malformed",
    "project_fix_string_lat.json": "malformed",
    "project_fix_naive_time.json": "malformed",
}


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def test_every_payload_file_has_a_decode_test_and_a_source():
    files = {p.name for p in PAYLOADS.iterdir()} - {"SOURCES.md"}
    assert files == set(DECODED) | set(UNDERSTOOD) | set(REJECTED)
    sources = (PAYLOADS / "SOURCES.md").read_text()
    assert [f for f in files if f not in sources and not f.startswith("project_fix")] == []


@pytest.mark.parametrize("name", sorted(DECODED))
def test_decode_payload_file(name):
    raw = payload(name)
    fix = decode_fix(raw)
    lon, lat, fixed_at, speed, heading, accuracy = DECODED[name]
    assert (fix.lon, fix.lat) == (lon, lat)
    assert fix.fixed_at == pytest.approx(fixed_at)
    assert fix.speed_mps == pytest.approx(speed) if speed is not None else fix.speed_mps is None
    assert fix.heading_deg == heading
    assert fix.accuracy_m == accuracy
    assert fix.raw == raw.decode()


def test_an_owntracks_location_marks_the_link_up_a_project_fix_does_not():
    assert decode_location("X", payload("owntracks_location_android.json")).connected is True
    assert decode_location("X", payload("project_fix.json")).connected is None


@pytest.mark.parametrize("name", sorted(UNDERSTOOD))
def test_understood_owntracks_message(name):
    kind, connected, note = UNDERSTOOD[name]
    for decoded in (
        decode_owntracks("BPP-1", payload(name)),
        decode_location("BPP-1", payload(name)),
    ):
        assert (decoded.call_sign, decoded.kind, decoded.connected, decoded.note) == (
            "BPP-1",
            kind,
            connected,
            note,
        )


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_payload_file(name):
    with pytest.raises(Rejected) as err:
        decode_location("X", payload(name))
    assert err.value.reason == REJECTED[name]


def test_encrypted_message_is_opened_with_the_units_key():
    sealed = decode_owntracks("BPP-1", payload("owntracks_encrypted_location.json")).sealed
    opened = open_sealed("BPP-1", sealed, owntracks_key(SECRET))
    assert opened.kind == "location" and opened.connected is True
    assert (opened.fix.lon, opened.fix.lat, opened.fix.fixed_at) == (
        116.8311207,
        -1.2660391,
        T0 + 120,
    )
    assert opened.fix.raw == payload("owntracks_location_android.json").decode().strip()


@pytest.mark.parametrize(
    ("name", "key", "reason"),
    [
        ("owntracks_encrypted_location.json", None, "encrypted_no_key"),
        ("owntracks_encrypted_location.json", owntracks_key("another secret"), "decrypt_failed"),
        ("owntracks_encrypted_broken.json", owntracks_key(SECRET), "malformed"),
    ],
)
def test_encrypted_message_without_the_right_key_is_rejected(name, key, reason):
    sealed = decode_owntracks("BPP-1", payload(name)).sealed
    with pytest.raises(Rejected) as err:
        open_sealed("BPP-1", sealed, key)
    assert err.value.reason == reason


def test_owntracks_key_is_the_passphrase_zero_padded_or_cut_to_32_bytes():
    assert owntracks_key("abc") == b"abc" + b"\0" * 29
    assert owntracks_key("x" * 40) == b"x" * 32


def test_topics_map_to_the_unit_of_the_broker_account():
    root, ot = "siaga/t-1", "owntracks"
    assert topic_identity("owntracks/unit-BPP-R4-01/hp", root, ot) == ("BPP-R4-01", "owntracks")
    assert topic_identity("owntracks/unit-BPP-R4-01/hp/event", root, ot)[0] == "BPP-R4-01"
    assert topic_identity("siaga/t-1/units/BPP-R4-01/location", root, ot) == (
        "BPP-R4-01",
        "location",
    )
    assert topic_identity("siaga/t-1/units/BPP-R4-01/location/event", root, ot) == (
        "BPP-R4-01",
        "owntracks",
    )
    for bad, reason in (
        ("owntracks/bripda/hp", "unknown_account"),
        ("owntracks/unit-/hp", "unknown_account"),
        ("owntracks/unit-X", "bad_topic"),
        ("owntracks/unit-X/hp/a/b", "bad_topic"),
    ):
        with pytest.raises(Rejected) as err:
            topic_identity(bad, root, ot)
        assert err.value.reason == reason


def test_oversize_payload_is_rejected_before_it_is_parsed():
    limits = {"root": "siaga", "owntracks_root": "owntracks", "max_payload_bytes": 16384}
    big = b'{"_type":"location","lat":-1.26,"lon":116.83,"tst":1795335330,"pad":"' + b"x" * 20000
    with pytest.raises(Rejected) as err:
        decode_message("owntracks/unit-X/hp", big + b'"}', **limits)
    assert err.value.reason == "oversize"
    ok = decode_message("owntracks/unit-X/hp", payload("owntracks_location.json"), **limits)
    assert ok.kind == "location" and ok.call_sign == "X"
    cleared = decode_message("owntracks/unit-X/hp", b"", **limits)  # a retained message cleared
    assert (cleared.kind, cleared.note) == ("ignored", "retained_cleared")


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
