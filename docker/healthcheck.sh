#!/bin/bash
# HEALTHCHECK without curl (the JRE image need not have it) and without starting a JVM every 10 s: one HTTP/1.0
# request over bash's /dev/tcp to 127.0.0.1:$HEALTH_PORT, healthy on a 200 status line.
#   healthcheck PATH        e.g. /health/live
set -u
path=${1:-/health/live}
port=${HEALTH_PORT:?HEALTH_PORT is not set}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 3 status <&3 || exit 1
exec 3<&-
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "unhealthy: $status" >&2; exit 1 ;;
esac
