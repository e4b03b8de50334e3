#!/usr/bin/env bash
# Ingest benchmark: throughput, CPU and added latency (frame received -> Kafka ack) at several exchange rates.
#   bench/ingest.sh [rates...]        default: 10000 50000; RUNS=3 WARMUP=10 DURATION=30
#   VARIANTS='defaults;ingest.kafka.acks=all ingest.kafka.idempotence=true' bench/ingest.sh 10000
#     compares ingest settings: variants are separated by ';', each a space-separated list of key=value ingest
#     settings ('defaults' for none). Each repetition runs every variant once, in turn, so the drift of a shared
#     machine hits all of them alike; the label names the variant.
# Starts a Kafka broker and the exchange simulator (2,000 symbols) as separate processes on loopback, then for
# each rate runs the ingest benchmark RUNS times, each in a fresh JVM and a fresh topic. Results go to
# bench/results/ingest-<time>.jsonl and a table of medians (min-max) is printed for docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/java-home.sh
RUNS=${RUNS:-3}; WARMUP=${WARMUP:-10}; DURATION=${DURATION:-30}
IFS=';' read -r -a variants <<< "${VARIANTS:-defaults}"
rates=("$@"); [ ${#rates[@]} -eq 0 ] && rates=(10000 50000)
v=0.1.0-SNAPSHOT
bench_jar=bench/target/tickstream-bench-$v-all.jar
./mvnw -q -B -ntp package -DskipTests -pl bench,modules/exchange-simulator,modules/kafka-broker -am
mkdir -p bench/results
out=bench/results/ingest-$(date +%Y%m%d-%H%M%S).jsonl
work=$(mktemp -d)
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
pids=()
trap cleanup EXIT
java -jar modules/kafka-broker/target/tickstream-kafka-broker-$v-all.jar --port 19092 --controller-port 19093 --log-dir "$work/kafka" > "$work/kafka.log" 2>&1 &
pids+=($!)
java -XX:+UseZGC -jar modules/exchange-simulator/target/tickstream-exchange-simulator-$v-all.jar --port 19443 --tick-rate 1000 --tick-interval 1ms > "$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do grep -q "ready" "$work/kafka.log" && grep -q "listening" "$work/sim.log" && break; sleep 1; done
{ echo "# $(date -u +%FT%TZ) $(nproc) cores, $(java -version 2>&1 | head -1)"; } > "$out"
for rate in "${rates[@]}"; do
  curl -s -X POST "http://127.0.0.1:19443/sim/rate?ticksPerSecond=$rate" > /dev/null
  for run in $(seq 1 "$RUNS"); do
    for v in "${!variants[@]}"; do
      variant=$(echo "${variants[$v]}" | xargs)
      label="ingest @ $rate ticks/s"; sets=()
      if [ "$variant" != defaults ] && [ -n "$variant" ]; then
        label="$label, $variant"
        for kv in $variant; do sets+=(--set "$kv"); done
      fi
      java -XX:+UseZGC -Xmx1g -jar "$bench_jar" --exchange 127.0.0.1:19443 --kafka 127.0.0.1:19092 \
        --topic "bench-$rate-$run-$v-$$" --warmup "$WARMUP" --duration "$DURATION" --label "$label" "${sets[@]}" \
        2> "$work/bench-$rate-$run-$v.err" | grep '^RESULT' | tee -a "$out"
    done
  done
done
echo
java -cp "$bench_jar" io.tickstream.bench.BenchSummary "$out"
echo "(raw results: $out)"
