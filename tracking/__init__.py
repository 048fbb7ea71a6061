"""Tracking: patrol units, GPS ingest over MQTT, job push to units, fleet simulator."""
