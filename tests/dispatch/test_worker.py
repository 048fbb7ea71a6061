"""The dispatch worker loop on committed rows: escalation timer fires, heartbeat recorded."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.heartbeat import list_beats
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident
from dispatch.models import Incident
from dispatch.schemas import IncidentCreate
from dispatch.worker import run_worker
from tests.conftest import wait_until
from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, incident_body, make_area, purge


def test_worker_escalates_an_unaccepted_offer(engine, settings) -> None:  # noqa: ANN001
    with Session(engine) as session:
        area = make_area(session, shift_lon=6.0)  # far from every other test's rows
        phone = f"08{uuid.uuid4().int % 10**9:09d}"
        body = incident_body(caller_phone=phone, lon=INCIDENT_LON + 6.0, lat=INCIDENT_LAT)
        incident = create_incident(session, data=IncidentCreate(**body), actor="op")
        validate_incident(
            session, incident_id=incident.id, validity="valid", actor="op", accept_timeout_s=0.5
        )
        session.commit()
        incident_id, area_ids = incident.id, area.ids()
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker, args=(settings,), kwargs={"tick_s": 0.2, "stop": stop}
    )
    worker.start()
    try:

        def escalated() -> bool:
            with Session(engine) as session:
                return session.get(Incident, incident_id).status == "escalated"

        wait_until(escalated, timeout_s=15, message="worker escalation")
        with Session(engine) as session:
            wait_until(lambda: list_beats(session, "dispatch"), timeout_s=10, message="heartbeat")
    finally:
        stop.set()
        worker.join(10)
        with Session(engine) as session:
            session.execute(text("DELETE FROM service_heartbeats WHERE service = 'dispatch'"))
            purge(session, incident_ids=[incident_id], jurisdiction_ids=area_ids)
    assert not worker.is_alive()


def test_committing_tests_leave_nothing_behind(engine) -> None:  # noqa: ANN001
    """Runs after test_assign and the worker test (file order): their rows are gone."""
    with Session(engine) as session:
        leftovers = session.execute(
            text(
                # Markers of these factories (other domains' tests may commit rows of their own).
                "SELECT (SELECT count(*) FROM incidents WHERE caller_name = 'Budi Santoso'),"
                " (SELECT count(*) FROM units WHERE call_sign LIKE 'U-%'),"
                " (SELECT count(*) FROM jurisdictions WHERE name LIKE '%Uji%SINTETIS%')"
            )
        ).one()
    assert tuple(leftovers) == (0, 0, 0)
