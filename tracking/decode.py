"""Decode MQTT topics and tracker payloads (project JSON, OwnTracks messages).

Pure functions, no I/O: the paho callback calls them, the tests feed them captured payloads.
OwnTracks (https://owntracks.org/booklet/tech/json/) publishes on `owntracks/<user>/<device>`
(location, lwt) and its subtopics (event, status, info, waypoint(s), step, beacon, dump, cmd);
<user> is the broker account, `unit-<call sign>`, and the broker lets that account publish only
under its own `owntracks/unit-<call sign>/`: the topic is the unit's authenticated identity.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import datetime

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

TOPIC_KINDS = ("location", "ack", "status", "link", "jobs")
# The broker account of a unit (tracking/credentials.py issues it): unit-<call sign>.
UNIT_USER_PREFIX = "unit-"
# Understood OwnTracks types that carry nothing dispatch uses: counted apart, never an error.
OWNTRACKS_IGNORED = frozenset(
    {
        "transition",
        "waypoint",
        "waypoints",
        "card",
        "cmd",
        "steps",
        "beacon",
        "configuration",
        "dump",
        "request",
        "msg",
    }  # fmt: skip
)


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


@dataclass(slots=True)
class Decoded:
    """One decoded message: the unit's call sign, what it is, and what it says.

    kind: location (fix set), ack, status, link (connected set, or a payload to decode),
    jobs (outbound), ignored (an understood OwnTracks type, named in `note`), or sealed
    (an OwnTracks `_type=encrypted`, opened with the unit's key by the writer).
    """

    call_sign: str
    kind: str
    fix: Fix | None = None
    connected: bool | None = None
    note: str = ""
    sealed: str = ""


def parse_topic(topic: str, root: str) -> tuple[str, str]:
    """`{root}/units/{call_sign}/{kind}` -> (call_sign, kind); Rejected('bad_topic') otherwise."""
    prefix = root + "/units/"
    if not topic.startswith(prefix):
        raise Rejected("bad_topic", topic)
    parts = topic[len(prefix) :].split("/")
    if len(parts) != 2 or not parts[0] or parts[1] not in TOPIC_KINDS:
        raise Rejected("bad_topic", topic)
    return parts[0], parts[1]


def parse_owntracks_topic(topic: str, root: str) -> tuple[str, str]:
    """`{root}/unit-<CS>/<device>[/<subtopic>]` -> (call sign, subtopic or '')."""
    parts = topic.split("/")
    base = root.split("/")
    if parts[: len(base)] != base or len(parts) not in (len(base) + 2, len(base) + 3):
        raise Rejected("bad_topic", topic)
    user, device = parts[len(base)], parts[len(base) + 1]
    call_sign = user.removeprefix(UNIT_USER_PREFIX)
    if not user.startswith(UNIT_USER_PREFIX) or not call_sign or not device:
        raise Rejected("unknown_account", user[:64])
    return call_sign, "/".join(parts[len(base) + 2 :])


def topic_identity(topic: str, root: str, owntracks_root: str) -> tuple[str, str]:
    """(call sign, kind) of a topic: the project's layout or OwnTracks' (kind 'owntracks')."""
    if topic.startswith(owntracks_root + "/"):
        return parse_owntracks_topic(topic, owntracks_root)[0], "owntracks"
    own = root + "/units/"
    parts = topic[len(own) :].split("/") if topic.startswith(own) else []
    if len(parts) == 3 and parts[1] == "location" and parts[0] and parts[2]:
        return parts[0], "owntracks"  # an OwnTracks subtopic under the project's layout
    return parse_topic(topic, root)


def decode_message(
    topic: str, payload: bytes, *, root: str, owntracks_root: str, max_payload_bytes: int
) -> Decoded:
    """Topic and payload of one tracker message; Rejected with the reason otherwise."""
    call_sign, kind = topic_identity(topic, root, owntracks_root)
    if len(payload) > max_payload_bytes:
        raise Rejected("oversize", f"{len(payload)} bytes > {max_payload_bytes}")
    if not payload and kind in ("location", "owntracks"):
        # An empty message is how MQTT clears a retained one, not a report.
        return Decoded(call_sign, "ignored", note="retained_cleared")
    if kind == "location":
        return decode_location(call_sign, payload)
    if kind == "owntracks":
        return decode_owntracks(call_sign, payload)
    return Decoded(call_sign, kind)


def decode_location(call_sign: str, payload: bytes) -> Decoded:
    """A message on a location topic: the project's fix JSON or any OwnTracks message."""
    raw = _text(payload)
    data = load_json(raw)
    if "_type" in data:
        return _owntracks(call_sign, data, raw)
    return Decoded(call_sign, "location", fix=_project_fix(data, raw))


def decode_owntracks(call_sign: str, payload: bytes) -> Decoded:
    """An OwnTracks message (any `_type`) from the unit's OwnTracks topics."""
    raw = _text(payload)
    data = load_json(raw)
    if "_type" not in data:
        raise Rejected("malformed", "OwnTracks message without _type")
    return _owntracks(call_sign, data, raw)


def _owntracks(call_sign: str, data: dict, raw: str) -> Decoded:
    kind = data["_type"]
    if kind == "location":
        return Decoded(call_sign, "location", fix=_owntracks_fix(data, raw), connected=True)
    if kind == "lwt":  # the will: the broker lost the app (its tst is the connect time)
        return Decoded(call_sign, "link", connected=False)
    if kind == "status":  # the app's own state report: it is connected
        return Decoded(call_sign, "link", connected=True)
    if kind == "encrypted":
        sealed = data.get("data")
        if not isinstance(sealed, str) or not sealed:
            raise Rejected("malformed", "encrypted message without data")
        return Decoded(call_sign, "sealed", sealed=sealed)
    if isinstance(kind, str) and kind in OWNTRACKS_IGNORED:
        return Decoded(call_sign, "ignored", note=f"owntracks_{kind}")
    raise Rejected("unsupported_type", str(kind)[:32])


def owntracks_key(passphrase: str) -> bytes:
    """The apps' secretbox key: the passphrase's UTF-8 bytes, zero-padded or cut to 32."""
    return passphrase.encode()[: SecretBox.KEY_SIZE].ljust(SecretBox.KEY_SIZE, b"\0")


def open_sealed(call_sign: str, sealed: str, key: bytes | None) -> Decoded:
    """Decrypt an OwnTracks `_type=encrypted` (base64 of nonce, MAC, ciphertext) and decode it."""
    if key is None:
        raise Rejected("encrypted_no_key", call_sign)
    try:
        plain = SecretBox(key).decrypt(base64.b64decode(sealed, validate=True))
    except (binascii.Error, ValueError):
        raise Rejected("malformed", "encrypted data is not base64") from None
    except CryptoError:
        raise Rejected("decrypt_failed", "wrong key or altered message") from None
    inner = decode_owntracks(call_sign, plain)
    if inner.kind == "sealed":
        raise Rejected("malformed", "encrypted inside encrypted")
    return inner


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


def _text(payload: bytes) -> str:
    try:
        return payload.decode()  # decoded once: json.loads(bytes) would sniff and decode again
    except UnicodeDecodeError:
        raise Rejected("malformed", "not UTF-8") from None


def decode_fix(payload: bytes) -> Fix:
    """A fix from the project's JSON or an OwnTracks location message."""
    decoded = decode_location("", payload)
    if decoded.fix is None:
        raise Rejected("not_a_fix", decoded.note or decoded.kind)
    return decoded.fix


def _project_fix(data: dict, raw: str) -> Fix:
    return Fix(
        lon=_number(data, "lon", required=True),  # type: ignore[arg-type]
        lat=_number(data, "lat", required=True),  # type: ignore[arg-type]
        fixed_at=_time(data.get("fixed_at"), "fixed_at"),
        speed_mps=_number(data, "speed_mps"),
        heading_deg=_number(data, "heading_deg"),
        accuracy_m=_number(data, "accuracy_m"),
        raw=raw,
    )


def _owntracks_fix(data: dict, raw: str) -> Fix:
    # OwnTracks: tst epoch s, acc m, vel km/h, cog degrees (https://owntracks.org/booklet/).
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
