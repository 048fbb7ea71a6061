"""Per-unit broker credentials against a broker this test starts itself (never the shared one).

A unit's credentials let it publish only on its own topics and read only its own jobs; the
ingest and dispatch accounts are separate; anonymous clients and revoked credentials are refused.
MQTT 3.1.1 has no refusal code in PUBACK: a refused publish is proven by what never arrives at
an authorised subscriber that receives a later marker.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes

from core.embedded import remove_state_dir
from core.embedded_broker import broker_dir, ensure_broker, stop_broker
from core.settings import Settings
from tests.conftest import wait_until
from tests.security.conftest import Tree
from tracking.credentials import apply_to_broker, issue_credentials, revoke_credentials


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def broker(base_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A private broker (own state_dir and port) with the project's config; removed after."""
    state = tmp_path_factory.mktemp("broker")
    own = base_settings.model_copy(
        update={
            "state_dir": state,
            "mqtt_port": _free_port(),
            "nats_port": _free_port(),
            "nats_monitor_port": _free_port(),
            "mqtt_url": None,
            "mqtt_topic_root": f"siaga/acl-{uuid.uuid4().hex[:6]}",
            "owntracks_topic_root": "owntracks",  # the apps' default layout (its own broker)
        }
    )
    try:
        ensure_broker(own)
        yield own
    finally:
        stop_broker(own)
        remove_state_dir(state)


class Probe:
    """A paho 3.1.1 client that records its connect result, SUBACKs, PUBACKs and messages."""

    def __init__(self, port: int, username: str | None, password: str | None) -> None:
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"probe-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv311,
        )
        if username:
            self.client.username_pw_set(username, password)
        self.connect_rc: mqtt.ReasonCode | None = None
        self.messages: list[tuple[str, bytes]] = []
        self.pubacks: set[int] = set()
        self.subacks: list[list[int]] = []
        self.lock = threading.Lock()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = self._on_subscribe
        self.client.on_connect_fail = self._on_connect_fail
        self.client.connect_async("127.0.0.1", port)
        self.client.loop_start()
        wait_until(lambda: self.connect_rc is not None, message="CONNACK")

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # noqa: ANN001
        self.connect_rc = reason_code
        if reason_code.is_failure:
            client.disconnect()

    def _on_connect_fail(self, client, userdata) -> None:  # noqa: ANN001
        self.connect_rc = mqtt.ReasonCode(PacketTypes.CONNACK, "Not authorized")
        client.disconnect()

    def _on_message(self, client, userdata, message) -> None:  # noqa: ANN001
        with self.lock:
            self.messages.append((message.topic, message.payload))

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:  # noqa: ANN001
        self.pubacks.add(mid)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:  # noqa: ANN001
        self.subacks.append([rc.value for rc in reason_codes])

    @property
    def connected(self) -> bool:
        return self.connect_rc is not None and not self.connect_rc.is_failure

    def subscribe(self, *topics: str) -> None:
        count = len(self.subacks)
        self.client.subscribe([(t, 1) for t in topics])
        wait_until(lambda: len(self.subacks) > count, message="SUBACK")

    def publish(self, topic: str, payload: str) -> None:
        """Publish at QoS 1 and wait for the PUBACK (the broker acks refused messages too)."""
        info = self.client.publish(topic, payload, qos=1)
        wait_until(lambda: info.mid in self.pubacks, message=f"PUBACK for {topic}")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _account_password(broker: Settings, account: str) -> str:
    return (broker_dir(broker) / f"{account}_password").read_text().strip()


def _connect_when_reloaded(broker: Settings, username: str, password: str) -> Probe:
    """The broker reloads on SIGHUP asynchronously: retry until the new account works."""
    probes: list[Probe] = []

    def attempt() -> bool:
        probe = Probe(broker.mqtt_port, username, password)
        probes.append(probe)
        return probe.connected

    wait_until(attempt, timeout_s=10, interval_s=0.2, message=f"{username} accepted")
    for probe in probes[:-1]:
        probe.close()
    return probes[-1]


def test_anonymous_and_wrong_passwords_are_refused(broker: Settings) -> None:
    for username, password in [(None, None), ("siaga-ingest", "salah"), ("unit-X", "salah")]:
        probe = Probe(broker.mqtt_port, username, password)
        assert not probe.connected, username
        probe.close()


