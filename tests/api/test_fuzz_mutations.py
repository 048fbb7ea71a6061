"""The defect patches of scripts/fuzz_proof.sh still apply to the code (the proof cannot rot)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from core.settings import PROJECT_ROOT

MUTATIONS = sorted((PROJECT_ROOT / "tests/api/mutations").glob("*.patch"))


@pytest.mark.parametrize("patch", MUTATIONS, ids=[p.stem for p in MUTATIONS])
def test_mutation_applies_and_names_its_error(patch) -> None:  # noqa: ANN001
    if shutil.which("git") is None or not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout: the patches are checked in one")
    assert any(line.startswith("Expect: ") for line in patch.read_text().splitlines())
    check = subprocess.run(
        ["git", "apply", "--check", str(patch)], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


def test_both_defects_have_a_mutation() -> None:
    assert {p.stem for p in MUTATIONS} >= {"crew_null", "duplicates_geography"}
