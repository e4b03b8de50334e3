#!/usr/bin/env bash
# A Docker engine for machines like the project's build hosts: root, no iptables, no Docker Hub.
#
#   eval "$(scripts/docker-engine.sh start)"   # starts Debian's dockerd (installs docker.io, debootstrap if missing),
#                                               # waits until it answers, prints: export DOCKER_HOST=unix://...
#   scripts/docker-engine.sh status             # prints the export line if this script's engine answers, else fails
#   scripts/docker-engine.sh stop               # stops the engine this script started (pid file), removes its bridge
#
# Everything lives under TICKSTREAM_DOCKER_DIR (/var/lib/tickstream-docker): the data root, the exec root, the socket
# and the pid file. The engine has a bridge of its own (TICKSTREAM_DOCKER_BRIDGE, tsdocker0, 172.29.255.1/24) instead
# of docker0, so it never touches a daemon it did not start, nor that daemon's bridge; a second start while it runs
# only prints the export line. Why these settings (docker/README.md, "Without Docker Hub"): with --iptables=false nothing is
# NATed out, which these machines do not allow, yet user-defined bridge networks, Docker's DNS between containers and
# ports published on 127.0.0.1 all work; overlay2 is several times faster than vfs and uses far less disk.
set -euo pipefail

DIR=${TICKSTREAM_DOCKER_DIR:-/var/lib/tickstream-docker}
BRIDGE=${TICKSTREAM_DOCKER_BRIDGE:-tsdocker0}
BRIDGE_CIDR=${TICKSTREAM_DOCKER_BRIDGE_CIDR:-172.29.255.1/24}
SOCKET=$DIR/docker.sock
PIDFILE=$DIR/dockerd.pid
LOG=$DIR/dockerd.log
# Debian's client: the one in /usr/local/bin (if any) may lack BuildKit support against this daemon.
DOCKER=/usr/bin/docker

say() { echo "docker-engine: $*" >&2; }

running() {
  [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

answers() {
  "$DOCKER" -H "unix://$SOCKET" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

install_missing() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  [ -x "$DOCKER" ] || need+=(docker.io)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2; }
  fi
}

start() {
  [ "$(id -u)" = 0 ] || { say "needs root (dockerd)"; exit 1; }
  if running && answers; then
    echo "export DOCKER_HOST=unix://$SOCKET"
    return
  fi
  install_missing
  mkdir -p "$DIR/data" "$DIR/exec"
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  # setsid: the engine outlives the shell that started it (CI steps, eval in a terminal), and its own pid file says
  # which process to stop.
  setsid dockerd --iptables=false --ip6tables=false --ip-masq=false --storage-driver=overlay2 \
    --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$PIDFILE" --bridge "$BRIDGE" \
    -H "unix://$SOCKET" >"$LOG" 2>&1 < /dev/null &
  local i
  for i in $(seq 1 120); do
    if answers; then
      say "engine $("$DOCKER" -H "unix://$SOCKET" version --format '{{.Server.Version}}') up (log $LOG)"
      echo "export DOCKER_HOST=unix://$SOCKET"
      return
    fi
    sleep 0.5
  done
  say "dockerd did not answer within 60 s; its log ($LOG) ends with:"
  tail -20 "$LOG" >&2 || true
  exit 1
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PIDFILE")
    kill "$pid"
    local i
    for i in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "dockerd $pid still running after 30 s: killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
    say "engine stopped"
  else
    say "no engine of this script running"
  fi
  rm -f "$PIDFILE"
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link delete "$BRIDGE"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if running && answers; then echo "export DOCKER_HOST=unix://$SOCKET"; else say "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
