"""Piket: the daily report of a busy Polda (5,000 incidents in the day, 40 Polres).

The database also holds the ten days before (another 50,000 incidents), forwards for a fifth
of the incidents, orders for one in twenty, and the day's two shifts. daily_report_s is the
whole report as a person asks for it (figures, then the PDF with its charts); the baseline in
the same run is the plain aggregate query over the same day's incidents (counts by channel,
validity, category and Polres), which is what any report has to read at least.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.common import BenchContext, Figure, median, time_calls_ms
from core.db import make_session_factory, session_scope
from jurisdictions.models import Jurisdiction
from piket.report import compute_figures, generate_report

POLRES, DAY_INCIDENTS, HISTORY_DAYS = 40, 5_000, 10
REPORT_DATE = date(2026, 11, 30)
# WITA piket day: 29 Nov 08:00 - 30 Nov 08:00 local = 29 Nov 00:00 - 30 Nov 00:00 UTC.
DAY_START = datetime(2026, 11, 29, tzinfo=UTC)

LOAD_INCIDENTS = text(
    """
    INSERT INTO incidents (caller_name, caller_phone, channel, category, priority, geom,
        polda_id, polres_id, polsek_id, location_match, response_target_s, timezone, validity,
        status, call_received_at, escalated_at, on_scene_at, closed_at)
    SELECT 'Bench', '0812' || lpad((g % 100000)::text, 6, '0'),
           (ARRAY['telepon', 'telepon', 'sms', 'email', 'media_sosial'])[1 + g % 5],
           (ARRAY['pencurian', 'kecelakaan_lalu_lintas', 'penganiayaan', 'kebakaran',
                  'kdrt', 'informasi', 'lainnya'])[1 + g % 7],
           1 + g % 3, ST_SetSRID(ST_MakePoint(117, 0), 4326),
           :polda, p.id, p.polsek, 'inside', 600, 'WITA',
           (ARRAY['valid', 'valid', 'valid', 'valid', 'invalid', 'prank', 'duplicate'])
               [1 + g % 7],
           CASE WHEN g % 9 = 0 THEN 'dispatched' ELSE 'closed' END,
           t.at, CASE WHEN g % 11 = 0 THEN t.at + interval '2 minutes' END,
           t.at + make_interval(secs => 120 + (g * 37) % 1500),
           CASE WHEN g % 9 <> 0 THEN t.at + interval '1 hour' END
    FROM generate_series(1, :n) AS g
    CROSS JOIN LATERAL (SELECT :start + (g::float8 / :n) * make_interval(days => :days) AS at) t
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k,
                 (SELECT min(s.id) FROM jurisdictions s WHERE s.parent_id = r.id) AS polsek
          FROM jurisdictions r WHERE r.parent_id = :polda) p ON p.k = g % :polres
    """
)
LOAD_FORWARDS = text(
    """
    INSERT INTO piket_forwards (incident_id, function_code, jurisdiction_id, status, urgent,
        note, forwarded_by, forwarded_at, ack_deadline, acknowledged_at, result_at)
    SELECT id, (ARRAY['reskrim', 'lantas', 'damkar', 'psc119'])[1 + id % 4], polres_id,
           CASE WHEN id % 3 = 0 THEN 'sent' ELSE 'done' END, id % 4 = 0, '', 'bench',
           call_received_at + interval '1 minute', call_received_at + interval '11 minutes',
           CASE WHEN id % 3 <> 0 THEN call_received_at + interval '4 minutes' END,
           CASE WHEN id % 3 <> 0 THEN call_received_at + interval '50 minutes' END
    FROM incidents WHERE id % 5 = 0
    """
)
LOAD_ORDERS = text(
    """
    INSERT INTO piket_orders (incident_id, given_by, given_at, instruction, assignee, due_at,
        status, done_at)
    SELECT id, 'bench', call_received_at + interval '2 minutes', 'Cek TKP', 'Piket',
           call_received_at + interval '30 minutes',
           CASE WHEN id % 2 = 0 THEN 'done' ELSE 'open' END,
           CASE WHEN id % 2 = 0 THEN call_received_at + interval '20 minutes' END
    FROM incidents WHERE id % 20 = 0
    """
)
PLAIN_AGGREGATE = text(
    """
    SELECT channel, validity, category, polres_id, count(*)
    FROM incidents
    WHERE (polda_id = :center OR polres_id = :center)
      AND call_received_at >= :start AND call_received_at < :end
    GROUP BY channel, validity, category, polres_id
    """
)


def _jurisdictions(session: Session) -> Jurisdiction:
    polda = Jurisdiction(
        code="BENCHP",
        name="Polda Bench (SINTETIS)",
        level="polda",
        timezone="WITA",
        response_target_s=900,
        geom=from_shape(MultiPolygon([box(110, -5, 120, 5)]), srid=4326),
    )
    session.add(polda)
    session.flush()
    for index in range(POLRES):
        west, south = 110 + (index % 8) * 1.25, -5 + (index // 8) * 2.0
        polres = Jurisdiction(
            code=f"BENCHP.{index + 1}",
            name=f"Polres Bench {index + 1:02d}",
            level="polres",
            parent_id=polda.id,
            geom=from_shape(MultiPolygon([box(west, south, west + 1.25, south + 2.0)]), srid=4326),
        )
        session.add(polres)
        session.flush()
        for part in range(3):
            session.add(
                Jurisdiction(
                    code=f"{polres.code}.{part + 1}",
                    name=f"Polsek Bench {index + 1:02d}.{part + 1}",
                    level="polsek",
                    parent_id=polres.id,
                    geom=from_shape(
                        MultiPolygon(
                            [box(west + part * 0.4, south, west + part * 0.4 + 0.4, south + 2.0)]
                        ),
                        srid=4326,
                    ),
                )
            )
    session.flush()
    return polda


def _shifts(session: Session, polda: Jurisdiction) -> None:
    from api.auth import create_user
    from piket.schemas import CheckIn, MemberIn
    from piket.shifts import acknowledge_handover, checklist_items, hand_over, prepare_shift

    def shift(name: str, at: datetime):  # noqa: ANN202
        user = create_user(
            session,
            username=f"bench.{name}",
            password="kata-sandi-bench",
            role="perwira_piket",
            jurisdiction_id=polda.id,
            full_name=name,
        )
        members = ["Budi", "Citra"]
        checks = [CheckIn(code=code, ok=True) for code, _ in checklist_items(members)]
        return prepare_shift(
            session,
            center=polda,
            perwira_username=user.username,
            perwira_rank="IPTU",
            members=[MemberIn(name=m) for m in members],
            checks=checks,
            planned_hours=12,
            actor="bench",
            now=at,
        )

    first = shift("andi", DAY_START - timedelta(minutes=1))
    second = shift("sari", DAY_START + timedelta(hours=11, minutes=50))
    hand_over(session, shift=first, note="", actor="bench", now=DAY_START + timedelta(hours=12))
    acknowledge_handover(session, shift=second, actor="bench", now=DAY_START + timedelta(hours=12))


def _load(ctx: BenchContext) -> Jurisdiction:
    factory = make_session_factory(ctx.engine)
    with session_scope(factory) as session:
        polda = _jurisdictions(session)
        total = DAY_INCIDENTS * (HISTORY_DAYS + 1)
        session.execute(
            LOAD_INCIDENTS,
            {
                "polda": polda.id,
                "polres": POLRES,
                "n": total,
                "days": HISTORY_DAYS + 1,
                "start": DAY_START - timedelta(days=HISTORY_DAYS),
            },
        )
        session.execute(LOAD_FORWARDS)
        session.execute(LOAD_ORDERS)
        _shifts(session, polda)
    with ctx.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    return polda


def run(ctx: BenchContext) -> list[Figure]:
    polda = _load(ctx)
    repeat = 3 if ctx.quick else 7
    factory = make_session_factory(ctx.engine)
    params = {"center": polda.id, "start": DAY_START, "end": DAY_START + timedelta(days=1)}
    with session_scope(factory) as session:
        calls = compute_figures(session, ctx.settings, center=polda, report_date=REPORT_DATE)[
            "calls"
        ]
        assert calls == DAY_INCIDENTS, calls  # the day holds exactly its 5,000 incidents

        def whole_report() -> None:
            generate_report(
                session,
                ctx.settings,
                center=polda,
                report_date=REPORT_DATE,
                actor="bench",
                now=DAY_START + timedelta(days=1, minutes=5),
            )

        def figures_only() -> None:
            compute_figures(session, ctx.settings, center=polda, report_date=REPORT_DATE)

        report_ms = time_calls_ms(whole_report, repeat, warmup=1)
        figures_ms = time_calls_ms(figures_only, repeat * 3, warmup=2)
        plain_ms = time_calls_ms(
            lambda: session.execute(PLAIN_AGGREGATE, params).all(), repeat * 3, warmup=2
        )
    return [
        Figure(
            "daily_report_s",
            median(report_ms) / 1000,
            "s",
            "plain_aggregate_query_s",
            median(plain_ms) / 1000,
            note=f"goal < 5 s; {DAY_INCIDENTS:,} incidents in the day ({POLRES} Polres, "
            f"{HISTORY_DAYS} days of history before it); figures alone "
            f"{median(figures_ms):.0f} ms, the rest is the PDF (WeasyPrint)",
        ),
    ]
