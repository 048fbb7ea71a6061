"""LP numbers: the Polri form, no gap and no duplicate across desks at the same instant,
a new sequence each year (in the unit's local time)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from spkt.casework import get_report
from spkt.laporan_polisi import (
    issue_laporan_polisi,
    number_all_pending,
    number_laporan_polisi,
    number_pending,
    pending_request,
    request_laporan_polisi,
)
from spkt.numbering import issuing_unit, next_number, roman_month
from spkt.reports import receive_report
from spkt.schemas import LaporanPolisiCreate
from tests.spkt.factories import (
    desk,
    make_tree,
    purge_spkt,
    report_data,
    reporter,
    signer,
    utc,
)

POLRI_REPORTER = reporter(kind="polri", nrp="88020123", name="Bripka Joko Susilo")


def test_roman_months() -> None:
    assert [roman_month(m) for m in (1, 4, 9, 12)] == ["I", "IV", "IX", "XII"]


def test_number_reads_in_the_polri_form_for_polres_and_polsek(db_session: Session, tree) -> None:  # noqa: ANN001
    polres = issuing_unit(db_session, jurisdiction_id=tree.polres.id)
    first = next_number(db_session, unit=polres, series="LP/B", at=utc(2026, 12, 3, 2))
    second = next_number(db_session, unit=polres, series="LP/B", at=utc(2026, 12, 3, 2))
    tag = tree.polda.name.rsplit(" ", 1)[1]
    assert (
        first.number == f"LP/B/1/XII/2026/SPKT/POLRES BALIKPAPAN {tag}/POLDA KALIMANTAN TIMUR {tag}"
    )
    assert second.sequence == 2
    polsek = issuing_unit(db_session, jurisdiction_id=tree.polsek.id)
    own = next_number(db_session, unit=polsek, series="LP/B", at=utc(2026, 12, 3, 2))
    assert own.sequence == 1  # each issuing unit has its own sequence
    assert own.number.startswith(f"LP/B/1/XII/2026/SPKT/POLSEK BALIKPAPAN KOTA {tag}/POLRES ")


def test_a_new_year_restarts_the_sequence_at_local_midnight(db_session: Session, tree) -> None:  # noqa: ANN001
    unit = issuing_unit(db_session, jurisdiction_id=tree.polres.id)
    # 31 Dec 2026 23:30 WITA is 15:30 UTC; 1 Jan 2027 00:10 WITA is 16:10 UTC on 31 Dec.
    late = [next_number(db_session, unit=unit, series="LP/A", at=utc(2026, 12, 31, 15, 30))]
    late.append(next_number(db_session, unit=unit, series="LP/A", at=utc(2026, 12, 31, 15, 40)))
    new_year = next_number(db_session, unit=unit, series="LP/A", at=utc(2026, 12, 31, 16, 10))
    assert [n.sequence for n in late] == [1, 2] and late[1].number.startswith("LP/A/2/XII/2026/")
    assert new_year.sequence == 1 and new_year.year == 2027
    assert new_year.number.startswith("LP/A/1/I/2027/SPKT/")


def test_a_rolled_back_issue_leaves_no_gap(db_session: Session, tree) -> None:  # noqa: ANN001
    unit = issuing_unit(db_session, jurisdiction_id=tree.polres.id)
    assert next_number(db_session, unit=unit, series="LP/B").sequence == 1
    db_session.commit()  # savepoint: number 1 stays
    savepoint = db_session.begin_nested()
    assert next_number(db_session, unit=unit, series="LP/B").sequence == 2
    savepoint.rollback()  # that issue failed: its number is not lost
    assert next_number(db_session, unit=unit, series="LP/B").sequence == 2


@pytest.fixture
def committed_tree(engine: Engine) -> Iterator:
    """A tree committed for real, so parallel sessions see it; purged afterwards."""
    with Session(engine, expire_on_commit=False) as session:
        tree = make_tree(session)
        session.commit()
    yield tree
    with Session(engine) as session:
        purge_spkt(session, jurisdiction_ids=tree.ids())


def _ready_reports(engine: Engine, tree, count: int) -> list[tuple]:  # noqa: ANN001
    """(desk actor, report id) pairs: model-A reports, ready for an LP, from `count` desks."""
    pairs = []
    with Session(engine, expire_on_commit=False) as session:
        for _ in range(count):
            actor = desk(session, tree.polres)
            data = report_data(reporter=POLRI_REPORTER)
            pairs.append((actor, receive_report(session, data=data, actor=actor).id))
        session.commit()
    return pairs


def _issue_in_parallel(engine: Engine, pairs: list[tuple], hold_s: float) -> list[str]:
    """Every desk issues at the same instant (a barrier) and holds its transaction open a
    moment before committing, so any unlocked read-then-write numbering would collide."""
    barrier = threading.Barrier(len(pairs))
    numbers: list[str] = []
    errors: list[BaseException] = []

    def issue(actor, report_id: int) -> None:  # noqa: ANN001
        try:
            with Session(engine, expire_on_commit=False) as session:
                report = get_report(session, report_id=report_id, scope_ids=None, lock=True)
                body = LaporanPolisiCreate(model="A", signer=signer())
                barrier.wait(timeout=10)
                lp, _ = issue_laporan_polisi(session, report=report, data=body, actor=actor)
                time.sleep(hold_s)
                session.commit()
                numbers.append(lp.number)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return numbers


def test_two_desks_at_the_same_instant_get_consecutive_numbers(engine, committed_tree) -> None:  # noqa: ANN001
    pairs = _ready_reports(engine, committed_tree, 2)
    numbers = _issue_in_parallel(engine, pairs, hold_s=0.2)
    sequences = sorted(int(n.split("/")[2]) for n in numbers)
    assert sequences == [1, 2], numbers


def test_eight_desks_issuing_at_once_leave_no_gap_and_no_duplicate(engine, committed_tree) -> None:  # noqa: ANN001
    pairs = _ready_reports(engine, committed_tree, 8)
    numbers = _issue_in_parallel(engine, pairs, hold_s=0.02)
    assert sorted(int(n.split("/")[2]) for n in numbers) == list(range(1, 9))
    assert len(set(numbers)) == 8


def test_two_desks_receiving_at_once_get_consecutive_receipt_numbers(
    engine, committed_tree
) -> None:  # noqa: ANN001
    with Session(engine, expire_on_commit=False) as session:
        actors = [desk(session, committed_tree.polres) for _ in range(2)]
        session.commit()
    barrier = threading.Barrier(2)
    numbers: list[str] = []

    def receive(actor) -> None:  # noqa: ANN001
        with Session(engine, expire_on_commit=False) as session:
            data = report_data()
            barrier.wait(timeout=10)
            report = receive_report(session, data=data, actor=actor)
            time.sleep(0.2)  # hold the transaction open: an unlocked max()+1 would collide
            session.commit()
            numbers.append(report.number)

    threads = [threading.Thread(target=receive, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(int(n.split("/")[1]) for n in numbers) == [1, 2], numbers


def _request_committed(engine: Engine, actor, report_id: int):  # noqa: ANN001
    """Step 1 of the desk's issue, committed: the LP waits for its number."""
    with Session(engine, expire_on_commit=False) as session:
        report = get_report(session, report_id=report_id, scope_ids=None, lock=True)
        body = LaporanPolisiCreate(model="A", signer=signer())
        request = request_laporan_polisi(session, report=report, data=body, actor=actor)
        session.commit()
    return request


