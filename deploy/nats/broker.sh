#!/bin/sh
# The broker service of docker-compose.yml: nats-server with deploy/nats/nats.conf plus the
# units' own accounts, which `siaga units credentials` writes into the broker-units volume
# (SIAGA_BROKER_UNITS_FILE). A change to that file rebuilds the configuration and reloads the
# server (SIGHUP: no connection is dropped); a file nats-server refuses is logged and the
# running accounts stay.
set -eu
conf="${SIAGA_NATS_CONF:-/etc/nats/nats.conf}"
units="${SIAGA_NATS_UNITS:-/etc/nats/units/units.users}"
built="${SIAGA_NATS_BUILT:-/tmp/nats.conf}"
say() { printf '[siaga-broker] %s\n' "$*" >&2; }

# The app image's user (Dockerfile: uid 10001) writes the units' file; this container may
# have created the volume first, as root.
mkdir -p "$(dirname "$units")"
chown "${SIAGA_NATS_UNITS_OWNER:-10001:10001}" "$(dirname "$units")" ||
  say "cannot hand $(dirname "$units") to the app image's user: units' accounts may not be written"

# The unit lines go into the account's users list, after the marker line of nats.conf.
build() {
  awk -v units="$units" '{ print }
    /# units: deploy\/nats\/broker.sh/ { while ((getline line < units) > 0) print "      " line }' \
    "$conf" >"$built.new"
  if nats-server -c "$built.new" -t >/dev/null 2>&1; then
    mv "$built.new" "$built"
    return 0
  fi
  say "refused $units, the running accounts stay: $(nats-server -c "$built.new" -t 2>&1 | tail -1)"
  return 1
}
stamp() { md5sum "$units" 2>/dev/null || echo none; }

last=$(stamp)
build || cp "$conf" "$built"
nats-server -c "$built" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid"; exit $?' TERM INT
while kill -0 "$pid" 2>/dev/null; do
  sleep "${SIAGA_NATS_POLL_S:-2}" &
  wait $! || true
  now=$(stamp)
  if [ "$now" != "$last" ]; then
    last=$now
    if build; then
      kill -HUP "$pid"
      say "units' accounts reloaded"
    fi
  fi
done
wait "$pid"
