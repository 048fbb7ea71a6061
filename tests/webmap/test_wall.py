"""Commander wall mode at 1920x1080: no text under 24 px in either palette, the unit list with
fix age and current Polsek, unit-incident links and the incident card with its timeline."""

from __future__ import annotations

import httpx

WALL = (1920, 1080)
MIN_WALL_TEXT_PX = 24

SMALLEST_TEXT_JS = """() => {
  const sizes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (!rect.width || !rect.height || el.closest('[hidden]')) continue;
    const off = rect.right < 0 || rect.bottom < 0 || rect.left > innerWidth
      || rect.top > innerHeight;
    if (off) continue;
    sizes.push([parseFloat(getComputedStyle(el).fontSize), node.textContent.trim().slice(0, 30)]);
  }
  sizes.sort((a, b) => a[0] - b[0]);
  return sizes.slice(0, 5);
}"""


def _assigned_incident(live_server, tokens, city) -> int:
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    body = {"caller_name": "Rudi", "caller_phone": "081255550000", "category": "penganiayaan",
            "priority": 1, "lon": 127.03, "lat": -6.0}  # fmt: skip
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=10) as client:
        incident_id = client.post("/api/incidents", json=body).json()["id"]
        client.post(f"/api/incidents/{incident_id}/validate", json={"validity": "valid"})
        units = client.get("/api/console/units").json()
        ours = set(city.unit_ids.values())  # the commander sees the test city's units only
        free = [u["id"] for u in units if u["status"] == "available" and u["id"] in ours]
        assert free, "no free unit in the test city"
        response = client.post(
            f"/api/incidents/{incident_id}/assignments", json={"unit_ids": free[:1]}
        )
        assert response.status_code == 201, response.text
    return incident_id


def test_wall_mode_text_is_readable_from_three_metres(open_page, live_server, tokens, city):
    incident_id = _assigned_incident(live_server, tokens, city)
    visit = open_page("/commander?wall=1", viewport=WALL)
    page = visit.page
    page.wait_for_selector("html.wall")
    page.wait_for_selector(f"#fleet button[data-card='{incident_id}']")
    page.wait_for_selector("path.unit-link")  # the assigned unit linked to its incident
    page.click(f"#incident-list li[data-incident='{incident_id}']")
    page.wait_for_selector("#incident-card:not([hidden])")
    page.wait_for_function("() => document.querySelectorAll('#card-timeline li').length >= 3")
    assert "Penganiayaan" in page.inner_text("#card-summary")
    for palette in ("siang", "malam"):
        if palette == "malam":
            page.click("#palette-toggle")
            page.wait_for_selector("html.night")
        smallest = page.evaluate(SMALLEST_TEXT_JS)
        assert smallest[0][0] >= MIN_WALL_TEXT_PX, f"{palette}: smallest text {smallest}"
        visit.screenshot(f"wall-{palette}")
    visit.assert_clean()


def test_unit_filter_uses_where_the_unit_is_now(open_page, engine, city):
    from tests.webmap.factories import move_unit

    # WEB-R4-1 is based in Polsek Barat; it is driving in Polsek Timur now.
    move_unit(engine, city.unit_ids["WEB-R4-1"], lon=127.05, lat=-6.0)
    visit = open_page("/commander")
    page = visit.page
    page.wait_for_function("() => window.Siaga.live && window.Siaga.live.units.size >= 3")
    row = f"#fleet tr[data-unit='{city.unit_ids['WEB-R4-1']}']"
    page.wait_for_function(
        f"() => (document.querySelector(\"{row}\") || {{}}).textContent?.includes('Polsek Timur')"
    )
    page.select_option("#f-polsek", str(city.polsek_ids[1]))  # Timur
    page.wait_for_selector(row)
    page.select_option("#f-polsek", str(city.polsek_ids[0]))  # Barat: it is not there now
    page.wait_for_selector(row, state="detached")
    move_unit(engine, city.unit_ids["WEB-R4-1"], lon=127.025, lat=-6.002)
    visit.assert_clean()
