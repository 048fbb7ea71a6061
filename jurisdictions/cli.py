"""`siaga jurisdictions ...`: import, validate, look up, list; demo set-up."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from core.db import make_engine, make_session_factory, session_scope
from core.errors import NotFound, SiagaError
from core.settings import Settings, get_settings

jurisdictions_app = typer.Typer(
    help="Wilayah hukum Polda/Polres/Polsek: impor, validasi, pencarian.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the `jurisdictions` group to the siaga command."""
    app.add_typer(jurisdictions_app, name="jurisdictions")


def _fail(exc: SiagaError) -> None:
    typer.secho(f"gagal: {exc.message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _session_factory(settings: Settings):  # noqa: ANN202
    return make_session_factory(make_engine(settings, pool_size=1))


@jurisdictions_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="GeoJSON, GeoPackage atau Shapefile"),
    mapping: Path | None = typer.Option(None, help="CSV: code,name,level,parent,admin_codes"),
    targets: Path | None = typer.Option(None, help="CSV: code,response_target_s,timezone"),
    level: str | None = typer.Option(None, help="polda|polres|polsek (skema tak dikenal)"),
    code_field: str | None = typer.Option(None, help="kolom kode"),
    name_field: str | None = typer.Option(None, help="kolom nama"),
    parent_field: str | None = typer.Option(None, help="kolom kode induk (default: prefiks)"),
    crs: str | None = typer.Option(None, help="CRS berkas bila tidak tercantum, mis. EPSG:23835"),
    valid_from: datetime | None = typer.Option(None, help="berlaku sejak (UTC)"),
) -> None:
    """Import a boundary file in one transaction; re-importing the same file changes nothing."""
    from jurisdictions.importer import ImportOptions, import_file

    options = ImportOptions(
        level=level,
        code_field=code_field,
        name_field=name_field,
        parent_field=parent_field,
        crs=crs,
        mapping=mapping,
        targets=targets,
        valid_from=valid_from,
    )
    factory = _session_factory(get_settings())
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task(f"impor {file.name}", total=None)
            with session_scope(factory) as session:
                report = import_file(
                    session,
                    path=file,
                    options=options,
                    progress=lambda n: bar.advance(task, n),
                    on_total=lambda n: bar.update(task, total=n),
                )
    except SiagaError as exc:
        _fail(exc)
    for line in report.repairs + report.warnings:
        typer.secho(line, fg=typer.colors.YELLOW)
    typer.echo(
        f"{file.name}: {report.created} baru, {report.replaced} versi baru, "
        f"{report.updated} diperbarui, {report.unchanged} tetap, "
        f"{len(report.repairs)} geometri diperbaiki"
    )


@jurisdictions_app.command("validate")
def validate_command(
    min_area_m2: float = typer.Option(1.0, help="abaikan masalah lebih kecil dari ini (m²)"),
    at: datetime | None = typer.Option(None, help="per waktu (UTC), default sekarang"),
    strict: bool = typer.Option(False, help="keluar dengan kode 1 bila ada masalah"),
    root: str | None = typer.Option(None, help="hanya kode ini dan bawahannya, mis. 64"),
) -> None:
    """Report gaps, overlaps between siblings and children outside their parent, with areas."""
    from jurisdictions.validation import validate_jurisdictions

    with session_scope(_session_factory(get_settings())) as session:
        try:
            root_id = _in_force_id(session, root) if root else None
        except SiagaError as exc:
            _fail(exc)
        issues = validate_jurisdictions(session, min_area_m2=min_area_m2, at=at, root_id=root_id)
    for issue in issues:
        typer.echo(issue.describe())
    total_km2 = sum(i.area_m2 for i in issues) / 1e6
    typer.echo(f"{len(issues)} masalah, total {total_km2:,.3f} km²")
    if issues and strict:
        raise typer.Exit(1)


def _in_force_id(session, code: str) -> int:  # noqa: ANN001
    from sqlalchemy import select

    from jurisdictions.models import Jurisdiction

    found = session.scalar(
        select(Jurisdiction.id).where(Jurisdiction.code == code, Jurisdiction.valid_to.is_(None))
    )
    if found is None:
        raise NotFound(f"kode {code} tidak ditemukan", field="root")
    return found


@jurisdictions_app.command("lookup")
def lookup_command(
    lon: float = typer.Option(..., help="bujur (WGS84)"),
    lat: float = typer.Option(..., help="lintang (WGS84)"),
    at: datetime | None = typer.Option(None, help="per waktu (UTC), default sekarang"),
) -> None:
    """Show the Polda -> Polres -> Polsek chain for a point."""
    from jurisdictions.service import lookup_point

    settings = get_settings()
    try:
        with session_scope(_session_factory(settings)) as session:
            result = lookup_point(
                session,
                lon=lon,
                lat=lat,
                at=at,
                nearest_max_m=settings.jurisdiction_nearest_max_m,
            )
    except SiagaError as exc:
        _fail(exc)
    for ref in (result.polda, result.polres, result.polsek):
        typer.echo(f"{ref.level:<7} {ref.code:<12} {ref.name}" if ref else "-")
    where = "di dalam" if result.match == "inside" else f"terdekat, {result.distance_m:,.0f} m"
    typer.echo(
        f"{where}; target respons {result.response_target_s or '-'} s; zona {result.timezone}"
    )


@jurisdictions_app.command("list")
def list_command(level: str | None = typer.Option(None, help="polda|polres|polsek")) -> None:
    """List the jurisdictions in force."""
    from jurisdictions.service import list_jurisdictions

    with session_scope(_session_factory(get_settings())) as session:
        rows = list_jurisdictions(session, level=level)
        for row in rows:
            target = row.response_target_s or ""
            typer.echo(f"{row.level:<7} {row.code:<12} {row.name}  {target}  {row.timezone or ''}")


@jurisdictions_app.command("write-demo")
def write_demo_command(path: Path | None = typer.Argument(None)) -> None:
    """Rebuild the demo jurisdictions (data/boundaries/) from the extracts in data/demo/."""
    from jurisdictions.demo import DEMO_FILE, write_demo_set

    typer.echo(f"ditulis: {write_demo_set(path or DEMO_FILE)}")


def demo_setup(settings: Settings) -> None:
    """Load the real Balikpapan demo set (idempotent) and retire the old SINTETIS one."""
    from jurisdictions.demo import DEMO_FILE, retire_synthetic_set
    from jurisdictions.importer import import_file

    engine = make_engine(settings, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            report = import_file(session, path=DEMO_FILE)
            retired = retire_synthetic_set(session)
    finally:
        engine.dispose()
    note = f"; {retired} wilayah SINTETIS lama diakhiri" if retired else ""
    typer.echo(
        "wilayah hukum demo (Polda Kaltim, Polresta Balikpapan, 6 Polsek): "
        f"{report.created} baru, {report.changed} berubah{note}"
    )
