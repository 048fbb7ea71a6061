"""Revision 0002 upgrades, downgrades and upgrades again on its own database."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

from core.embedded import drop_database, ensure_database
from core.migrate import downgrade, upgrade
from core.settings import Settings


def test_0002_round_trip_and_parts_trigger(base_settings: Settings, services: None) -> None:
    name = os.environ.get("SIAGA_TEST_DB", "siaga_test") + "_mig"
    drop_database(base_settings, name)
    ensure_database(base_settings, name)
    url = base_settings.database_dsn().rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(base_settings, url=url, revision="0002")
        downgrade(base_settings, url=url, revision="0001")
        upgrade(base_settings, url=url, revision="0002")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO jurisdictions (code, name, level, geom) VALUES "
                    "('T', 't', 'polda', "
                    "ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(80, -20), 4326), 1, 64)))"
                )
            )
            parts = "SELECT count(*), max(ST_NPoints(geom)) FROM jurisdiction_parts"
            count, most = connection.execute(text(parts)).one()
            assert count > 1 and most <= 64 + 8  # subdivided into small pieces
            connection.execute(text("UPDATE jurisdictions SET valid_to = now() + interval '1 day'"))
            assert connection.execute(
                text("SELECT bool_and(valid_to IS NOT NULL) FROM jurisdiction_parts")
            ).scalar()
            connection.execute(text("DELETE FROM jurisdictions"))
            assert connection.execute(text("SELECT count(*) FROM jurisdiction_parts")).scalar() == 0
        engine.dispose()
    finally:
        drop_database(base_settings, name)
