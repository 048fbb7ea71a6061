"""From a 110 incident to a Laporan Polisi: handover, gelar awal with Sat Reskrim, LP model B,
all of it in the incident's timeline; the rules Perkap 6/2019 sets for models A and B."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident
from dispatch.log import list_log
from dispatch.schemas import IncidentCreate
from spkt.casework import close_report, record_assessment, send_to_consultation
from spkt.documents import list_documents
from spkt.events import list_events
from spkt.laporan_polisi import issue_laporan_polisi
from spkt.reports import receive_report
from spkt.schemas import AssessmentCreate, LaporanPolisiCreate
from tests.spkt.factories import LAT, LON, desk, report_data, reporter, reskrim, signer


def _valid_incident(session: Session) -> int:
    data = IncidentCreate(
        caller_name="Siti Rahmawati",
        caller_phone="081234567890",
        category="pencurian",
        description="Motor dicuri di parkiran pasar",
        address="Pasar Klandasan",
        lon=LON,
        lat=LAT,
    )
    incident = create_incident(session, data=data, actor="operator.polda")
    validate_incident(
        session,
        incident_id=incident.id,
        validity="valid",
        actor="operator.polda",
        accept_timeout_s=120,
    )
    return incident.id


def _lp(model: str = "B") -> LaporanPolisiCreate:
    return LaporanPolisiCreate(model=model, signer=signer())


def test_a_110_incident_becomes_an_lp_model_b_after_reskrim_and_its_timeline_shows_it(
    db_session: Session,
    tree,  # noqa: ANN001
) -> None:
    incident_id = _valid_incident(db_session)
    officer, investigator = desk(db_session, tree.polres), reskrim(db_session, tree.polres)
    data = report_data(incident_id=incident_id, what="", place="", lon=None, lat=None)
    report = receive_report(db_session, data=data, actor=officer)
    assert report.source == "110" and report.number.startswith("STPL/1/")
    assert report.what == "Motor dicuri di parkiran pasar" and report.place == "Pasar Klandasan"
    with pytest.raises(Conflict):  # the gelar awal comes first
        issue_laporan_polisi(db_session, report=report, data=_lp(), actor=officer)
    send_to_consultation(db_session, report=report, actor=officer, note="", investigator=None)
    with pytest.raises(Forbidden):  # the desk does not assess its own report
        record_assessment(db_session, report=report, actor=officer, data=_crime())
    record_assessment(db_session, report=report, actor=investigator, data=_crime())
    lp, sttlp = issue_laporan_polisi(db_session, report=report, data=_lp(), actor=officer)
    assert lp.number.startswith("LP/B/1/") and lp.number.endswith(tree.polda.name.upper())
    assert sttlp.number == "STTLP/" + lp.number[3:] and report.lp_number == lp.number
    assert report.status == "lp_terbit" and report.settled_at is not None
    actions = [entry.action for entry in list_log(db_session, incident_id=incident_id)]
    assert actions[-4:] == ["spkt_received", "spkt_konsultasi", "spkt_dinilai", "spkt_lp_terbit"]
    last = list_log(db_session, incident_id=incident_id)[-1]
    assert lp.number in last.message and last.actor == officer.username
    kinds = [d.kind for d in list_documents(db_session, report_id=report.id)]
    assert kinds == ["tanda_terima", "laporan_polisi", "sttlp"]
    events = list_events(db_session, report_id=report.id)
    assert [(e.actor, e.role) for e in events][2] == (investigator.username, "desk")


def _crime() -> AssessmentCreate:
    return AssessmentCreate(is_crime=True, articles="Pasal 362 KUHP", recommendation="terbitkan_lp")


def test_a_report_not_a_crime_is_closed_with_its_reason(db_session: Session, tree) -> None:  # noqa: ANN001
    officer, investigator = desk(db_session, tree.polres), reskrim(db_session, tree.polres)
    report = receive_report(db_session, data=report_data(), actor=officer)
    send_to_consultation(db_session, report=report, actor=officer, note="", investigator=None)
    verdict = AssessmentCreate(is_crime=False, recommendation="bukan_pidana")
    record_assessment(db_session, report=report, actor=investigator, data=verdict)
    with pytest.raises(Conflict):
        issue_laporan_polisi(db_session, report=report, data=_lp(), actor=officer)
    close_report(db_session, report=report, actor=officer, reason="Sengketa perdata (utang)")
    assert report.status == "ditutup" and report.settlement == "Sengketa perdata (utang)"
    with pytest.raises(Conflict):
        close_report(db_session, report=report, actor=officer, reason="lagi")


def test_model_a_is_by_a_polri_member_and_model_b_from_the_public(
    db_session: Session, tree
) -> None:  # noqa: ANN001
    officer = desk(db_session, tree.polres)
    public = receive_report(db_session, data=report_data(), actor=officer)
    with pytest.raises(InvalidInput):
        issue_laporan_polisi(db_session, report=public, data=_lp("A"), actor=officer)
    member = reporter(kind="polri", nrp="88020123")
    found = receive_report(db_session, data=report_data(reporter=member), actor=officer)
    lp, _ = issue_laporan_polisi(db_session, report=found, data=_lp("A"), actor=officer)
    assert lp.number.startswith("LP/A/1/")
    with pytest.raises(InvalidInput):
        receive_report(db_session, data=report_data(reporter=reporter(kind="polri")), actor=officer)


def test_a_110_incident_outside_the_desk_or_taken_is_refused(db_session: Session, tree) -> None:  # noqa: ANN001
    incident_id = _valid_incident(db_session)
    elsewhere = desk(db_session, tree.other_polres)
    with pytest.raises(NotFound):
        receive_report(db_session, data=report_data(incident_id=incident_id), actor=elsewhere)
    officer = desk(db_session, tree.polsek)
    receive_report(db_session, data=report_data(incident_id=incident_id), actor=officer)
    with pytest.raises(Conflict):
        receive_report(db_session, data=report_data(incident_id=incident_id), actor=officer)


def test_issued_documents_and_the_report_log_are_never_edited(db_session: Session, tree) -> None:  # noqa: ANN001
    report = receive_report(db_session, data=report_data(), actor=desk(db_session, tree.polres))
    db_session.flush()
    for statement in (
        "UPDATE spkt_documents SET number = 'X' WHERE report_id = :id",
        "DELETE FROM spkt_report_events WHERE report_id = :id",
    ):
        savepoint = db_session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db_session.execute(text(statement), {"id": report.id})
        savepoint.rollback()
