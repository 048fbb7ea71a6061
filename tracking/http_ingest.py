"""Hand an HTTP tracker's report to the MQTT ingest, and count what is refused.

The fixes are published at QoS 1 on the unit's own location topic, in the project's location
JSON (what tracking.decode reads) with the sender's payload kept as `raw`; a Traccar event's
link state goes to the unit's link topic. The caller answers the tracker only once
the broker acknowledged every message: from then on the broker's durability promise holds,
and the ingest worker filters and stores the fix exactly like one a tracker sent over MQTT
(one filter state per unit, the same writer, duplicates absorbed by the history's key).
"""

from __future__ import annotations

import hmac
import json
import time
from collections import Counter

import paho.mqtt.client as mqtt
from sqlalchemy.orm import Session

from core.errors import InvalidInput, ServiceUnavailable
from core.mqtt import BrokerLink
from tracking.decode import Fix
from tracking.http_input import Report
from tracking.jobs import unit_topic
from tracking.writer import add_reject_counts

PUBACK_TIMEOUT_S = 5.0


class ReportTooLarge(InvalidInput):
    """The fix as a message would pass the broker's or the ingest's size limit."""


def location_message(fix: Fix, *, source: str) -> bytes:
    """The project's location JSON for a fix, with where it came from and its raw payload."""
    body = {
        "lon": fix.lon,
        "lat": fix.lat,
        "fixed_at": fix.fixed_at,
        "speed_mps": fix.speed_mps,
        "heading_deg": fix.heading_deg,
        "accuracy_m": fix.accuracy_m,
        "source": source,
        "raw": fix.raw,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def alarm_message(report: Report, *, source: str, now: float) -> bytes:
    """The unit's /status message for an alarm: dispatch (dispatch/alarms.py) raises the alert.

    It carries the report's newest fix, if any, so the alert shows where the unit was; the
    report's arrival time makes a tracker's repeat a new message (the alert absorbs repeats).
    """
    body: dict = {"status": report.alarm, "alarm": report.alarm, "source": source, "sent_at": now}
    if report.fixes:
        fix = max(report.fixes, key=lambda f: f.fixed_at)
        body.update(lon=fix.lon, lat=fix.lat, fixed_at=fix.fixed_at)
    return json.dumps(body, separators=(",", ":")).encode()


def publish_report(
    link: BrokerLink,
    *,
    topic_root: str,
    call_sign: str,
    report: Report,
    source: str,
    max_bytes: int = 65536,
    link_known_up: bool = False,
) -> int:
    """Publish the report's fixes (and alarm, link state); return the fixes sent once all are
    acked.

    A report with fixes means the device is connected now: unless the unit's link is known
    to be up already, "online" goes to its link topic too (an HTTP tracker has no MQTT
    connection and no will; a Traccar deviceOffline event, or its silence, judged by
    tracking.link_freshness, is what says it went away).
    ServiceUnavailable if the broker is away or does not acknowledge in time: the tracker
    keeps the report and sends it again (a repeat is absorbed as a duplicate).
    """
    messages = [location_message(fix, source=source) for fix in report.fixes]
    if any(len(message) > max_bytes for message in messages):
        raise ReportTooLarge(f"laporan terlalu besar (maks. {max_bytes} bita)", field="body")
    if not link.client.is_connected():
        raise ServiceUnavailable("lokasi belum diterima: broker tidak terhubung, kirim ulang")
    location = unit_topic(topic_root, call_sign, "location")
    infos = [link.publish(location, message, qos=1) for message in messages]
    if report.alarm is not None:
        # After the fixes, on the topic the ingest stores as the unit's events.
        status = unit_topic(topic_root, call_sign, "status")
        alarm = alarm_message(report, source=source, now=time.time())
        infos.append(link.client.publish(status, alarm, qos=1))
    state = _link_state(report, link_known_up=link_known_up)
    if state is not None:
        # Not retained: a retained "online" read again by a new ingest session would raise a
        # link that fell silent since (tracking/link_freshness.py). The empty retained message
        # clears one that an earlier version left; the ingest passes over it.
        topic = unit_topic(topic_root, call_sign, "link")
        infos.append(link.client.publish(topic, state, qos=1))
        infos.append(link.client.publish(topic, b"", qos=1, retain=True))
    _wait_acknowledged(infos)
    return len(report.fixes)


def _link_state(report: Report, *, link_known_up: bool) -> bytes | None:
    """What to publish on the unit's link topic: the reported state, else "online" for a
    report with fixes while the link is not known to be up."""
    if report.link is not None:
        return b"online" if report.link else b"offline"
    return b"online" if report.fixes and not link_known_up else None


def _wait_acknowledged(infos: list[mqtt.MQTTMessageInfo]) -> None:
    deadline = time.monotonic() + PUBACK_TIMEOUT_S
    for info in infos:
        try:
            info.wait_for_publish(max(0.0, deadline - time.monotonic()))
        except (RuntimeError, ValueError):
            raise ServiceUnavailable("lokasi belum diterima: broker menolak, kirim ulang") from None
        if not info.is_published():
            raise ServiceUnavailable("lokasi belum diterima: broker tidak menjawab, kirim ulang")


def count_refused(session: Session, *, source: str, reason: str) -> None:
    """Count a refused or ignored report in the ingest's rejects (key `<source>_<reason>`)."""
    add_reject_counts(session, Counter({f"{source}_{reason}": 1}))


def secret_matches(expected: str | None, presented: str | None) -> bool:
    """Constant-time comparison of the forwarding secret (False when none is configured)."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())
