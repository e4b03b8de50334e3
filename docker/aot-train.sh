#!/bin/bash
# The training run of JDK 25's ahead-of-time cache (JEP 483/514/515) for a role image, run once at image build:
# the role starts exactly as the entrypoint starts it (same java, same jar path, same JAVA_BASE_OPTS and
# JAVA_GC_OPTS), does its real work for TRAIN_SECONDS against a Kafka broker and the exchange simulator started here
# on loopback, and is stopped with SIGTERM; the JVM then writes the classes it loaded and linked, and its method
# profiles, to CACHE. The image's entrypoint maps it with -XX:AOTCache (JAVA_AOT_OPTS). Measured gain and costs:
# docs/benchmarks.md, "Start to ready (issue 12)".
#
#   aot-train.sh ROLE JAR CACHE       ROLE: fanout | ingest | simulator
#
# TRAIN_JARS (a directory with kafka-broker.jar, simulator.jar, ingest.jar and loadgen.jar: helpers, not in the image)
# and TRAIN_SECONDS (20). Works outside Docker too (that is how it is tested: bench/startup.sh's numbers come from
# the same kind of run). Never fails the build for want of a cache: if anything goes wrong it says so and leaves
# no cache, and the image starts without one.
set -u
role=$1 jar=$2 cache=$3
jars=${TRAIN_JARS:-/train}
seconds=${TRAIN_SECONDS:-20}
java=${JAVA:-java}
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# get PORT PATH: true on HTTP 200 (bash's /dev/tcp: the JRE image need not have curl).
get() {
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  local status; IFS= read -r -t 3 status <&3; exec 3<&-
  case "$status" in "HTTP/1."?" 200"*) return 0 ;; *) return 1 ;; esac
}
post() { { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1; printf 'POST %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3; exec 3<&-; }
wait_for() { for _ in $(seq 1 600); do get "$1" "$2" && return 0; sleep 0.2; done; echo "aot-train: $1$2 never answered 200" >&2; return 1; }
wait_line() { for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done; echo "aot-train: no '$2' in $1" >&2; return 1; }
helper() { local name=$1; shift; "$java" --sun-misc-unsafe-memory-access=allow -jar "$@" > "$work/$name.log" 2>&1 & pids+=($!); }

# Loopback ports of their own; the role is not clustered with anything but itself.
KAFKA=127.0.0.1:19092 SIM=19443
export TICKSTREAM_KAFKA_BOOTSTRAP_SERVERS=$KAFKA TICKSTREAM_CLUSTER_INTERFACE=127.0.0.1 \
  TICKSTREAM_CLUSTER_MEMBERS=127.0.0.1:15701 TICKSTREAM_CLUSTER_PORT=15701 TICKSTREAM_CLUSTER_NAME=aot-training \
  TICKSTREAM_LOG_FORMAT=text
if [ "$role" != simulator ]; then
  helper kafka "$jars/kafka-broker.jar" --port 19092 --controller-port 19093 --log-dir "$work/kafka"
  helper simulator "$jars/simulator.jar" --port $SIM --universe-size 2000 --tick-rate 1000
  wait_line "$work/kafka.log" ready || exit 0
  wait_for $SIM /api/v3/ping || exit 0
fi
if [ "$role" = fanout ]; then
  # A feed in the topic for the fanout to rebuild and serve: an ingest of its own cluster, not trained.
  TICKSTREAM_CLUSTER_ENABLED=false helper ingest "$jars/ingest.jar" --rest-url "http://127.0.0.1:$SIM" \
    --ws-url "ws://127.0.0.1:$SIM" --admin-port 18089
  wait_for 18089 /health/ready || exit 0
fi

case "$role" in
  fanout)    args=(--port 18080 --admin-port 18090); ready=(18090 /health/ready) ;;
  ingest)    args=(--rest-url "http://127.0.0.1:$SIM" --ws-url "ws://127.0.0.1:$SIM" --admin-port 18089); ready=(18089 /health/ready) ;;
  simulator) args=(--port $SIM --universe-size 2000); ready=($SIM /api/v3/ping) ;;
  *) echo "aot-train: unknown role $role" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
# -Xmx: at build time no container limit bounds MaxRAMPercentage, and a heap of 32 GB or more would record a cache
# without compressed oops, which no container below that size could map.
"$java" ${JAVA_BASE_OPTS:-} ${JAVA_GC_OPTS:-} -Xmx${TRAIN_HEAP:-1g} -XX:AOTCacheOutput="$cache" -Xlog:aot=error -jar "$jar" "${args[@]}" \
  > "$work/role.log" 2>&1 &
role_pid=$!
if wait_for "${ready[@]}"; then
  # The work the role does in production, for the method profiles: ticks through the node and, for the fanout,
  # 200 WebSocket clients of the load generator.
  post $SIM "/sim/rate?ticksPerSecond=5000"
  if [ "$role" = fanout ]; then
    helper loadgen "$jars/loadgen.jar" --url ws://127.0.0.1:18080 --connections 200 --symbols 5 --duration "${seconds}s" \
      --json-out "$work/loadgen.json"
  fi
  sleep "$seconds"
fi
kill -TERM "$role_pid"
wait "$role_pid"
if [ -s "$cache" ]; then
  echo "aot-train: $role cache written, $(du -h "$cache" | cut -f1)"
else
  echo "aot-train: no cache for $role (the image starts without one); the role's log:" >&2
  tail -20 "$work/role.log" >&2
fi
exit 0
