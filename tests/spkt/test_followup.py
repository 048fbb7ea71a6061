"""Following every report to its end: aging counts what the incidents and reports say,
overdue items name the accountable official, SP2HP reveals nothing on a mismatch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, InvalidInput
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident
from dispatch.progress import close_incident
from dispatch.schemas import IncidentCreate
from spkt.accountability import accountability_pdf, weekly_accountability
from spkt.casework import record_assessment, record_progress, send_to_consultation
from spkt.followup import aging, set_official
from spkt.laporan_polisi import issue_laporan_polisi
from spkt.reports import receive_report
from spkt.schemas import AssessmentCreate, LaporanPolisiCreate, ProgressCreate, ProgressQuery
from spkt.sp2hp import MAX_FAILED_LOOKUPS, LookupRateLimited, public_progress
from tests.spkt.factories import (
    LAT,
    LON,
    desk,
    make_tree,
    report_data,
    reskrim,
    signer,
    utc,
)


def _incident(session: Session, *, hours_ago: float, valid: bool = True) -> int:
    received = datetime.now(UTC) - timedelta(hours=hours_ago)
    data = IncidentCreate(
        caller_name="Pelapor",
        caller_phone="081200001111",
        category="pencurian",
        lon=LON,
        lat=LAT,
        call_received_at=received,
    )
    incident = create_incident(session, data=data, actor="op", now=received)
    validity = "valid" if valid else "invalid"
    validate_incident(
        session,
        incident_id=incident.id,
        validity=validity,
        actor="op",
        accept_timeout_s=120,
        now=received,
    )
    return incident.id


def _row(views, jurisdiction_id: int):  # noqa: ANN001, ANN202
    return next(v for v in views if v.jurisdiction_id == jurisdiction_id)


def test_aging_counts_what_the_incidents_say(db_session: Session, tree) -> None:  # noqa: ANN001
    scope = tree.ids()
    for hours in (2, 30, 100, 24 * 40):
        _incident(db_session, hours_ago=hours)
    _incident(db_session, hours_ago=50, valid=False)  # invalid: closed at once, not followed
    closed = _incident(db_session, hours_ago=10)
    close_incident(
        db_session,
        incident_id=closed,
        disposition="selesai_di_tempat",
        callback_outcome="tersambung",
        actor="op",
    )
    handed = _incident(db_session, hours_ago=72)
    close_incident(
        db_session,
        incident_id=handed,
        disposition="laporan_polisi",
        callback_outcome="tersambung",
        actor="op",
        now=datetime.now(UTC) - timedelta(hours=48),
    )
    view = _row(aging(db_session, scope_ids=scope), tree.polsek.id)
    assert view.open_count == 5
    assert view.buckets == {
        "< 1 hari": 1,
        "1-3 hari": 1,
        "3-7 hari": 2,
        "7-30 hari": 0,
        "> 30 hari": 1,
    }
    overdue = sorted((item["source"], round(item["age_s"] / 3600)) for item in view.overdue)
    assert overdue == [("110", 30), ("110", 100), ("110", 960), ("110_handover", 72)]
    # The handover is settled once the SPKT desk receives it.
    receive_report(
        db_session, data=report_data(incident_id=handed), actor=desk(db_session, tree.polsek)
    )
    view = _row(aging(db_session, scope_ids=scope), tree.polsek.id)
    assert [i["source"] for i in view.overdue].count("110_handover") == 0
    assert sum(1 for i in view.overdue if i["source"] == "spkt") == 0  # received just now
    assert view.open_count == 5  # the SPKT report replaces the handover item
    assert aging(db_session, scope_ids=[tree.other_polres.id]) == []


def test_a_late_spkt_report_is_overdue_and_names_the_kapolres(db_session: Session, tree) -> None:  # noqa: ANN001
    officer = desk(db_session, tree.polres)
    late = datetime.now(UTC) - timedelta(days=4)
    receive_report(db_session, data=report_data(), actor=officer, at=late)
    receive_report(db_session, data=report_data("kehilangan"), actor=officer)
    set_official(
        db_session,
        jurisdiction_id=tree.polres.id,
        position="kapolres",
        name="Anton Wibowo",
        rank="AKBP",
        nrp="75010101",
    )
    with pytest.raises(InvalidInput):
        set_official(
            db_session,
            jurisdiction_id=tree.polres.id,
            position="kapolsek",
            name="X",
            rank="",
            nrp="",
        )
    set_official(
        db_session,
        jurisdiction_id=tree.polres.id,
        position="kapolres",
        name="Budi Prasetyo",
        rank="AKBP",
        nrp="76020202",
    )
    view = _row(aging(db_session, scope_ids=tree.ids()), tree.polres.id)
    assert view.official["name"] == "Budi Prasetyo"  # the official in office now
    assert view.open_count == 2 and view.buckets["3-7 hari"] == 1
    assert [item["source"] for item in view.overdue] == ["spkt"]


def _lp_case(session: Session, tree):  # noqa: ANN001, ANN202
    officer, investigator = desk(session, tree.polres), reskrim(session, tree.polres)
    report = receive_report(session, data=report_data(), actor=officer)
    send_to_consultation(session, report=report, actor=officer, note="", investigator=None)
    verdict = AssessmentCreate(
        is_crime=True, articles="Pasal 362 KUHP", recommendation="terbitkan_lp"
    )
    record_assessment(session, report=report, actor=investigator, data=verdict)
    body = LaporanPolisiCreate(model="B", signer=signer())
    issue_laporan_polisi(session, report=report, data=body, actor=officer)
    return report, investigator


def test_sp2hp_answers_the_state_only_to_the_right_name_and_birth_date(
    db_session: Session,
    tree,  # noqa: ANN001
) -> None:
    report, investigator = _lp_case(db_session, tree)
    notice = ProgressCreate(stage="penyelidikan", notice="Saksi sedang diperiksa")
    record_progress(db_session, report=report, actor=investigator, data=notice)
    other = reskrim(db_session, tree.polres)  # a Reskrim desk user not on this case
    with pytest.raises(Forbidden):
        record_progress(db_session, report=report, actor=other, data=notice)
    right = {
        "lp_number": report.lp_number.lower(),
        "name": " siti  RAHMAWATI",
        "birth_date": date(1990, 3, 4),
    }
    answer = public_progress(db_session, query=ProgressQuery(**right), client_ip="10.9.0.1")
    assert answer["status"] == "lp_terbit" and answer["stage"] == "penyelidikan"
    assert [n["message"].split(":")[0] for n in answer["notices"]] == [
        "Laporan Polisi model B diterbitkan",
        "SP2HP (Penyelidikan)",
    ]
    flat = repr(answer)
    for secret in ("6471054403900002", "Ahmad Yani", "081234567890", "1990"):
        assert secret not in flat
    for wrong in (
        {"birth_date": date(1990, 3, 5)},
        {"name": "Siti"},
        {"lp_number": "LP/B/999/XII/2026/SPKT/X"},
    ):
        query = ProgressQuery(**(right | wrong))
        assert public_progress(db_session, query=query, client_ip="10.9.0.1") is None


def test_failed_sp2hp_lookups_are_limited_per_client(db_session: Session, tree) -> None:  # noqa: ANN001
    report, _ = _lp_case(db_session, tree)
    wrong = ProgressQuery(
        lp_number=report.lp_number, name="Siti Rahmawati", birth_date=date(2000, 1, 1)
    )
    for _ in range(MAX_FAILED_LOOKUPS):
        assert public_progress(db_session, query=wrong, client_ip="10.9.0.2") is None
    with pytest.raises(LookupRateLimited):
        public_progress(db_session, query=wrong, client_ip="10.9.0.2")
    assert public_progress(db_session, query=wrong, client_ip="10.9.0.3") is None


def test_an_lp_case_whose_sp2hp_is_late_is_listed(db_session: Session, tree) -> None:  # noqa: ANN001
    report, _ = _lp_case(db_session, tree)
    later = datetime.now(UTC) + timedelta(days=31)
    view = _row(aging(db_session, scope_ids=tree.ids(), now=later), tree.polres.id)
    assert [item["label"] for item in view.sp2hp_overdue] == [report.lp_number]
    assert view.open_count == 0  # the LP itself settled the report
    with pytest.raises(Conflict):
        issue_laporan_polisi(
            db_session,
            report=report,
            data=LaporanPolisiCreate(model="B", signer=signer()),
            actor=desk(db_session, tree.polres),
        )


def test_each_jurisdictions_week_runs_in_its_own_local_time(db_session: Session, tree) -> None:  # noqa: ANN001
    """00:30 on Monday 30 November is that Monday's week in WITA and in WIT, though it is
    still Sunday in Jakarta; the week before counts neither."""
    east = make_tree(db_session)
    east.polda.timezone = "WIT"
    db_session.flush()
    wita_monday, wit_monday = utc(2026, 11, 29, 16, 30), utc(2026, 11, 29, 15, 30)
    receive_report(db_session, data=report_data(), actor=desk(db_session, tree.polres),
                   at=wita_monday)  # fmt: skip
    receive_report(db_session, data=report_data(), actor=desk(db_session, east.polres),
                   at=wit_monday)  # fmt: skip
    ids = tree.ids() + east.ids()
    week = weekly_accountability(db_session, scope_ids=ids, week_of=date(2026, 11, 30))
    rows = {row["jurisdiction_id"]: row for row in week["rows"]}
    assert rows[tree.polres.id]["received_in_week"] == 1
    assert rows[east.polres.id]["received_in_week"] == 1
    assert rows[tree.polres.id]["timezone"] == "WITA" and rows[east.polres.id]["timezone"] == "WIT"
    assert rows[east.polres.id]["week_start"] == utc(2026, 11, 29, 15)  # Monday 00:00 WIT
    before = weekly_accountability(db_session, scope_ids=ids, week_of=date(2026, 11, 23))
    assert all(row["received_in_week"] == 0 for row in before["rows"])
    pdf = accountability_pdf(week)
    assert pdf.startswith(b"%PDF")
