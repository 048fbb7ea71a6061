"""A shift's life: opens with its checks, handles incidents, forwards one to Reskrim whose desk
acknowledges and reports back, hands over an open incident that the next shift closes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.errors import Conflict, InvalidInput
from dispatch.progress import close_incident
from piket.forwards import (
    acknowledge_forward,
    escalate_overdue_forwards,
    forward_incident,
    get_forward,
    list_forwards,
    report_forward_result,
)
from piket.journal import add_entry, shift_journal
from piket.orders import finish_order, give_order, perwira_queue, record_action
from piket.shifts import acknowledge_handover, duty_for_incident, hand_over, on_duty
from tests.piket.factories import make_incident, open_shift

T0 = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 08:00 WITA, the morning hand-over


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _forward(session, incident_id, functions, now, **kw):  # noqa: ANN001, ANN202
    return forward_incident(
        session,
        incident_id=incident_id,
        functions=functions,
        note="",
        actor="perwira",
        ack_timeout_s=600,
        urgent_ack_timeout_s=180,
        now=now,
        **kw,
    )


def test_shift_day(db_session, area, people) -> None:
    first = open_shift(db_session, area.polda, people.perwira_a, ["Budi", "Citra"], at=at(0))
    assert first.status == "open" and first.opened_at == at(0)

    theft = make_incident(db_session, at=at(10), category="pencurian")
    crash = make_incident(db_session, at=at(20), category="kecelakaan_lalu_lintas")
    queue = {
        row["id"]: row for row in perwira_queue(db_session, center_id=area.polda.id, now=at(21))
    }
    assert queue[theft.id]["crime"] and queue[theft.id]["suggested_forwards"] == ["reskrim"]

    (forward,) = _forward(db_session, theft.id, ["reskrim"], at(11))
    assert forward.urgent and forward.jurisdiction_id == area.polres.id
    assert forward.ack_deadline == at(14)
    desk = list_forwards(db_session, jurisdiction_ids={area.polres.id}, function_code="reskrim")
    assert [f.id for f in desk] == [forward.id]
    assert not list_forwards(
        db_session, jurisdiction_ids={area.other_polres.id}, function_code="reskrim"
    )
    assert not list_forwards(db_session, jurisdiction_ids={area.polres.id}, function_code="lantas")
    acknowledge_forward(db_session, forward=forward, actor=people.reskrim.username, now=at(12))
    report_forward_result(
        db_session,
        forward=forward,
        result="Pelaku diamankan di TKP",
        actor=people.reskrim.username,
        now=at(40),
    )
    assert forward.status == "done"
    with pytest.raises(Conflict):
        _forward(db_session, theft.id, ["reskrim"], at(41))

    order = give_order(
        db_session,
        incident_id=crash.id,
        instruction="Hubungi PSC 119",
        assignee="Bripka Budi",
        due_at=at(60),
        actor=people.perwira_a.username,
        center_id=area.polda.id,
        now=at(22),
    )
    record_action(
        db_session,
        order=order,
        note="PSC 119 dihubungi, ambulans berangkat",
        actor="Budi",
        now=at(25),
    )
    add_entry(
        db_session,
        shift=first,
        kind="visitor",
        message="Tamu: wartawan lokal",
        actor="Citra",
        at=at(30),
    )

    second = open_shift(db_session, area.polda, people.perwira_b, ["Dedi", "Eka"], at=at(700))
    assert second.status == "preparing"
    hand_over(
        db_session,
        shift=first,
        note="Kecelakaan Jl. Sudirman masih berjalan",
        actor=people.perwira_a.username,
        now=at(715),
    )
    handed = {i["id"] for i in second.handover["incidents"]}
    assert crash.id in handed and theft.id in handed
    assert [o["id"] for o in second.handover["orders"]] == [order.id]
    acknowledge_handover(db_session, shift=second, actor=people.perwira_b.username, now=at(720))
    assert first.status == "closed" and first.closed_at == second.opened_at == at(720)

    finish_order(
        db_session,
        order=order,
        result="Korban dibawa ke RSUD",
        status="done",
        actor="Dedi",
        now=at(730),
    )
    for incident in (crash, theft):
        close_incident(
            db_session,
            incident_id=incident.id,
            disposition="selesai_di_tempat",
            callback_outcome="tersambung",
            actor="Dedi",
            now=at(735),
        )

    first_journal = shift_journal(db_session, shift_id=first.id)
    second_journal = shift_journal(db_session, shift_id=second.id)
    times = [e["at"] for e in first_journal]
    assert times == sorted(times)
    actions = [e["action"] for e in first_journal]
    assert actions[:2] == ["check", "opened"]
    for expected in (
        "created",
        "validated",
        "forwarded",
        "forward_acknowledged",
        "forward_result",
        "order",
        "order_action",
        "visitor",
        "handover",
        "closed",
    ):
        assert expected in actions, expected
    assert "order_done" not in actions
    assert [e["incident_id"] for e in second_journal if e["action"] == "closed"] == [
        crash.id,
        theft.id,
    ]
    assert "order_done" in [e["action"] for e in second_journal]
    assert on_duty(db_session, center_id=area.polda.id, at=at(719)).id == first.id
    assert on_duty(db_session, center_id=area.polda.id, at=at(720)).id == second.id
    assert [s.id for s in duty_for_incident(db_session, incident=crash)] == [first.id]


def test_preparation_list_needs_a_note_for_what_is_missing(db_session, area, people) -> None:
    with pytest.raises(InvalidInput) as refused:
        open_shift(
            db_session,
            area.polda,
            people.perwira_a,
            ["Budi", "Citra"],
            at=at(0),
            missing={"kta:Budi": ""},
        )
    assert refused.value.field == "checks"
    shift = open_shift(
        db_session,
        area.polda,
        people.perwira_a,
        ["Budi"],
        at=at(0),
        missing={"kta:Budi": "KTA tertinggal di rumah"},
    )
    missing = [item for item in shift.checklist if not item["ok"]]
    assert {item["code"] for item in missing} == {"kta:Budi", "anggota"}
    (check,) = [e for e in shift_journal(db_session, shift_id=shift.id) if e["action"] == "check"]
    assert "KTA tertinggal di rumah" in check["message"]


def test_only_a_perwira_of_the_centre_leads_a_shift(db_session, area, people) -> None:
    with pytest.raises(InvalidInput):
        open_shift(db_session, area.polres, people.perwira_a, ["Budi"], at=at(0))


def test_unacknowledged_forward_is_escalated(db_session, area, people) -> None:
    open_shift(db_session, area.polda, people.perwira_a, ["Budi", "Citra"], at=at(0))
    crash = make_incident(db_session, at=at(1), category="kecelakaan_lalu_lintas")
    lantas, ambulance = _forward(db_session, crash.id, ["lantas", "psc119"], at(2))
    assert not lantas.urgent and lantas.ack_deadline == at(12)
    acknowledge_forward(db_session, forward=ambulance, actor="psc", now=at(5))
    assert escalate_overdue_forwards(db_session, now=at(11)) == []
    assert escalate_overdue_forwards(db_session, now=at(13)) == [lantas.id]
    assert escalate_overdue_forwards(db_session, now=at(14)) == []
    queue = {r["id"]: r for r in perwira_queue(db_session, center_id=area.polda.id, now=at(14))}
    overdue = [f for f in queue[crash.id]["forwards"] if f["overdue"]]
    assert [f["id"] for f in overdue] == [lantas.id]
    late = acknowledge_forward(
        db_session,
        forward=get_forward(db_session, forward_id=lantas.id),
        actor=people.lantas.username,
        now=at(15),
    )
    assert late.status == "acknowledged"


def test_journal_is_append_only(db_session, area, people) -> None:
    shift = open_shift(db_session, area.polda, people.perwira_a, ["Budi", "Citra"], at=at(0))
    db_session.commit()
    with pytest.raises(DBAPIError):
        db_session.execute(
            text("UPDATE piket_journal SET message = 'x' WHERE shift_id = :s"), {"s": shift.id}
        )
    db_session.rollback()
