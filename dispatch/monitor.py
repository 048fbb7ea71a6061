"""What the dispatch worker watches: tracker acks/status, unacknowledged jobs, GPS arrival."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select, text
from sqlalchemy.orm import Session

from dispatch.assign import send_job
from dispatch.log import append_log
from dispatch.models import Assignment, Incident
from dispatch.progress import advance_assignment
from tracking.models import Unit, UnitEvent
from tracking.trackers import acknowledges_jobs
from tracking.unit_status import tracker_report

log = logging.getLogger("siaga.dispatch.monitor")

ALERT_CHANNEL = "siaga_dispatch_alerts"

# "After the assignment" compares server clocks (received_at); the dwell uses the tracker's
# own clock (fixed_at differences), so a device clock offset affects neither.
ARRIVAL_SQL = text(
    """
    SELECT a.id, p.fixed_at, p.accuracy_m,
           ST_DWithin(CAST(p.geom AS geography), CAST(i.geom AS geography), :radius_m) AS inside
    FROM assignments a
    JOIN incidents i ON i.id = a.incident_id
    JOIN unit_positions_latest p ON p.unit_id = a.unit_id
    WHERE a.released_at IS NULL AND a.on_scene_at IS NULL AND p.received_at > a.assigned_at
    ORDER BY a.id
    """
)


def apply_tracker_events(session: Session) -> int:
    """Apply /ack and /status reports of units on an active job; replays are no-ops."""
    # A job id names the assignment exactly (no clock involved); a status without one belongs
    # to the unit's active assignment if it came after the assignment was made.
    matches = or_(
        UnitEvent.job_id == Assignment.job_id,
        and_(
            UnitEvent.job_id.is_(None),
            UnitEvent.unit_id == Assignment.unit_id,
            UnitEvent.received_at >= Assignment.assigned_at,
        ),
    )
    rows = session.execute(
        select(UnitEvent, Assignment)
        .join(Assignment, matches)
        .where(Assignment.released_at.is_(None))
        .order_by(UnitEvent.received_at, UnitEvent.id)
    ).all()
    changed = 0
    for event, assignment in rows:
        step = _step(event)
        if step is None or assignment.released_at is not None:
            continue
        # The ingest worker already applied the unit's own status; only the incident moves here.
        changed += advance_assignment(
            session,
            assignment=assignment,
            status=step,
            actor="tracker",
            source="tracker",
            at=event.received_at,
            move_unit=False,
            strict=False,
        )
    return changed


def _step(event: UnitEvent) -> str | None:
    """The assignment step a stored /ack or /status event stands for (tracking's own table)."""
    if event.kind != "status":
        return "acknowledged"
    report = tracker_report(event.status)
    return report.assignment_step if report else None


def resend_unacknowledged(
    session: Session,
    link,  # noqa: ANN001
    *,
    topic_root: str,
    ack_timeout_s: float,
    max_sends: int,
    now: datetime | None = None,
) -> tuple[int, int]:
    """Re-send jobs without an ack after ack_timeout_s; after max_sends, alert the operator.

    A unit whose tracker cannot acknowledge (tracking/trackers.py) is never re-sent a job: its
    crew acknowledges on the phone page, and the operator is alerted once if the crew has not
    done so within the same total wait (ack_timeout_s x max_sends).
    """
    now = now or datetime.now(UTC)
    due = session.execute(
        select(Assignment, Incident, Unit.call_sign, Unit.tracker_kind)
        .join(Incident, Incident.id == Assignment.incident_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.released_at.is_(None), Assignment.acked_at.is_(None))
        .where(Assignment.alerted_at.is_(None))
        .where(Assignment.last_sent_at < now - timedelta(seconds=ack_timeout_s))
        .with_for_update(of=Assignment, skip_locked=True)
    ).all()
    resent = alerted = 0
    for assignment, incident, call_sign, tracker_kind in due:
        if not acknowledges_jobs(tracker_kind):
            waited_s = (now - assignment.last_sent_at).total_seconds()
            if waited_s >= ack_timeout_s * max_sends:
                _alert(session, assignment, incident, call_sign, now, on_phone=True)
                alerted += 1
        elif assignment.send_count < max_sends:
            send_job(
                link,
                topic_root=topic_root,
                incident=incident,
                assignment=assignment,
                call_sign=call_sign,
                now=now,
            )
            assignment.send_count += 1
            assignment.last_sent_at = now
            append_log(
                session,
                incident_id=incident.id,
                actor="system",
                action="job_resent",
                message=f"Unit {call_sign} belum mengonfirmasi; tugas dikirim ulang "
                f"(kiriman ke-{assignment.send_count})",
                at=now,
                detail={"assignment_id": assignment.id},
            )
            resent += 1
        else:
            _alert(session, assignment, incident, call_sign, now)
            alerted += 1
    return resent, alerted


def _alert(
    session: Session,
    assignment: Assignment,
    incident: Incident,
    call_sign: str,
    now: datetime,
    *,
    on_phone: bool = False,
) -> None:
    assignment.alerted_at = now
    if on_phone:
        waited = round((now - assignment.last_sent_at).total_seconds())
        message = (
            f"PERINGATAN: awak unit {call_sign} belum mengonfirmasi tugas di halaman unit "
            f"setelah {waited} detik; hubungi unit atau tugaskan unit lain"
        )
    else:
        message = (
            f"PERINGATAN: unit {call_sign} tidak mengonfirmasi tugas setelah "
            f"{assignment.send_count} kali kirim; hubungi unit atau tugaskan unit lain"
        )
    append_log(
        session,
        incident_id=incident.id,
        actor="system",
        action="alert",
        at=now,
        message=message,
        detail={"assignment_id": assignment.id},
    )
    payload = {"incident_id": incident.id, "assignment_id": assignment.id, "message": message}
    # Live pages (SSE) can LISTEN on this channel; the log row is the durable record.
    session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": ALERT_CHANNEL, "payload": json.dumps(payload)},
    )
    log.warning("incident %s: %s", incident.id, message)


def detect_arrivals(
    session: Session,
    *,
    radius_m: float,
    dwell_s: float,
    max_accuracy_m: float,
) -> int:
    """On scene when the latest fixes stay within radius_m, accurately, for dwell_s."""
    arrived = 0
    for row in session.execute(ARRIVAL_SQL, {"radius_m": radius_m}).mappings().all():
        assignment = session.get(Assignment, row["id"], with_for_update=True)
        accurate = row["accuracy_m"] is not None and row["accuracy_m"] <= max_accuracy_m
        if not row["inside"]:
            assignment.inside_since = None
        elif not accurate:
            continue  # a poor fix neither starts nor breaks the dwell
        elif assignment.inside_since is None:
            assignment.inside_since = row["fixed_at"]
        if assignment.inside_since is None:
            continue
        if (row["fixed_at"] - assignment.inside_since).total_seconds() >= dwell_s:
            arrived += advance_assignment(
                session,
                assignment=assignment,
                status="on_scene",
                actor="system",
                source="gps",
                at=assignment.inside_since,
                strict=False,
            )
    return arrived
