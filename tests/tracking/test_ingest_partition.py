"""One filter state per unit: partition workers each store whole units; a glitch is judged on
the unit's whole stream, against its stored position after a restart; a unit registered a
moment ago has its fixes stored."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from sqlalchemy import text

from core.db import make_session_factory, session_scope
from tests.conftest import wait_until
from tests.tracking.factories import call_sign, make_unit
from tests.tracking.live import Publisher, count_positions, running_worker
from tracking.jobs import unit_topic
from tracking.partition import Partition
from tracking.service import create_unit
from tracking.worker import IngestWorker


@contextmanager
def partition_workers(settings, count: int) -> Iterator[list[IngestWorker]]:  # noqa: ANN001
    with ExitStack() as stack:
        workers = [
            stack.enter_context(running_worker(settings, partition=Partition(i, count)))
            for i in range(count)
        ]
        for worker in workers:
            wait_until(worker.subscribed.is_set, message="worker subscribed")
        yield workers


def new_units(engine, count: int) -> dict[str, int]:  # noqa: ANN001
    with session_scope(make_session_factory(engine)) as session:
        units = [make_unit(session) for _ in range(count)]
        return {u.call_sign: u.id for u in units}


def fix(lon: float, at: float) -> dict:
    return {"lon": lon, "lat": -1.26, "fixed_at": at, "accuracy_m": 5}


def test_each_unit_goes_through_one_worker_and_one_filter_state(settings, engine):
    units = new_units(engine, 12)
    root, now = settings.mqtt_topic_root, time.time()
    with partition_workers(settings, 2) as workers:
        pub = Publisher(settings)
        for sign in units:
            loc = unit_topic(root, sign, "location")
            for i in range(10):
                pub.publish(loc, fix(116.84 + i * 1e-4, now - 60 + i))
            pub.publish(loc, fix(117.50, now - 49.5))  # a 70 km jump in half a second
            for i in range(10, 20):
                pub.publish(loc, fix(116.84 + i * 1e-4, now - 60 + i))
        pub.close()
        wait_until(lambda: count_positions(engine, list(units.values())) == 12 * 20, 20)
        wait_until(lambda: sum(w.counters["received"] for w in workers) == 12 * 21, 20)
        # Every glitch is caught: each worker saw every fix of the units it stores.
        assert sum(w.rejects["impossible_speed"] for w in workers) == 12
        # The other partition's messages were passed over, not stored twice.
        assert all(w.counters["other_partition"] for w in workers)
        assert sum(w.counters["stored"] for w in workers) == 12 * 20


def test_glitch_after_a_restart_is_judged_against_the_stored_position(settings, engine):
    ((sign, unit_id),) = new_units(engine, 1).items()
    now = time.time()
    loc = unit_topic(settings.mqtt_topic_root, sign, "location")
    with partition_workers(settings, 1):
        pub = Publisher(settings)
        pub.publish(loc, fix(116.84, now - 30))
        pub.close()
        wait_until(lambda: count_positions(engine, [unit_id]) == 1)
    with partition_workers(settings, 1) as (worker,):  # a fresh worker: an empty filter state
        pub = Publisher(settings)
        pub.publish(loc, fix(117.50, now - 20))  # its first fix after the restart: a glitch
        for i in range(1, 4):
            pub.publish(loc, fix(116.84 + i * 1e-4, now - 20 + i))
        pub.close()
        wait_until(lambda: count_positions(engine, [unit_id]) == 4, 20)
        wait_until(lambda: worker.counters["received"] == 4)
        assert dict(worker.rejects) == {"impossible_speed": 1}


def test_fixes_of_a_unit_registered_a_moment_ago_are_stored(settings, engine):
    root, now = settings.mqtt_topic_root, time.time()
    sign = call_sign("NEW")
    loc = unit_topic(root, sign, "location")
    with partition_workers(settings, 1) as (worker,):
        pub = Publisher(settings)
        pub.publish(loc, fix(116.84, now - 10))  # before it exists: an unknown unit
        pub.flush()
        wait_until(lambda: worker.rejects["unknown_unit"] == 1)
        with session_scope(make_session_factory(engine)) as session:
            unit_id = create_unit(session, call_sign=sign, kind="R4", home_jurisdiction_id=None).id
        pub.publish(loc, fix(116.8401, now - 5))
        pub.close()
        wait_until(lambda: count_positions(engine, [unit_id]) == 1, 5, message="fix stored")
    with engine.connect() as conn:
        query = text("SELECT count(*) FROM unit_positions_latest WHERE unit_id = :u")
        assert conn.execute(query, {"u": unit_id}).scalar_one() == 1
