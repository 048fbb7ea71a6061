"""Batch commit: a message the database refuses cannot block the others (real database)."""

from __future__ import annotations

import threading
import time

import pytest

from core.db import make_session_factory, session_scope
from core.settings import get_settings
from tests.tracking.factories import make_unit, stage
from tests.tracking.live import count_positions
from tracking.decode import Rejected, decode_fix
from tracking.ingest_batch import PreparedBatch, commit_batch
from tracking.worker import decode_inbound


def test_refused_message_is_counted_and_the_rest_is_stored(engine):
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        unit_id = make_unit(session).id
    # A unit deleted after the worker cached its id: the latest row's foreign key refuses it.
    prepared = PreparedBatch(staged=[stage(unit_id, time.time() - 5), stage(-42, time.time())])
    outcome = commit_batch(sessions, prepared, threading.Event())
    assert outcome.stored == 1 and outcome.rejects == {"write_failed": 1}
    assert count_positions(engine, [unit_id, -42]) == 1


@pytest.mark.parametrize(
    "payload",
    [b'{"lon": NaN, "lat": 1, "fixed_at": 1}', b'{"lon": 1e999, "lat": 1, "fixed_at": 1}'],
)
def test_non_finite_numbers_are_malformed(payload):
    with pytest.raises(Rejected, match="malformed"):
        decode_fix(payload)


def test_decode_never_raises_into_the_loop():
    payload = '{"lon": 1, "lat": 1, "fixed_at": 1}'.encode("utf-16")
    item = decode_inbound(
        "siaga/units/X/location", payload, get_settings(mqtt_topic_root="siaga"), time.time()
    )
    assert item.reject == "malformed"
