"""One time-zone rule: the fallback is written once, and every consumer agrees with it."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from core.settings import PROJECT_ROOT
from jurisdictions import timezones
from jurisdictions.timezones import FALLBACK_ZONE, ZONES, format_local, iso_local, zone_for
from tests.dispatch.factories import make_area

# 17:30 UTC is 00:30 WIB, 01:30 WITA, 02:30 WIT of the next day: hour and day tell zones apart.
AT = datetime(2026, 1, 5, 17, 30, tzinfo=UTC)
PACKAGES = ("api", "core", "dispatch", "jurisdictions", "piket", "places", "roads", "spkt")
PACKAGES += ("tracking", "webmap")
# What a second copy of the rule looks like: an IANA name, an offset table, a literal fallback.
COPIES = (
    re.compile(r"Asia/(Jakarta|Makassar|Jayapura)"),
    re.compile(r"""\bWI(B|TA|T)["']?\s*:\s*[789]\b"""),
    re.compile(r"""\bor\s+["']WI(B|TA|T)["']"""),
    re.compile(r"""COALESCE\([^)]*'WI(B|TA|T)'\s*\)""", re.IGNORECASE),
    re.compile(r"""(\|\||\?\?)\s*["']WI(B|TA|T)["']"""),
    re.compile(r"""\?\s*\w+\s*:\s*["']WI(B|TA|T)["']"""),
    re.compile(r"""(let|const|var)\s+\w+\s*=\s*["']WI(B|TA|T)["']"""),
    re.compile(r"""WHEN\s+'WI(B|TA|T)'\s+THEN""", re.IGNORECASE),
)


def _sources():
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*")):
            if "node_modules" in path.parts or path.suffix not in (".py", ".sql", ".js"):
                continue
            yield path


def test_the_rule_is_written_once():
    owner = PROJECT_ROOT / "jurisdictions" / "timezones.py"
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{n}: {line.strip()}"
        for path in _sources()
        if path != owner
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(pattern.search(line) for pattern in COPIES)
    ]
    assert found == [], "time-zone rule copied outside jurisdictions/timezones.py"


def test_zone_table_and_formats():
    assert zone_for(None).name == FALLBACK_ZONE == zone_for("XYZ").name
    assert {z.name: z.offset_h for z in ZONES.values()} == {"WIB": 7, "WITA": 8, "WIT": 9}
    assert format_local(AT, "WITA") == "2026-01-06 01:30 WITA (+08:00)"
    assert iso_local(AT, "WIT") == "2026-01-06T02:30:00+09:00"
    assert format_local(None, "WIB") == "" and iso_local(None, "WIB") is None


@pytest.fixture
def zoneless(db_session):
    """A Polda -> Polres -> Polsek tree that sets no zone anywhere."""
    area = make_area(db_session)
    area.polda.timezone = None
    db_session.flush()
    return area


def _expected():
    return AT.astimezone(zone_for(FALLBACK_ZONE).tzinfo)


def test_python_consumers_agree_for_a_zoneless_jurisdiction(db_session, settings, zoneless):
    from piket.clock import local, zone
    from piket.report import report_window
    from roads.service import local_hour
    from spkt.numbering import issuing_unit

    expected = _expected()
    assert local_hour(AT, None) == expected.hour
    assert zone(None).utcoffset(AT) == local(AT, None).utcoffset() == expected.utcoffset()
    window = report_window(db_session, settings, center=zoneless.polres, report_date=AT.date())
    assert window["timezone"] == FALLBACK_ZONE
    unit = issuing_unit(db_session, jurisdiction_id=zoneless.polres.id)
    assert unit.timezone == FALLBACK_ZONE
    assert AT.astimezone(unit.zone).utcoffset() == expected.utcoffset()


def test_planner_sql_agrees_for_an_incident_without_zone(db_session, zoneless):
    from webmap import analytics

    db_session.execute(
        text("""
        INSERT INTO incidents (caller_name, caller_phone, channel, category, priority, geom,
            polda_id, polres_id, polsek_id, location_match, timezone, validity, status,
            call_received_at)
        VALUES ('Uji', '081200000000', 'telepon', 'pencurian', 2,
            ST_SetSRID(ST_MakePoint(116.84, -1.265), 4326), :polda, :polres, :polsek, 'inside',
            NULL, 'valid', 'dispatched', :at)
        """),
        {
            "polda": zoneless.polda.id,
            "polres": zoneless.polres.id,
            "polsek": zoneless.polsek_west.id,
            "at": AT,
        },
    )
    ids = set(zoneless.ids())
    summary = analytics.summarize_period(
        db_session, start=AT.date(), end=AT.date() + timedelta(days=1), jurisdiction_ids=ids
    )
    assert summary["by_hour"][_expected().hour]["count"] == 1
    assert summary["total"] == 1


def test_pages_get_the_zones_from_the_server(settings):
    from webmap.maps import render_page
    from webmap.piket_pages import render_piket_page

    for html in (render_page(settings, page="commander"), render_piket_page("piket")):
        config = json.loads(re.search(r"SIAGA_CONFIG = (\{.*\});", html).group(1))
        assert config["zones"] == timezones.page_zones()
        assert config["zones"]["fallback"] == FALLBACK_ZONE


def test_local_day_start_is_midnight_in_the_zone():
    start = timezones.local_day_start(date(2026, 1, 6), "WITA")
    assert start.astimezone(UTC) == datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
    assert start + timedelta(days=1) == timezones.local_day_start(date(2026, 1, 7), "WITA")


def test_a_user_learns_the_zone_of_their_jurisdiction(api_client, user_client, db_session):
    area = make_area(db_session)  # the Polda sets WITA; the Polsek inherits it
    operator = user_client("polsek_operator", jurisdiction_id=area.polsek_west.id)
    assert operator.get("/api/auth/me").json()["timezone"] == "WITA"
    assert api_client.get("/api/auth/me").json()["timezone"] is None  # national: no one zone
