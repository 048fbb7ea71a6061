"""The place search index: the vocabulary the triggers keep, and bounded work for common words."""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from places.search import FEW_NAMES, NEAREST_NAMES, search_places

LON, LAT = 116.83, -1.27


def _add_places(session: Session, names: list[str], *, lon: float = LON, lat: float = LAT):
    session.execute(
        text(
            "INSERT INTO places (source, name, kind, geom) "
            "SELECT 'test-index', n, 'shop=yes', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) "
            "FROM unnest(CAST(:names AS text[])) n"
        ),
        {"names": names, "lon": lon, "lat": lat},
    )


def _ndoc(session: Session, word: str) -> int:
    found = session.execute(text("SELECT ndoc FROM place_words WHERE word = :w"), {"w": word})
    return found.scalar() or 0


def test_vocabulary_follows_inserts_updates_and_deletes(db_session: Session) -> None:
    before = _ndoc(db_session, "warung")
    _add_places(db_session, ["Warung Qzxv Satu", "Warung Qzxv Dua", "Apotek Qzxv"])
    assert (_ndoc(db_session, "qzxv"), _ndoc(db_session, "warung")) == (3, before + 2)
    db_session.execute(
        text("UPDATE places SET name = 'Warung Wqyr' WHERE name = 'Warung Qzxv Dua'")
    )
    assert (_ndoc(db_session, "qzxv"), _ndoc(db_session, "wqyr")) == (2, 1)
    db_session.execute(text("DELETE FROM places WHERE source = 'test-index'"))
    assert (_ndoc(db_session, "qzxv"), _ndoc(db_session, "wqyr")) == (0, 0)
    assert _ndoc(db_session, "warung") == before
    gone = db_session.execute(text("SELECT count(*) FROM place_words WHERE word = 'qzxv'"))
    assert gone.scalar() == 0


def test_a_typo_in_a_word_no_name_has_still_finds_it(db_session: Session) -> None:
    _add_places(db_session, ["Apotek Qzxvberkah"])
    found = search_places(db_session, q="apotek qzxvbrekah", lon=LON, lat=LAT, limit=3)
    assert found and found[0]["name"] == "Apotek Qzxvberkah"


# Rows this transaction has read from places so far (the statistics of the running transaction).
ROWS_READ_SQL = text(
    "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
    "FROM pg_stat_xact_user_tables WHERE relname = 'places'"
)


def _places_rows_read(session: Session, q: str, centre: dict) -> tuple[list[dict], int]:
    before = session.execute(ROWS_READ_SQL).scalar()
    found = search_places(session, q=q, limit=3, **centre)
    return found, session.execute(ROWS_READ_SQL).scalar() - before


def test_a_word_thousands_of_names_share_reads_a_bounded_set(db_session: Session) -> None:
    # A grid of 6,000 "Warung Qz0001".. (names of one length), one more far to the south.
    shared = FEW_NAMES + 1000
    db_session.execute(
        text(
            "INSERT INTO places (source, name, kind, geom) "
            "SELECT 'test-index', 'Warung Qz' || lpad(i::text, 4, '0'), 'shop=yes', "
            "ST_SetSRID(ST_MakePoint(:lon + (i % 100) * 0.005, :lat + (i / 100) * 0.005), 4326)"
            " FROM generate_series(1, :n) i"
        ),
        {"lon": LON, "lat": LAT, "n": shared},
    )
    _add_places(db_session, ["Warung Sederhana Qzxv"], lat=LAT - 0.5)
    # Statistics as after an import (autovacuum's timing must not choose the plan measured here).
    db_session.execute(text("ANALYZE places"))
    # ~550 m between grid points: nearness outweighs small differences between the names.
    centre = {"lon": LON + 0.1001, "lat": LAT + 0.1001}  # by the grid's point i = 2,020
    first = search_places(db_session, q="warung", limit=3, **centre)[0]
    assert first["name"] == "Warung Qz2020", first
    far = search_places(db_session, q="warung sederhana qzxv", limit=3, **centre)[0]
    assert far["name"] == "Warung Sederhana Qzxv"
    # The same every time, also once the function's plans are cached (generic after five).
    for _ in range(8):
        found, read = _places_rows_read(db_session, "warung", centre)
        assert found[0]["name"] == "Warung Qz2020"
        # The merge of the three tables' KNN scans reads one row ahead in each.
        assert read <= NEAREST_NAMES + 3 < shared


def test_without_a_map_centre_the_city_is_found_by_its_name(
    db_session: Session, balikpapan: dict
) -> None:
    # Hundreds of names say "Balikpapan"; with no centre to be near, the shortest win.
    found = search_places(db_session, q="balikpapan", limit=3)
    assert ("Kota Balikpapan", "kabkota") in [(r["name"], r["kind"]) for r in found], found


def test_a_search_is_one_statement_and_leaves_the_session_settings(
    db_session: Session, balikpapan: dict
) -> None:
    # Each statement is a round trip, milliseconds on a loaded machine: words, "A depan B"
    # (three searches) and plus-code localities each take one.
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    connection = db_session.connection()
    db_session.execute(text("SET max_parallel_workers_per_gather = 2"))
    event.listen(connection, "before_cursor_execute", count)
    try:
        for q in ("masjid at taqwa", "jl sudirman depan bank mandiri"):
            statements.clear()
            assert search_places(db_session, q=q, lon=LON, lat=LAT, limit=5)
            assert len(statements) == 1, (q, statements)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    # The function turns parallel workers (and JIT) off for its own run only.
    setting = db_session.execute(text("SHOW max_parallel_workers_per_gather")).scalar()
    assert setting == "2"
