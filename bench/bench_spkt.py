"""SPKT: issuing a numbered Laporan Polisi while 8 desks issue at once, beside a bare insert
into the same table by 8 clients (same run, same database).

lp_issue_*: the API's issue (spkt/laporan_polisi.py): lock the report, write the LP as a
pending request and settle the report, commit; then number every pending LP of the unit's
LP/A series (LP, STTLP, logs) and commit. lp_issue_one_tx_*: the same work in one transaction
(the numbering lock then lasts until that commit), as the issue was done before.
The baseline inserts one document row with a unique number and no sequence, and commits.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bench.common import BenchContext, Figure, median, percentile

CLIENTS = 8
SQUARE = "MULTIPOLYGON(((116.80 -1.29, 116.88 -1.29, 116.88 -1.24, 116.80 -1.24, 116.80 -1.29)))"


def _tree(session: Session) -> int:
    """A Polda (WITA) and a Polres; the Polres id."""
    insert = text(
        "INSERT INTO jurisdictions (code, name, level, parent_id, timezone, geom) VALUES "
        "(:code, :name, :level, :parent, :tz, ST_GeomFromText(:wkt, 4326)) RETURNING id"
    )
    polda = session.execute(insert, {"code": "B64", "name": "Polda Kalimantan Timur",
        "level": "polda", "parent": None, "tz": "WITA", "wkt": SQUARE}).scalar_one()  # fmt: skip
    return session.execute(insert, {"code": "B64.71", "name": "Polresta Balikpapan",
        "level": "polres", "parent": polda, "tz": None, "wkt": SQUARE}).scalar_one()  # fmt: skip


# A Polri member's own report (model A: no Reskrim assessment needed before the LP).
_REPORT = {
    "kind": "pidana",
    "reporter": {"kind": "polri", "nrp": "88020123", "name": "Bripka Joko Susilo",
                 "nik": "6471054403900002", "birth_date": "1988-02-01",
                 "address": "Asrama Polresta Balikpapan", "phone": "081234567890"},
    "category": "pencurian",
    "what": "Pencurian kabel di gardu listrik, diketahui saat patroli",
    "occurred_at": "2026-12-02T10:30:00+08:00",
    "place": "Jl. Jenderal Sudirman",
    "lon": 116.84,
    "lat": -1.265,
}  # fmt: skip


def _prepare(engine: Engine, per_client: int) -> tuple[list, list[list[int]]]:
    """Desk actors (one per client) and per_client model-A reports for each."""
    from api.auth import create_user, hash_password
    from spkt.access import Actor
    from spkt.reports import receive_report
    from spkt.schemas import ReportCreate

    body = _REPORT
    password_hash = hash_password("bench-kata-sandi")
    with Session(engine, expire_on_commit=False) as session:
        polres = _tree(session)
        actors, reports = [], []
        for index in range(CLIENTS):
            user = create_user(session, username=f"bench.spkt.{index}", password_hash=password_hash,
                               role="spkt", jurisdiction_id=polres)  # fmt: skip
            actor = Actor(username=user.username, role="spkt", user_id=user.id,
                          jurisdiction_id=polres, scope_ids=frozenset({polres}))  # fmt: skip
            actors.append(actor)
            data = ReportCreate.model_validate(body)
            reports.append([receive_report(session, data=data, actor=actor).id
                            for _ in range(per_client)])  # fmt: skip
        session.commit()
    return actors, reports


def _client(kind: str, url: str, index: int, args: tuple, barrier, results) -> None:  # noqa: ANN001
    """One client process: its own engine and connection, started with the others."""
    from core.db import make_engine
    from core.settings import get_settings

    engine = make_engine(get_settings(), url=url, pool_size=1)
    try:
        work = _bare_inserts if kind == "bare" else _issue_lps
        with Session(engine, expire_on_commit=False) as session:
            work(session, *args, warmup=True)  # first statements, plan caches
            session.commit()
            barrier.wait(timeout=60)
            results.put((index, work(session, *args, warmup=False)))
    except BaseException as exc:  # noqa: BLE001  (reported by the parent)
        results.put((index, exc))
    finally:
        engine.dispose()


def _run_clients(kind: str, url: str, per_client_args: list[tuple]) -> list:
    """CLIENTS processes (desks are separate clients, not threads sharing one interpreter)."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(CLIENTS), context.Queue()
    processes = [
        context.Process(target=_client, args=(kind, url, i, per_client_args[i], barrier, results))
        for i in range(CLIENTS)
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    failures = [a for _, a in answers if isinstance(a, BaseException)]
    if failures:
        raise failures[0]
    return [a for _, a in sorted(answers, key=lambda pair: pair[0])]


def _issue_lps(
    session: Session, actor, report_ids: list[int], one_tx: bool, *, warmup: bool
) -> list:  # noqa: ANN001, E501
    """(ms, number) per LP issued and committed; warm-up uses the first five reports."""
    from spkt.casework import get_report
    from spkt.laporan_polisi import (
        issue_laporan_polisi,
        number_laporan_polisi,
        request_laporan_polisi,
    )
    from spkt.schemas import LaporanPolisiCreate, Signer

    signer = Signer(name="Rudi Hartono", rank="IPTU", nrp="85061234")
    samples = []
    for report_id in report_ids[:5] if warmup else report_ids[5:]:
        start = time.perf_counter()
        report = get_report(session, report_id=report_id, scope_ids=None, lock=True)
        body = LaporanPolisiCreate(model="A", signer=signer)
        if one_tx:
            lp, _ = issue_laporan_polisi(session, report=report, data=body, actor=actor)
        else:
            request = request_laporan_polisi(session, report=report, data=body, actor=actor)
            session.commit()
            lp, _ = number_laporan_polisi(session, request=request)
        session.commit()
        samples.append(((time.perf_counter() - start) * 1000, lp.number))
    return samples


_BARE_INSERT = text(
    "INSERT INTO spkt_documents (report_id, jurisdiction_id, kind, series, year, number,"
    " issued_at, issued_by, signer, content)"
    " SELECT id, jurisdiction_id, 'visum', 'BARE', 2026, :number, now(), 'bench', '{}', '{}'"
    " FROM spkt_reports WHERE id = :report_id"
)


def _bare_inserts(session: Session, report_id: int, count: int, *, warmup: bool) -> list:
    """ms per bare insert into the documents table and its commit."""
    samples = []
    for _ in range(5 if warmup else count):
        start = time.perf_counter()
        params = {"number": f"BARE/{uuid.uuid4().hex}", "report_id": report_id}
        session.execute(_BARE_INSERT, params)
        session.commit()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _sequences_gapless(issued: list, first: int, count: int) -> bool:
    sequences = sorted(int(number.split("/")[2]) for client in issued for _, number in client)
    return sequences == list(range(first, first + count))


def run(ctx: BenchContext) -> list[Figure]:
    per_client = 15 if ctx.quick else 60
    actors, reports = _prepare(ctx.engine, 2 * (per_client + 5))
    ctx.engine.dispose()  # no pooled connection crosses into the client processes
    url = ctx.settings.database_dsn()
    half = per_client + 5
    two_steps = [(actors[i], reports[i][:half], False) for i in range(CLIENTS)]
    issued = _run_clients("lp", url, two_steps)
    one_tx = _run_clients("lp", url, [(actors[i], reports[i][half:], True) for i in range(CLIENTS)])
    bare = _run_clients("bare", url, [(reports[0][0], per_client)] * CLIENTS)
    timed = [ms for client in issued for ms, _ in client]
    one_tx_ms = [ms for client in one_tx for ms, _ in client]
    bare_ms = [ms for client in bare for ms in client]
    total = CLIENTS * half
    gapless = _sequences_gapless(issued, CLIENTS * 5 + 1, CLIENTS * per_client) and (
        _sequences_gapless(one_tx, total + CLIENTS * 5 + 1, CLIENTS * per_client)
    )
    note = (
        f"{len(timed)} LPs by {CLIENTS} desk processes at once; numbers "
        f"{'gapless, no duplicate' if gapless else 'NOT GAPLESS'} (goal p99 < 50 ms); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    baseline = f"bare insert, {CLIENTS} clients"
    return [
        Figure("lp_issue_p99_ms", percentile(timed, 99), "ms", f"{baseline} p99",
               percentile(bare_ms, 99), note),
        Figure("lp_issue_median_ms", median(timed), "ms", f"{baseline} median", median(bare_ms)),
        Figure("lp_issue_one_tx_p99_ms", percentile(one_tx_ms, 99), "ms", f"{baseline} p99",
               percentile(bare_ms, 99), "the whole issue in one transaction"),
        Figure("lp_issue_one_tx_median_ms", median(one_tx_ms), "ms", f"{baseline} median",
               median(bare_ms)),
    ]  # fmt: skip