def test_unit_cannot_act_as_another_unit_or_read_its_jobs(
    broker: Settings,
    db_session,
    tree: Tree,  # noqa: ANN001
) -> None:
    root = broker.mqtt_topic_root
    own, other = tree.unit_call_sign, tree.other_unit_call_sign
    cred, password = issue_credentials(db_session, call_sign=own, issued_by="test")
    issue_credentials(db_session, call_sign=other, issued_by="test")
    assert apply_to_broker(db_session, broker) is True
    unit = _connect_when_reloaded(broker, cred.username, password)
    ingest = Probe(broker.mqtt_port, "siaga-ingest", _account_password(broker, "ingest"))
    dispatch = Probe(broker.mqtt_port, "siaga-dispatch", _account_password(broker, "dispatch"))
    try:
        assert ingest.connected and dispatch.connected
        ingest.subscribe(f"{root}/units/+/location", f"{root}/units/+/status")
        unit.subscribe(f"{root}/units/{own}/jobs", f"{root}/units/{other}/jobs", f"{root}/#")

        # Subscribing to another unit's jobs is refused (SUBACK failure), its own granted.
        assert unit.subacks[-1][:2] == [1, 0x80]
        # Publishing as the other unit is refused; on its own topics it is accepted.
        unit.publish(f"{root}/units/{other}/location", "forged")
        unit.publish(f"{root}/units/{other}/status", "forged")
        unit.publish(f"{root}/units/{own}/jobs", "self-assigned")
        unit.publish(f"{root}/units/{own}/location", "genuine")
        # Only dispatch sends jobs; the unit reads its own only.
        ingest.publish(f"{root}/units/{own}/jobs", "not-dispatch")
        dispatch.publish(f"{root}/units/{other}/location", "not-a-unit")
        dispatch.publish(f"{root}/units/{other}/jobs", "job-for-other")
        dispatch.publish(f"{root}/units/{own}/jobs", "job-for-own")

        wait_until(lambda: (f"{root}/units/{own}/jobs", b"job-for-own") in unit.messages)
        wait_until(lambda: ingest.messages, message="genuine fix")
        unit.publish(f"{root}/units/{own}/status", "marker")
        wait_until(lambda: len(ingest.messages) >= 2, message="marker at ingest")
        # Overlapping subscriptions each get a copy; what matters is which topics arrive.
        assert set(unit.messages) == {(f"{root}/units/{own}/jobs", b"job-for-own")}
        assert ingest.messages == [
            (f"{root}/units/{own}/location", b"genuine"),
            (f"{root}/units/{own}/status", b"marker"),
        ]
    finally:
        for probe in (unit, ingest, dispatch):
            probe.close()


def test_unit_owntracks_app_publishes_only_under_its_own_account(
    broker: Settings,
    db_session,
    tree: Tree,  # noqa: ANN001
) -> None:
    """OwnTracks' default layout owntracks/<user>/<device>: <user> is the unit's broker account."""
    own, other = tree.unit_call_sign, tree.other_unit_call_sign
    cred, password = issue_credentials(db_session, call_sign=own, issued_by="test")
    apply_to_broker(db_session, broker)
    app = _connect_when_reloaded(broker, cred.username, password)
    ingest = Probe(broker.mqtt_port, "siaga-ingest", _account_password(broker, "ingest"))
    try:
        ingest.subscribe("owntracks/#")
        assert ingest.subacks[-1] == [1]
        # The app's own subscriptions: its /cmd is granted, everyone's locations are not.
        app.subscribe(f"owntracks/{cred.username}/hp/cmd", "owntracks/+/+")
        assert app.subacks[-1] == [1, 0x80]
        app.publish(f"owntracks/unit-{other}/hp", "forged")
        app.publish("owntracks/bripda/hp", "not-an-account")
        app.publish(f"owntracks/{cred.username}/hp", "genuine")
        app.publish(f"owntracks/{cred.username}/hp/event", "marker")
        wait_until(lambda: len(ingest.messages) >= 2, message="marker at ingest")
        assert ingest.messages == [
            (f"owntracks/{cred.username}/hp", b"genuine"),
            (f"owntracks/{cred.username}/hp/event", b"marker"),
        ]
    finally:
        for probe in (app, ingest):
            probe.close()


