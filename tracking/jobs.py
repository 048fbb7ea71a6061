"""Job push to units: dispatch publishes a job on the unit's /jobs topic at QoS 1."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt

from core.errors import InvalidInput, ServiceUnavailable
from core.mqtt import BrokerLink

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
