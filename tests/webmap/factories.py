"""Committed test data for the browser tests (a live server cannot see a rolled-back session).

A small synthetic city in the Banda Sea, away from any real or demo boundary that another test
may have committed: one Polda, one Polres (target 600 s, WITA) and two Polsek, plus units with
fresh fixes and users with tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, text

WEST = "POLYGON((127.00 -6.025, 127.04 -6.025, 127.04 -5.985, 127.00 -5.985, 127.00 -6.025))"
EAST = "POLYGON((127.04 -6.025, 127.08 -6.025, 127.08 -5.985, 127.04 -5.985, 127.04 -6.025))"
WHOLE = "POLYGON((127.00 -6.025, 127.08 -6.025, 127.08 -5.985, 127.00 -5.985, 127.00 -6.025))"

INSERT_JURISDICTION = text("""
INSERT INTO jurisdictions (code, name, level, parent_id, response_target_s, timezone, geom)
VALUES (:code, :name, :level, :parent_id, :target, :tz, ST_Multi(ST_GeomFromText(:wkt, 4326)))
RETURNING id
""")
INSERT_UNIT = text("""
INSERT INTO units (call_sign, kind, home_jurisdiction_id, status, link_connected)
VALUES (:call_sign, :kind, :home, :status, true) RETURNING id
""")
UPSERT_POSITION = text("""
INSERT INTO unit_positions_latest (unit_id, geom, fixed_at, received_at, speed_mps, accuracy_m)
VALUES (:unit_id, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), now(), now(), 8.0, 5.0)
ON CONFLICT (unit_id) DO UPDATE SET geom = EXCLUDED.geom, fixed_at = EXCLUDED.fixed_at,
    received_at = EXCLUDED.received_at
""")


@dataclass
class City:
    """Ids of what seed_city created."""

    polda_id: int = 0
    polres_id: int = 0
    polsek_ids: list[int] = field(default_factory=list)
    unit_ids: dict[str, int] = field(default_factory=dict)


def seed_city(engine: Engine) -> City:
    """Insert and commit the synthetic jurisdictions and three units with fresh fixes."""
    city = City()
    with engine.begin() as conn:

        def add(code: str, name: str, level: str, parent: int | None, wkt: str, **kw) -> int:
            params = {"code": code, "name": name, "level": level, "parent_id": parent, "wkt": wkt}
            params |= {"target": None, "tz": None} | kw
            return conn.execute(INSERT_JURISDICTION, params).scalar_one()

        city.polda_id = add("WEB-99", "Polda Uji (SINTETIS)", "polda", None, WHOLE, tz="WITA")
        city.polres_id = add(
            "WEB-99.01", "Polres Uji (SINTETIS)", "polres", city.polda_id, WHOLE, target=600
        )
        for code, name, wkt in (("01", "Polsek Barat", WEST), ("02", "Polsek Timur", EAST)):
            city.polsek_ids.append(
                add(f"WEB-99.01.{code}", f"{name} (SINTETIS)", "polsek", city.polres_id, wkt)
            )
        units = (
            ("WEB-R4-1", "R4", city.polsek_ids[0], "available", 127.025, -6.002),
            ("WEB-R2-1", "R2", city.polsek_ids[1], "available", 127.055, -6.010),
            ("WEB-R4-2", "R4", city.polsek_ids[1], "off_duty", 127.065, -5.995),
        )
        for call_sign, kind, home, status, lon, lat in units:
            params = {"call_sign": call_sign, "kind": kind, "home": home, "status": status}
            unit_id = conn.execute(INSERT_UNIT, params).scalar_one()
            conn.execute(UPSERT_POSITION, {"unit_id": unit_id, "lon": lon, "lat": lat})
            city.unit_ids[call_sign] = unit_id
    return city


def move_unit(engine: Engine, unit_id: int, *, lon: float, lat: float) -> None:
    """A new latest fix for a unit, committed (as the ingest worker would write it)."""
    with engine.begin() as conn:
        conn.execute(UPSERT_POSITION, {"unit_id": unit_id, "lon": lon, "lat": lat})


def issue_test_token(engine: Engine, settings, *, username: str, role: str, **kw) -> str:
    """Create (and commit) a user through the security service and return a bearer token."""
    from sqlalchemy.orm import Session

    from api.auth import create_user, issue_token

    with Session(engine, expire_on_commit=False) as session:
        user = create_user(session, username=username, password="rahasia-uji-123", role=role, **kw)
        session.commit()
        return issue_token(settings, user).access_token


INSERT_INCIDENT = text("""
INSERT INTO incidents (caller_name, caller_phone, channel, category, priority, geom,
    polda_id, polres_id, polsek_id, location_match, response_target_s, timezone, validity,
    status, call_received_at, on_scene_at, arrival_verified)
VALUES ('Uji', '081200000000', 'telepon', :category, 2, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326),
    :polda_id, :polres_id, :polsek_id, 'inside', :target, :tz, :validity,
    CASE WHEN :response_s IS NULL THEN 'dispatched' ELSE 'on_scene' END,
    :received_at, :received_at + make_interval(secs => :response_s),
    CASE WHEN :response_s IS NOT NULL THEN CAST(:verified AS boolean) END)
RETURNING id
""")


def insert_incident(conn, city: City, *, polsek: int, lon: float, lat: float, **kw) -> int:
    """One incident row (bypassing intake) for analytics: response_s None = not arrived.

    An arrival is GPS-verified unless verified=False (a crew's claim the fix did not confirm).
    """
    params = {
        "category": "pencurian",
        "polda_id": city.polda_id,
        "polres_id": city.polres_id,
        "polsek_id": city.polsek_ids[polsek],
        "target": 600,
        "validity": "valid",
        "response_s": None,
        "verified": True,
        "tz": "WITA",
        "lon": lon,
        "lat": lat,
    } | kw
    return conn.execute(INSERT_INCIDENT, params).scalar_one()
