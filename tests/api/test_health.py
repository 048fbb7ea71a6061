from datetime import UTC, datetime

from sqlalchemy import text

from core.heartbeat import record_beat
from tests.conftest import wait_until


def _health(api_client):
    return api_client.get("/health")


def test_health_reports_database_postgis_and_broker(api_client):
    body = wait_until(
        lambda: (r := _health(api_client)).json()["broker"]["ok"] and r.json(),
        message="broker link to connect",
    )
    assert body["database"]["ok"] is True
    assert body["database"]["postgis_version"].startswith("3.")
    assert body["database"]["server_version"].startswith("15")
    assert body["broker"]["ok"] is True


def test_health_degraded_until_an_ingest_worker_beats(api_client, db_session):
    # Other suites run real ingest workers that commit heartbeats; start from none
    # (inside this test's transaction, which is rolled back).
    db_session.execute(text("DELETE FROM service_heartbeats"))
    wait_until(lambda: _health(api_client).json()["broker"]["ok"], message="broker link")
    before = _health(api_client).json()
    assert before["ingest"]["status"] == "not running"
    assert before["status"] == "degraded"

    record_beat(
        db_session,
        service="ingest",
        instance="w1",
        started_at=datetime.now(UTC),
        detail={"stored": 5},
    )
    after = _health(api_client)
    assert after.status_code == 200
    body = after.json()
    assert body["status"] == "ok"
    assert body["ingest"]["workers_alive"] == 1
    assert body["ingest"]["workers"][0]["stored"] == 5
