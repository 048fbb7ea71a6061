"""Piket routes through the real app, per role: who may call what, and what each one sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.pdf import pdf_page_count
from piket.shifts import checklist_items
from tests.dispatch.factories import incident_body


def _checks(names: list[str]) -> list[dict]:
    return [{"code": code, "ok": True} for code, _ in checklist_items(names)]


def _incident(client, **overrides) -> dict:  # noqa: ANN001
    created = client.post("/api/incidents", json=incident_body(**overrides))
    assert created.status_code == 201, created.text
    incident = created.json()
    response = client.post(f"/api/incidents/{incident['id']}/validate", json={"validity": "valid"})
    assert response.status_code == 200, response.text
    return incident


def test_piket_roles_end_to_end(user_client, area, people, db_session) -> None:
    perwira = user_client("perwira_piket", jurisdiction_id=area.polda.id)
    operator = user_client("polda_operator", jurisdiction_id=area.polda.id)
    reskrim = user_client("desk", jurisdiction_id=area.polres.id, function_code="reskrim")
    other_reskrim = user_client(
        "desk", jurisdiction_id=area.other_polres.id, function_code="reskrim"
    )
    lantas = user_client("desk", jurisdiction_id=area.polres.id, function_code="lantas")
    direktur = user_client("direktur", jurisdiction_id=area.polda.id)

    body = {
        "center_id": area.polda.id,
        "perwira_rank": "IPTU",
        "members": [{"name": "Budi", "rank": "BRIPKA"}, {"name": "Citra"}],
        "checks": _checks(["Budi", "Citra"]),
    }
    assert operator.post("/api/piket/shifts", json=body).status_code == 403
    opened = perwira.post("/api/piket/shifts", json=body)
    assert opened.status_code == 201, opened.text
    assert opened.json()["status"] == "open"
    bad = perwira.post("/api/piket/shifts", json={**body, "checks": []})
    assert bad.status_code in (409, 422) and bad.json()["field"]

    current = operator.get("/api/piket/shifts/current").json()
    assert current["shift"]["id"] == opened.json()["id"]
    greeting = operator.get("/api/piket/greeting").json()
    assert greeting["script"].startswith("Selamat ")

    incident = _incident(operator, category="pencurian")
    queue = perwira.get("/api/piket/queue").json()
    row = next(r for r in queue if r["id"] == incident["id"])
    assert row["suggested_forwards"] == ["reskrim"]

    assert (
        reskrim.post(
            f"/api/incidents/{incident['id']}/forwards", json={"functions": ["reskrim"]}
        ).status_code
        == 403
    )
    unknown = operator.post(
        f"/api/incidents/{incident['id']}/forwards", json={"functions": ["pemadam"]}
    )
    assert unknown.status_code == 422 and "fungsi" in unknown.json()["message"]
    sent = operator.post(
        f"/api/incidents/{incident['id']}/forwards",
        json={"functions": ["reskrim"], "note": "segera ke TKP"},
    )
    assert sent.status_code == 201, sent.text
    forward_id = sent.json()[0]["id"]
    assert sent.json()[0]["urgent"] is True

    assert [f["id"] for f in reskrim.get("/api/forwards").json()] == [forward_id]
    assert other_reskrim.get("/api/forwards").json() == []
    assert lantas.get("/api/forwards").json() == []
    assert lantas.post(f"/api/forwards/{forward_id}/acknowledge").status_code == 404
    assert operator.post(f"/api/forwards/{forward_id}/acknowledge").status_code == 403
    assert (
        reskrim.post(f"/api/forwards/{forward_id}/result", json={"result": "x"}).status_code == 409
    )
    assert reskrim.post(f"/api/forwards/{forward_id}/acknowledge").status_code == 200
    done = reskrim.post(f"/api/forwards/{forward_id}/result", json={"result": "Pelaku diamankan"})
    assert done.status_code == 200 and done.json()["status"] == "done"

    due = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    order = perwira.post(
        f"/api/incidents/{incident['id']}/orders",
        json={"instruction": "Cek TKP", "assignee": "Budi", "due_at": due},
    )
    assert order.status_code == 201, order.text
    assert (
        operator.post(
            f"/api/incidents/{incident['id']}/orders", json={"instruction": "x", "assignee": "y"}
        ).status_code
        == 403
    )
    naive = perwira.post(
        f"/api/incidents/{incident['id']}/orders",
        json={"instruction": "x", "assignee": "y", "due_at": "2030-01-01T10:00:00"},
    )
    assert naive.status_code == 422 and naive.json()["field"] == "due_at"
    order_id = order.json()["id"]
    acted = operator.post(f"/api/piket/orders/{order_id}/actions", json={"note": "Unit menuju"})
    assert acted.status_code == 201 and len(acted.json()["actions"]) == 1
    finished = operator.post(f"/api/piket/orders/{order_id}/done", json={"result": "Selesai"})
    assert finished.json()["status"] == "done"

    shift_id = opened.json()["id"]
    entry = operator.post(
        f"/api/piket/shifts/{shift_id}/journal",
        json={"kind": "visitor", "message": "Tamu dari Polsek"},
    )
    assert entry.status_code == 201
    journal = direktur.get(f"/api/piket/shifts/{shift_id}/journal").json()
    actions = [e["action"] for e in journal]
    for expected in (
        "opened",
        "created",
        "forwarded",
        "forward_acknowledged",
        "forward_result",
        "order",
        "order_action",
        "order_done",
        "visitor",
    ):
        assert expected in actions, expected
    assert reskrim.get(f"/api/piket/shifts/{shift_id}/journal").status_code == 403
    printable = direktur.get(f"/api/piket/shifts/{shift_id}/journal.pdf")
    assert printable.status_code == 200 and pdf_page_count(printable.content) >= 1
    duty = direktur.get(f"/api/incidents/{incident['id']}/piket").json()
    assert [s["id"] for s in duty["on_duty"]] == [shift_id]
    assert [o["id"] for o in duty["orders"]] == [order_id]
    assert [f["id"] for f in duty["forwards"]] == [forward_id]

    report = direktur.get("/api/reports/daily")
    assert report.status_code == 200, report.text
    assert {"calls", "by_channel", "by_validity", "response", "forwards", "shifts"} <= set(
        report.json()
    )
    assert reskrim.get("/api/reports/daily").status_code == 403
    assert (
        direktur.post(
            "/api/reports/daily/sign",
            json={"center_id": area.polda.id, "report_date": report.json()["report_date"]},
        ).status_code
        == 403
    )
    pdf = direktur.get("/api/reports/daily.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad_date = direktur.get("/api/reports/daily?date=2026-13-01")
    assert bad_date.status_code == 422
    foreign = direktur.get(f"/api/reports/daily?center={area.polda.id + 100000}")
    assert foreign.status_code == 404
