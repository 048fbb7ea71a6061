"""Engine and session factory; the declarative Base every domain's models share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, MetaData, create_engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from core.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every table of the platform."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(settings: Settings, *, url: str | None = None, pool_size: int = 10) -> Engine:
    """Engine for SIAGA_DATABASE_URL (or the embedded cluster); sessions run in UTC."""
    return create_engine(
        url or settings.database_dsn(),
        pool_size=pool_size,
        max_overflow=20,
        pool_pre_ping=True,
        connect_args={"options": "-c timezone=UTC", "connect_timeout": 5},
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Autocommit sessions for read-only requests: no BEGIN and ROLLBACK round trips.

    Each statement sees its own snapshot, so use them only where each statement's answer
    stands on its own (a lookup, then its nearest fallback), never for writes.
    """
    return sessionmaker(bind=engine.execution_options(isolation_level="AUTOCOMMIT"))


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error (for CLI and workers)."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


UNIQUE_VIOLATION = "23505"


@contextmanager
def unique_or(error: Exception, session: Session) -> Iterator[None]:
    """Flush inside a savepoint; a unique-index violation raises `error` instead.

    A check-then-insert is not enough under concurrency: a second writer passes the check,
    then waits on the first one's row in the unique index and fails when that one commits.
    """
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as exc:
        if getattr(exc.orig, "pgcode", None) == UNIQUE_VIOLATION:
            raise error from exc
        raise
