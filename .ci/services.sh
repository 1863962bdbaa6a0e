#!/usr/bin/env bash
# Start PostgreSQL, Redis and Mosquitto on loopback when they are down (the commands are the
# machine page's), then make sure the PostGIS extension can be created.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done; echo "port $1 did not open" >&2; return 1; }

if ! port_open 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_port 5432
fi
if ! port_open 6379; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379
fi
if ! port_open 1883; then
  echo "starting Mosquitto"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf
  wait_port 1883
fi
# Tests create their own databases; the extension must be installable in them.
psql -h 127.0.0.1 -U postgres -d postgres -qtAc "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
echo "services: PostgreSQL+PostGIS :5432, Redis :6379, Mosquitto :1883 are up"
