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
