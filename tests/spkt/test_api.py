"""The SPKT API per role and jurisdiction: the desk, Sat Reskrim, the chain of command, the
public SP2HP; personal data only to the desk and the case's investigators, each view audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import SecurityAudit
from tests.dispatch.factories import incident_body
from tests.spkt.factories import LAT, LON, report_body, signer

LP_B = {"model": "B", "signer": signer()}


def _desk_clients(user_client, tree) -> dict:  # noqa: ANN001
    return {
        "spkt": user_client("spkt", jurisdiction_id=tree.polres.id),
        "reskrim": user_client("desk", jurisdiction_id=tree.polres.id, function_code="reskrim"),
        "lantas": user_client("desk", jurisdiction_id=tree.polres.id, function_code="lantas"),
        "other_spkt": user_client("spkt", jurisdiction_id=tree.other_polres.id),
        "operator": user_client("polres_operator", jurisdiction_id=tree.polres.id),
        "direktur": user_client("direktur", jurisdiction_id=tree.polda.id),
        "planner": user_client("planner", jurisdiction_id=tree.polda.id),
        "unit": None,
    }


def _incident(api_client) -> int:  # noqa: ANN001
    created = api_client.post("/api/incidents", json=incident_body(lon=LON, lat=LAT))
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]
    valid = api_client.post(f"/api/incidents/{incident_id}/validate", json={"validity": "valid"})
    assert valid.status_code == 200, valid.text
    return incident_id


def test_the_110_to_lp_flow_through_the_api(api_client, user_client, tree) -> None:  # noqa: ANN001
    c = _desk_clients(user_client, tree)
    incident_id = _incident(api_client)
    body = report_body(incident_id=incident_id, lon=None, lat=None)
    created = c["spkt"].post("/api/spkt/reports", json=body)
    assert created.status_code == 201, created.text
    report = created.json()
    assert (
        report["number"].startswith("STPL/")
        and report["reporter"]["nik"] == body["reporter"]["nik"]
    )
    rid = report["id"]
    assert c["spkt"].post(f"/api/spkt/reports/{rid}/consultation", json={}).status_code == 200
    verdict = {"is_crime": True, "articles": "Pasal 362 KUHP", "recommendation": "terbitkan_lp"}
    assert c["lantas"].post(f"/api/spkt/reports/{rid}/assessment", json=verdict).status_code == 403
    assert c["spkt"].post(f"/api/spkt/reports/{rid}/assessment", json=verdict).status_code == 403
    assert c["reskrim"].post(f"/api/spkt/reports/{rid}/assessment", json=verdict).status_code == 200
    issued = c["spkt"].post(f"/api/spkt/reports/{rid}/laporan-polisi", json=LP_B)
    assert issued.status_code == 201, issued.text
    number = issued.json()["number"]
    assert number.startswith("LP/B/1/") and "/SPKT/POLRES BALIKPAPAN" in number
    log = api_client.get(f"/api/incidents/{incident_id}/log").json()
    assert any(number in entry["message"] and entry["action"] == "spkt_lp_terbit" for entry in log)
    again = c["spkt"].post(f"/api/spkt/reports/{rid}/laporan-polisi", json=LP_B)
    assert again.status_code == 409
    pdf = c["spkt"].get(issued.json()["sttlp"]["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_personal_data_only_for_the_desk_and_the_investigators(
    api_client,
    user_client,
    tree,
    db_session: Session,  # noqa: ANN001
) -> None:
    c = _desk_clients(user_client, tree)
    rid = c["spkt"].post("/api/spkt/reports", json=report_body()).json()["id"]
    url = f"/api/spkt/reports/{rid}"
    masked = c["operator"].get(url).json()
    assert masked["personal_data_visible"] is False and masked["reporter"]["nik"] == "•••"
    assert "6471054403900002" not in c["direktur"].get(url).text
    assert c["reskrim"].get(url).json()["personal_data_visible"] is False  # not on the case yet
    c["spkt"].post(f"{url}/consultation", json={})
    verdict = {"is_crime": True, "recommendation": "terbitkan_lp"}
    c["reskrim"].post(f"{url}/assessment", json=verdict)
    assert c["reskrim"].get(url).json()["reporter"]["address"].startswith("Jl. Ahmad Yani")
    document = c["spkt"].get(url).json()["documents"][0]["pdf_url"]
    assert c["operator"].get(document).status_code == 403  # the role may not open files at all
    assert c["lantas"].get(document).status_code == 403  # a desk, but not on this case
    assert c["other_spkt"].get(url).status_code == 404  # another Polres: not even its existence
    views = db_session.scalars(
        select(SecurityAudit).where(SecurityAudit.action == "spkt_personal_data")
    ).all()
    mine = [v for v in views if v.detail.get("report_id") == rid]
    assert {v.role for v in mine} == {"spkt", "desk"} and len(mine) >= 3


def test_sp2hp_page_api_reveals_nothing_on_a_wrong_birth_date(
    api_client, user_client, tree
) -> None:  # noqa: ANN001
    c = _desk_clients(user_client, tree)
    rid = c["spkt"].post("/api/spkt/reports", json=report_body()).json()["id"]
    c["spkt"].post(f"/api/spkt/reports/{rid}/consultation", json={})
    c["reskrim"].post(
        f"/api/spkt/reports/{rid}/assessment",
        json={"is_crime": True, "recommendation": "terbitkan_lp"},
    )
    number = c["spkt"].post(f"/api/spkt/reports/{rid}/laporan-polisi", json=LP_B).json()["number"]
    sp2hp = {"stage": "penyidikan", "notice": "Tersangka telah dipanggil"}
    assert c["reskrim"].post(f"/api/spkt/reports/{rid}/sp2hp", json=sp2hp).status_code == 200
    public = api_client.__class__(api_client.app)  # no token at all
    right = {"lp_number": number, "name": "Siti Rahmawati", "birth_date": "1990-03-04"}
    answer = public.post("/api/sp2hp", json=right)
    assert answer.status_code == 200 and answer.json()["stage"] == "penyidikan"
    wrong = public.post("/api/sp2hp", json=right | {"birth_date": "1990-04-03"})
    missing = public.post("/api/sp2hp", json=right | {"lp_number": "LP/B/404/XII/2026/SPKT/X"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()
    bad = public.post("/api/sp2hp", json=right | {"birth_date": "kemarin"})
    assert bad.status_code == 422 and bad.json()["field"] == "body.birth_date"


def test_aging_and_accountability_per_role(api_client, user_client, tree) -> None:  # noqa: ANN001
    c = _desk_clients(user_client, tree)
    c["spkt"].post("/api/spkt/reports", json=report_body())
    official = {"jurisdiction_id": tree.polres.id, "position": "kapolres", "name": "Anton Wibowo"}
    assert api_client.post("/api/spkt/officials", json=official).status_code == 201
    rows = c["direktur"].get("/api/spkt/aging").json()["rows"]
    mine = [r for r in rows if r["jurisdiction_id"] == tree.polres.id]
    assert mine[0]["open_count"] == 1 and mine[0]["official"]["name"] == "Anton Wibowo"
    assert c["other_spkt"].get("/api/spkt/aging").json()["rows"] == []
    assert c["planner"].get("/api/spkt/aging").status_code == 403
    weekly = c["direktur"].get("/api/spkt/accountability").json()
    assert weekly["totals"]["open_count"] >= 1
    pdf = c["direktur"].get("/api/spkt/accountability/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_bad_input_names_the_field(user_client, tree) -> None:  # noqa: ANN001
    desk = user_client("spkt", jurisdiction_id=tree.polres.id)
    cases = [
        (report_body(reporter={**report_body()["reporter"], "nik": "123"}), "body.reporter.nik"),
        (report_body(lon=None, lat=None), "lon"),
        (report_body("kehilangan", lost_items=[]), "lost_items"),
        (report_body(category="bukan_kategori"), "body.category"),
    ]
    for body, field in cases:
        response = desk.post("/api/spkt/reports", json=body)
        assert response.status_code == 422 and response.json()["field"] == field, response.text
    assert desk.post("/api/spkt/reports/999999/close", json={"reason": "tes"}).status_code == 404
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    rid = desk.post("/api/spkt/reports", json=report_body()).json()["id"]
    ok = desk.post(
        f"/api/spkt/reports/{rid}/attachments", files={"file": ("a.png", png, "image/png")}
    )
    assert ok.status_code == 201, ok.text
    fake = desk.post(
        f"/api/spkt/reports/{rid}/attachments", files={"file": ("a.png", b"GIF89", "image/png")}
    )
    assert fake.status_code == 422 and fake.json()["field"] == "file"
    got = desk.get(f"/api/spkt/attachments/{ok.json()['id']}")
    assert got.status_code == 200 and got.content == png


def test_a_retry_after_a_failure_between_the_two_steps_only_numbers_the_lp(
    user_client, db_session: Session, tree
) -> None:  # noqa: ANN001
    from spkt.casework import get_report
    from spkt.laporan_polisi import pending_request, request_laporan_polisi
    from spkt.schemas import LaporanPolisiCreate
    from tests.spkt.factories import desk, reporter

    desk_client = user_client("spkt", jurisdiction_id=tree.polres.id)
    body = report_body(reporter=reporter(kind="polri", nrp="88020123"))
    rid = desk_client.post("/api/spkt/reports", json=body).json()["id"]
    report = get_report(db_session, report_id=rid, scope_ids=None, lock=True)
    lp_a = LaporanPolisiCreate(model="A", signer=signer())
    officer = desk(db_session, tree.polres)
    request_laporan_polisi(db_session, report=report, data=lp_a, actor=officer)
    db_session.commit()  # the desk's first step landed; its numbering never ran
    shown = desk_client.get(f"/api/spkt/reports/{rid}").json()
    assert shown["status"] == "lp_terbit" and shown["lp_number"] is None
    retry = desk_client.post(f"/api/spkt/reports/{rid}/laporan-polisi", json={**LP_B, "model": "A"})
    assert retry.status_code == 201, retry.text
    assert retry.json()["number"].startswith("LP/A/1/") and retry.json()["model"] == "A"
    assert pending_request(db_session, report_id=rid) is None
    again = desk_client.post(f"/api/spkt/reports/{rid}/laporan-polisi", json={**LP_B, "model": "A"})
    assert again.status_code == 409
