"""A unit's SOS: the tracker's alarm becomes one urgent alert for the 110 operators.

The alarm comes in like every other tracker report: the HTTP listener (tracking/http_ingest.py)
or an MQTT tracker publishes `{"status": "sos", ...}` on the unit's /status topic, the ingest
stores it as a unit event, and this module (run by the dispatch worker) turns the new SOS
events into alerts. A tracker repeats its alarm (Traccar forwards the alarm event and the
position that carries it; a panic button resends): a report within `window_s` of the unit's
alert's last report joins that alert, so operators see one alert, with its report count.

Durable record: the `unit_alarms` row (always) and, when the unit has an active assignment,
the incident's log. Live pages are told on the dispatch alert channel (pg_notify).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from dispatch.log import append_log
from dispatch.monitor import ALERT_CHANNEL
from jurisdictions.service import chains_for

log = logging.getLogger("siaga.dispatch.alarms")

SOS_STATUS = "sos"  # the /status word of an SOS (tracking/http_ingest.alarm_message)
# Operators keep seeing an acknowledged alert this long (who took it, when).
ACKNOWLEDGED_SHOWN_S = 3600

NEW_SOS_EVENTS = text(
    """
    SELECT e.id, e.unit_id, e.received_at, e.payload, u.call_sign
    FROM unit_events e JOIN units u ON u.id = e.unit_id
    WHERE e.kind = 'status' AND e.status = 'sos'
      AND NOT EXISTS (SELECT 1 FROM unit_alarm_reports r WHERE r.event_id = e.id)
    ORDER BY e.received_at, e.id
    LIMIT 200
    FOR UPDATE OF e SKIP LOCKED
    """
)
# One worker at a time decides whether a unit's report starts an alert or joins one.
LOCK_UNIT = text("SELECT pg_advisory_xact_lock(110016, :unit_id)")
OPEN_ALERT = text(
    """
    SELECT id FROM unit_alarms
    WHERE unit_id = :unit_id AND kind = 'sos'
      AND last_reported_at >= CAST(:at AS timestamptz) - make_interval(secs => :window_s)
    ORDER BY last_reported_at DESC LIMIT 1
    FOR UPDATE
    """
)
JOIN_ALERT = text(
    """
    UPDATE unit_alarms SET report_count = report_count + 1,
        last_reported_at = GREATEST(last_reported_at, :at),
        geom = CASE WHEN :lon IS NULL OR fixed_at >= :fixed_at THEN geom
                    ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END,
        fixed_at = CASE WHEN :lon IS NULL OR fixed_at >= :fixed_at THEN fixed_at
                        ELSE :fixed_at END
    WHERE id = :alarm_id
    """
)
LAST_POSITION = text(
    "SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, fixed_at "
    "FROM unit_positions_latest WHERE unit_id = :unit_id"
)
ACTIVE_ASSIGNMENT = text(
    "SELECT id, incident_id FROM assignments WHERE unit_id = :unit_id AND released_at IS NULL "
    "ORDER BY assigned_at DESC LIMIT 1"
)
INSERT_ALERT = text(
    """
    INSERT INTO unit_alarms (unit_id, kind, source, raised_at, last_reported_at, geom, fixed_at,
                             incident_id, assignment_id)
    VALUES (:unit_id, 'sos', :source, :at, :at,
            CASE WHEN :lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END,
            :fixed_at, :incident_id, :assignment_id)
    RETURNING id
    """
)
LINK_REPORT = text(
    "INSERT INTO unit_alarm_reports (event_id, alarm_id) VALUES (:event_id, :alarm_id)"
)
# A unit is in the caller's scope by its home, or by the incident it is working (bantuan).
LIST_ALERTS = text(
    """
    SELECT a.id, a.unit_id, u.call_sign, u.home_jurisdiction_id, a.kind, a.source,
           a.raised_at, a.last_reported_at, a.report_count,
           ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat, a.fixed_at,
           a.incident_id, a.acknowledged_at, a.acknowledged_by
    FROM unit_alarms a
    JOIN units u ON u.id = a.unit_id
    LEFT JOIN incidents i ON i.id = a.incident_id
    WHERE (a.acknowledged_at IS NULL OR a.acknowledged_at > :shown_since)
      AND (:everything OR u.home_jurisdiction_id = ANY(:ids) OR i.polsek_id = ANY(:ids)
           OR i.polres_id = ANY(:ids) OR i.polda_id = ANY(:ids))
    ORDER BY a.acknowledged_at IS NOT NULL, a.raised_at DESC, a.id DESC
    LIMIT 100
    """
)


@dataclass(slots=True)
class RaisedAlarm:
    """A new alert: the unit, where it last was, and the incident log it went to (if any)."""

    alarm_id: int
    unit_id: int
    call_sign: str
    message: str
    incident_id: int | None


def alarm_message(call_sign: str) -> str:
    """The operators' words for an SOS (Bahasa Indonesia), one place for pages and logs."""
    return f"DARURAT: unit {call_sign} mengirim SOS"


