"""`siaga reports daily` against the test database (a committed area, removed afterwards)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from core.pdf import pdf_page_count
from piket.cli import register
from piket.report import get_report
from tests.dispatch.factories import make_area
from tests.piket.factories import make_incident, make_user, open_shift, remove_committed_area

START = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)  # 29 Nov 08:00 WITA


@pytest.fixture
def committed(engine, settings, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("SIAGA_DATABASE_URL", settings.database_dsn())
    with Session(engine, expire_on_commit=False) as session:
        area = make_area(session, shift_lon=-30.0)
        perwira = make_user(session, "perwira_piket", area.polda, full_name="Andi Wijaya")
        open_shift(session, area.polda, perwira, ["Budi", "Citra"], at=START)
        for minutes in (5, 600, 1439, 1441):  # the last one is in the next day's report
            make_incident(
                session,
                at=START + timedelta(minutes=minutes),
                lon=116.84 - 30.0,
                category="pencurian",
            )
        session.commit()
    yield area
    remove_committed_area(engine, area)


def test_reports_daily_writes_the_pdf_and_archives_it(committed, engine, tmp_path) -> None:  # noqa: ANN001
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    pdf = tmp_path / "laporan.pdf"
    args = ["reports", "daily", "--date", "2026-11-30", "--center", committed.polda.code]
    result = runner.invoke(app, [*args, "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert "calls 3" in result.output
    assert pdf_page_count(pdf.read_bytes()) >= 1
    with Session(engine) as session:
        report = get_report(session, center_id=committed.polda.id, report_date=date(2026, 11, 30))
        assert report is not None and report.figures["calls"] == 3
        assert report.generated_by == "cli" and report.pdf == pdf.read_bytes()

    bad_date = runner.invoke(app, ["reports", "daily", "--date", "30-11-2026", "--pdf", str(pdf)])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    unknown = runner.invoke(app, ["reports", "daily", "--center", "NOPE", "--pdf", str(pdf)])
    assert unknown.exit_code == 1 and "NOPE" in unknown.output
