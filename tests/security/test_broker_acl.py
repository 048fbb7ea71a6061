"""Per-unit broker credentials against a broker this test starts itself (never the shared one).

A unit's credentials let it publish only on its own topics and read only its own jobs; the
ingest and dispatch accounts are separate; anonymous clients and revoked credentials are refused.
MQTT 3.1.1 has no refusal code in PUBACK: a refused publish is proven by what never arrives at
an authorised subscriber that receives a later marker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.embedded_broker import broker_dir
from core.settings import Settings
from tests.conftest import wait_until
from tests.security.brokers import Probe, connect_when_reloaded, private_broker
from tests.security.conftest import Tree
from tracking.credentials import apply_to_broker, issue_credentials, revoke_credentials


@pytest.fixture(scope="module")
def broker(base_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A private broker (own state_dir and port) with the project's config; removed after."""
    with private_broker(base_settings, tmp_path_factory.mktemp("broker"), "acl") as own:
        yield own


def _account_password(broker: Settings, account: str) -> str:
    return (broker_dir(broker) / f"{account}_password").read_text().strip()


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
    unit = connect_when_reloaded(broker, cred.username, password)
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
    app = connect_when_reloaded(broker, cred.username, password)
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
    connect_when_reloaded(broker, cred.username, password).close()
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
    spy = connect_when_reloaded(broker, cred.username, password)
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