def raise_tracker_alarms(
    session: Session, *, window_s: float, now: datetime | None = None
) -> list[RaisedAlarm]:
    """Turn new SOS events into alerts (a repeat within window_s joins the unit's alert)."""
    raised = []
    for row in session.execute(NEW_SOS_EVENTS).mappings().all():
        session.execute(LOCK_UNIT, {"unit_id": row["unit_id"]})
        position = _position(session, row["unit_id"], row["payload"])
        at = row["received_at"]
        open_id = session.execute(
            OPEN_ALERT, {"unit_id": row["unit_id"], "at": at, "window_s": window_s}
        ).scalar_one_or_none()
        if open_id is not None:
            session.execute(JOIN_ALERT, {"alarm_id": open_id, "at": at, **position})
        else:
            alert = _new_alert(session, row, position, at=at)
            open_id = alert.alarm_id
            raised.append(alert)
        session.execute(LINK_REPORT, {"event_id": row["id"], "alarm_id": open_id})
    return raised


def _position(session: Session, unit_id: int, payload: dict) -> dict:
    """Where the unit was: the fix the alarm came with, else its latest position."""
    lon, lat, fixed_at = payload.get("lon"), payload.get("lat"), payload.get("fixed_at")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat))
    if numbers and -180 <= lon <= 180 and -90 <= lat <= 90 and isinstance(fixed_at, int | float):
        try:
            return {"lon": lon, "lat": lat, "fixed_at": datetime.fromtimestamp(fixed_at, UTC)}
        except (OverflowError, OSError, ValueError):
            pass  # a time no clock shows: the stored latest position is the better answer
    last = session.execute(LAST_POSITION, {"unit_id": unit_id}).mappings().first()
    if last is None:
        return {"lon": None, "lat": None, "fixed_at": None}
    return dict(last)


def _new_alert(session: Session, row, position: dict, *, at: datetime) -> RaisedAlarm:  # noqa: ANN001
    active = session.execute(ACTIVE_ASSIGNMENT, {"unit_id": row["unit_id"]}).mappings().first()
    incident_id = active["incident_id"] if active else None
    source = str(row["payload"].get("source") or "mqtt")[:32]
    alarm_id = session.execute(
        INSERT_ALERT,
        {
            "unit_id": row["unit_id"],
            "source": source,
            "at": at,
            "incident_id": incident_id,
            "assignment_id": active["id"] if active else None,
            **position,
        },
    ).scalar_one()
    message = alarm_message(row["call_sign"]) + _where(position)
    if incident_id is not None:
        append_log(
            session,
            incident_id=incident_id,
            actor=f"tracker:{row['call_sign']}",
            action="sos",
            message=message,
            at=at,
            detail={"alarm_id": alarm_id, "assignment_id": active["id"]},
        )
    payload = {
        "kind": "sos",
        "alarm_id": alarm_id,
        "unit_id": row["unit_id"],
        "call_sign": row["call_sign"],
        "incident_id": incident_id,
        "message": message,
    }
    session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": ALERT_CHANNEL, "payload": json.dumps(payload)},
    )
    log.warning("unit %s: SOS (alarm %s, incident %s)", row["call_sign"], alarm_id, incident_id)
    return RaisedAlarm(alarm_id, row["unit_id"], row["call_sign"], message, incident_id)


