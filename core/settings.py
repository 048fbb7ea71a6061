"""One settings class for every entry point (env prefix SIAGA_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import SetupError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Settings read from SIAGA_* environment variables; built at entry points only."""

    model_config = SettingsConfigDict(env_prefix="SIAGA_", extra="ignore")

    # Unset: use the embedded cluster/broker that `siaga services up` runs under state_dir.
    database_url: str | None = None
    mqtt_url: str | None = None
    # False in the Docker image: PostGIS and the broker are other containers, so a process
    # without SIAGA_DATABASE_URL / SIAGA_MQTT_URL fails naming it instead of falling back to
    # embedded ones (docker-compose.yml gives a broker URL only to services that use one).
    embedded_services: bool = True
    # Docker: the file the broker service reads the units' own accounts from (the broker-units
    # volume; deploy/nats/broker.sh reloads on a change); set, `siaga units credentials` writes
    # it instead of an embedded broker's files.
    broker_units_file: Path | None = None
    # The ingest workers read the broker's JetStream over NATS (tracking/ingest_stream.py):
    # nats://user:password@host:port; unset, the MQTT broker's host and user on its NATS port.
    nats_url: str | None = None
    state_dir: Path = PROJECT_ROOT / ".state"
    pg_port: int = Field(55432, ge=1, le=65535)
    mqtt_port: int = Field(51883, ge=1, le=65535)
    # The embedded nats-server's own client and monitoring ports (127.0.0.1 only); unset,
    # they follow SIAGA_MQTT_PORT (1,000 and 2,000 below it), so one setting moves all three.
    nats_port: int | None = Field(None, ge=1, le=65535)
    nats_monitor_port: int | None = Field(None, ge=1, le=65535)
    # Broker limits: largest message (bytes), QoS 1 redelivery delay (s) and messages in
    # flight to one subscription (the ingest acks only after its batch is committed). A
    # session's subscriptions share 65,535 MQTT packet ids: four of this size fit in one.
    mqtt_max_payload_bytes: int = Field(65536, ge=1024, le=8 * 1024 * 1024)
    mqtt_ack_wait_s: int = Field(10, ge=1, le=3600)
    mqtt_max_ack_pending: int = Field(16000, ge=1, le=16383)
    pg_bin_dir: Path = Path("/usr/lib/postgresql/15/bin")

    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=1, le=65535)
    shared_data_dir: Path = PROJECT_ROOT.parent / "shared" / "data"
    tile_url: str = ""
    # Every MQTT topic of the platform lives under this root (tests use their own root).
    mqtt_topic_root: str = "siaga"

    # Seconds without a heartbeat before the ingest worker counts as down.
    ingest_heartbeat_timeout_s: float = 15.0
    # Tracking: a fix older than this is stale (the unit is not available for recommendation).
    unit_fix_stale_s: float = Field(120.0, gt=0)
    # Ingest: worker processes (partitions of the units: each stores its own units' messages),
    # messages per database batch and the longest wait to fill one.
    ingest_workers: int = Field(1, ge=1, le=64)
    ingest_batch_size: int = Field(5000, ge=1)
    ingest_flush_s: float = Field(0.02, gt=0)
    # Ingest filters: fix age window, accuracy and implied speed limits.
    ingest_max_fix_age_s: float = Field(2 * 86400.0, gt=0)
    ingest_max_future_s: float = Field(60.0, ge=0)
    ingest_max_accuracy_m: float = Field(1000.0, gt=0)
    ingest_max_speed_mps: float = Field(90.0, gt=0)
    # HTTP trackers: the shared secret a Traccar server sends with the positions and events it
    # forwards (forward.header "Authorization: Bearer <secret>"); unset, forwarding is refused.
    traccar_forward_secret: str | None = None
    # The address phones reach Siaga's tracker input at (e.g. https://siaga.polres.example);
    # set, a new Traccar Client device gets a configuration URL and QR code for the app.
    trackers_public_url: str = ""
    # The trackers' own listener (`siaga trackers-http`): Traccar's usual port for OsmAnd.
    trackers_http_host: str = "127.0.0.1"
    trackers_http_port: int = Field(5055, ge=1, le=65535)
    # An HTTP tracker (Traccar Client, a Traccar server's device) holds no connection and leaves
    # no will: its link goes down after this long without a fix (tracking/link_freshness.py).
    # Traccar Client set up by Siaga's QR code reports every 30 s and at least once a minute.
    tracker_http_silence_s: float = Field(180.0, gt=0)
    # A tracker's SOS repeated within this many seconds of its last report is the same alert.
    tracker_alarm_window_s: float = Field(600.0, gt=0)
    # The crew page as the phones reach it (e.g. https://siaga.polres.example/unit): the link
    # in the job notice an OwnTracks app (iOS) shows; unset, the notice only names the page.
    crew_page_url: str = ""
    # Ingest limits: the largest tracker message decoded (below the broker's own limit, which
    # closes the connection; this one only rejects and counts the message), and the window in
    # which a repeated /ack or /status message (same topic and payload) counts as a duplicate.
    ingest_max_payload_bytes: int = Field(16384, ge=256)
    ingest_event_dedup_s: float = Field(600.0, ge=0)
    # OwnTracks apps publish under this root (`owntracks/<broker user>/<device>`).
    owntracks_topic_root: str = Field("owntracks", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")
    # Security: API access tokens live this long; the signing key is SIAGA_AUTH_SECRET or a
    # secret generated once under state_dir/api (never in the code).
    auth_token_ttl_s: int = Field(1800, ge=60, le=86400)
    auth_secret: str | None = None
    # A console's refresh token keeps it logged in this long (a 12-hour shift and a margin);
    # a commander's read-only wall credential this long. Both rotate at every refresh.
    auth_refresh_ttl_s: int = Field(13 * 3600, ge=300)
    auth_wall_ttl_s: int = Field(30 * 86400, ge=3600)
    # A GET reuses its token's checked access this long (0: check every request); a change to
    # users or jurisdictions empties every API process's cache at once (api/access_cache.py).
    auth_cache_ttl_s: float = Field(10.0, ge=0, le=300)
    # Failed logins per window: this many per user name at one address, 4x per address; 10x
    # per user name over all addresses is alerted and admits only addresses known to the user.
    auth_max_failed_logins: int = Field(5, ge=1)
    auth_failed_login_window_s: int = Field(300, ge=1)
    log_level: str = "INFO"
    # SPKT: the largest evidence file a desk may attach (phone photos are several MB); the
    # upload is spooled to disk and stored in 1 MiB chunks, never held whole in memory.
    spkt_attachment_max_bytes: int = Field(20_000_000, ge=1000, le=200_000_000)
    # Dispatch: Polres must accept within this, else Polda gets the incident back.
    dispatch_accept_timeout_s: float = Field(120.0, gt=0)
    # Dispatch: a job not acknowledged within this is re-sent, up to job_max_sends, then alerted.
    dispatch_ack_timeout_s: float = Field(20.0, gt=0)
    dispatch_job_max_sends: int = Field(2, ge=1)
    # Dispatch: GPS arrival = within radius, accuracy at most max_accuracy, for dwell seconds.
    dispatch_arrival_radius_m: float = Field(75.0, gt=0)
    dispatch_arrival_dwell_s: float = Field(20.0, ge=0)
    dispatch_arrival_max_accuracy_m: float = Field(50.0, gt=0)
    # Roads: OSRM data that `siaga roads build` writes (default state_dir/roads); the OSM
    # extract setup/demo build from (empty: data/demo/balikpapan_kota_drive.osm.pbf if the repo has
    # it, else the shared Balikpapan Kota extract; relative paths are under shared_data_dir);
    # the vehicle profiles file (empty: roads/speeds.toml).
    roads_dir: Path | None = None
    roads_pbf: str = ""
    roads_speeds_file: Path | None = None
    # Jurisdictions: a point in no polygon (sea, river, gap) takes the nearest jurisdiction
    # within this distance; 22,224 m is the 12-nautical-mile territorial sea.
    jurisdiction_nearest_max_m: float = Field(22224.0, ge=0)
    # Size of the simulated fleet `siaga demo` starts.
    demo_units: int = Field(40, ge=0, le=100000)
    # Piket: shift length, forward acknowledgement deadlines (a crime's forward is urgent),
    # and the daily report: the piket day starts at the morning hand-over (local time) and
    # the report of the 24 hours before is due to the Direktur at piket_report_due (local).
    piket_shift_hours: int = Field(12, ge=1, le=24)
    piket_forward_ack_timeout_s: float = Field(600.0, gt=0)
    piket_urgent_forward_ack_timeout_s: float = Field(180.0, gt=0)
    piket_day_start: str = Field("08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    piket_report_due: str = Field("09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    @model_validator(mode="after")
    def _payload_limits(self) -> Settings:
        if self.ingest_max_payload_bytes > self.mqtt_max_payload_bytes:
            raise ValueError(
                "SIAGA_INGEST_MAX_PAYLOAD_BYTES must not exceed SIAGA_MQTT_MAX_PAYLOAD_BYTES"
            )
        return self

    def database_dsn(self) -> str:
        """SQLAlchemy URL: SIAGA_DATABASE_URL, or the embedded cluster's."""
        if self.database_url:
            return self.database_url
        if not self.embedded_services:
            raise SetupError("SIAGA_DATABASE_URL is not set (and there is no embedded cluster)")
        from core.embedded import embedded_database_url

        return embedded_database_url(self)

    def mqtt_dsn(self, account: str = "service") -> str:
        """MQTT URL (mqtt://user:password@host:port): SIAGA_MQTT_URL, or the embedded broker's.

        account: the embedded broker's account of the calling process (SERVICE_ACCOUNTS in
        core/embedded_broker.py, each with its own ACL); SIAGA_MQTT_URL is used for all of them
        when set (docker-compose.yml gives each service its own).
        """
        if self.mqtt_url:
            return self.mqtt_url
        if not self.embedded_services:
            raise SetupError(
                "SIAGA_MQTT_URL is not set: this process has no broker account (and there is "
                "no embedded broker)"
            )
        from core.embedded_broker import embedded_mqtt_url

        return embedded_mqtt_url(self, account)

    @property
    def uses_embedded_db(self) -> bool:
        return not self.database_url and self.embedded_services

    @property
    def nats_client_port(self) -> int:
        return self.nats_port or self._beside_mqtt(1000)

    @property
    def nats_http_port(self) -> int:
        return self.nats_monitor_port or self._beside_mqtt(2000)

    def _beside_mqtt(self, offset: int) -> int:
        return self.mqtt_port - offset if self.mqtt_port > 3000 else self.mqtt_port + offset

    @property
    def uses_embedded_mqtt(self) -> bool:
        return not self.mqtt_url and self.embedded_services


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
