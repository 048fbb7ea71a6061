"""The unit page's data: the crew's current job, and the phone's location sent as a fix."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound, ServiceUnavailable
from core.mqtt import BrokerLink
from core.settings import Settings
from roads.service import local_hour, roads_for, route_to
from tracking.jobs import unit_topic

UNIT_SQL = text("""
SELECT u.id, u.call_sign, u.kind, u.status, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
       p.fixed_at
FROM units u LEFT JOIN unit_positions_latest p ON p.unit_id = u.id
WHERE u.id = :unit_id
""")
JOB_SQL = text("""
SELECT a.id, a.incident_id, a.job_id, a.status, a.eta_s, a.assigned_at,
       i.category, i.priority, i.description, i.address, i.location_description, i.timezone,
       i.caller_name, i.caller_phone,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat,
       ST_Distance(i.geom::geography, p.geom::geography) AS distance_m
FROM assignments a
JOIN incidents i ON i.id = a.incident_id
LEFT JOIN unit_positions_latest p ON p.unit_id = a.unit_id
WHERE a.unit_id = :unit_id AND a.released_at IS NULL AND a.status <> 'cancelled'
ORDER BY a.assigned_at DESC
LIMIT 1
""")


def current_job(session: Session, *, unit_id: int) -> dict[str, Any]:
    """The unit (with its latest fix) and its active assignment with the incident, if any."""
    unit = session.execute(UNIT_SQL, {"unit_id": unit_id}).mappings().one_or_none()
    if unit is None:
        raise NotFound(f"unit {unit_id} tidak ada", field="unit_id")
    job = session.execute(JOB_SQL, {"unit_id": unit_id}).mappings().one_or_none()
    unit_out = dict(unit) | {"fixed_at": unit["fixed_at"].isoformat() if unit["fixed_at"] else None}
    if job is None:
        return {"unit": unit_out, "job": None}
    job_out = dict(job) | {"assigned_at": job["assigned_at"].isoformat()}
    job_out["incident"] = {
        k: job[k]
        for k in (
            "category",
            "priority",
            "description",
            "address",
            "location_description",
            "lon",
            "lat",
            "timezone",
            "caller_name",
            "caller_phone",
        )  # fmt: skip
    } | {"id": job["incident_id"]}
    return {"unit": unit_out, "job": job_out}


def attach_road_route(
    view: dict[str, Any], settings: Settings, *, now: datetime | None = None
) -> dict[str, Any]:
    """Add the road route from the unit to its job: the line, ETA and turns of one route call."""
    job, unit = view["job"], view["unit"]
    if job is None or unit["lon"] is None:
        return view
    route = route_to(
        roads_for(settings),
        kind=unit["kind"],
        origin=(unit["lon"], unit["lat"]),
        target=(job["incident"]["lon"], job["incident"]["lat"]),
        hour=local_hour(now or datetime.now(UTC), job["incident"].get("timezone")),
    )
    if route:
        job["route"] = route
    return view


def phone_fix_payload(
    *, lat: float, lon: float, tst: int, acc: float | None, vel_mps: float | None, cog: float | None
) -> bytes:
    """An OwnTracks `_type=location` message (vel in km/h), which the ingest worker accepts."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("koordinat di luar jangkauan", field="lat")
    body: dict[str, Any] = {"_type": "location", "lat": lat, "lon": lon, "tst": tst, "tid": "hp"}
    if acc is not None:
        body["acc"] = round(acc, 1)
    if vel_mps is not None and vel_mps >= 0:
        body["vel"] = round(vel_mps * 3.6, 1)
    if cog is not None:
        body["cog"] = round(cog, 1)
    return json.dumps(body).encode()


def publish_phone_fix(
    session: Session, link: BrokerLink, *, topic_root: str, unit_id: int, payload: bytes
) -> str:
    """Publish the fix on the unit's own location topic at QoS 1; the topic is returned."""
    unit = session.execute(UNIT_SQL, {"unit_id": unit_id}).mappings().one_or_none()
    if unit is None:
        raise NotFound(f"unit {unit_id} tidak ada", field="unit_id")
    topic = unit_topic(topic_root, unit["call_sign"], "location")
    info = link.publish(topic, payload, qos=1)
    if info.rc != mqtt.MQTT_ERR_SUCCESS:
        raise ServiceUnavailable("lokasi tidak terkirim: broker tidak terhubung")
    return topic
