"""HTTP tracker registry: issue, resolve, revoke (real database, rolled back)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.tracking.factories import make_unit
from tracking.devices import (
    TrackerDevice,
    identifier_key,
    issue_device,
    list_devices,
    resolve_device,
    revoke_device,
)


def test_osmand_identifier_resolves_its_unit_and_only_its_hash_is_stored(db_session):
    unit = make_unit(db_session)
    row, identifier = issue_device(db_session, call_sign=unit.call_sign, protocol="osmand")
    assert len(identifier) == 19 and identifier.count("-") == 3
    assert row.device_key == identifier_key(identifier) and identifier not in row.device_key
    # Typed on a phone: case and surrounding spaces do not matter.
    found = resolve_device(db_session, protocol="osmand", identifier=f" {identifier.upper()} ")
    assert (found.unit_id, found.call_sign, found.device_id) == (unit.id, unit.call_sign, row.id)
    with pytest.raises(Forbidden):
        resolve_device(db_session, protocol="traccar", identifier=identifier)
    [listed] = list_devices(db_session, call_sign=unit.call_sign)
    assert listed.unique_id is None  # the secret is never shown again
    # A Traccar Client cannot acknowledge jobs on MQTT: the unit's tracker kind says so.
    assert unit.tracker_kind == "hardware"


def test_revoked_or_unknown_devices_are_refused(db_session):
    unit = make_unit(db_session)
    row, identifier = issue_device(db_session, call_sign=unit.call_sign, protocol="osmand")
    with pytest.raises(Forbidden) as caught:
        resolve_device(db_session, protocol="osmand", identifier="0000-0000-0000-0000")
    assert caught.value.field == "id" and "tidak terdaftar" in caught.value.message
    revoke_device(db_session, device_id=row.id)
    with pytest.raises(Forbidden):
        resolve_device(db_session, protocol="osmand", identifier=identifier)
    with pytest.raises(NotFound):
        revoke_device(db_session, device_id=row.id)
    assert list_devices(db_session, call_sign=unit.call_sign) == []
    assert len(list_devices(db_session, call_sign=unit.call_sign, include_revoked=True)) == 1


def test_a_traccar_unique_id_names_one_unit_at_a_time(db_session):
    first, second = make_unit(db_session), make_unit(db_session)
    row, unique_id = issue_device(
        db_session, call_sign=first.call_sign, protocol="traccar", unique_id="359710042436064"
    )
    assert unique_id == "359710042436064" and row.device_key == unique_id
    with pytest.raises(Conflict):
        issue_device(
            db_session, call_sign=second.call_sign, protocol="traccar", unique_id=unique_id
        )
    revoke_device(db_session, device_id=row.id)
    moved, _ = issue_device(
        db_session, call_sign=second.call_sign, protocol="traccar", unique_id=unique_id
    )
    found = resolve_device(db_session, protocol="traccar", identifier=unique_id)
    assert found.unit_id == second.id and found.device_id == moved.id
    rows = db_session.scalars(select(TrackerDevice).where(TrackerDevice.device_key == unique_id))
    assert len(list(rows)) == 2  # the revoked one is kept for the record


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"protocol": "gt06"}, InvalidInput, "protocol"),
        ({"protocol": "traccar"}, InvalidInput, "unique_id"),
        ({"protocol": "traccar", "unique_id": "x" * 129}, InvalidInput, "unique_id"),
    ],
)
def test_bad_device_registrations_name_the_field(db_session, kwargs, error, field):
    unit = make_unit(db_session)
    with pytest.raises(error) as caught:
        issue_device(db_session, call_sign=unit.call_sign, **kwargs)
    assert caught.value.field == field


def test_a_device_for_an_unknown_unit_is_not_found(db_session):
    with pytest.raises(NotFound):
        issue_device(db_session, call_sign="TIDAK-ADA-99", protocol="osmand")


def test_traccar_client_set_up_url_keeps_the_fix_fresh():
    from urllib.parse import parse_qs, urlsplit

    from tracking.devices import client_config_url

    url = client_config_url("https://siaga.polres.example/", "7k2m-9q4x-8r3t-6wza", stale_s=120)
    parts = urlsplit(url)
    # The app takes origin + path as its server URL and the query as its settings.
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://siaga.polres.example/osmand"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["id"] == "7k2m-9q4x-8r3t-6wza"
    assert int(query["interval"]) < 120 and int(query["heartbeat"]) < 120
    assert query["distance"] == "0" and query["accuracy"] == "high"
    assert client_config_url("http://10.0.0.5:5055/osmand", "x", stale_s=120).startswith(
        "http://10.0.0.5:5055/osmand?id=x&"
    )
