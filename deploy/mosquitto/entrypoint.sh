#!/bin/sh
# Create the service account from the environment, then run the broker.
set -eu
mkdir -p /mosquitto/auth
: "${SIAGA_MQTT_USER:?set SIAGA_MQTT_USER}" "${SIAGA_MQTT_PASSWORD:?set SIAGA_MQTT_PASSWORD}"
[ -f /mosquitto/auth/passwd ] || touch /mosquitto/auth/passwd
mosquitto_passwd -b /mosquitto/auth/passwd "$SIAGA_MQTT_USER" "$SIAGA_MQTT_PASSWORD"
if [ ! -f /mosquitto/auth/acl ]; then
  printf 'user %s\ntopic readwrite siaga/#\ntopic read $SYS/#\n' "$SIAGA_MQTT_USER" > /mosquitto/auth/acl
fi
chown -R mosquitto:mosquitto /mosquitto/auth /mosquitto/data
chmod 0700 /mosquitto/auth
exec mosquitto -c /mosquitto/config/mosquitto.conf