def test_revoked_credentials_are_refused_and_files_are_private(
    broker: Settings,
    db_session,
    tree: Tree,  # noqa: ANN001
) -> None:
    cred, password = issue_credentials(db_session, call_sign=tree.unit_call_sign)
    apply_to_broker(db_session, broker)
    _connect_when_reloaded(broker, cred.username, password).close()
    revoke_credentials(db_session, call_sign=tree.unit_call_sign)
    apply_to_broker(db_session, broker)

    def refused() -> bool:
        probe = Probe(broker.mqtt_port, cred.username, password)
        probe.close()
        return not probe.connected

    wait_until(refused, timeout_s=10, interval_s=0.2, message="revoked credentials refused")
    folder: Path = broker_dir(broker)
    for name in ("auth.conf", "units.users", "ingest_password"):
        assert (folder / name).stat().st_mode & 0o077 == 0, name
    assert password not in (folder / "auth.conf").read_text()
    assert cred.username not in (folder / "auth.conf").read_text()


def test_broker_internal_subjects_are_not_reachable_as_topics(
    broker: Settings,
    db_session,
    tree: Tree,  # noqa: ANN001
) -> None:
    """Units may subscribe to the broker's QoS 1 delivery subjects (the MQTT listener needs
    it), but never through a topic: another session's deliveries cannot be read."""
    root = broker.mqtt_topic_root
    cred, password = issue_credentials(db_session, call_sign=tree.unit_call_sign)
    apply_to_broker(db_session, broker)
    spy = _connect_when_reloaded(broker, cred.username, password)
    service = Probe(broker.mqtt_port, "siaga-service", _account_password(broker, "service"))
    try:
        spy.subscribe("$MQTT/sub/#", "$MQTT/#", "#")
        assert spy.subacks[-1][:2] == [0x80, 0x80]
        service.subscribe(f"{root}/units/+/location")
        service.publish(f"{root}/units/X/location", "secret")
        wait_until(lambda: service.messages, message="delivery to the service account")
        spy.publish(f"{root}/units/{tree.unit_call_sign}/location", "marker")
        wait_until(lambda: len(service.messages) >= 2, message="marker")
        assert spy.messages == []
    finally:
        spy.close()
        service.close()


def test_platform_accounts_reach_only_their_process_topics(broker: Settings) -> None:
    """The API, the trackers' input, dispatch and the simulator have their own accounts, each
    with only what its code publishes or reads (core/embedded_broker.service_users)."""
    root = broker.mqtt_topic_root
    unit = f"{root}/units/P1"
    accounts = ("api", "trackers", "dispatch", "simulator", "ingest")
    probe = {
        a: Probe(broker.mqtt_port, f"siaga-{a}", _account_password(broker, a)) for a in accounts
    }
    try:
        assert all(p.connected for p in probe.values())
        for account in ("api", "trackers", "dispatch"):  # publishers only
            probe[account].subscribe(f"{root}/units/+/jobs", f"{root}/units/+/ack")
            assert probe[account].subacks[-1] == [0x80, 0x80], account
        probe["simulator"].subscribe(f"{unit}/jobs", f"{unit}/location")
        assert probe["simulator"].subacks[-1] == [1, 0x80]
        probe["ingest"].subscribe(f"{root}/units/+/+")
        probe["trackers"].publish(f"{unit}/jobs", "forged-by-trackers")
        probe["simulator"].publish(f"{unit}/jobs", "self-assigned")
        probe["dispatch"].publish(f"{unit}/location", "not-a-tracker")
        probe["api"].publish(f"{unit}/ack", "not-the-crew")
        probe["api"].publish(f"{unit}/jobs", "job")
        probe["api"].publish(f"{unit}/location", "phone-fix")
        probe["trackers"].publish(f"{unit}/location", "http-fix")
        probe["trackers"].publish(f"{unit}/link", "online")
        probe["simulator"].publish(f"{unit}/ack", "acked")
        probe["dispatch"].publish(f"{unit}/jobs", "resent")
        probe["simulator"].publish(f"{unit}/status", "marker")
        wait_until(lambda: (f"{unit}/status", b"marker") in probe["ingest"].messages)
        assert probe["ingest"].messages == [
            (f"{unit}/jobs", b"job"),
            (f"{unit}/location", b"phone-fix"),
            (f"{unit}/location", b"http-fix"),
            (f"{unit}/link", b"online"),
            (f"{unit}/ack", b"acked"),
            (f"{unit}/jobs", b"resent"),
            (f"{unit}/status", b"marker"),
        ]
        wait_until(lambda: len(probe["simulator"].messages) >= 2, message="jobs at the simulator")
        assert probe["simulator"].messages == [
            (f"{unit}/jobs", b"job"),
            (f"{unit}/jobs", b"resent"),
        ]
    finally:
        for client in probe.values():
            client.close()
