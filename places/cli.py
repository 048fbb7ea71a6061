"""`siaga osm import` and `siaga places ...`: load streets, landmarks and areas."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from core.db import make_engine, make_session_factory, session_scope
from core.errors import SiagaError
from core.settings import get_settings

osm_app = typer.Typer(help="Impor data OpenStreetMap (jalan dan tempat).", no_args_is_help=True)
places_app = typer.Typer(help="Tempat, wilayah administratif, pencarian.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the `osm` and `places` groups to the siaga command."""
    app.add_typer(osm_app, name="osm")
    app.add_typer(places_app, name="places")


def _fail(exc: SiagaError) -> None:
    typer.secho(f"gagal: {exc.message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@osm_app.command("import")
def osm_import_command(
    file: Path = typer.Argument(..., help="Ekstrak OpenStreetMap (.osm.pbf atau .osm)"),
    source: str | None = typer.Option(None, help="nama sumber (default: dari nama berkas)"),
) -> None:
    """Import streets and named places; the same file again changes nothing."""
    from places.osm_import import import_osm

    engine = make_engine(get_settings(), pool_size=1)
    counts = {"nodes": 0, "ways": 0, "relations": 0}
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    try:
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task(f"membaca {file.name}", total=None)

            def progress(phase: str, update: dict[str, int]) -> None:
                counts.update(update)
                if phase == "swap":
                    bar.update(task, description="menyimpan (satu transaksi)")
                    return
                bar.update(
                    task,
                    description=f"membaca {file.name}: {counts['nodes']:,} node, "
                    f"{counts['ways']:,} way, {counts['relations']:,} relasi",
                )

            report = import_osm(engine, path=file, source=source, progress=progress)
    except SiagaError as exc:
        _fail(exc)
    finally:
        engine.dispose()
    if report.unchanged:
        typer.echo(
            f"{file.name}: sama dengan impor terakhir sumber '{report.source}', tidak diubah"
        )
        return
    replaced = (
        f", menggantikan impor #{report.replaced_import_id}" if report.replaced_import_id else ""
    )
    typer.echo(
        f"{file.name} -> sumber '{report.source}': {report.streets} ruas jalan "
        f"({report.named_streets} nama jalan), {report.places} tempat bernama; "
        f"dibaca {report.nodes:,} node, {report.ways:,} way{replaced}"
    )


@places_app.command("load-areas")
def load_areas_command(
    file: Path = typer.Argument(..., help="GeoJSON wilayah Kemendagri (provinsi/kab/kec/desa)"),
    within: str | None = typer.Option(None, help="hanya kode di bawah ini, mis. 64.71"),
) -> None:
    """Load administrative areas (names and polygons) for search and reverse geocoding."""
    from places.areas import load_areas

    factory = make_session_factory(make_engine(get_settings(), pool_size=1))
    try:
        with session_scope(factory) as session:
            read, changed = load_areas(session, path=file, within=within)
    except SiagaError as exc:
        _fail(exc)
    typer.echo(f"{file.name}: {read} wilayah dibaca, {changed} baru/berubah")


@places_app.command("load-csv")
def load_csv_command(
    file: Path = typer.Argument(..., help="CSV tempat (nama_tempat,...) atau kantor polisi"),
    source: str | None = typer.Option(None, help="nama sumber (default: csv:<nama berkas>)"),
) -> None:
    """Load named places from a CSV list, replacing that source's earlier load."""
    from places.landmarks import load_places_csv

    factory = make_session_factory(make_engine(get_settings(), pool_size=1))
    try:
        with session_scope(factory) as session:
            count = load_places_csv(session, path=file, source=source)
    except SiagaError as exc:
        _fail(exc)
    typer.echo(f"{file.name}: {count} tempat dimuat")


@places_app.command("write-demo")
def write_demo_command() -> None:
    """Write the demo's small extracts of ../shared/data under data/demo/ and the demo's
    jurisdictions (data/boundaries/demo_balikpapan.geojson) built from them (rerunnable)."""
    from places.demo import DEMO_DIR, write_demo

    try:
        sizes = write_demo(get_settings().shared_data_dir)
    except SiagaError as exc:
        _fail(exc)
    for name, size in sizes.items():
        typer.echo(f"{DEMO_DIR.name}/{name}: {size:,} B")
    typer.echo(f"jumlah: {sum(sizes.values()):,} B")


def demo_setup(settings) -> None:  # noqa: ANN001
    """`siaga demo`: the real Balikpapan streets, landmarks, police stations and areas."""
    from places.demo import load_demo_geography

    engine = make_engine(settings, pool_size=1)
    try:
        load_demo_geography(engine)
    finally:
        engine.dispose()
