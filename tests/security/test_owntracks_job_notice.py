"""A job assigned to an OwnTracks unit reaches its app as a notice on the device's /cmd topic:
through the real API, the API's own broker account and a broker this test starts (with the
project's accounts), to a client logged in as the unit, as the app is. Sealed with the unit's
key when it has one, as the app expects; nothing is sent while the Device ID is unknown."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from nacl.secret import SecretBox

from core.settings import Settings
from tests.conftest import make_auth_headers, wait_until
from tests.security.brokers import Probe, connect_when_reloaded, private_broker
from tests.security.conftest import Tree
from tracking.credentials import apply_to_broker, issue_credentials
from tracking.decode import owntracks_key

KEY = "kunci-hp-patroli"
CREW_PAGE = "https://siaga.polres.example/unit"


@pytest.fixture(scope="module")
def own_broker(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The test settings with a private broker (own state_dir and port), removed after."""
    state = tmp_path_factory.mktemp("notice-broker")
    extra = {"crew_page_url": CREW_PAGE, "auth_cache_ttl_s": 0}
    with private_broker(settings, state, "notice", **extra) as own:
        yield own


@pytest.fixture
def api(own_broker: Settings, db_session) -> Iterator[TestClient]:
    from api.app import create_app
    from api.deps import get_read_session, get_session

    app = create_app(own_broker)
    app.dependency_overrides[get_session] = lambda: db_session
    app.dependency_overrides[get_read_session] = lambda: db_session
    with TestClient(app) as client:
        wait_until(app.state.broker.client.is_connected, 15, message="API broker link")
        client.headers.update(make_auth_headers(own_broker, db_session, "admin"))
        yield client


def assign(api: TestClient, unit_id: int) -> int:
    """An incident in the unit's Polsek, validated, with the unit assigned: its id."""
    body = {"caller_name": "Siti", "caller_phone": "081298765432",
            "category": "kecelakaan_lalu_lintas", "priority": 1,
            "description": "Tabrakan dua motor", "address": "Jl. Uji Timur",
            "lon": 116.05, "lat": -1.25}  # fmt: skip
    incident = api.post("/api/incidents", json=body)
    assert incident.status_code == 201, incident.text
    incident_id = incident.json()["id"]
    valid = api.post(f"/api/incidents/{incident_id}/validate", json={"validity": "valid"})
    assert valid.status_code == 200, valid.text
    assigned = api.post(f"/api/incidents/{incident_id}/assignments", json={"unit_ids": [unit_id]})
    assert assigned.status_code == 201, assigned.text
    return incident_id


def test_a_job_for_an_owntracks_unit_reaches_its_app_on_the_cmd_topic(
    own_broker: Settings, api: TestClient, db_session, tree: Tree
):
    cred, password = issue_credentials(db_session, call_sign=tree.unit_call_sign)
    assert apply_to_broker(db_session, own_broker) is True
    phone = connect_when_reloaded(own_broker, cred.username, password)
    cmd_topic = f"owntracks/{cred.username}/hp/cmd"
    try:
        phone.subscribe(cmd_topic)
        assert phone.subacks[-1] == [1]
        url = f"/api/units/{tree.unit}"
        assert api.put(f"{url}/owntracks-key", json={"owntracks_key": KEY}).status_code == 200
        device = api.put(f"{url}/owntracks-device", json={"device": "hp"})
        assert device.status_code == 200 and device.json()["device"] == "hp"
        incident_id = assign(api, tree.unit)
        wait_until(lambda: phone.messages, 15, message="job notice on the app's /cmd topic")
        [(topic, payload)] = phone.messages
        assert topic == cmd_topic
        sealed = json.loads(payload)
        assert sealed["_type"] == "encrypted" and KEY not in payload.decode()
        plain = SecretBox(owntracks_key(KEY)).decrypt(base64.b64decode(sealed["data"]))
        cmd = json.loads(plain)
        assert cmd["_type"] == "cmd" and cmd["action"] == "action"
        assert cmd["url"] == CREW_PAGE and cmd["extern"] is True
        assert f"#{incident_id}" in cmd["notification"]
        assert (
            "Kecelakaan lalu lintas" in cmd["notification"]
            and "Jl. Uji Timur" in cmd["notification"]
        )
        # The crew page still carries the job and its acknowledgement.
        log = api.get(f"/api/incidents/{incident_id}/log").json()
        assert any("halaman unit" in str(entry) for entry in log), log
    finally:
        phone.close()


def test_no_notice_while_the_app_s_device_id_is_unknown(
    own_broker: Settings, api: TestClient, db_session, tree: Tree
):
    cred, password = issue_credentials(db_session, call_sign=tree.unit_call_sign)
    assert apply_to_broker(db_session, own_broker) is True
    phone = connect_when_reloaded(own_broker, cred.username, password)
    ingest_topic = "owntracks/#"
    watcher = Probe(own_broker.mqtt_port, *_ingest(own_broker))
    try:
        watcher.subscribe(ingest_topic)
        url = f"/api/units/{tree.unit}"
        # An OwnTracks unit (its key set) whose Device ID nobody recorded: nothing to send to.
        assert api.put(f"{url}/owntracks-key", json={"owntracks_key": KEY}).status_code == 200
        assert api.get(f"{url}/owntracks-key").json()["device"] is None
        assign(api, tree.unit)
        # A marker through the same broker proves the watcher would have seen a notice.
        phone.publish(f"owntracks/{cred.username}/hp/event", "marker")
        wait_until(lambda: watcher.messages, 15, message="marker")
        assert [t for t, _ in watcher.messages] == [f"owntracks/{cred.username}/hp/event"]
    finally:
        phone.close()
        watcher.close()


def _ingest(broker: Settings) -> tuple[str, str]:
    from core.embedded_broker import broker_dir

    return "siaga-ingest", (broker_dir(broker) / "ingest_password").read_text().strip()
