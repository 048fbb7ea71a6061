"""Job push to units: dispatch publishes a job on the unit's /jobs topic at QoS 1; an OwnTracks
unit's app gets a notice of it on its /cmd topic."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from nacl.secret import SecretBox
from sqlalchemy.orm import Session

from core.errors import InvalidInput, ServiceUnavailable
from core.mqtt import BrokerLink
from tracking.decode import UNIT_USER_PREFIX, owntracks_key

log = logging.getLogger("siaga.tracking.jobs")
JOB_FIELDS = ("job_id", "incident_id", "lon", "lat", "category", "priority", "description")


def unit_topic(topic_root: str, call_sign: str, kind: str) -> str:
    """`{root}/units/{call_sign}/{kind}` (kind: location, jobs, ack, status, link)."""
    return f"{topic_root}/units/{call_sign}/{kind}"


def job_payload(job: dict[str, Any]) -> bytes:
    """The job JSON a tracker receives; `sent_at` is added (UTC, ISO 8601) if missing."""
    missing = [name for name in ("job_id", "lon", "lat") if job.get(name) is None]
    if missing:
        raise InvalidInput(f"job tanpa {', '.join(missing)}", field=missing[0])
    body = {name: job.get(name) for name in JOB_FIELDS}
    body["job_id"] = str(body["job_id"])
    body["sent_at"] = job.get("sent_at") or datetime.now(UTC).isoformat()
    return json.dumps(body, default=str).encode()


def publish_job(
    link: BrokerLink, *, topic_root: str, call_sign: str, job: dict[str, Any]
) -> mqtt.MQTTMessageInfo:
    """Publish a job to the unit at QoS 1 (the broker queues it while the tracker is away)."""
    info = link.publish(unit_topic(topic_root, call_sign, "jobs"), job_payload(job), qos=1)
    if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
        raise ServiceUnavailable(
            f"job untuk {call_sign} gagal dikirim: {mqtt.error_string(info.rc)}"
        )
    return info


# ---- OwnTracks: a job notice on the app's /cmd topic -----------------------------------------
# The apps cannot show a job or acknowledge one. OwnTracks for iOS understands the remote
# command {"_type":"cmd","action":"action"}: it adds a "Featured content" tab showing `url`
# (in a web view, or the browser with "extern": true) or `content`, and shows `notification`
# as a notice (booklet tech/json.md, _type=cmd; iOS FeaturedContentVC). OwnTracks for Android
# has no such command (CommandAction: reportLocation, setWaypoints, setConfiguration,
# waypoints) and ignores it: its crew relies on the crew page alone, as before.


def owntracks_cmd_topic(owntracks_root: str, call_sign: str, device: str) -> str:
    """`{root}/unit-{CS}/{device}/cmd`: what the app subscribes with remote commands on."""
    return f"{owntracks_root}/{UNIT_USER_PREFIX}{call_sign}/{device}/cmd"


def owntracks_job_cmd(notice: str, *, crew_page_url: str = "") -> bytes:
    """The `action` command for a new job: the notice, and the crew page to open (its link)."""
    body: dict[str, Any] = {"_type": "cmd", "action": "action", "notification": notice}
    if crew_page_url:
        body["url"] = crew_page_url
        body["extern"] = True  # the phone's browser, where the crew is logged in to /unit
    else:
        body["content"] = notice + "\n\nBuka halaman unit Siaga untuk menerima tugas."
    return json.dumps(body, ensure_ascii=False).encode()


def seal_owntracks(payload: bytes, passphrase: str | None) -> bytes:
    """The payload as the app sends and reads it: `_type=encrypted` when the unit has a key
    (secretbox, nonce first, base64: what decode.open_sealed opens), else unchanged."""
    if not passphrase:
        return payload
    sealed = SecretBox(owntracks_key(passphrase)).encrypt(payload)
    data = base64.b64encode(bytes(sealed)).decode()
    return json.dumps({"_type": "encrypted", "data": data}).encode()


def publish_owntracks_job(
    link: BrokerLink, *, topic: str, notice: str, crew_page_url: str, passphrase: str | None
) -> mqtt.MQTTMessageInfo:
    """Publish the job notice on the app's /cmd topic at QoS 1 (queued while it is away)."""
    payload = seal_owntracks(owntracks_job_cmd(notice, crew_page_url=crew_page_url), passphrase)
    info = link.publish(topic, payload, qos=1)
    if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
        raise ServiceUnavailable(f"pemberitahuan tugas gagal dikirim: {mqtt.error_string(info.rc)}")
    return info


def notify_owntracks_job(
    link: BrokerLink,
    session: Session,
    *,
    owntracks_root: str,
    crew_page_url: str,
    unit_id: int,
    call_sign: str,
    notice: str,
) -> bool:
    """Tell the unit's OwnTracks app of a new job; False when its Device ID is not recorded
    (the crew page still rings) or the broker refused. The job itself stays on the crew page."""
    from tracking.trackers import owntracks_device, owntracks_keys

    device = owntracks_device(session, unit_id=unit_id)
    if device is None:
        return False
    topic = owntracks_cmd_topic(owntracks_root, call_sign, device)
    passphrase = owntracks_keys(session, [unit_id]).get(unit_id)
    try:
        publish_owntracks_job(link, topic=topic, notice=notice, crew_page_url=crew_page_url,
                              passphrase=passphrase)  # fmt: skip
    except ServiceUnavailable as exc:
        log.warning("job notice to %s not sent: %s", call_sign, exc.message)
        return False
    return True
