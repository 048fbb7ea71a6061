"""Demo officials: every jurisdiction of the demo tree gets its accountable official and its
SPKT signing officials once, and the desk can sign an LP with them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from spkt.demo import seed_demo_officials
from spkt.followup import aging, current_positions, spkt_signers
from spkt.laporan_polisi import issue_laporan_polisi
from spkt.models import SPKT_POSITIONS
from spkt.render import document_pdf
from spkt.reports import receive_report
from spkt.schemas import LaporanPolisiCreate, Signer
from tests.spkt.factories import desk, report_data, reporter


def test_the_demo_tree_gets_its_officials_once_and_the_desk_signs_with_them(
    db_session: Session, tree
) -> None:  # noqa: ANN001
    own = [tree.polda.id, tree.polres.id, tree.polsek.id, tree.other_polres.id]
    assert seed_demo_officials(db_session, root_id=tree.polda.id) == 4 * (1 + len(SPKT_POSITIONS))
    assert seed_demo_officials(db_session, root_id=tree.polda.id) == 0  # a rerun adds nothing
    posts = current_positions(db_session, ids=own)
    assert (tree.polres.id, "kapolres") in posts and (tree.polsek.id, "kapolsek") in posts
    signers = spkt_signers(db_session, jurisdiction_id=tree.polres.id)
    assert [s["position_label"] for s in signers] == [
        "KA SPKT", "KA SIAGA I SPKT", "KA SIAGA II SPKT", "KA SIAGA III SPKT"
    ]  # fmt: skip
    assert all(s["name"] and s["rank"] and len(s["nrp"]) == 8 for s in signers)
    officer = desk(db_session, tree.polres)
    member = reporter(kind="polri", nrp="88020123", name="Bripka Joko Susilo")
    report = receive_report(db_session, data=report_data(reporter=member), actor=officer)
    chosen = signers[0]
    signer = Signer(name=chosen["name"], rank=chosen["rank"], nrp=chosen["nrp"],
                    position=chosen["position_label"])  # fmt: skip
    body = LaporanPolisiCreate(model="A", signer=signer)
    lp, _ = issue_laporan_polisi(db_session, report=report, data=body, actor=officer)
    assert lp.signer["name"] == chosen["name"] and document_pdf(lp).startswith(b"%PDF")
    receive_report(db_session, data=report_data(), actor=officer)  # one left open
    views = {v.jurisdiction_id: v for v in aging(db_session, scope_ids=own)}
    assert views[tree.polres.id].official["position"] == "kapolres"  # signers are not accountable
