"""Moving an incident's pin after creation: the stored description follows the point.

The caller often corrects the place ("bukan depan masjid, seberangnya"). The point, its
description and its Polsek move with the pin; the Polres and Polda (and so the target and
time zone) may change only while the incident is still at intake (status received): once it
has been offered to or handled by a Polres, a move into another Polres is refused. Units
already sent and not yet on scene get the same job again with the new point (`moved_jobs`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict
from dispatch.intake import get_incident, incident_lonlat
from dispatch.log import append_log
from dispatch.models import Assignment, Incident
from geo.coords import check_lon_lat
from geo.measure import distance_m
from tracking.models import Unit


def _refuse_other_polres(incident: Incident, found) -> None:  # noqa: ANN001
    polres_id = found.polres.id if found.polres else None
    if incident.status != "received" and polres_id != incident.polres_id:
        where = found.polres.name if found.polres else "di luar wilayah Polres mana pun"
        raise Conflict(
            f"lokasi baru di wilayah lain ({where}); laporan sudah diteruskan, "
            "buat laporan baru untuk wilayah itu",
            field="lon",
        )


def _apply_chain(incident: Incident, found) -> None:  # noqa: ANN001
    incident.polsek_id = found.polsek.id if found.polsek else None
    incident.location_match = found.match
    if incident.status == "received":
        incident.polda_id = found.polda.id if found.polda else None
        incident.polres_id = found.polres.id if found.polres else None
        incident.response_target_s = found.response_target_s
        incident.timezone = found.timezone


def relocate_incident(
    session: Session,
    *,
    incident_id: int,
    lon: float,
    lat: float,
    actor: str,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Incident:
    """Move an open incident's point; description and jurisdiction are computed again."""
    from jurisdictions.service import lookup_point
    from places.reverse import describe_location
    from places.search import format_distance

    lon, lat = check_lon_lat(lon, lat)
    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids, for_update=True
    )
    if incident.closed_at is not None:
        raise Conflict(f"laporan {incident_id} sudah ditutup", field="incident_id")
    found = lookup_point(session, lon=lon, lat=lat)
    _refuse_other_polres(incident, found)
    old_lon, old_lat = incident_lonlat(incident)
    moved_m = distance_m(old_lon, old_lat, lon, lat)
    incident.geom = from_shape(Point(lon, lat), srid=4326)
    incident.location_description = describe_location(session, lon=lon, lat=lat)
    _apply_chain(incident, found)
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="relocated",
        at=now or datetime.now(UTC),
        message=f"Lokasi dipindah {format_distance(moved_m)}: {incident.location_description}",
        detail={"from": [old_lon, old_lat], "to": [lon, lat], "moved_m": round(moved_m, 1)},
    )
    session.flush()
    return incident


def moved_jobs(
    session: Session, *, incident: Incident, actor: str, now: datetime | None = None
) -> list[tuple[Assignment, Unit]]:
    """The moved incident's units still on their way, logged as told; send after commit."""
    rows = session.execute(
        select(Assignment, Unit)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.incident_id == incident.id, Assignment.released_at.is_(None))
        .where(Assignment.on_scene_at.is_(None))
        .order_by(Assignment.id)
    ).all()
    for assignment, unit in rows:
        append_log(
            session,
            incident_id=incident.id,
            actor=actor,
            action="job_updated",
            at=now or datetime.now(UTC),
            message=f"Tugas {unit.call_sign} diperbarui: {incident.location_description}",
            detail={"assignment_id": assignment.id, "job_id": assignment.job_id},
        )
    return [(assignment, unit) for assignment, unit in rows]


def describe_missing(session: Session, *, batch: int = 500) -> int:
    """Give stored incidents made before descriptions existed theirs; returns how many.

    Runs in batches (each committed), so a large history can be filled while the API serves.
    """
    from places.reverse import describe_location

    done = 0
    while True:
        rows = session.scalars(
            select(Incident)
            .where(Incident.location_description.is_(None))
            .order_by(Incident.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return done
        for incident in rows:
            lon, lat = incident_lonlat(incident)
            incident.location_description = describe_location(session, lon=lon, lat=lat)
        session.commit()
        done += len(rows)
