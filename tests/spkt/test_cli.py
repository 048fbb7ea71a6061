"""`siaga spkt` commands against the test database (committed, then cleaned up)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from core.pdf import pdf_page_count
from core.settings import Settings
from spkt.cli import register
from spkt.reports import receive_report
from tests.spkt.factories import desk, make_tree, purge_spkt, report_data


@pytest.fixture
def committed(engine: Engine) -> Iterator:
    with Session(engine, expire_on_commit=False) as session:
        tree = make_tree(session)
        late = datetime.now(UTC) - timedelta(days=5)
        receive_report(session, data=report_data(), actor=desk(session, tree.polres), at=late)
        session.commit()
    yield tree
    with Session(engine) as session:
        session.execute(
            text("DELETE FROM jurisdiction_officials WHERE jurisdiction_id = ANY(:j)"),
            {"j": tree.ids()},
        )
        purge_spkt(session, jurisdiction_ids=tree.ids())


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("SIAGA_DATABASE_URL", settings.database_dsn())
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["spkt", *args])


def test_official_aging_and_the_weekly_pdf(cli, committed, tmp_path: Path) -> None:  # noqa: ANN001
    result = cli("official", committed.polres.code, "--name", "Anton Wibowo",
                 "--position", "kapolres", "--rank", "AKBP")  # fmt: skip
    assert result.exit_code == 0, result.output
    wrong = cli("official", committed.polres.code, "--name", "X", "--position", "kapolsek")
    assert wrong.exit_code == 1 and "kapolres" in wrong.output
    aging = cli("aging")
    line = next(x for x in aging.output.splitlines() if x.startswith(committed.polres.name))
    assert "terbuka 1" in line and "lewat batas 1" in line and "AKBP Anton Wibowo" in line
    out = tmp_path / "akuntabilitas.pdf"
    weekly = cli("accountability", "--out", str(out))
    assert weekly.exit_code == 0, weekly.output
    assert pdf_page_count(out.read_bytes()) >= 1
    assert cli("accountability", "--week", "kemarin").exit_code == 2


def test_the_demo_set_up_records_every_demo_jurisdictions_officials_once(
    settings: Settings, engine: Engine
) -> None:
    from jurisdictions.cli import demo_setup as load_demo_jurisdictions
    from spkt.cli import _demo_root_codes, demo_setup
    from spkt.followup import spkt_signers

    count = text(
        "SELECT count(*) FROM jurisdiction_officials o JOIN jurisdictions j"
        " ON j.id = o.jurisdiction_id WHERE j.code = ANY(:codes) AND o.until IS NULL"
    )
    ids: list = []
    try:
        load_demo_jurisdictions(settings)
        with engine.connect() as connection:
            ids = connection.execute(
                text("SELECT id, code, level FROM jurisdictions WHERE valid_to IS NULL"
                     " AND (code = ANY(:roots) OR code LIKE ANY(:prefixes))"),
                {"roots": _demo_root_codes(), "prefixes": [c + ".%" for c in _demo_root_codes()]},
            ).all()  # fmt: skip
        codes = [row.code for row in ids]
        demo_setup(settings)
        with engine.connect() as connection:
            first = connection.execute(count, {"codes": codes}).scalar_one()
        demo_setup(settings)  # a second `siaga demo` adds nothing
        with engine.connect() as connection:
            assert connection.execute(count, {"codes": codes}).scalar_one() == first == 5 * len(ids)
        polres = next(row.id for row in ids if row.level == "polres")
        with Session(engine) as session:
            signers = spkt_signers(session, jurisdiction_id=polres)
        assert [s["position"] for s in signers] == ["ka_spkt", "ka_siaga_1", "ka_siaga_2",
                                                     "ka_siaga_3"]  # fmt: skip
    finally:
        with engine.begin() as connection:
            loaded = [row.id for row in ids]
            connection.execute(_DELETE_OFFICIALS, {"ids": loaded})
            for level in ("polsek", "polres", "polda"):
                connection.execute(_DELETE_JURISDICTIONS, {"ids": loaded, "level": level})


_DELETE_OFFICIALS = text("DELETE FROM jurisdiction_officials WHERE jurisdiction_id = ANY(:ids)")
_DELETE_JURISDICTIONS = text("DELETE FROM jurisdictions WHERE id = ANY(:ids) AND level = :level")