def _numbers_of(engine: Engine, report_ids: list[int]) -> dict[int, tuple]:
    """report id -> (LP number, the report's lp_number, 'lp_terbit' log lines)."""
    with Session(engine) as session:
        rows = session.execute(
            text(
                "SELECT r.id, d.number, r.lp_number, (SELECT count(*) FROM spkt_report_events e"
                " WHERE e.report_id = r.id AND e.action = 'lp_terbit') FROM spkt_reports r"
                " LEFT JOIN spkt_documents d ON d.report_id = r.id AND d.kind = 'laporan_polisi'"
                " WHERE r.id = ANY(:ids)"
            ),
            {"ids": report_ids},
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def test_eight_desks_numbering_after_their_commit_get_consecutive_numbers(
    engine, committed_tree
) -> None:  # noqa: ANN001
    """The API's path: each desk commits its LP, then all take their numbers at one instant."""
    pairs = _ready_reports(engine, committed_tree, 8)
    requests = [_request_committed(engine, actor, rid) for actor, rid in pairs]
    barrier = threading.Barrier(len(requests))
    answers: list = []

    def number(request) -> None:  # noqa: ANN001
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait(timeout=10)
            lp, sttlp = number_laporan_polisi(session, request=request)
            session.commit()
            answers.append((request.report_id, lp.number, sttlp.number))

    threads = [threading.Thread(target=number, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == 8, answers
    assert sorted(int(n.split("/")[2]) for _, n, _ in answers) == list(range(1, 9))
    stored = _numbers_of(engine, [rid for _, rid in pairs])
    for report_id, number, sttlp in answers:  # each desk got its own report's LP, logged once
        assert stored[report_id] == (number, number, 1)
        assert sttlp == "STTLP/" + number.removeprefix("LP/")


def test_a_numbering_that_rolls_back_leaves_the_lps_pending_without_a_gap(
    engine, committed_tree
) -> None:  # noqa: ANN001
    pairs = _ready_reports(engine, committed_tree, 3)
    first, second, third = (_request_committed(engine, actor, rid) for actor, rid in pairs)
    with Session(engine) as session:  # numbered, then the numbering fails before its commit
        rows = number_pending(session, jurisdiction_id=first.jurisdiction_id,
                              series=first.series, year=first.year)  # fmt: skip
        assert [r.report_id for r in rows] == [first.report_id, second.report_id, third.report_id]
        session.rollback()
    assert all(number is None for number, _, _ in _numbers_of(engine, [first.report_id]).values())
    with Session(engine, expire_on_commit=False) as session:  # the next desk numbers them all
        lp, _ = number_laporan_polisi(session, request=third)
        session.commit()
    stored = _numbers_of(engine, [first.report_id, second.report_id, third.report_id])
    assert [int(stored[r.report_id][0].split("/")[2]) for r in (first, second, third)] == [1, 2, 3]
    assert lp.number == stored[third.report_id][0]


def test_an_lp_left_pending_by_a_desk_that_died_is_numbered_by_the_sweep(
    engine, committed_tree
) -> None:  # noqa: ANN001
    ((actor, report_id),) = _ready_reports(engine, committed_tree, 1)
    _request_committed(engine, actor, report_id)  # the desk died before taking its number
    with Session(engine) as session:
        report = get_report(session, report_id=report_id, scope_ids=None)
        assert report.status == "lp_terbit" and report.lp_number is None
        assert pending_request(session, report_id=report_id) is not None
        assert number_all_pending(session) >= 1
        session.commit()
    number, lp_number, logged = _numbers_of(engine, [report_id])[report_id]
    assert number.startswith("LP/A/1/") and lp_number == number and logged == 1


def test_the_piket_worker_numbers_an_lp_a_crashed_request_left_pending(
    engine, settings, committed_tree
) -> None:  # noqa: ANN001
    """A desk committed its LP and died before its number; nobody else issues in that unit.
    The running piket worker numbers it; an LP requested a moment ago is left to its desk."""
    from datetime import UTC, datetime, timedelta

    from piket.worker import run_worker

    (old, fresh) = _ready_reports(engine, committed_tree, 2)
    with Session(engine, expire_on_commit=False) as session:
        report = get_report(session, report_id=old[1], scope_ids=None, lock=True)
        body = LaporanPolisiCreate(model="A", signer=signer())
        crashed_at = datetime.now(UTC) - timedelta(minutes=2)
        request_laporan_polisi(session, report=report, data=body, actor=old[0], at=crashed_at)
        session.commit()
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker, args=(settings,), kwargs={"tick_s": 0.2, "stop": stop}
    )
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while _numbers_of(engine, [old[1]])[old[1]][0] is None and time.monotonic() < deadline:
            time.sleep(0.1)
        _request_committed(engine, fresh[0], fresh[1])  # a desk mid-issue: its own to number
        time.sleep(0.6)  # three ticks
    finally:
        stop.set()
        worker.join(timeout=10)
    number, lp_number, logged = _numbers_of(engine, [old[1]])[old[1]]
    assert number is not None and number.startswith("LP/A/1/"), number
    assert lp_number == number and logged == 1
    with Session(engine) as session:
        assert pending_request(session, report_id=fresh[1]) is not None
