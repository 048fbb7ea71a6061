"""`siaga spkt ...`: accountable officials, the aging table, the weekly accountability PDF,
numbering LPs left pending."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from sqlalchemy import select

from core.db import make_engine, make_session_factory, session_scope
from core.errors import SiagaError
from core.settings import get_settings

spkt_app = typer.Typer(
    help="SPKT: pejabat, umur laporan, laporan akuntabilitas.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the `spkt` group to the siaga command."""
    app.add_typer(spkt_app, name="spkt")


def _factory():  # noqa: ANN202
    return make_session_factory(make_engine(get_settings(), pool_size=1))


def _fail(exc: SiagaError) -> None:
    typer.secho(f"gagal: {exc.message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _jurisdiction_id(session, code: str) -> int:  # noqa: ANN001
    from jurisdictions.models import Jurisdiction

    found = session.scalar(
        select(Jurisdiction.id).where(Jurisdiction.code == code, Jurisdiction.valid_to.is_(None))
    )
    if found is None:
        raise SiagaError(f"wilayah dengan kode {code} tidak ada", field="code")
    return found


@spkt_app.command("official")
def official_command(
    code: str = typer.Argument(..., help="kode wilayah (Polda/Polres/Polsek)"),
    name: str = typer.Option(..., help="nama pejabat"),
    position: str = typer.Option(
        ..., help="kapolda | kapolres | kapolsek | ka_spkt | ka_siaga_1 | ka_siaga_2 | ka_siaga_3"
    ),
    rank: str = typer.Option("", help="pangkat, mis. AKBP"),
    nrp: str = typer.Option("", help="NRP"),
) -> None:
    """Record an official of a jurisdiction from now on (the previous one in the post ends)."""
    from spkt.followup import set_official

    try:
        with session_scope(_factory()) as session:
            jurisdiction_id = _jurisdiction_id(session, code)
            set_official(session, jurisdiction_id=jurisdiction_id, position=position, name=name,
                         rank=rank, nrp=nrp)  # fmt: skip
    except SiagaError as exc:
        _fail(exc)
    typer.echo(f"{position} {code}: {rank} {name}".strip())


@spkt_app.command("aging")
def aging_command() -> None:
    """Print open reports per Polres/Polsek by age, overdue counts and the official."""
    from spkt.followup import aging

    with session_scope(_factory()) as session:
        views = aging(session, scope_ids=None)
    if not views:
        typer.echo("tidak ada laporan terbuka")
    for view in views:
        official = f"{view.official['rank']} {view.official['name']}" if view.official else "-"
        buckets = "  ".join(f"{label}: {count}" for label, count in view.buckets.items())
        typer.echo(
            f"{view.name}: terbuka {view.open_count} ({buckets}); lewat batas "
            f"{len(view.overdue)}; SP2HP terlambat {len(view.sp2hp_overdue)}; pejabat {official}"
        )


@spkt_app.command("accountability")
def accountability_command(
    week: str = typer.Option("", help="tanggal mana pun dalam minggu itu (YYYY-MM-DD)"),
    out: Path = typer.Option(Path("akuntabilitas.pdf"), help="berkas PDF yang ditulis"),
) -> None:
    """Write the weekly accountability report (every jurisdiction) as a PDF."""
    from spkt.accountability import accountability_pdf, weekly_accountability

    try:
        day = date.fromisoformat(week) if week else datetime.now(UTC).date()
    except ValueError:
        typer.secho("gagal: --week harus YYYY-MM-DD", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    with session_scope(_factory()) as session:
        report = weekly_accountability(session, scope_ids=None, week_of=day)
    out.write_bytes(accountability_pdf(report))
    totals = report["totals"]
    typer.echo(f"{out}: terbuka {totals['open_count']}, lewat batas {totals['overdue_count']}")


@spkt_app.command("number-pending")
def number_pending_command() -> None:
    """Number every LP left waiting for its number (a desk that failed between its steps)."""
    from spkt.laporan_polisi import number_all_pending

    with session_scope(_factory()) as session:
        count = number_all_pending(session)
    typer.echo(f"LP diberi nomor: {count}")


def _demo_root_codes() -> list[str]:
    """The Polda codes of the demo boundary file that `siaga demo` loads."""
    from jurisdictions.demo import DEMO_FILE

    features = json.loads(DEMO_FILE.read_text())["features"]
    return [f["properties"]["code"] for f in features if f["properties"]["level"] == "polda"]


def demo_setup(settings) -> None:  # noqa: ANN001
    """Invented officials (Kapolres/Kapolsek, KA SPKT, KA SIAGA I-III) for the demo tree."""
    from spkt.demo import seed_demo_officials

    engine = make_engine(settings, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            added = sum(
                seed_demo_officials(session, root_id=_jurisdiction_id(session, code))
                for code in _demo_root_codes()
            )
    finally:
        engine.dispose()
    typer.echo(f"pejabat demo (Kapolres/Kapolsek, KA SPKT, KA SIAGA): {added} baru")
