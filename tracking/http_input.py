"""Decode the HTTP trackers' reports into fixes: the OsmAnd protocol that Traccar Client speaks
(query or form parameters; the JSON body of Traccar Client 9 and later) and the JSON a Traccar
server forwards (position forwarding with forward.json, and event forwarding).

Pure functions, no I/O, like tracking.decode; the API publishes the fixes on the unit's own
MQTT location topic, so they pass the ingest's one filter state and writer like any MQTT fix.
Units as the protocols define them (traccar/traccar OsmAndProtocolDecoder.java; traccar-client
lib/preferences.dart; traccar-client-android Position.kt): query `speed` in knots, JSON
`coords.speed` in m/s (-1: unknown), Traccar's forwarded `position.speed` in knots.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tracking.decode import Fix, Rejected

KNOT_MPS = 1852 / 3600  # the international knot, exactly
# Traccar's rule: a timestamp below 2^31 - 1 is in seconds, above it in milliseconds.
MAX_EPOCH_SECONDS = 2**31 - 1
# Parameter names Traccar's decoder takes for the same value (OsmAndProtocolDecoder).
OSMAND_ALIASES = {
    "deviceid": "id",
    "i": "id",
    "la": "lat",
    "lo": "lon",
    "s": "speed",
    "heading": "bearing",
    "al": "altitude",
    "p": "accuracy",
    "prec": "accuracy",
    "h": "hdop",
}
OSMAND_NUMBERS = ("speed", "bearing", "altitude", "accuracy", "hdop", "batt")
# Event forwarding: the events that say whether Traccar hears the device.
LINK_EVENTS = {"deviceOnline": True, "deviceOffline": False, "deviceUnknown": False}
# Traccar's alarm words (Position.KEY_ALARM = "alarm", ALARM_SOS = "sos") that raise an urgent
# alert: Traccar Client's SOS shortcut sends `alarm=sos` (ShortcutActivity/ProtocolFormatter),
# a Traccar server forwards an `alarm` event (attributes.alarm) and positions carrying it.
URGENT_ALARMS = frozenset({"sos"})
TRUE_TEXT, FALSE_TEXT = ("true", "1"), ("false", "0")


class BadReport(Rejected):
    """A report refused whole; `field` and `message` (Bahasa Indonesia) go back to the sender."""

    def __init__(self, field_name: str, reason_text: str) -> None:
        super().__init__("malformed", f"{field_name}: {reason_text}")
        self.field = field_name
        self.message = f"{field_name}: {reason_text}"


@dataclass(slots=True)
class Report:
    """One request's content: the device it names and what it says.

    ignored: why a well-formed report stores no fix (the counter key), e.g. the device itself
    marked the fix invalid; link: the connected state a Traccar event reports; alarm: an
    urgent alarm word (URGENT_ALARMS) the device raised, with or without a usable fix.
    """

    device: str
    fixes: list[Fix] = field(default_factory=list)
    link: bool | None = None
    ignored: str | None = None
    alarm: str | None = None


def _urgent(value: object) -> str | None:
    """Traccar's alarm attribute may list several words ("sos,overspeed")."""
    if not isinstance(value, str):
        return None
    words = {word.strip().lower() for word in value.split(",")}
    return next((word for word in sorted(words) if word in URGENT_ALARMS), None)


# ---- values -------------------------------------------------------------------------------


def _finite(value: float, name: str) -> float:
    if not math.isfinite(value):
        raise BadReport(name, "harus bilangan terhingga")
    return value


def _text_number(params: dict[str, str], name: str) -> float | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return _finite(float(value), name)
    except ValueError:
        raise BadReport(name, f"harus berupa bilangan, bukan {value[:20]!r}") from None


def _json_number(data: dict[str, Any], key: str, path: str, *, required: bool = False):  # noqa: ANN202
    value = data.get(key)
    if value is None:
        if required:
            raise BadReport(path, "wajib diisi")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadReport(path, "harus berupa bilangan")
    return _finite(float(value), path)


