#!/usr/bin/env bash
# Latency budget of issue 12: one !bookTicker client (bench/scripts/BookTickerProbe.java) and/or the load generator
# against a stack of separate processes (Kafka broker, simulator, ingest, fanout), as in production.
#
#   JARS=dir (default: the modules' target/*-all.jar)   RATE=1000   RUNS=3   WARMUP=15 MEASURE=20 (seconds)
#   MODE=probe|loadgen   LOADGEN_CONNS=2000 LOADGEN_SYMBOLS=5   FANOUT_OPTS="--fanout.express=true" INGEST_OPTS=...
#   GC=-XX:+UseZGC (JVM flag of ingest and fanout)   BASE=47000 (ports BASE+80, +88, +90, +92, +93, +443, +701..)
# Probe mode with the express lane on also prints the steady CPU per tick (after the warm-up), process and Kafka thread.
# Each run starts the whole stack afresh, so JIT warm-up is inside WARMUP, never inside the measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh >/dev/null
RATE=${RATE:-1000}; RUNS=${RUNS:-3}; WARMUP=${WARMUP:-15}; MEASURE=${MEASURE:-20}; MODE=${MODE:-probe}
BASE=${BASE:-47000}; GC=${GC:--XX:+UseZGC}
jar() { if [ -n "${JARS:-}" ]; then echo "$JARS/tickstream-$1-0.1.0-SNAPSHOT-all.jar"; else echo "modules/$1/target/tickstream-$1-0.1.0-SNAPSHOT-all.jar"; fi; }
KP=$((BASE+92)); FP=$((BASE+80)); FA=$((BASE+90)); SP=$((BASE+443)); CP=$((BASE+701))
CLUSTER="--cluster.name=latbudget-$BASE --cluster.port=$CP --cluster.members=127.0.0.1:$CP,127.0.0.1:$((CP+1)),127.0.0.1:$((CP+2))"
OUT=${OUT:-/tmp/latency-budget-$BASE}; mkdir -p "$OUT"
pids=()
stop() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done; pids=(); }
trap stop EXIT
wait_for() { for _ in $(seq 1 600); do if grep -q "$2" "$1" 2>/dev/null; then return 0; fi; sleep 0.2; done; echo "timeout waiting for '$2' in $1" >&2; return 1; }
for run in $(seq 1 "$RUNS"); do
  java -jar "$(jar kafka-broker)" --port $KP --controller-port $((KP+1)) --partitions 1 >"$OUT/kafka.log" 2>&1 & pids+=($!)
  java -jar "$(jar exchange-simulator)" --port $SP --tick-rate "$RATE" >"$OUT/sim.log" 2>&1 & pids+=($!)
  wait_for "$OUT/kafka.log" "broker ready"
  java $GC -jar "$(jar ingest-verticle)" $CLUSTER --kafka.bootstrap-servers=127.0.0.1:$KP --rest-url=http://127.0.0.1:$SP \
    --ws-url=ws://127.0.0.1:$SP --admin-port $((BASE+88)) ${INGEST_OPTS:-} >"$OUT/ingest.log" 2>&1 & pids+=($!)
  java $GC -jar "$(jar fanout-verticle)" $CLUSTER --kafka.bootstrap-servers=127.0.0.1:$KP --port $FP --admin-port $FA ${FANOUT_OPTS:-} \
    >"$OUT/fanout.log" 2>&1 & pids+=($!); fpid=$!
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$FA/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "== run $run $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  frames0=$(curl -fs "http://127.0.0.1:$FA/metrics" | awk '/^tickstream_fanout_frames_out_total/ {print $2}'); cpu0=$(awk '{print $14 + $15}' /proc/$fpid/stat)
  if [ "$MODE" = probe ]; then
    java bench/scripts/BookTickerProbe.java "ws://127.0.0.1:$FP/ws/!bookTicker" "$WARMUP" "$MEASURE" & probe=$!
    # Steady CPU per tick: the fanout's (and its Kafka consumer thread's) CPU from the end of the warm-up to near the
    # end of the run, per express tick received then (the "per frame" figure below includes the warm-up).
    sleep "$WARMUP"
    ticks() { curl -fs "http://127.0.0.1:$FA/metrics" | awk '/^tickstream_fanout_express_ticks_total/ {print $2}'; }
    kt=$(grep -l "tickstream-fano" /proc/$fpid/task/*/comm 2>/dev/null | head -1 | xargs -r dirname || true)
    m0=$(ticks); c0=$(awk '{print $14 + $15}' /proc/$fpid/stat); k0=$( [ -n "$kt" ] && awk '{print $14 + $15}' "$kt/stat" || echo 0)
    sleep $((MEASURE - 2))
    m1=$(ticks); c1=$(awk '{print $14 + $15}' /proc/$fpid/stat); k1=$( [ -n "$kt" ] && awk '{print $14 + $15}' "$kt/stat" || echo 0)
    if [ -n "$m0" ] && [ -n "$m1" ] && [ "$(echo "$m1 > $m0" | bc)" = 1 ]; then
      tick_us() { echo "($1) * 1000000 / $(getconf CLK_TCK) / ($m1 - $m0)" | bc -l | cut -c1-6; }
      echo "steady: $(echo "$m1 - $m0" | bc) express ticks; fanout cpu $(tick_us "$c1 - $c0") us per tick; kafka thread $(tick_us "$k1 - $k0") us per tick"
    fi
    wait $probe
  else
    java -jar "$(jar loadgen)" --url ws://127.0.0.1:$FP --connections "${LOADGEN_CONNS:-2000}" --symbols "${LOADGEN_SYMBOLS:-5}" \
      --mode combined --duration "$((WARMUP+MEASURE))s" --settle "${WARMUP}s" --json-out "$OUT/loadgen-$run.json" 2>&1 | grep -iE "steady|p50|p99" | tail -4
  fi
  curl -fs "http://127.0.0.1:$FA/metrics" 2>/dev/null | grep -E "^tickstream_fanout_(stale_drops|late_copies|express)" || true
  # The fanout's CPU per frame it wrote over the run (warm-up included: the same for every variant).
  frames1=$(curl -fs "http://127.0.0.1:$FA/metrics" | awk '/^tickstream_fanout_frames_out_total/ {print $2}'); cpu1=$(awk '{print $14 + $15}' /proc/$fpid/stat)
  echo "fanout cpu $(echo "($cpu1 - $cpu0) / $(getconf CLK_TCK)" | bc -l | cut -c1-6) s for $(echo "$frames1 - $frames0" | bc) frames: $(echo "($cpu1 - $cpu0) / $(getconf CLK_TCK) * 1000000 / ($frames1 - $frames0)" | bc -l | cut -c1-6) us per frame"
  stop
done
