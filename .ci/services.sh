#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, trust auth), Redis (6379) and RabbitMQ (5672) answer, installing
# them from Debian's packages on a machine that lacks them; install Chromium for the browser tests.
# Idempotent: running services are left alone.
set -u
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done; echo "service on port $1 did not start" >&2; return 1; }

if ! port_open 5432; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  version=$(ls /etc/postgresql | sort -n | tail -1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  grep -q "^host all all 127.0.0.1/32 trust" "$hba" 2>/dev/null || \
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_port 5432
fi

if ! port_open 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379
fi

if ! port_open 5672; then
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  as_root rabbitmq-server -detached
  wait_port 5672
fi
# the browser tests drive Debian's Chromium by path
command -v chromium >/dev/null || apt_install chromium || {
  echo "could not install chromium: the browser tests would be skipped" >&2
  exit 1
}
echo "services: postgresql, redis and rabbitmq are up; chromium is installed"
