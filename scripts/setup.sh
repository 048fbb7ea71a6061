#!/usr/bin/env bash
# Prepare this machine for Siaga 110: Debian packages, Python 3.12 venv, front-end assets.
# Safe to re-run: each step checks first and does nothing when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# The MQTT broker: nats-server (its MQTT listener keeps sessions and QoS 1 messages in JetStream).
packages=(nats-server)
# OpenStreetMap import (siaga osm import): osm2pgsql with its flex output.
packages+=(osm2pgsql)
# WeasyPrint (PDF documents) needs Pango; fonts for documents and map labels are local.
packages+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-core)
# The Docker broker script (deploy/nats/broker.sh) is tested under BusyBox, as in nats:alpine.
packages+=(busybox)
[ -z "${SIAGA_DATABASE_URL:-}" ] && packages+=(postgresql-15 postgresql-15-postgis-3)
[ "${SIAGA_SKIP_BROWSER:-0}" = 1 ] || packages+=(chromium chromium-driver)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then apt=(apt-get); elif command -v sudo >/dev/null; then apt=(sudo apt-get)
  else die "missing packages ${missing[*]}; install them as root (apt-get install ${missing[*]})"; fi
  export DEBIAN_FRONTEND=noninteractive
  "${apt[@]}" update -qq >/tmp/siaga-apt.log 2>&1 || die "apt-get update failed (see /tmp/siaga-apt.log)"
  "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/siaga-apt.log 2>&1 \
    || die "could not install ${missing[*]} (see /tmp/siaga-apt.log)"
fi
# Debian may start a system-wide nats-server on install; ours runs on its own ports beside it.

find_python() {
  for candidate in "${SIAGA_PYTHON:-}" python3.12 python3.13 \
      "$HOME"/.pyenv/versions/3.12*/bin/python3.12 "$HOME"/.pyenv/versions/3.13*/bin/python3.13; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  py=$(find_python) || die "Python 3.12+ not found: install it (pyenv install 3.12) or set SIAGA_PYTHON"
  say "creating .venv with $py"
  "$py" -m venv .venv
fi
stamp=".venv/.siaga-installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  say "installing the project into .venv"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -e '.[dev]' || die "pip install failed"
  rm -f .venv/.siaga-installed-*; touch "$stamp"
fi

if [ -f webmap/package.json ]; then
  lockstamp="webmap/node_modules/.siaga-$(cat webmap/package.json webmap/package-lock.json 2>/dev/null | sha1sum | cut -c1-12)"
  if [ ! -f "$lockstamp" ]; then
    say "installing web map assets (npm)"
    (cd webmap && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in webmap/ failed"
    touch "$lockstamp"
  fi
fi
# Road data (OSRM) for the demo extract: built once, rebuilt when the extract or speeds change.
.venv/bin/siaga roads ensure || say "road data not built: ETAs use straight lines until 'siaga roads build'"
say "ready"
