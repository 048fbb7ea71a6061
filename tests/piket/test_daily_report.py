"""The daily report: its figures equal the same figures computed straight from the incidents;
the PDF renders (pages saved as images); each centre's report is due at its own 09:00."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import or_, select

from core.errors import Conflict
from core.pdf import pdf_page_count, pdf_pages_to_png
from dispatch.models import Incident
from piket.forwards import acknowledge_forward, forward_incident
from piket.report import compute_figures, generate_report, run_due_reports, sign_report
from tests.dispatch.factories import make_area
from tests.piket.factories import make_incident, open_shift

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REPORT_DATE = date(2026, 11, 30)
# Polda of the test area is WITA: the report of 30 Nov covers 29 Nov 08:00 - 30 Nov 08:00 WITA.
START = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
END = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
CHANNELS = ("telepon", "sms", "email", "media_sosial")
CATEGORIES = ("pencurian", "kecelakaan_lalu_lintas", "kebakaran", "kdrt", "informasi")
VALIDITIES = ("valid", "valid", "valid", "invalid", "prank")


def _seed(db_session, area, rng: random.Random) -> list[Incident]:  # noqa: ANN001
    """Incidents inside the period, at its edges, and just outside it, with arrivals."""
    made = []
    offsets_min = [-1, 0, 1439, 1440, 2000] + [rng.uniform(1, 1438) for _ in range(40)]
    for minute in offsets_min:
        received = START + timedelta(minutes=minute)
        lon = rng.uniform(116.81, 116.87)
        incident = make_incident(
            db_session,
            at=received,
            validity=rng.choice(VALIDITIES),
            channel=rng.choice(CHANNELS),
            category=rng.choice(CATEGORIES),
            lon=lon,
            lat=rng.uniform(-1.28, -1.25),
        )
        if incident.validity == "valid" and rng.random() < 0.7:
            incident.on_scene_at = received + timedelta(seconds=rng.uniform(120, 1500))
            incident.arrival_verified = rng.random() < 0.75  # the rest only a crew claimed
        if incident.validity == "valid" and rng.random() < 0.2:
            incident.escalated_at = received + timedelta(minutes=2)
        made.append(incident)
    db_session.flush()
    return made


def _expected(db_session, center_id: int) -> dict:  # noqa: ANN001
    rows = list(
        db_session.scalars(
            select(Incident).where(
                or_(Incident.polda_id == center_id, Incident.polres_id == center_id),
                Incident.call_received_at >= START,
                Incident.call_received_at < END,
            )
        )
    )
    valid = [i for i in rows if i.validity == "valid"]
    measured = [i for i in valid if i.on_scene_at is not None and i.on_scene_at < END]
    unverified = [i for i in measured if not i.arrival_verified]
    verified = [i for i in measured if i.arrival_verified]
    seconds = [(i.on_scene_at - i.call_received_at).total_seconds() for i in verified]
    targeted = [i for i in verified if i.response_target_s is not None]
    within = [
        i
        for i in targeted
        if (i.on_scene_at - i.call_received_at).total_seconds() <= i.response_target_s
    ]
    return {
        "calls": len(rows),
        "by_channel": dict(Counter(i.channel for i in rows)),
        "by_validity": dict(Counter(i.validity for i in rows)),
        "by_category": dict(Counter(i.category for i in valid)),
        "by_polsek": dict(Counter(i.polsek_id for i in valid)),
        "measured": len(measured),
        "unverified": len(unverified),
        "unverified_within": sum(
            1
            for i in unverified
            if i.response_target_s is not None
            and (i.on_scene_at - i.call_received_at).total_seconds() <= i.response_target_s
        ),
        "median_s": statistics.median(seconds),
        "p90_s": float(np.percentile(seconds, 90)),
        "within": len(within),
        "with_target": len(targeted),
        "escalated": sum(1 for i in rows if i.escalated_at is not None and i.escalated_at < END),
    }


def test_figures_equal_the_incidents(db_session, settings, area, people) -> None:
    open_shift(db_session, area.polda, people.perwira_a, ["Budi", "Citra"], at=START)
    incidents = _seed(db_session, area, random.Random(13))
    theft = next(
        i
        for i in incidents
        if i.validity == "valid" and START <= i.call_received_at < END - timedelta(hours=1)
    )
    (forward,) = forward_incident(
        db_session,
        incident_id=theft.id,
        functions=["reskrim"],
        note="",
        actor="pw",
        ack_timeout_s=600,
        urgent_ack_timeout_s=180,
        now=theft.call_received_at,
    )
    acknowledge_forward(
        db_session, forward=forward, actor="desk", now=theft.call_received_at + timedelta(minutes=1)
    )

    figures = compute_figures(db_session, settings, center=area.polda, report_date=REPORT_DATE)
    expected = _expected(db_session, area.polda.id)
    assert figures["period_start"] == START.isoformat()
    assert figures["period_end"] == END.isoformat()
    assert figures["calls"] == expected["calls"] == 42  # 40 inside, plus minute 0 and 1439
    assert figures["by_channel"] == expected["by_channel"]
    assert figures["by_validity"] == expected["by_validity"]
    assert figures["by_category"] == expected["by_category"]
    assert {p["id"]: p["count"] for p in figures["by_polsek"]} == expected["by_polsek"]
    response = figures["response"]
    assert response["measured"] == expected["measured"]
    # Only GPS-verified arrivals make the figures; the crew's claims are counted apart.
    assert response["unverified"] == expected["unverified"] > 0
    assert response["verified"] == expected["measured"] - expected["unverified"]
    assert response["unverified_within_target"] == expected["unverified_within"]
    assert response["median_s"] == pytest.approx(expected["median_s"], abs=1e-3)
    assert response["p90_s"] == pytest.approx(expected["p90_s"], abs=1e-3)
    assert response["within_target"] == expected["within"]
    assert response["with_target"] == expected["with_target"]
    assert figures["escalated_to_polda"] == expected["escalated"]
    assert figures["forwards"]["total"] == figures["forwards"]["acknowledged"] == 1
    assert figures["forwards"]["by_function"] == {"reskrim": 1}
    assert figures["open_at_end"]["forwards"] == 1
    (shift,) = figures["shifts"]
    assert shift["perwira"] == "IPTU Andi Wijaya" and shift["members"] == [
        "BRIPKA Budi",
        "BRIPKA Citra",
    ]


def test_pdf_renders_and_is_frozen_once_signed(db_session, settings, area, people) -> None:
    open_shift(db_session, area.polda, people.perwira_a, ["Budi", "Citra"], at=START)
    _seed(db_session, area, random.Random(7))
    report = generate_report(
        db_session,
        settings,
        center=area.polda,
        report_date=REPORT_DATE,
        actor="pw",
        now=END + timedelta(minutes=10),
    )
    assert report.pdf.startswith(b"%PDF") and pdf_page_count(report.pdf) >= 1
    images = pdf_pages_to_png(report.pdf, ARTIFACTS, "daily-report")
    assert images and all(p.stat().st_size > 10_000 for p in images)

    signed = sign_report(
        db_session,
        settings,
        center=area.polda,
        report_date=REPORT_DATE,
        actor=people.perwira_a.username,
        now=END + timedelta(minutes=30),
    )
    calls = signed.figures["calls"]
    make_incident(db_session, at=START + timedelta(hours=3))  # arrives late, after signing
    again = generate_report(
        db_session,
        settings,
        center=area.polda,
        report_date=REPORT_DATE,
        actor="pw",
        now=END + timedelta(hours=2),
    )
    assert again.figures["calls"] == calls and again.signed_by == people.perwira_a.username
    with pytest.raises(Conflict):
        sign_report(
            db_session,
            settings,
            center=area.polda,
            report_date=REPORT_DATE,
            actor="pw",
            now=END + timedelta(hours=2),
        )


def test_each_centre_gets_its_report_at_its_own_0900(db_session, settings, people) -> None:
    from tests.piket.factories import make_user

    east = make_area(db_session, shift_lon=20.0)  # Papua-ish: WIT
    west = make_area(db_session, shift_lon=-20.0)  # Sumatra-ish: WIB
    east.polda.timezone, west.polda.timezone = "WIT", "WIB"
    db_session.flush()
    for centre in (east.polda, west.polda):
        perwira = make_user(db_session, "perwira_piket", centre)
        open_shift(
            db_session,
            centre,
            perwira,
            ["Budi", "Citra"],
            at=datetime(2026, 11, 29, 0, 0, tzinfo=UTC),
        )
    day = date(2026, 11, 30)

    def made(now: datetime) -> set[str]:
        result = run_due_reports(db_session, settings, now=now)
        mine = {east.polda.code, west.polda.code}
        return {code for code, when in result["made"] if when == day.isoformat()} & mine

    assert made(datetime(2026, 11, 29, 23, 59, tzinfo=UTC)) == set()  # 08:59 WIT
    assert made(datetime(2026, 11, 30, 0, 0, tzinfo=UTC)) == {east.polda.code}  # 09:00 WIT
    assert made(datetime(2026, 11, 30, 1, 59, tzinfo=UTC)) == set()  # 08:59 WIB
    assert made(datetime(2026, 11, 30, 2, 0, tzinfo=UTC)) == {west.polda.code}  # 09:00 WIB
    later = run_due_reports(db_session, settings, now=datetime(2026, 11, 30, 2, 1, tzinfo=UTC))
    mine = {east.polda.code, west.polda.code}
    assert not {code for code, _ in later["made"] + later["flagged"]} & mine  # flagged once
