"""Fleet simulator: units patrol the loaded jurisdictions, report GPS with noise, take jobs.

Each unit acknowledges a job, reports en_route, drives to the incident, reports on_scene,
stays a while, reports cleared and resumes patrol. Up to PER_UNIT_LINKS units each get their
own MQTT connection (with a last will on their /link topic, like a real tracker); larger
fleets share one connection.
"""

from __future__ import annotations

import json
import logging
import math
import queue
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import paho.mqtt.client as mqtt

from core.mqtt import connect, make_client
from core.settings import Settings
from tracking.jobs import unit_topic

log = logging.getLogger("siaga.simulate")
PER_UNIT_LINKS = 100
METRES_PER_DEG = 111_320.0
GPS_NOISE_M = 4.0
ARRIVAL_M = 15.0
# Balikpapan Kota (the demo city) when no jurisdiction is loaded: lon/lat min, lon/lat max.
DEFAULT_AREA = (116.806, -1.281, 116.875, -1.248)


@dataclass
class SimUnit:
    """One simulated unit: position, where it is heading, and what it is doing."""

    call_sign: str
    kind: str
    lon: float
    lat: float
    target: tuple[float, float]
    speed_mps: float
    heading_deg: float = 0.0
    mode: str = "patrol"  # patrol | to_job | on_scene
    job_id: str | None = None
    scene_until: float = 0.0
    next_fix: float = 0.0
    client: mqtt.Client | None = field(default=None, repr=False)


def random_point(
    area: tuple[float, float, float, float], rng: random.Random
) -> tuple[float, float]:
    lon_min, lat_min, lon_max, lat_max = area
    return rng.uniform(lon_min, lon_max), rng.uniform(lat_min, lat_max)


def move(unit: SimUnit, dt_s: float) -> float:
    """Drive toward the target for dt_s seconds; return the remaining distance in metres."""
    coslat = math.cos(math.radians(unit.lat))
    dx = (unit.target[0] - unit.lon) * METRES_PER_DEG * coslat
    dy = (unit.target[1] - unit.lat) * METRES_PER_DEG
    distance = math.hypot(dx, dy)
    if distance < 1e-6:
        return 0.0
    unit.heading_deg = math.degrees(math.atan2(dx, dy)) % 360
    step = min(distance, unit.speed_mps * dt_s)
    unit.lon += dx / distance * step / (METRES_PER_DEG * coslat)
    unit.lat += dy / distance * step / METRES_PER_DEG
    return distance - step


def fix_payload(unit: SimUnit, rng: random.Random, now: float) -> bytes:
    """The project's fix JSON with Gaussian GPS noise."""
    noise_m = GPS_NOISE_M
    lon = unit.lon + rng.gauss(0, noise_m) / (METRES_PER_DEG * math.cos(math.radians(unit.lat)))
    lat = unit.lat + rng.gauss(0, noise_m) / METRES_PER_DEG
    moving = unit.mode != "on_scene"
    body = {
        "lon": round(lon, 7),
        "lat": round(lat, 7),
        "fixed_at": round(now, 3),
        "speed_mps": round(unit.speed_mps * rng.uniform(0.85, 1.1), 2) if moving else 0.0,
        "heading_deg": round(unit.heading_deg, 1),
        "accuracy_m": round(rng.uniform(3.0, 10.0), 1),
    }
    return json.dumps(body).encode()


