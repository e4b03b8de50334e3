#!/usr/bin/env bash
# Smoke test of the Node.js baseline against a real stack (not part of the Maven build or CI):
#   bench/baselines/node-ws/smoke.sh
# Starts a Kafka broker, the exchange simulator, the ingest and this baseline on free loopback ports, runs
# ./tickstream loadgen against the baseline in raw and combined mode, and fails unless every run received ticks
# with latency samples, had no connect errors and no unexpected messages. Everything it started is stopped on exit.
# Knobs: CONNECTIONS (default 100), SYMBOLS (5), DURATION (10s), MODES ("raw combined"), KEEP_LOGS=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
CONNECTIONS=${CONNECTIONS:-100}
SYMBOLS=${SYMBOLS:-5}
DURATION=${DURATION:-10s}
MODES=${MODES:-raw combined}

work=$(mktemp -d /tmp/node-baseline-smoke.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ] || [ -n "${KEEP_LOGS:-}" ]; then
    echo "logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  for _ in $(seq 1 $((secs * 2))); do
    if "$@" > /dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "FAIL: $what not up after ${secs}s (logs in $work)" >&2
  exit 1
}

kafka_port=$(free_port); controller_port=$(free_port); sim_port=$(free_port); node_port=$(free_port)

cd "$here"
[ -d node_modules ] || npm ci --no-audit --no-fund

cd "$root"
./tickstream kafka --port "$kafka_port" --controller-port "$controller_port" --log-dir "$work/kafka" \
  > "$work/kafka.log" 2>&1 &
pids+=($!)
./tickstream simulator --port "$sim_port" > "$work/simulator.log" 2>&1 &
pids+=($!)
wait_for 120 "Kafka broker" grep -q "ready" "$work/kafka.log"
wait_for 120 "exchange simulator" curl -sf "http://127.0.0.1:$sim_port/api/v3/exchangeInfo"

./tickstream ingest --rest-url="http://127.0.0.1:$sim_port" --ws-url="ws://127.0.0.1:$sim_port" \
  --kafka.bootstrap-servers="127.0.0.1:$kafka_port" --cluster.enabled=false --http-port=0 \
  > "$work/ingest.log" 2>&1 &
pids+=($!)

node "$here/server.js" --port "$node_port" --kafka "127.0.0.1:$kafka_port" > "$work/baseline.log" 2>&1 &
pids+=($!)
wait_for 120 "Node.js baseline" curl -sf "http://127.0.0.1:$node_port/health/ready"
sleep 2 # a little more of the simulated market in the snapshot the loadgen probes

failed=0
for mode in $MODES; do
  json="$work/loadgen-$mode.json"
  ./tickstream loadgen --url "ws://127.0.0.1:$node_port" --mode "$mode" --connections "$CONNECTIONS" \
    --symbols "$SYMBOLS" --duration "$DURATION" --json-out "$json" > "$work/loadgen-$mode.log" 2>&1
  sed -n '/^loadgen summary/,/report:/p' "$work/loadgen-$mode.log"
  if ! node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const problems = [];
    if (!(r.ticks > 0)) problems.push(`ticks=${r.ticks}`);
    if (!(r.latencyMicros.samples > 0)) problems.push(`latency samples=${r.latencyMicros.samples}`);
    if (r.connectErrors !== 0) problems.push(`connectErrors=${r.connectErrors}`);
    if (r.connectionsOpened !== r.connections) problems.push(`opened ${r.connectionsOpened} of ${r.connections}`);
    if (r.otherMessages !== 0) problems.push(`otherMessages=${r.otherMessages}`);
    if (r.outOfOrder !== 0) problems.push(`outOfOrder=${r.outOfOrder}`);
    if (problems.length) { console.error(`FAIL ${r.mode}: ${problems.join(", ")}`); process.exit(1); }
    console.log(`PASS ${r.mode}: ${r.ticks} ticks, ${r.latencyMicros.samples} latency samples, 0 connect errors`);
  ' "$json"; then
    failed=1
  fi
done
exit "$failed"