def _json_object(data: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        raise BadReport(path, "wajib diisi")
    if not isinstance(value, dict):
        raise BadReport(path, "harus berupa objek")
    return value


def _json_text(data: dict[str, Any], key: str, path: str) -> str:
    value = data.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # a numeric identifier (an IMEI written as a number)
    if not isinstance(value, str) or not value.strip():
        raise BadReport(path, "wajib diisi (teks)")
    if "\x00" in value:
        raise BadReport(path, "memuat karakter NUL")
    return value.strip()


def _flag(value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in TRUE_TEXT or text in FALSE_TEXT:
        return text in TRUE_TEXT
    raise BadReport(name, "harus true/false atau 1/0")


def _iso_time(value: object, path: str) -> float:
    """ISO 8601 -> epoch seconds; a time without a zone is UTC (as Traccar's servers run)."""
    if not isinstance(value, str) or not value:
        raise BadReport(path, "wajib diisi (waktu ISO 8601)")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadReport(path, f"bukan waktu ISO 8601: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _osmand_time(value: str | None, *, now: float) -> float:
    """Seconds or milliseconds since the epoch, ddMMyyHHmmss (UTC), or ISO 8601."""
    if value is None:
        return now  # Traccar's rule for a report without a time: the time it arrived
    text = value.strip()
    if re.fullmatch(r"\d{12}", text):
        try:
            return datetime.strptime(text, "%d%m%y%H%M%S").replace(tzinfo=UTC).timestamp()
        except ValueError:
            pass
    if re.fullmatch(r"-?\d{1,16}", text):
        number = int(text)
        return float(number) if number < MAX_EPOCH_SECONDS else number / 1000
    if re.fullmatch(r"-?\d{1,16}\.\d{0,9}", text):
        return float(text)
    return _iso_time(text, "timestamp")


def _positive(value: float | None) -> float | None:
    """Traccar Client sends 0 (query) or -1 (JSON) for an unknown accuracy, speed or heading."""
    return value if value is not None and value > 0 else None


# ---- OsmAnd: query or form parameters -----------------------------------------------------


def decode_osmand_params(pairs: list[tuple[str, str]], *, now: float) -> Report:
    """A Traccar Client (or OsmAnd) report as query/form parameters (speed in knots)."""
    params: dict[str, str] = {}
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:
            raise BadReport(key.replace("\x00", "")[:40] or "id", "memuat karakter NUL")
        if value != "":  # Traccar skips empty values
            params[OSMAND_ALIASES.get(key, key)] = value
    device = params.get("id", "").strip()
    if not device:
        raise BadReport("id", "wajib diisi (identitas perangkat dari admin Siaga)")
    lat, lon = _osmand_point(params)
    numbers = {name: _text_number(params, name) for name in OSMAND_NUMBERS}
    speed_kn = numbers["speed"]
    # The raw payload is kept without the identifier: it is the device's secret.
    raw = urlencode([(k, v) for k, v in pairs if OSMAND_ALIASES.get(k, k) != "id"])
    fix = Fix(
        lon=lon,
        lat=lat,
        fixed_at=_osmand_time(params.get("timestamp"), now=now),
        speed_mps=None if speed_kn is None or speed_kn < 0 else speed_kn * KNOT_MPS,
        heading_deg=numbers["bearing"] if (numbers["bearing"] or 0) >= 0 else None,
        accuracy_m=_positive(numbers["accuracy"]),
        raw=raw,
    )
    ignored = _osmand_ignored(params)
    alarm = _urgent(params.get("alarm"))
    return Report(device, [] if ignored else [fix], ignored=ignored, alarm=alarm)


def _osmand_point(params: dict[str, str]) -> tuple[float, float]:
    if "location" in params and ("lat" not in params or "lon" not in params):
        parts = params["location"].split(",")
        if len(parts) != 2:
            raise BadReport("location", "harus 'lintang,bujur'")
        params = {**params, "lat": parts[0], "lon": parts[1]}
    for name in ("lat", "lon"):
        if name not in params:
            raise BadReport(name, "wajib diisi")
    return _text_number(params, "lat"), _text_number(params, "lon")  # type: ignore[return-value]


def _osmand_ignored(params: dict[str, str]) -> str | None:
    for name in ("charge", "mock"):
        if name in params:
            _flag(params[name], name)  # well-formed, or the report is refused
    if "valid" in params and not _flag(params["valid"], "valid"):
        return "invalid_fix"
    if "mock" in params and _flag(params["mock"], "mock"):
        return "mock_location"  # a fake-GPS app: not the unit's position
    return None


# ---- OsmAnd: Traccar Client 9 JSON ----------------------------------------------------------


def decode_osmand_json(data: object) -> Report:
    """Traccar Client 9's body: {"location": {...} or [...], "device_id": "..."} (m/s)."""
    if not isinstance(data, dict):
        raise BadReport("body", "harus berupa objek JSON")
    device = _json_text(data, "device_id", "device_id")
    location = data.get("location")
    if isinstance(location, list):  # the SDK's batch form
        if not location:
            raise BadReport("location", "daftar lokasi kosong")
        items = [(item, f"location.{i}") for i, item in enumerate(location)]
    else:
        items = [(location, "location")]
    fixes, ignored, alarm = [], None, None
    for item, path in items:
        fix, reason = _client_location(item, path)
        if fix is not None:
            fixes.append(fix)
        ignored = ignored or reason
        alarm = alarm or _client_alarm(item, path)
    return Report(device, fixes, ignored=None if fixes else ignored, alarm=alarm)


def _client_alarm(item: dict[str, Any], path: str) -> str | None:
    """Traccar Client 9's SOS: a position taken with extras {"alarm": "sos"}."""
    extras = item.get("extras")
    if extras is None:
        return None
    if not isinstance(extras, dict):
        raise BadReport(f"{path}.extras", "harus berupa objek")
    return _urgent(extras.get("alarm"))


def _client_location(item: object, path: str) -> tuple[Fix | None, str | None]:
    if item is None:
        raise BadReport(path, "wajib diisi")
    if not isinstance(item, dict):
        raise BadReport(path, "harus berupa objek")
    coords = _json_object(item, "coords", f"{path}.coords")
    fixed_at = _iso_time(item.get("timestamp"), f"{path}.timestamp")
    lat = _json_number(coords, "latitude", f"{path}.coords.latitude", required=True)
    lon = _json_number(coords, "longitude", f"{path}.coords.longitude", required=True)
    speed = _json_number(coords, "speed", f"{path}.coords.speed")
    heading = _json_number(coords, "heading", f"{path}.coords.heading")
    accuracy = _json_number(coords, "accuracy", f"{path}.coords.accuracy")
    if item.get("mock") is True:
        return None, "mock_location"
    # "_" repeats the device identifier as a query string for servers that read none of this.
    raw = json.dumps({k: v for k, v in item.items() if k != "_"}, separators=(",", ":"))
    fix = Fix(
        lon=lon,
        lat=lat,
        fixed_at=fixed_at,
        speed_mps=speed if speed is not None and speed >= 0 else None,
        heading_deg=heading if heading is not None and heading >= 0 else None,
        accuracy_m=_positive(accuracy),
        raw=raw,
    )
    return fix, None


# ---- Traccar server forwarding --------------------------------------------------------------


def decode_traccar_forward(data: object) -> Report:
    """{"position": {...}, "device": {...}} (forward.json) or {"event": ..., "device": ...}."""
    if not isinstance(data, dict):
        raise BadReport("body", "harus berupa objek JSON")
    device = _json_object(data, "device", "device")
    unique_id = _json_text(device, "uniqueId", "device.uniqueId")
    if "event" in data:
        event = _json_object(data, "event", "event")
        kind = _json_text(event, "type", "event.type")
        if kind in LINK_EVENTS:
            return Report(unique_id, link=LINK_EVENTS[kind])
        alarm = _urgent(_attributes(event, "event").get("alarm")) if kind == "alarm" else None
        if alarm is None:
            return Report(unique_id, ignored="event_not_used")
        return _alarm_event(data, unique_id, device, alarm)
    position = _json_object(data, "position", "position")
    fix = _traccar_position(position, unique_id, device)
    alarm = _urgent(_attributes(position, "position").get("alarm"))
    if position.get("outdated") is True:  # Traccar repeated the last known place
        return Report(unique_id, ignored="outdated", alarm=alarm)
    if position.get("valid") is False:
        return Report(unique_id, ignored="invalid_fix", alarm=alarm)
    return Report(unique_id, [fix], alarm=alarm)


def _attributes(data: dict[str, Any], path: str) -> dict[str, Any]:
    value = data.get("attributes")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadReport(f"{path}.attributes", "harus berupa objek")
    return value


def _alarm_event(data: dict[str, Any], unique_id: str, device: dict, alarm: str) -> Report:
    """An alarm event, with the position Traccar attaches when it has one (its fix is sent
    too, so the alert shows where the unit is; forward.url may also send it: a duplicate)."""
    position = data.get("position")
    if not isinstance(position, dict):
        return Report(unique_id, alarm=alarm)
    fix = _traccar_position(position, unique_id, device)
    if position.get("outdated") is True or position.get("valid") is False:
        return Report(unique_id, alarm=alarm)
    return Report(unique_id, [fix], alarm=alarm)


def _traccar_position(position: dict[str, Any], unique_id: str, device: dict[str, Any]) -> Fix:
    lat = _json_number(position, "latitude", "position.latitude", required=True)
    lon = _json_number(position, "longitude", "position.longitude", required=True)
    when = position.get("fixTime") or position.get("deviceTime")
    speed_kn = _json_number(position, "speed", "position.speed")
    course = _json_number(position, "course", "position.course")
    accuracy = _json_number(position, "accuracy", "position.accuracy")
    raw_device = {"uniqueId": unique_id, "name": device.get("name")}
    return Fix(
        lon=lon,
        lat=lat,
        fixed_at=_iso_time(when, "position.fixTime"),
        speed_mps=None if speed_kn is None or speed_kn < 0 else speed_kn * KNOT_MPS,
        heading_deg=course if course is not None and course >= 0 else None,
        accuracy_m=_positive(accuracy),
        raw=json.dumps({"position": position, "device": raw_device}, separators=(",", ":")),
    )
