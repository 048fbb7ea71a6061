"""Fleet simulator: units drive engine routes between patrol posts, report GPS, take jobs.

Each unit acknowledges a job, reports en_route, drives the OSRM route to the incident at its
profile's speeds (times the peak factor in the area's local peak hours, as the ETA has),
waits there a while and reports cleared, then drives back to patrolling. It never reports
on_scene: arrival is what the dispatch worker reads from its GPS fixes (a crew can still
press the button). Up to PER_UNIT_LINKS units each get their own MQTT connection (with a
last will on their /link topic, like a real tracker); larger fleets share one connection.
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
from roads.service import local_hour
from tracking.driving import Drive, Planner
from tracking.jobs import unit_topic

log = logging.getLogger("siaga.simulate")
PER_UNIT_LINKS = 100
METRES_PER_DEG = 111_320.0
GPS_NOISE_M = 4.0
POSTS_PER_UNIT = 3
# At a post: a patrol stop of this many seconds (random in the range) before the next post.
POST_STOP_S = (30.0, 180.0)
# Balikpapan Kota (the demo city) when no jurisdiction is loaded: lon/lat min, lon/lat max.
DEFAULT_AREA = (116.806, -1.281, 116.875, -1.248)


@dataclass
class SimUnit:
    """One simulated unit: position, the drive it is on, and what it is doing."""

    call_sign: str
    kind: str
    lon: float
    lat: float
    posts: list[tuple[float, float]] = field(default_factory=list)
    speed_mps: float = 0.0
    heading_deg: float = 0.0
    mode: str = "patrol"  # patrol | to_job | at_scene | at_post
    drive: Drive | None = None
    post_index: int = 0
    job_id: str | None = None
    wait_until: float = 0.0
    next_fix: float = 0.0
    client: mqtt.Client | None = field(default=None, repr=False)

    def advance(self, now: float) -> bool:
        """Move along the current drive to where it is at `now`; True once it has arrived."""
        if self.drive is None:
            self.speed_mps = 0.0
            return True
        (self.lon, self.lat), self.heading_deg, self.speed_mps, arrived = self.drive.state(now)
        return arrived


def random_point(
    area: tuple[float, float, float, float], rng: random.Random
) -> tuple[float, float]:
    lon_min, lat_min, lon_max, lat_max = area
    return rng.uniform(lon_min, lon_max), rng.uniform(lat_min, lat_max)


def fix_payload(unit: SimUnit, rng: random.Random, now: float) -> bytes:
    """The project's fix JSON with Gaussian GPS noise."""
    noise_m = GPS_NOISE_M
    lon = unit.lon + rng.gauss(0, noise_m) / (METRES_PER_DEG * math.cos(math.radians(unit.lat)))
    lat = unit.lat + rng.gauss(0, noise_m) / METRES_PER_DEG
    body = {
        "lon": round(lon, 7),
        "lat": round(lat, 7),
        "fixed_at": round(now, 3),
        "speed_mps": round(unit.speed_mps * rng.uniform(0.95, 1.05), 2),
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
        planner: Planner,
        timezone: str | None = None,
    ) -> None:
        self.settings = settings
        self.timezone = timezone  # of the patrolled area: peak hours are local hours
        self.units = {u.call_sign: u for u in units}
        self.interval_s = interval_s
        self.dwell_s = dwell_s
        self.rng = random.Random(seed)
        self.planner = planner
        self.jobs: queue.SimpleQueue[tuple[str, dict]] = queue.SimpleQueue()
        self.clients: list[mqtt.Client] = []

    def topic(self, unit: SimUnit, kind: str) -> str:
        return unit_topic(self.settings.mqtt_topic_root, unit.call_sign, kind)

    def _client(self, client_id: str, will_unit: SimUnit | None) -> mqtt.Client:
        client, target, props = make_client(
            self.settings.mqtt_dsn("simulator"), client_id, persistent=False
        )
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
            self.drive_to(unit, (float(job["lon"]), float(job["lat"])), now)

    def drive_to(self, unit: SimUnit, target: tuple[float, float], now: float) -> None:
        """Set off along the engine's route, at the profile's speeds for the local hour."""
        hour = local_hour(datetime.fromtimestamp(now, UTC), self.timezone)
        unit.drive = self.planner.drive(unit.kind, (unit.lon, unit.lat), target, now, hour=hour)

    def next_post(self, unit: SimUnit, now: float) -> None:
        """Drive on to the unit's next patrol post."""
        if not unit.posts:
            unit.drive = None
            return
        unit.post_index = (unit.post_index + 1) % len(unit.posts)
        unit.mode = "patrol"
        self.drive_to(unit, unit.posts[unit.post_index], now)

    def step(self, unit: SimUnit, now: float) -> None:
        """Advance one unit to `now` and publish what it has to say."""
        if unit.mode in ("at_scene", "at_post"):
            if now >= unit.wait_until:
                if unit.mode == "at_scene":
                    stamp = datetime.fromtimestamp(now, UTC).isoformat()
                    body = {"status": "cleared", "job_id": unit.job_id, "at": stamp}
                    self.publish(unit, "status", body)
                    unit.job_id = None
                self.next_post(unit, now)
        elif unit.advance(now):
            # Arrived. No on_scene report: the dispatch worker sees the arrival in the fixes.
            if unit.mode == "to_job":
                unit.mode, unit.wait_until = "at_scene", now + self.dwell_s
            else:
                unit.mode, unit.wait_until = "at_post", now + self.rng.uniform(*POST_STOP_S)
        if now >= unit.next_fix:
            self.publish(unit, "location", fix_payload(unit, self.rng, now))
            unit.next_fix = now + self.interval_s
