"""Decode MQTT topics and tracker payloads (project JSON, OwnTracks `_type=location`).

Pure functions, no I/O: the paho callback calls them, the tests feed them captured payloads.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

TOPIC_KINDS = ("location", "ack", "status", "link", "jobs")


class Rejected(Exception):
    """A message that is not stored as a fix; `reason` is the counter key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class Fix:
    """One GPS fix; times are epoch seconds (UTC), speed m/s, heading degrees, accuracy m."""

    lon: float
    lat: float
    fixed_at: float
    speed_mps: float | None
    heading_deg: float | None
    accuracy_m: float | None
    raw: str


def parse_topic(topic: str, root: str) -> tuple[str, str]:
    """`{root}/units/{call_sign}/{kind}` -> (call_sign, kind); Rejected('bad_topic') otherwise."""
    prefix = root + "/units/"
    if not topic.startswith(prefix):
        raise Rejected("bad_topic", topic)
    parts = topic[len(prefix) :].split("/")
    if len(parts) != 2 or not parts[0] or parts[1] not in TOPIC_KINDS:
        raise Rejected("bad_topic", topic)
    return parts[0], parts[1]


def _number(data: dict, key: str, *, required: bool = False) -> float | None:
    value = data.get(key)
    if value is None:
        if required:
            raise Rejected("malformed", f"missing {key}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected("malformed", f"{key} is not a number")
    if not math.isfinite(value):
        raise Rejected("malformed", f"{key} is not finite")
    return float(value)


def _time(value: object, key: str) -> float:
    """Epoch seconds (number) or an ISO 8601 string with a time zone."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Rejected("malformed", f"{key} is not ISO 8601") from None
        if parsed.tzinfo is None:
            raise Rejected("malformed", f"{key} has no time zone")
        return parsed.timestamp()
    raise Rejected("malformed", f"missing {key}")


def load_json(payload: bytes | str) -> dict:
    """The payload as a JSON object; Rejected('malformed') otherwise."""
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise Rejected("malformed", "not JSON") from None
    if not isinstance(data, dict):
        raise Rejected("malformed", "not a JSON object")
    return data


def decode_fix(payload: bytes) -> Fix:
    """A fix from the project's JSON or an OwnTracks location message."""
    try:
        raw = payload.decode()  # decoded once: json.loads(bytes) would sniff and decode again
    except UnicodeDecodeError:
        raise Rejected("malformed", "not UTF-8") from None
    data = load_json(raw)
    if "_type" in data:
        return _decode_owntracks(data, raw)
    return Fix(
        lon=_number(data, "lon", required=True),  # type: ignore[arg-type]
        lat=_number(data, "lat", required=True),  # type: ignore[arg-type]
        fixed_at=_time(data.get("fixed_at"), "fixed_at"),
        speed_mps=_number(data, "speed_mps"),
        heading_deg=_number(data, "heading_deg"),
        accuracy_m=_number(data, "accuracy_m"),
        raw=raw,
    )


def _decode_owntracks(data: dict, raw: str) -> Fix:
    # OwnTracks: tst epoch s, acc m, vel km/h, cog degrees (https://owntracks.org/booklet/).
    if data["_type"] != "location":
        raise Rejected("unsupported_type", str(data["_type"])[:32])
    vel_kmh = _number(data, "vel")
    return Fix(
        lon=_number(data, "lon", required=True),  # type: ignore[arg-type]
        lat=_number(data, "lat", required=True),  # type: ignore[arg-type]
        fixed_at=_time(data.get("tst"), "tst"),
        speed_mps=None if vel_kmh is None or vel_kmh < 0 else vel_kmh / 3.6,
        heading_deg=_number(data, "cog"),
        accuracy_m=_number(data, "acc"),
        raw=raw,
    )


def decode_link(payload: bytes) -> bool:
    """`online` / `offline` (plain or {"state": ...}) -> connected?"""
    text = payload.decode(errors="replace").strip()
    if text.startswith("{"):
        text = str(load_json(payload).get("state", ""))
    if text not in ("online", "offline"):
        raise Rejected("malformed", "link state must be online or offline")
    return text == "online"


def decode_event(payload: bytes, kind: str) -> tuple[str | None, str | None, dict]:
    """An /ack or /status message -> (job_id, status, payload object)."""
    data = load_json(payload)
    job_id = data.get("job_id")
    if job_id is not None:
        job_id = str(job_id)
    if kind == "ack":
        if job_id is None:
            raise Rejected("malformed", "ack without job_id")
        return job_id, None, data
    status = data.get("status")
    if not isinstance(status, str) or not status:
        raise Rejected("malformed", "status message without status")
    return job_id, status, data


def is_finite_point(lon: float, lat: float) -> bool:
    """Finite and inside WGS 84 ranges."""
    return math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
