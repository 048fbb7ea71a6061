#!/bin/sh
# Entrypoint of the Siaga 110 image: refuse to start half-configured, then run the command.
set -eu

fail() { printf '[siaga] error: %s\n' "$*" >&2; exit 1; }

: "${SIAGA_DATABASE_URL:?set SIAGA_DATABASE_URL (docker-compose.yml builds it from .env)}"
# The commands that talk to the broker, each with its own account; the others have none.
case "${1:-} ${2:-}" in
  "siaga api" | "siaga trackers-http" | "siaga ingest" | "siaga dispatch-worker" | "siaga simulate")
    : "${SIAGA_MQTT_URL:?set SIAGA_MQTT_URL (docker-compose.yml builds it from .env)}" ;;
esac
state="${SIAGA_STATE_DIR:-/var/lib/siaga}"
mkdir -p "$state" 2>/dev/null || true
# A bind mount owned by root (or a volume made by an older image) would fail later, at the
# first write of road data or a secret: say so now, with the fix.
probe="$state/.write-test.$$"
if ! ( : > "$probe" ) 2>/dev/null; then
  fail "state folder $state is not writable by uid $(id -u); chown it to $(id -u):$(id -g)"
fi
rm -f "$probe"
exec "$@"
