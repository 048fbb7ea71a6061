"""The synthetic demo set: written by the project, labelled SINTETIS, loaded idempotently."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from jurisdictions.demo import DEMO_FILE, demo_collection
from jurisdictions.importer import import_file
from jurisdictions.service import lookup_point
from jurisdictions.validation import validate_jurisdictions


def test_committed_file_is_what_the_script_writes() -> None:
    on_disk = json.loads(DEMO_FILE.read_text())
    assert on_disk == json.loads(json.dumps(demo_collection()))
    assert all("SINTETIS" in f["properties"]["name"] for f in on_disk["features"])
    assert all(f["properties"]["sintetis"] is True for f in on_disk["features"])


def test_demo_set_loads_idempotently_and_resolves(clean_session: Session) -> None:
    first = import_file(clean_session, path=DEMO_FILE)
    assert first.created == 6
    assert import_file(clean_session, path=DEMO_FILE).changed == 0
    # Inside the Balikpapan Kota road extract: Polres target 600 s inherited, zone WITA.
    result = lookup_point(clean_session, lon=116.83, lat=-1.265)
    assert result.polres.code == "SIN.01" and result.polsek.code.startswith("SIN.01.")
    assert (result.match, result.response_target_s, result.timezone) == ("inside", 600, "WITA")
    codes = {
        lookup_point(clean_session, lon=lon, lat=lat).polsek.code
        for lon in (116.81, 116.87)
        for lat in (-1.28, -1.25)
    }
    assert codes == {"SIN.01.01", "SIN.01.02", "SIN.01.03", "SIN.01.04"}
    assert validate_jurisdictions(clean_session) == []  # no gaps, overlaps, outside parts
