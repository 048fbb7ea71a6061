"""`siaga reports daily`, `siaga piket-worker`, and the piket part of `siaga demo`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import typer

from core.settings import Settings, get_settings

reports_app = typer.Typer(
    help="Reports of the call centre (daily report to the Direktur).", no_args_is_help=True
)


@reports_app.command("daily")
def reports_daily(
    pdf: Path = typer.Option(..., "--pdf", help="Write the report's PDF here"),
    report_date: str | None = typer.Option(
        None, "--date", help="YYYY-MM-DD (default: the latest piket day that has ended)"
    ),
    center: str | None = typer.Option(None, help="Polda/Polres code (default: the first Polda)"),
) -> None:
    """Make (and archive) a command centre's daily report and write it as a PDF."""
    from core.db import make_engine, make_session_factory, session_scope
    from core.errors import SiagaError

    settings = get_settings()
    engine = make_engine(settings, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            report = _daily(session, settings, center, _parse_date(report_date))
            pdf.write_bytes(report.pdf or b"")
            _summary(report.figures, pdf)
    except SiagaError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"--date must be YYYY-MM-DD, got {value!r}") from exc


def _daily(session, settings: Settings, code: str | None, report_date: date | None):  # noqa: ANN001, ANN202
    from sqlalchemy import select

    from jurisdictions.models import Jurisdiction
    from jurisdictions.service import effective_timezone
    from piket.clock import current_report_date, parse_clock
    from piket.report import generate_report
    from piket.shifts import get_center

    if code is None:
        code = session.scalar(
            select(Jurisdiction.code)
            .where(Jurisdiction.level == "polda", Jurisdiction.valid_to.is_(None))
            .order_by(Jurisdiction.id)
            .limit(1)
        )
    centre = get_center(session, code=code)
    if report_date is None:
        zone_name = effective_timezone(session, jurisdiction_id=centre.id)
        day_start = parse_clock(settings.piket_day_start, field="piket_day_start")
        report_date = current_report_date(datetime.now(UTC), zone_name, due=day_start)
    return generate_report(session, settings, center=centre, report_date=report_date, actor="cli")


def _summary(figures: dict, pdf: Path) -> None:
    response = figures["response"]
    share = response.get("within_target_share")
    typer.echo(
        f"{figures['center']['name']} {figures['report_date']} "
        f"({figures['period_start']} .. {figures['period_end']})"
    )
    typer.echo(f"calls {figures['calls']}  by validity {figures['by_validity']}")
    typer.echo(
        f"response median {response['median_s']} s, p90 {response['p90_s']} s, "
        f"within target {share}"
    )
    typer.echo(
        f"forwards {figures['forwards']['total']}, open at end "
        f"{figures['open_at_end']}; PDF written to {pdf}"
    )


def register(app: typer.Typer) -> None:
    """Add the piket commands to the `siaga` command."""
    app.add_typer(reports_app, name="reports")

    @app.command("piket-worker")
    def piket_worker(tick_s: float = typer.Option(5.0, help="Seconds between checks")) -> None:
        """Escalate unacknowledged forwards; make and flag due daily reports."""
        from piket.worker import run_worker

        run_worker(get_settings(), tick_s=tick_s)


def demo_processes(settings: Settings, exe: list[str]) -> list[tuple[str, list[str]]]:
    """The piket worker runs beside the API in the demo."""
    return [("piket", [*exe, "piket-worker"])]
