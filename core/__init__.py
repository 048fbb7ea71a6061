"""Shared infrastructure: settings, database, MQTT connection, errors, embedded services, CLI."""
