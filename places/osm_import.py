"""`siaga osm import`: osm2pgsql (flex style) into a staging schema, then one swap transaction.

osm2pgsql streams the file with its node cache bounded (--slim --cache), so memory does not
grow with the extract. Nothing live is touched until osm2pgsql has succeeded; the swap
replaces one source's rows in a single transaction, so a reader sees the old extract or the
new one, never a mix, and a failed run leaves the current data as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from core.errors import InvalidInput, SetupError

STYLE_FILE = Path(__file__).resolve().parent / "osm_style.lua"
SQL_DIR = Path(__file__).resolve().parent / "sql"
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m")
# osm2pgsql's node cache (MB): the memory bound of an import, whatever the file's size.
NODE_CACHE_MB = 256
# "Processing: Node(12k 12.0k/s) Way(3k 1.50k/s) Relation(0 0.0/s)"
PROGRESS_RE = re.compile(r"Node\((\d+)k.*?Way\((\d+)k.*?Relation\((\d+)")
DONE_RE = re.compile(r"Processed (\d+) (nodes|ways|relations)")


@dataclass
class OsmImportReport:
    """What one import did; unchanged: the same file was already the current one."""

    source: str
    file_sha256: str
    unchanged: bool = False
    streets: int = 0
    named_streets: int = 0
    places: int = 0
    nodes: int = 0
    ways: int = 0
    relations: int = 0
    replaced_import_id: int | None = None


ProgressFn = Callable[[str, dict[str, int]], None]


def source_name(path: Path) -> str:
    """Default source key of an extract: the file name without OSM suffixes or a date."""
    name = path.name
    for suffix in OSM_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    # balikpapan-251121.osm.pbf and balikpapan-latest.osm.pbf are one area's extracts.
    return re.sub(r"[-_.](latest|\d{6,8}(T\d+Z?)?)$", "", name) or path.name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_file(path: Path) -> None:
    """Refuse what cannot be an OSM extract before anything runs."""
    if not path.is_file():
        raise InvalidInput(f"berkas tidak ditemukan: {path}", field="file")
    if not path.name.endswith(OSM_SUFFIXES):
        raise InvalidInput(
            f"berkas bukan ekstrak OpenStreetMap (.osm.pbf/.osm): {path.name}", field="file"
        )
    if path.stat().st_size == 0:
        raise InvalidInput(f"berkas kosong: {path.name}", field="file")


def import_osm(
    engine: Engine,
    *,
    path: Path,
    source: str | None = None,
    progress: ProgressFn | None = None,
) -> OsmImportReport:
    """Import an extract as `source` (default from the file name); idempotent per file."""
    check_file(path)
    source = source or source_name(path)
    report = OsmImportReport(source=source, file_sha256=file_sha256(path))
    with engine.connect() as conn:
        current = conn.execute(
            text("SELECT file_sha256 FROM osm_imports WHERE source = :s ORDER BY id DESC LIMIT 1"),
            {"s": source},
        ).scalar()
    if current == report.file_sha256:
        report.unchanged = True
        return report
    schema = f"osm_stage_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        _run_osm2pgsql(engine, schema=schema, path=path, report=report, progress=progress)
        if progress:
            progress("swap", {})
        _swap(engine, schema=schema, path=path, report=report)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    return report


def _osm2pgsql_command(engine: Engine, *, schema: str, path: Path) -> tuple[list[str], dict]:
    binary = shutil.which("osm2pgsql")
    if binary is None:
        raise SetupError("osm2pgsql tidak terpasang (scripts/setup.sh memasangnya)")
    url = make_url(engine.url.render_as_string(hide_password=False))
    argv = [binary, "--create", "--output=flex", f"--style={STYLE_FILE}", "--slim", "--drop"]
    argv += [f"--cache={NODE_CACHE_MB}", f"--middle-schema={schema}", "--log-progress=true"]
    argv += ["--number-processes=1", "-H", url.host or "127.0.0.1", "-P", str(url.port or 5432)]
    argv += ["-U", url.username or "postgres", "-d", url.database or "postgres", str(path)]
    env = os.environ | {"SIAGA_OSM_SCHEMA": schema, "PGPASSWORD": url.password or ""}
    return argv, env


def _run_osm2pgsql(
    engine: Engine, *, schema: str, path: Path, report: OsmImportReport, progress
) -> None:
    argv, env = _osm2pgsql_command(engine, schema=schema, path=path)
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    errors: list[str] = []
    buffer = b""
    assert process.stderr is not None
    while chunk := process.stderr.read1(4096):
        buffer += chunk
        *lines, buffer = re.split(rb"[\r\n]", buffer)
        for line in lines:
            _read_line(line.decode(errors="replace"), report, errors, progress)
    _read_line(buffer.decode(errors="replace"), report, errors, progress)
    if process.wait() != 0:
        reason = errors[-1] if errors else f"osm2pgsql keluar dengan kode {process.returncode}"
        raise InvalidInput(f"impor {path.name} gagal: {reason}", field="file")


def _read_line(line: str, report: OsmImportReport, errors: list[str], progress) -> None:
    if "ERROR:" in line:
        errors.append(line.split("ERROR:", 1)[1].strip())
    elif match := PROGRESS_RE.search(line):
        counts = {"nodes": int(match[1]) * 1000, "ways": int(match[2]) * 1000}
        counts["relations"] = int(match[3])
        if progress:
            progress("read", counts)
    elif match := DONE_RE.search(line):
        setattr(report, match[2], int(match[1]))
        if progress:
            progress("read", {match[2]: int(match[1])})


def _swap(engine: Engine, *, schema: str, path: Path, report: OsmImportReport) -> None:
    """Replace the source's streets and places with the staged ones, in one transaction."""
    swap_sql = (SQL_DIR / "osm_swap.sql").read_text().replace("osm_stage", f'"{schema}"')
    with engine.begin() as conn:
        staged = conn.execute(
            text(
                f'SELECT (SELECT count(*) FROM "{schema}".streets), '  # noqa: S608
                f'(SELECT count(*) FROM "{schema}".places)'
            )
        ).one()
        if staged[0] + staged[1] == 0:
            raise InvalidInput(
                f"impor {path.name} gagal: berkas tidak berisi jalan maupun tempat bernama",
                field="file",
            )
        # Two imports of one source at once would interleave their swaps: take turns.
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('osm_import:' || :s))"),
            {"s": report.source},
        )
        params = {"source": report.source, "file_name": path.name, "sha": report.file_sha256}
        for statement in _statements(swap_sql):
            result = conn.execute(text(statement), params)
            if result.returns_rows:
                row = result.mappings().one()
                report.streets, report.places = row["streets"], row["places"]
                report.named_streets = row["named_streets"]
                report.replaced_import_id = row["replaced"]


def _statements(sql: str) -> list[str]:
    return [part.strip() for part in sql.split(";\n") if part.strip()]
