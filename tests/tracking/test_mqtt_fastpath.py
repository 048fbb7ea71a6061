"""The faster PUBLISH decode gives exactly what paho's own gives."""

from __future__ import annotations

from paho.mqtt import _packet
from paho.mqtt.properties import Properties

from tracking.mqtt_fastpath import (
    SharedTableProperties,
    _decoded,
    _sample_packets,
    install_fast_publish_properties,
)


def test_fast_decode_matches_paho():
    _packet.Properties = Properties
    expected = [_decoded(_packet, p) for p in _sample_packets()]
    assert expected[1][3] == {"UserProperty": [("k", "v")], "MessageExpiryInterval": 30}
    assert install_fast_publish_properties()
    assert _packet.Properties is SharedTableProperties
    assert [_decoded(_packet, p) for p in _sample_packets()] == expected
