#!/usr/bin/env bash
# SUBSCRIBE/UNSUBSCRIBE churn (issue 18): what a client that alternates SUBSCRIBE and UNSUBSCRIBE of !bookTicker within
# the 5 messages a second costs the fanout. A stack of separate processes (broker, simulator with 2,000 symbols,
# ingest, fanout), then bench/scripts/SubscribeChurn.java; the fanout's CPU seconds (user + system, /proc) over the churn.
#
#   TARGETS="name:jar-dir ..." (default "current:" = the modules' target/*-all.jar), alternated within each run
#   CONNECTIONS=30  CHURN_RATE=2 (requests/s per connection; one SUBSCRIBE a second)  STREAM='!bookTicker'  MEASURE=30 (s)  RUNS=3
#   WARMUP=40 (s at 2,000 ticks/s, so nearly every symbol is in the topic)  RATE=10 (ticks/s while measuring: the churn's
#   cost, not the live ticks' it lets through)  WARMUP_CHURN=20 (s of churn before measuring, for the JIT)
#   IDLE=15 (s of the fanout alone before the measured churn, its baseline CPU)
#   UNIVERSE=2000 (symbols)   FANOUT_OPTS=...   BASE=48000 (ports BASE+80, +88, +90, +92, +93, +443, +701..)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh >/dev/null
RATE=${RATE:-10}; WARMUP=${WARMUP:-40}; IDLE=${IDLE:-15}; WARMUP_CHURN=${WARMUP_CHURN:-20}; RUNS=${RUNS:-3}; MEASURE=${MEASURE:-30}; BASE=${BASE:-48000}
CONNECTIONS=${CONNECTIONS:-30}; CHURN_RATE=${CHURN_RATE:-2}; STREAM=${STREAM:-!bookTicker}
TARGETS=${TARGETS:-current:}
KP=$((BASE+92)); FP=$((BASE+80)); FA=$((BASE+90)); SP=$((BASE+443)); CP=$((BASE+701))
CLUSTER="--cluster.name=churn-$BASE --cluster.port=$CP --cluster.members=127.0.0.1:$CP,127.0.0.1:$((CP+1)),127.0.0.1:$((CP+2))"
OUT=${OUT:-/tmp/churn-$BASE}; mkdir -p "$OUT"
jar() { local dir=$2; if [ -n "$dir" ]; then echo "$dir/tickstream-$1-0.1.0-SNAPSHOT-all.jar"; else echo "modules/$1/target/tickstream-$1-0.1.0-SNAPSHOT-all.jar"; fi; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pids=()
stop() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done; pids=(); }
trap stop EXIT
wait_for() { for _ in $(seq 1 600); do if grep -q "$2" "$1" 2>/dev/null; then return 0; fi; sleep 0.2; done; echo "timeout waiting for '$2' in $1" >&2; return 1; }
hz=$(getconf CLK_TCK)
java -jar "$(jar kafka-broker "")" --port $KP --controller-port $((KP+1)) --partitions 1 >"$OUT/kafka.log" 2>&1 & pids+=($!)
java -jar "$(jar exchange-simulator "")" --port $SP --universe-size "${UNIVERSE:-2000}" --tick-rate 2000 >"$OUT/sim.log" 2>&1 & pids+=($!)
wait_for "$OUT/kafka.log" "broker ready"
java -jar "$(jar ingest-verticle "")" $CLUSTER --kafka.bootstrap-servers=127.0.0.1:$KP --rest-url=http://127.0.0.1:$SP \
  --ws-url=ws://127.0.0.1:$SP --admin-port $((BASE+88)) >"$OUT/ingest.log" 2>&1 & pids+=($!)
echo "warming up ${WARMUP}s: every symbol ticks into the topic"
sleep "$WARMUP"
curl -sf -X POST "http://127.0.0.1:$SP/sim/rate?ticksPerSecond=$RATE" >/dev/null
for run in $(seq 1 "$RUNS"); do
  for t in $TARGETS; do
    name=${t%%:*}; dir=${t#*:}
    java -jar "$(jar fanout-verticle "$dir")" $CLUSTER --kafka.bootstrap-servers=127.0.0.1:$KP --port $FP --admin-port $FA \
      ${FANOUT_OPTS:-} >"$OUT/fanout-$name.log" 2>&1 & fpid=$!
    for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$FA/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
    kill -0 $fpid 2>/dev/null || { echo "fanout $name did not start: $OUT/fanout-$name.log" >&2; exit 1; }
    # A first churn warms the JIT up (not measured); then the node's own cost with no client (Kafka polling, the
    # cluster, 10 ticks/s), to take out of the churn's.
    java bench/scripts/SubscribeChurn.java "ws://127.0.0.1:$FP/ws" "$CONNECTIONS" "$CHURN_RATE" "$WARMUP_CHURN" "$STREAM" >/dev/null
    idle0=$(cpu_ticks $fpid); sleep "$IDLE"; idle1=$(cpu_ticks $fpid)
    before=$(cpu_ticks $fpid)
    line=$(java bench/scripts/SubscribeChurn.java "ws://127.0.0.1:$FP/ws" "$CONNECTIONS" "$CHURN_RATE" "$MEASURE" "$STREAM")
    after=$(cpu_ticks $fpid)
    total=$(echo "($after - $before) / $hz" | bc -l)
    idle=$(echo "($idle1 - $idle0) / $hz * $MEASURE / $IDLE" | bc -l)
    printf 'run %d %-8s fanout cpu %.2f s over %d s (%.1f %% of a core), idle %.2f s, churn %.2f s; %s\n' "$run" "$name" \
      "$total" "$MEASURE" "$(echo "100 * $total / $MEASURE" | bc -l)" "$idle" "$(echo "$total - $idle" | bc -l)" "$line"
    kill $fpid
    while kill -0 $fpid 2>/dev/null; do sleep 0.2; done
  done
done