class Fleet:
    """The simulated fleet and its MQTT links."""

    def __init__(
        self,
        settings: Settings,
        units: list[SimUnit],
        *,
        interval_s: float,
        dwell_s: float,
        seed: int,
    ) -> None:
        self.settings = settings
        self.units = {u.call_sign: u for u in units}
        self.interval_s = interval_s
        self.dwell_s = dwell_s
        self.rng = random.Random(seed)
        self.jobs: queue.SimpleQueue[tuple[str, dict]] = queue.SimpleQueue()
        self.clients: list[mqtt.Client] = []

    def topic(self, unit: SimUnit, kind: str) -> str:
        return unit_topic(self.settings.mqtt_topic_root, unit.call_sign, kind)

    def _client(self, client_id: str, will_unit: SimUnit | None) -> mqtt.Client:
        client, target, props = make_client(self.settings.mqtt_dsn(), client_id, persistent=False)
        if will_unit is not None:
            client.will_set(self.topic(will_unit, "link"), b"offline", qos=1, retain=True)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        client.user_data_set(will_unit)
        connect(client, target, props, persistent=False)
        client.loop_start()
        self.clients.append(client)
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # noqa: ANN001
        units = [userdata] if userdata is not None else list(self.units.values())
        for unit in units:
            client.subscribe(self.topic(unit, "jobs"), qos=1)
            client.publish(self.topic(unit, "link"), b"online", qos=1, retain=True)

    def _on_message(self, client, userdata, msg) -> None:  # noqa: ANN001
        call_sign = msg.topic.rsplit("/", 2)[-2]
        try:
            self.jobs.put((call_sign, json.loads(msg.payload)))
        except ValueError:
            log.warning("ignoring malformed job on %s", msg.topic)

    def start(self) -> None:
        """Open the MQTT links (one per unit for small fleets)."""
        if len(self.units) <= PER_UNIT_LINKS:
            for unit in self.units.values():
                unit.client = self._client(f"siaga-sim-{unit.call_sign}", unit)
        else:
            shared = self._client(f"siaga-sim-{self.rng.getrandbits(32):08x}", None)
            for unit in self.units.values():
                unit.client = shared
        for unit in self.units.values():
            unit.next_fix = time.time() + self.rng.uniform(0, self.interval_s)

    def stop(self) -> None:
        for unit in self.units.values():
            unit.client.publish(self.topic(unit, "link"), b"offline", qos=1, retain=True)  # type: ignore[union-attr]
        for client in self.clients:
            client.disconnect()
            client.loop_stop()

    def publish(self, unit: SimUnit, kind: str, body: dict | bytes) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        unit.client.publish(self.topic(unit, kind), payload, qos=1)  # type: ignore[union-attr]

    def take_jobs(self, now: float) -> None:
        while True:
            try:
                call_sign, job = self.jobs.get_nowait()
            except queue.Empty:
                return
            unit = self.units.get(call_sign)
            if unit is None or "job_id" not in job:
                continue
            stamp = datetime.fromtimestamp(now, UTC).isoformat()
            self.publish(unit, "ack", {"job_id": job["job_id"], "acked_at": stamp})
            self.publish(
                unit, "status", {"status": "en_route", "job_id": job["job_id"], "at": stamp}
            )
            unit.mode, unit.job_id = "to_job", str(job["job_id"])
            unit.target = (float(job["lon"]), float(job["lat"]))
            unit.speed_mps = 16.0 if unit.kind == "R4" else 13.0

    def step(self, unit: SimUnit, dt_s: float, now: float, area: tuple) -> None:
        """Advance one unit by dt_s seconds and publish what it has to say."""
        stamp = datetime.fromtimestamp(now, UTC).isoformat()
        if unit.mode == "on_scene" and now >= unit.scene_until:
            self.publish(unit, "status", {"status": "cleared", "job_id": unit.job_id, "at": stamp})
            unit.mode, unit.job_id = "patrol", None
            unit.target = random_point(area, self.rng)
        elif unit.mode != "on_scene":
            remaining = move(unit, dt_s)
            if unit.mode == "to_job" and remaining <= ARRIVAL_M:
                self.publish(
                    unit, "status", {"status": "on_scene", "job_id": unit.job_id, "at": stamp}
                )
                unit.mode, unit.scene_until = "on_scene", now + self.dwell_s
            elif unit.mode == "patrol" and remaining <= ARRIVAL_M:
                unit.target = random_point(area, self.rng)
                unit.speed_mps = self.rng.uniform(7.0, 13.0)
        if now >= unit.next_fix:
            self.publish(unit, "location", fix_payload(unit, self.rng, now))
            unit.next_fix = now + self.interval_s
