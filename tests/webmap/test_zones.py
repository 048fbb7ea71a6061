"""The pages' scripts read zones from the server: a zone-less time uses the one fallback."""

from __future__ import annotations

from jurisdictions.timezones import FALLBACK_ZONE, format_local
from tests.jurisdictions.test_timezones import AT

ISO = AT.isoformat()


def test_scripts_format_with_the_server_zones(open_page):
    visit = open_page("/commander", role="commander")
    page = visit.page
    page.wait_for_function("() => window.Siaga && window.Siaga.fmt && window.SIAGA_CONFIG")
    shown = page.evaluate(
        "(iso) => [window.Siaga.fmt.time(iso, null), window.Siaga.fmt.time(iso, 'WIT'),"
        " window.Siaga.fmtLocal(iso, 'XYZ')]",
        ISO,
    )
    hhmm = format_local(AT, None)[11:16].replace(":", ".")
    assert shown[0] == f"{hhmm} {FALLBACK_ZONE}"
    assert shown[1] == "02.30 WIT"
    assert shown[2].endswith(FALLBACK_ZONE) and shown[2].startswith(hhmm)
