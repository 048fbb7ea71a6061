"""A 110 report's state until settled: open, forwarded (and answered), closed, waiting for the
SPKT, at the SPKT, an LP with its number; an unanswered forward counts as open."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dispatch.progress import close_incident
from piket.forwards import acknowledge_forward, forward_incident, report_forward_result
from spkt.casework import record_assessment, send_to_consultation
from spkt.followup import aging
from spkt.laporan_polisi import issue_laporan_polisi
from spkt.reports import receive_report
from spkt.schemas import AssessmentCreate, LaporanPolisiCreate
from spkt.settlement import incident_settlement
from tests.spkt.factories import desk, report_data, reskrim, signer
from tests.spkt.test_followup import _incident


def _state(session: Session, incident_id: int) -> str:
    return incident_settlement(session, incident_id=incident_id, jurisdiction_ids=None)["state"]


def _close(session: Session, incident_id: int, disposition: str) -> None:
    close_incident(
        session,
        incident_id=incident_id,
        disposition=disposition,
        callback_outcome="tersambung",
        actor="op",
    )


def test_forwarded_until_answered_then_closed(db_session: Session, tree) -> None:  # noqa: ANN001
    incident_id = _incident(db_session, hours_ago=1)
    assert _state(db_session, incident_id) == "terbuka"
    (forward,) = forward_incident(
        db_session,
        incident_id=incident_id,
        functions=["reskrim"],
        note="",
        actor="op",
        ack_timeout_s=300,
        urgent_ack_timeout_s=60,
    )
    assert _state(db_session, incident_id) == "diteruskan"
    rows = aging(db_session, scope_ids=tree.ids())
    items = [(v.jurisdiction_id, v.open_count) for v in rows]
    assert (forward.jurisdiction_id, 1) in items  # the forward, at the function's desk
    acknowledge_forward(db_session, forward=forward, actor="reskrim")
    report_forward_result(db_session, forward=forward, result="Pelaku diamankan", actor="reskrim")
    _close(db_session, incident_id, "diamankan")
    answer = incident_settlement(db_session, incident_id=incident_id, jurisdiction_ids=None)
    assert answer["state"] == "ditutup" and answer["settled"]
    assert answer["forwards"][0]["result"] == "Pelaku diamankan"
    assert all(v.open_count == 0 for v in aging(db_session, scope_ids=tree.ids()))


def test_closed_for_an_lp_waits_for_the_spkt_until_the_lp_is_issued(
    db_session: Session, tree
) -> None:  # noqa: ANN001
    incident_id = _incident(db_session, hours_ago=3)
    _close(db_session, incident_id, "laporan_polisi")
    assert _state(db_session, incident_id) == "menunggu_spkt"
    officer, investigator = desk(db_session, tree.polres), reskrim(db_session, tree.polres)
    report = receive_report(db_session, data=report_data(incident_id=incident_id), actor=officer)
    assert _state(db_session, incident_id) == "di_spkt"
    send_to_consultation(db_session, report=report, actor=officer, note="", investigator=None)
    verdict = AssessmentCreate(is_crime=True, recommendation="terbitkan_lp")
    record_assessment(db_session, report=report, actor=investigator, data=verdict)
    lp, _ = issue_laporan_polisi(
        db_session,
        report=report,
        data=LaporanPolisiCreate(model="B", signer=signer()),
        actor=officer,
    )
    answer = incident_settlement(db_session, incident_id=incident_id, jurisdiction_ids=None)
    assert answer["state"] == "lp" and answer["spkt_report"]["lp_number"] == lp.number
    assert answer["settled"]