def _where(position: dict) -> str:
    if position["lon"] is None:
        return " (posisi belum diketahui)"
    return f"; posisi terakhir {position['lat']:.5f}, {position['lon']:.5f}"


def list_alarms(
    session: Session, *, jurisdiction_ids: Collection[int] | None, now: datetime | None = None
) -> list[dict]:
    """Open alerts in scope, newest first, then those acknowledged in the last hour."""
    now = now or datetime.now(UTC)
    params = {
        "shown_since": now - timedelta(seconds=ACKNOWLEDGED_SHOWN_S),
        "everything": jurisdiction_ids is None,
        "ids": list(jurisdiction_ids or []),
    }
    rows = session.execute(LIST_ALERTS, params).mappings().all()
    homes = {row["home_jurisdiction_id"] for row in rows} - {None}
    chains = chains_for(session, ids=list(homes)) if homes else {}
    return [_listed(row, chains.get(row["home_jurisdiction_id"])) for row in rows]


def _listed(row, chain) -> dict:  # noqa: ANN001
    """A listed alert with its words and the time zone its times are shown in (the unit's home)."""
    timezone = chain.timezone if chain is not None else None
    return dict(row, message=alarm_message(row["call_sign"]), timezone=timezone)


def acknowledge_alarm(
    session: Session,
    *,
    alarm_id: int,
    username: str,
    jurisdiction_ids: Collection[int] | None,
    now: datetime | None = None,
) -> dict:
    """Record who took the alert and when; NotFound outside scope, Conflict if already taken."""
    now = now or datetime.now(UTC)
    visible = {a["id"]: a for a in _in_scope(session, alarm_id, jurisdiction_ids)}
    if alarm_id not in visible:
        raise NotFound(f"peringatan SOS {alarm_id} tidak ditemukan", field="alarm_id")
    taken = (
        session.execute(
            text(
                "UPDATE unit_alarms SET acknowledged_at = :now, acknowledged_by = :username "
                "WHERE id = :id AND acknowledged_at IS NULL RETURNING incident_id"
            ),
            {"id": alarm_id, "now": now, "username": username},
        )
        .mappings()
        .first()
    )
    alarm = visible[alarm_id]
    if taken is None:
        raise Conflict(
            f"SOS unit {alarm['call_sign']} sudah diterima oleh {alarm['acknowledged_by']}",
            field="alarm_id",
        )
    if taken["incident_id"] is not None:
        append_log(
            session,
            incident_id=taken["incident_id"],
            actor=username,
            action="sos_acknowledged",
            message=f"SOS unit {alarm['call_sign']} diterima oleh {username}",
            at=now,
            detail={"alarm_id": alarm_id},
        )
    return {**alarm, "acknowledged_at": now, "acknowledged_by": username}


def _in_scope(session: Session, alarm_id: int, jurisdiction_ids: Collection[int] | None) -> list:
    query = text(
        """
        SELECT a.id, u.call_sign, a.acknowledged_by
        FROM unit_alarms a JOIN units u ON u.id = a.unit_id
        LEFT JOIN incidents i ON i.id = a.incident_id
        WHERE a.id = :id
          AND (:everything OR u.home_jurisdiction_id = ANY(:ids) OR i.polsek_id = ANY(:ids)
               OR i.polres_id = ANY(:ids) OR i.polda_id = ANY(:ids))
        FOR UPDATE OF a
        """
    )
    params = {"id": alarm_id, "everything": jurisdiction_ids is None,
              "ids": list(jurisdiction_ids or [])}  # fmt: skip
    return list(session.execute(query, params).mappings().all())
