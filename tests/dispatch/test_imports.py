"""The dispatch modules work on their own (a worker process imports only what it needs)."""

from __future__ import annotations

import subprocess
import sys

from core.settings import PROJECT_ROOT


def test_models_configure_in_a_fresh_process() -> None:
    code = (
        "from sqlalchemy.orm import configure_mappers\n"
        "from core.db import Base\n"
        "import dispatch.worker, dispatch.cli\n"
        "configure_mappers()\n"
        "[fk.column for t in Base.metadata.tables.values() for fk in t.foreign_keys]\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
