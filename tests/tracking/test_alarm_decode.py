"""Trackers' alarms in the captured forms (tests/tracking/traccar/SOURCES.md): which reports
carry an SOS, and the /status message the listener hands the ingest for it."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from tracking.http_ingest import alarm_message
from tracking.http_input import (
    BadReport,
    decode_osmand_json,
    decode_osmand_params,
    decode_traccar_forward,
)

PAYLOADS = Path(__file__).parent / "traccar"


def _query(name: str) -> list[tuple[str, str]]:
    return parse_qsl((PAYLOADS / name).read_text(), keep_blank_values=True)


def _json(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


def test_traccar_client_sos_shortcut_carries_the_alarm_and_its_fix():
    report = decode_osmand_params(_query("client_android_sos_query.txt"), now=0.0)
    assert report.alarm == "sos" and len(report.fixes) == 1
    assert "alarm=sos" in report.fixes[0].raw


def test_traccar_client_9_sos_is_a_position_with_extras_alarm_sos():
    report = decode_osmand_json(_json("client9_sos.json"))
    assert report.alarm == "sos" and len(report.fixes) == 1
    assert decode_osmand_json(_json("client9_location.json")).alarm is None  # extras {}
    body = _json("client9_sos.json")
    body["location"]["extras"] = "sos"
    with pytest.raises(BadReport, match="location.extras"):
        decode_osmand_json(body)


def test_an_ordinary_report_has_no_alarm():
    assert decode_osmand_params(_query("client_android_query.txt"), now=0.0).alarm is None


def test_an_sos_without_a_valid_fix_is_still_an_sos():
    pairs = [*_query("client_android_sos_query.txt"), ("valid", "false")]
    report = decode_osmand_params(pairs, now=0.0)
    assert report.fixes == [] and report.ignored == "invalid_fix" and report.alarm == "sos"


def test_other_alarm_words_raise_no_urgent_alert():
    pairs = [
        (k, "general" if k == "alarm" else v) for k, v in _query("client_android_sos_query.txt")
    ]
    assert decode_osmand_params(pairs, now=0.0).alarm is None


def test_forwarded_alarm_event_with_its_position():
    report = decode_traccar_forward(_json("forward_event_alarm_sos.json"))
    assert report.alarm == "sos" and len(report.fixes) == 1
    assert (report.fixes[0].lon, report.fixes[0].lat) == (116.831207, -1.265431)


def test_forwarded_alarm_event_without_a_position():
    body = _json("forward_event_alarm_sos.json")
    del body["position"]
    report = decode_traccar_forward(body)
    assert report.alarm == "sos" and report.fixes == []


def test_forwarded_position_carrying_the_alarm_and_several_alarm_words():
    body = _json("forward_position_alarm_sos.json")
    assert decode_traccar_forward(body).alarm == "sos"
    body["position"]["attributes"]["alarm"] = "overspeed,sos"
    assert decode_traccar_forward(body).alarm == "sos"


def test_other_events_stay_unused():
    body = _json("forward_event_alarm_sos.json")
    body["event"]["attributes"]["alarm"] = "lowBattery"
    assert decode_traccar_forward(body).ignored == "event_not_used"
    body["event"]["attributes"] = ["sos"]
    with pytest.raises(BadReport, match="event.attributes"):
        decode_traccar_forward(body)


def test_the_status_message_names_sos_with_the_newest_fix():
    report = decode_osmand_params(_query("client_android_sos_query.txt"), now=0.0)
    message = json.loads(alarm_message(report, source="osmand", now=1.5))
    assert message["status"] == "sos" and message["source"] == "osmand"
    assert (message["lon"], message["lat"]) == (116.831207, -1.265431)
    assert message["fixed_at"] == report.fixes[0].fixed_at and message["sent_at"] == 1.5
