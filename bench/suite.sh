#!/usr/bin/env bash
# The benchmark suite: tickstream's fanout against the Node.js baseline (bench/baselines/node-ws), side by side in
# one sitting, fed by the same simulator -> ingest -> Kafka chain.
#
#   bench/suite.sh [latency|throughput|capacity|isolation|isolation-fill|scenario1|slowlink ...]
#   default: latency isolation throughput capacity (isolation-fill and scenario1, issue 12, and slowlink, issue 19,
#   only when named)
#
# Environment: RUNS (3) repetitions per measurement, A/B alternated; DURATION (30s) per load-generator run, of
#   which the steady state starts SETTLE (5s) after the ramp;
#   CONNECTIONS (10000) and SYMBOLS (5) for latency/isolation; LATENCY_RATES ("20000 2000" ticks/s: the issue's
#   feed, then one this 2-core machine can carry with the load generator on it); ISOLATION_RATE (2000);
#   THROUGHPUT_RATES ("5000 20000 60000"), THROUGHPUT_CONNECTIONS (2000), THROUGHPUT_SYMBOLS (10);
#   CAPACITY_NODES (6) server processes x CAPACITY_PER_NODE (17000) idle connections, CAPACITY_RUNS (2) times for each of
#   CAPACITY_TARGETS ("tickstream tickstream-g1 baseline": tickstream-g1 is the fanout on G1_JAVA_OPTS instead of ZGC;
#   a target ending in -vertx, e.g. tickstream-g1-vertx, serves WebSockets through Vert.x's ServerWebSocket as before
#   issue 12, --websocket-transport vertx); JAVA_OPTS_<target with - as _> gives one target its own JVM options,
#   e.g. JAVA_OPTS_tickstream_g1_coh="-XX:+UseG1GC -XX:+UseCompactObjectHeaders" for a target tickstream-g1-coh;
#   HISTO=1 keeps a class histogram of every loaded JVM server (capacity); SKIP_BUILD=1 uses the jars as they are;
#   STALLED_PERCENT (1) for isolation; TARGETS ("tickstream baseline"); BASELINE_WORKERS (2) node:cluster workers
#   (one per core, as tickstream runs one event loop per core; capacity runs one worker per process; with PIN, one
#   per core of SERVER_CPUS).
# isolation-fill (issue 12): FILL_CONNECTIONS (100) connections of !bookTicker at FILL_RATE (1000) ticks/s, so a
#   stalled one's socket fills within seconds; each run measures every share of FILL_STALLED_PERCENTS ("0 1": none,
#   then 1 % = one connection of 100) in turn, per target; FILL_DURATION (45s: a stalled socket fills in ~25 s here), FILL_SETTLE (1s: the stall, the
#   full socket and the 1013 close happen early in the run and belong in the steady state).
# scenario1 (issue 5, run pinned by issue 12): SCENARIO1_CONNECTIONS (10000) x SCENARIO1_SYMBOLS (5) at
#   SCENARIO1_RATE (20000) ticks/s, SCENARIO1_LOADGENS (1) load-generator processes sharing the connections.
# Every run of these two also samples, once a second, the server's /metrics counters (pending, conflated or skipped,
#   slow-client closes, connections), the kernel's queues of the connections (the server's unsent bytes, the load
#   generator's unread bytes) and the load generator's CPU: samples-<run>.jsonl, summarised in results.jsonl.
# Pinning: PIN (auto: on when taskset exists and there are 2+ cores; 0 turns it off) runs every server under test
#   on SERVER_CPUS (default: the lower half of the cores, "0" on 2 cores) and every load generator on LOADGEN_CPUS
#   (the upper half, "1"), with taskset -c, so the load generator never takes the server's CPU and the figures are
#   the server's. INFRA_CPUS (unset: not pinned) pins Kafka, the simulator and the ingest.
# Small compacted segments keep the topic short: every server rebuilds its snapshot from the start of the topic.
#
# Every server under test runs alone while it is measured (the other one is stopped), so the two never share the
# cores. One process holds under 20k sockets here, so capacity runs several server and load-generator processes.
# Results: bench/results/suite-<time>/ (one JSON report per load-generator run, results.jsonl with the server's
# CPU and memory per run, summary.md with medians, latency.svg). Copy the summary into docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/java-home.sh

RUNS=${RUNS:-3}; DURATION=${DURATION:-30s}; SETTLE=${SETTLE:-5s}
CONNECTIONS=${CONNECTIONS:-10000}; SYMBOLS=${SYMBOLS:-5}
LATENCY_RATES=${LATENCY_RATES:-"20000 2000"}; ISOLATION_RATE=${ISOLATION_RATE:-2000}
THROUGHPUT_RATES=${THROUGHPUT_RATES:-"5000 20000 60000"}
THROUGHPUT_CONNECTIONS=${THROUGHPUT_CONNECTIONS:-2000}; THROUGHPUT_SYMBOLS=${THROUGHPUT_SYMBOLS:-10}
CAPACITY_NODES=${CAPACITY_NODES:-6}; CAPACITY_PER_NODE=${CAPACITY_PER_NODE:-17000}
STALLED_PERCENT=${STALLED_PERCENT:-1}
FILL_CONNECTIONS=${FILL_CONNECTIONS:-100}; FILL_RATE=${FILL_RATE:-1000}; FILL_STALLED_PERCENTS=${FILL_STALLED_PERCENTS:-"0 1"}
FILL_DURATION=${FILL_DURATION:-45s}; FILL_SETTLE=${FILL_SETTLE:-1s}
SCENARIO1_CONNECTIONS=${SCENARIO1_CONNECTIONS:-10000}; SCENARIO1_SYMBOLS=${SCENARIO1_SYMBOLS:-5}
SCENARIO1_RATE=${SCENARIO1_RATE:-20000}; SCENARIO1_LOADGENS=${SCENARIO1_LOADGENS:-1}
TARGETS=${TARGETS:-"tickstream baseline"}
UNIVERSE=${UNIVERSE:-2000}
FANOUT_JAVA_OPTS=${FANOUT_JAVA_OPTS:-"-XX:+UseZGC"}
G1_JAVA_OPTS=${G1_JAVA_OPTS:-"-XX:+UseG1GC"}
BASELINE_WORKERS=${BASELINE_WORKERS:-}
CAPACITY_RUNS=${CAPACITY_RUNS:-2}; CAPACITY_TARGETS=${CAPACITY_TARGETS:-"tickstream tickstream-g1 baseline"}
ncpu=$(nproc)
PIN=${PIN:-auto}
if [ "$PIN" = auto ]; then
  if command -v taskset > /dev/null && [ "$ncpu" -ge 2 ]; then PIN=1; else PIN=0; fi
fi
span() { if [ "$1" = "$2" ]; then echo "$1"; else echo "$1-$2"; fi; }
half=$((ncpu / 2)); [ "$half" -lt 1 ] && half=1
SERVER_CPUS=${SERVER_CPUS:-$(span 0 $((half - 1)))}
LOADGEN_CPUS=${LOADGEN_CPUS:-$(span "$half" $((ncpu - 1)))}
INFRA_CPUS=${INFRA_CPUS:-}
cpus_in() { local n=0 part; for part in ${1//,/ }; do if [[ $part == *-* ]]; then n=$((n + ${part#*-} - ${part%-*} + 1)); else n=$((n + 1)); fi; done; echo $n; }
if [ -z "$BASELINE_WORKERS" ]; then
  if [ "$PIN" = 1 ]; then BASELINE_WORKERS=$(cpus_in "$SERVER_CPUS"); else BASELINE_WORKERS=2; fi
fi
# on CPUS CMD...: CMD, pinned to CPUS when pinning is on and CPUS is set. exec: in the background, $! is CMD's pid.
on() { local cpus=$1; shift; if [ "$PIN" = 1 ] && [ -n "$cpus" ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi; }
scenarios=("$@"); [ ${#scenarios[@]} -eq 0 ] && scenarios=(latency isolation throughput capacity)

v=0.1.0-SNAPSHOT
jar() { echo "$root/modules/$1/target/tickstream-$1-$v-all.jar"; }
bench_jar=$root/bench/target/tickstream-bench-$v-all.jar
baseline=$root/bench/baselines/node-ws
# PORT_OFFSET (0) shifts every port below, so two suites can run on one machine at once.
PO=${PORT_OFFSET:-0}
KAFKA=127.0.0.1:$((29092 + PO)); SIM=127.0.0.1:$((29443 + PO)); INGEST_HTTP=$((28089 + PO))
# Where the servers listen: loopback, or every interface for the slowlink scenario's namespace.
SERVER_HOST=127.0.0.1

[ "${SKIP_BUILD:-0}" = 1 ] || ./mvnw -q -B -ntp package -DskipTests -pl bench,modules/kafka-broker,modules/exchange-simulator,modules/ingest-verticle,modules/fanout-verticle,modules/loadgen -am
[ -d "$baseline" ] && (cd "$baseline" && npm ci --no-audit --no-fund --loglevel=error)

out=$root/bench/results/suite-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
work=$(mktemp -d)
infra=(); servers=(); loadgens=(); samplers=()
cleanup() {
  kill "${samplers[@]}" "${loadgens[@]}" "${servers[@]}" "${infra[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }

# wait_http URL SECONDS: until URL answers 200.
wait_http() {
  for _ in $(seq 1 "$2"); do curl -sf -o /dev/null "$1" && return 0; sleep 1; done
  echo "timed out waiting for $1" >&2; return 1
}
# Fails if something already listens on PORT: a stray server there would be measured instead of ours.
port_free() {
  if ss -Htln "sport = :$1" | grep -q .; then echo "port $1 is taken; stop what listens there first" >&2; exit 1; fi
}
wait_log() { for _ in $(seq 1 "$3"); do grep -q "$2" "$1" && return 0; sleep 1; done; echo "no '$2' in $1" >&2; return 1; }
# A server is one process, or the baseline's primary and its node:cluster workers: CPU and RSS are summed over both.
tree() { echo "$1"; pgrep -P "$1" || true; }
cpu_ticks() { local t=0 p; for p in $(tree "$1"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
rss_kib() { local t=0 p; for p in $(tree "$1"); do t=$((t + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status"))); done; echo $t; }
clk_tck=$(getconf CLK_TCK)

# Heap in use after a full collection, KiB: jcmd for the JVM, the baseline's own /stats for Node.
heap_kib() {
  local target=$1 pid=$2 port=$3
  if [ "$target" != baseline ]; then
    jcmd "$pid" GC.run > /dev/null
    jcmd "$pid" GC.heap_info | grep -oE 'used [0-9]+[KMG]' | head -1 | awk '{
      n = substr($2, 1, length($2) - 1); u = substr($2, length($2));
      print (u == "G" ? n * 1048576 : u == "M" ? n * 1024 : n) }'
  else
    curl -sf "http://127.0.0.1:$port/metrics?gc=1" | awk '/^baseline_node_heap_used_bytes/ {print int($2 / 1024)}'
  fi
}

start_infra() {
  log "starting Kafka broker, simulator ($UNIVERSE symbols) and ingest"
  for p in $((29092 + PO)) $((29093 + PO)) $((29443 + PO)) $INGEST_HTTP; do port_free $p; done
  on "$INFRA_CPUS" java -jar "$(jar kafka-broker)" --port $((29092 + PO)) --controller-port $((29093 + PO)) --log-dir "$work/kafka" > "$out/kafka.log" 2>&1 &
  infra+=($!)
  on "$INFRA_CPUS" java -XX:+UseZGC -jar "$(jar exchange-simulator)" --port $((29443 + PO)) --universe-size "$UNIVERSE" --tick-rate 1000 \
    --tick-interval 1ms > "$out/simulator.log" 2>&1 &
  infra+=($!)
  wait_log "$out/kafka.log" ready 240
  wait_log "$out/simulator.log" listening 240
  # ./tickstream execs the role's JVM (with the module opens it needs), so $! is the JVM's pid.
  JAVA_OPTS="-XX:+UseZGC" on "$INFRA_CPUS" ./tickstream ingest --cluster.enabled=false --rest-url "http://$SIM" \
    --ws-url "ws://$SIM" --kafka.bootstrap-servers=$KAFKA --admin-port $INGEST_HTTP \
    --topic.segment-bytes 4194304 --topic.segment-time 1m --topic.configs min.cleanable.dirty.ratio=0.01 > "$out/ingest.log" 2>&1 &
  infra+=($!)
  wait_http "http://127.0.0.1:$INGEST_HTTP/health/ready" 120
  # Ten seconds of feed so (nearly) every symbol has a tick in the topic: the nodes serve only symbols they have
  # seen. The load generators all take the symbols a node lists in its !bookTicker snapshot, in one fixed order.
  set_rate 20000
  sleep 10
  set_rate 0
  start_server tickstream $((28080 + PO))
  NODE_PATH=${NODE_PATH:-$baseline/node_modules} node -e "
    const WebSocket = require('ws'); const seen = new Set();
    const ws = new WebSocket('ws://127.0.0.1:$((28080 + PO))/stream?streams=!bookTicker');
    ws.on('message', m => { const d = JSON.parse(m); seen.add((d.data || d).s); });
    setTimeout(() => { console.log([...seen].sort().join('\\n')); process.exit(0); }, 3000);" > "$out/symbols.txt"
  stop_servers
  log "$(wc -l < "$out/symbols.txt") symbols known to the nodes"
}

set_rate() { curl -sf -X POST "http://$SIM/sim/rate?ticksPerSecond=$1" > /dev/null; }

# admin_port TARGET PORT: where a server on PORT answers /health/ready and /metrics: a tickstream fanout on its private
# admin port (PORT + 1000, fanout.admin-port), the Node baseline on PORT itself.
admin_port() { if [ "$1" = baseline ]; then echo "$2"; else echo $(( $2 + 1000 )); fi; }

# start_server TARGET PORT [WORKERS]: starts one server process and waits until it is ready; its pid is left in SERVER_PID.
start_server() {
  local target=$1 port=$2 workers=${3:-$BASELINE_WORKERS} admin
  admin=$(admin_port "$target" "$port")
  port_free "$port"; port_free "$admin"
  if [ "$target" != baseline ]; then
    local opts=$FANOUT_JAVA_OPTS transport=channel
    [[ $target == tickstream-g1* ]] && opts=$G1_JAVA_OPTS
    [[ $target == *-vertx ]] && transport=vertx
    local own="JAVA_OPTS_${target//-/_}"
    [ -n "${!own:-}" ] && opts=${!own}
    JAVA_OPTS=$opts on "$SERVER_CPUS" ./tickstream fanout --cluster.enabled=false --host "$SERVER_HOST" --port "$port" --admin-port "$admin" \
      --kafka.bootstrap-servers=$KAFKA --max-connections 19000 --websocket-transport "$transport" > "$out/$target-$port.log" 2>&1 &
  else
    on "$SERVER_CPUS" node --expose-gc "$baseline/server.js" --host "$SERVER_HOST" --port "$port" --kafka "$KAFKA" --workers "$workers" > "$out/$target-$port.log" 2>&1 &
  fi
  SERVER_PID=$!
  servers+=("$SERVER_PID")
  wait_http "http://127.0.0.1:$admin/health/ready" 300
}

stop_servers() {
  kill "${servers[@]}" 2>/dev/null || true
  for p in "${servers[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done
  servers=()
}

# loadgen NAME PORT CONNECTIONS SYMBOLS [extra flags]: one load-generator process in the background, pid in LG_PID.
loadgen() {
  local name=$1 port=$2 n=$3 k=$4; shift 4
  on "$LOADGEN_CPUS" java -XX:+UseZGC -jar "$(jar loadgen)" --url "ws://127.0.0.1:$port" --connections "$n" --symbols "$k" \
    --duration "$DURATION" --settle "$SETTLE" --ramp-rate "${RAMP:-2000}" --json-out "$out/$name.json" --symbol-list "@$out/symbols.txt" "$@" > "$out/$name.log" 2>&1 &
  LG_PID=$!
  loadgens+=("$LG_PID")
}

# wait_loaded LOG N: until the load generator says every connection opened or failed, or (when a connect attempt
# never completes) its open count has not moved for 15 s after passing 99% of N.
wait_loaded() {
  local last=-1 same=0 open
  for _ in $(seq 1 600); do
    grep -q "steady state" "$1" && return 0
    open=$(grep -oE 'open=[0-9]+' "$1" | tail -1 | cut -d= -f2 || true); open=${open:-0}
    if [ "$open" = "$last" ] && [ "$open" -ge $(($2 * 99 / 100)) ]; then same=$((same + 1)); else same=0; fi
    [ "$same" -ge 15 ] && { log "$1: $open of $2 open and steady"; return 0; }
    last=$open; sleep 1
  done
  echo "$1: connections never settled" >&2; exit 1
}

# sampler PORT FILE LGPIDS...: once a second until killed, one JSON line: the time; the server's counters from its
# /metrics under common names (pending: tickstream's pending ticks; dropped: tickstream's conflated drops or the
# baseline's skipped frames; slowCloses: 1013 closes; connections; framesOut); the kernel's queues of the connections
# to PORT (serverSendQ: bytes the server wrote that the client has not taken; clientRecvQ: bytes the load generator
# has not read yet, its receive backlog), summed and the largest single one; the load generators' CPU ticks.
# sampler PORT METRICS_PORT FILE LOADGEN_PIDS...
sampler() {
  local port=$1 metrics_port=$2 file=$3; shift 3
  local lgs=("$@")
  while :; do
    local t m q c=0 p
    t=$(date +%s.%N)
    m=$(curl -sf -m 1 "http://127.0.0.1:$metrics_port/metrics" | awk '
      BEGIN { k["tickstream_fanout_pending_ticks"] = "pending"; k["tickstream_fanout_conflated_drops_total"] = "dropped";
        k["baseline_node_slow_drops_total"] = "dropped"; k["tickstream_fanout_slow_client_closes_total"] = "slowCloses";
        k["baseline_node_slow_client_closes_total"] = "slowCloses"; k["tickstream_fanout_connections"] = "connections";
        k["baseline_node_connections"] = "connections"; k["tickstream_fanout_frames_out_total"] = "framesOut";
        k["baseline_node_frames_out_total"] = "framesOut" }
      /^[a-z]/ { n = $1; sub(/\{.*/, "", n); if (n in k) v[k[n]] += $NF }
      END { for (x in v) printf "\"%s\":%.0f,", x, v[x] }' || true)
    q=$(ss -Htn state established "( sport = :$port or dport = :$port )" | awk -v p=":$port" '
      { if ($3 ~ (p "$")) { sq += $2; if ($2 > ms) ms = $2 } else { rq += $1; if ($1 > mr) mr = $1 } }
      END { printf "\"serverSendQ\":%d,\"serverSendQMax\":%d,\"clientRecvQ\":%d,\"clientRecvQMax\":%d", sq, ms, rq, mr }')
    for p in "${lgs[@]}"; do [ -r "/proc/$p/stat" ] && c=$((c + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
    echo "{\"t\":$t,$m$q,\"loadgenCpuTicks\":$c}" >> "$file"
    sleep 1
  done
}

# sample_summary FILE T0: what the samples of one run say, as a JSON object (times in seconds after T0, the
# load generator's start).
sample_summary() {
  jq -s --argjson t0 "$2" --argjson hz "$clk_tck" '
    def at(f): map(select(f)) | if length > 0 then (.[0].t - $t0) else null end;
    (map(.loadgenCpuTicks) | max) as $cpu | (map(select(.loadgenCpuTicks == $cpu)) | .[0].t) as $tcpu |
    {samples: length,
     pendingMax: (map(.pending // 0) | max), droppedByServer: ((.[-1].dropped // 0) - (.[0].dropped // 0)),
     slowCloses: (.[-1].slowCloses // 0), firstSlowCloseAfterSeconds: at((.slowCloses // 0) > 0),
     lastSlowCloseAfterSeconds: ((.[-1].slowCloses // 0) as $last
        | if $last > 0 then at((.slowCloses // 0) == $last) else null end),
     serverSendQMaxBytes: (map(.serverSendQMax) | max), serverSendQTotalMaxBytes: (map(.serverSendQ) | max),
     loadgenRecvQMedianBytes: (map(.clientRecvQ) | sort | .[length / 2 | floor]),
     loadgenRecvQMaxBytes: (map(.clientRecvQ) | max),
     loadgenCores: (if $tcpu > .[0].t then ($cpu - .[0].loadgenCpuTicks) / $hz / ($tcpu - .[0].t) else null end)}' "$1"
}

# record JSON: one line of results.jsonl.
record() { echo "$1" >> "$out/results.jsonl"; }

# measure SCENARIO TARGET RUN CONNS SYMBOLS RATE [loadgen flags]: one server, one load generator, CPU of the server.
# NAME_SUFFIX tells runs of one scenario apart in file names (e.g. the stalled share); SAMPLE=1 runs the sampler;
# LOADGENS (1) splits the connections over that many load-generator processes (one JSON report each; the record
# takes the first's figures, with messages and msgs/s summed over all).
measure() {
  local scenario=$1 target=$2 run=$3 n=$4 k=$5 rate=$6; shift 6
  local port=$((28080 + PO)) name="$scenario-$target-$rate${NAME_SUFFIX:-}-$run" pid lg c0 c1 t0 t1 parts=${LOADGENS:-1} i
  [ "$target" = baseline ] && port=$((28090 + PO))
  start_server "$target" "$port"; pid=$SERVER_PID
  set_rate "$rate"
  sleep 3   # the feed settles at the new rate before the clock starts (not synchronisation: a warm-up period)
  c0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
  local lgs=() names=()
  for i in $(seq 1 "$parts"); do
    local part=$name; [ "$parts" -gt 1 ] && part="$name.$i"
    local share=$((n / parts)); [ "$i" -le $((n % parts)) ] && share=$((share + 1))
    loadgen "$part" "$port" "$share" "$k" "$@"; lgs+=("$LG_PID"); names+=("$part")
  done
  local sp=""
  if [ "${SAMPLE:-0}" = 1 ]; then
    on "$INFRA_CPUS" bash -c "$(declare -f sampler); clk_tck=$clk_tck; sampler $port $(admin_port "$target" "$port") '$out/samples-$name.jsonl' ${lgs[*]}" &
    sp=$!; samplers+=("$sp")
  fi
  for i in "${lgs[@]}"; do wait "$i" || log "load generator $name exited with $?"; done
  c1=$(cpu_ticks "$pid"); t1=$(date +%s.%N)
  local rss; rss=$(rss_kib "$pid")
  [ -n "$sp" ] && { kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null || true; }
  stop_servers
  local samples='null'
  [ -n "$sp" ] && [ -s "$out/samples-$name.jsonl" ] && samples=$(sample_summary "$out/samples-$name.jsonl" "$t0")
  local total=0 totalRate=0 f
  for f in "${names[@]}"; do
    total=$((total + $(jq '.ticks' "$out/$f.json"))); totalRate=$(echo "$totalRate + $(jq '.messagesPerSecond' "$out/$f.json")" | bc -l)
  done
  record "$(jq -c --arg s "$scenario" --arg t "$target" --argjson run "$run" --argjson rate "$rate" \
    --argjson cpu "$(echo "($c1 - $c0) / $clk_tck" | bc -l)" --argjson wall "$(echo "$t1 - $t0" | bc -l)" \
    --argjson rss "$rss" --argjson samples "$samples" --argjson total "$total" --argjson totalRate "$totalRate" \
    --argjson loadgens "$parts" --arg variant "${VARIANT:-}" \
    '{scenario: $s, target: $t, variant: $variant, run: $run, rate: $rate, serverCpuSeconds: $cpu,
      wallSeconds: $wall, serverRssKiB: $rss, report: input_filename, loadgens: $loadgens,
      connections: .connectionsOpened, messages: $total, messagesPerSecond: $totalRate,
      conflated: .conflatedUpdates, outOfOrder: .outOfOrder, closes: .closesByCode, connectErrors: .connectErrors,
      stalled: .stalled, latency: .latencyMicros | del(.percentiles), steady: .steadyLatencyMicros,
      samples: $samples}' "$out/${names[0]}.json")"
  log "$name: $(jq -c '{msgs: .messagesPerSecond, p50: .steadyLatencyMicros.p50, p99: .steadyLatencyMicros.p99, p999: .steadyLatencyMicros["p99.9"], conflated: .conflatedUpdates, stalled: .stalled.closesByCode}' "$out/${names[0]}.json") $( [ "$samples" != null ] && echo "$samples" | jq -c '{pendingMax, droppedByServer, slowCloses, firstSlowCloseAfterSeconds, loadgenCores, loadgenRecvQMaxBytes}')"
}

scenario_latency() {
  for rate in $LATENCY_RATES; do
    for run in $(seq 1 "$RUNS"); do
      for target in $TARGETS; do measure latency "$target" "$run" "$CONNECTIONS" "$SYMBOLS" "$rate" --source-addresses 4; done
    done
  done
}

scenario_isolation() {
  for run in $(seq 1 "$RUNS"); do
    for target in $TARGETS; do
      measure isolation "$target" "$run" "$CONNECTIONS" "$SYMBOLS" "$ISOLATION_RATE" --source-addresses 4 \
        --stalled-percent "$STALLED_PERCENT"
    done
  done
}

scenario_throughput() {
  for rate in $THROUGHPUT_RATES; do
    for run in $(seq 1 "$RUNS"); do
      for target in $TARGETS; do
        measure throughput "$target" "$run" "$THROUGHPUT_CONNECTIONS" "$THROUGHPUT_SYMBOLS" "$rate" --source-addresses 4
      done
    done
  done
}

# Issue 12, goal 3: a client that stops reading, at a feed where its socket fills. FILL_CONNECTIONS connections of
# !bookTicker (every symbol: ~170 KB/s each at 1,000 ticks/s) with each share of FILL_STALLED_PERCENTS stalled,
# alternated within every run and target, so "none stalled" and "1 % stalled" are measured in the same sitting.
scenario_isolation_fill() {
  for run in $(seq 1 "$RUNS"); do
    for target in $TARGETS; do
      for pct in $FILL_STALLED_PERCENTS; do
        NAME_SUFFIX="-stalled$pct" VARIANT="$pct% stalled" SAMPLE=1 DURATION=$FILL_DURATION SETTLE=$FILL_SETTLE RAMP=1000 \
          measure isolation-fill "$target" "$run" "$FILL_CONNECTIONS" 1 "$FILL_RATE" --all-symbols --stalled-percent "$pct"
      done
    done
  done
}

# Issue 5's scenario 1, as specified: 10,000 connections x 5 symbols at a 20,000 ticks/s feed, pinned, with the
# load generator's CPU and receive backlog sampled to show whether it, rather than the server, is the limit.
scenario_scenario1() {
  for run in $(seq 1 "$RUNS"); do
    for target in $TARGETS; do
      SAMPLE=1 LOADGENS=$SCENARIO1_LOADGENS VARIANT="$SCENARIO1_LOADGENS loadgen(s)" \
        measure scenario1 "$target" "$run" "$SCENARIO1_CONNECTIONS" "$SCENARIO1_SYMBOLS" "$SCENARIO1_RATE" --source-addresses 4
    done
  done
}

# Idle connections: the feed stopped, CAPACITY_NODES servers each take CAPACITY_PER_NODE connections subscribed to
# one symbol. Memory per connection = (loaded - empty) / connections: RSS (before and after the full collection that
# measures the heap) and heap after a full collection.
scenario_capacity() {
  set_rate 0
  for run in $(seq 1 "$CAPACITY_RUNS"); do
    for target in $CAPACITY_TARGETS; do
      local pids=() ports=() lgs=() rss0=0 heap0=0 rss1=0 heap1=0 base=$((28100 + PO))
      [ "$target" = baseline ] && base=$((28200 + PO))
      for i in $(seq 0 $((CAPACITY_NODES - 1))); do
        ports+=($((base + i))); start_server "$target" $((base + i)) 1; pids+=("$SERVER_PID")
      done
      local rss0gc=0 rss1gc=0
      for i in "${!pids[@]}"; do
        rss0=$((rss0 + $(rss_kib "${pids[$i]}"))); heap0=$((heap0 + $(heap_kib "$target" "${pids[$i]}" "${ports[$i]}")))
        rss0gc=$((rss0gc + $(rss_kib "${pids[$i]}")))
      done
      for i in "${!pids[@]}"; do
        local a=$((i * 8 + 1))
        RAMP=1000 DURATION=600s loadgen "capacity-$target-$run-$i" "${ports[$i]}" "$CAPACITY_PER_NODE" 1 \
          --source-addresses "127.0.1.$a-127.0.1.$((a + 7))"
        lgs+=("$LG_PID")
      done
      for i in "${!pids[@]}"; do wait_loaded "$out/capacity-$target-$run-$i.log" "$CAPACITY_PER_NODE"; done
      local open=0
      for i in "${!pids[@]}"; do
        rss1=$((rss1 + $(rss_kib "${pids[$i]}"))); heap1=$((heap1 + $(heap_kib "$target" "${pids[$i]}" "${ports[$i]}")))
        rss1gc=$((rss1gc + $(rss_kib "${pids[$i]}")))
        open=$((open + $(grep -oE 'open=[0-9]+' "$out/capacity-$target-$run-$i.log" | tail -1 | cut -d= -f2 || echo 0)))
        if [ "${HISTO:-0}" = 1 ] && [ "$target" != baseline ]; then
          jcmd "${pids[$i]}" GC.class_histogram > "$out/histogram-$target-$run-$i.txt" 2>&1 || true
        fi
      done
      kill "${lgs[@]}" 2>/dev/null || true; wait "${lgs[@]}" 2>/dev/null || true   # SIGINT is ignored in background jobs
      stop_servers
      record "$(jq -nc --arg t "$target" --argjson run "$run" --argjson open "$open" --argjson rss0 "$rss0" \
        --argjson rss1 "$rss1" --argjson rss0gc "$rss0gc" --argjson rss1gc "$rss1gc" --argjson heap0 "$heap0" --argjson heap1 "$heap1" --argjson nodes "$CAPACITY_NODES" \
        '{scenario: "capacity", target: $t, run: $run, nodes: $nodes, connections: $open, rssEmptyKiB: $rss0,
          rssLoadedKiB: $rss1, heapEmptyKiB: $heap0, heapLoadedKiB: $heap1,
          rssPerConnectionKiB: (($rss1 - $rss0) / $open), heapPerConnectionKiB: (($heap1 - $heap0) / $open),
          rssAfterGcPerConnectionKiB: (($rss1gc - $rss0gc) / $open)}')"
      log "capacity $target run $run: $(tail -1 "$out/results.jsonl")"
    done
  done
}

# slowlink (issue 19): one client in a network namespace of its own behind a veth that tc's tbf limits, as a slow access
# link does (tbf rate R burst 16kb latency 200ms: the link's own queue holds about 0.2 s more), per target in turn:
# !bookTicker at SLOW_RATE (1000) ticks/s over SLOW_LINK (1mbit), then the SLOW_TOP (50) most active symbols over
# SLOW_LINK_TOP (256kbit). SLOW_DURATION (70s) each, the first SLOW_SETTLE (10s) not counted; the load generator reports
# the age of received ticks and of its view of each symbol per 10 s window (slowlink-*.json, "windows"; a table in
# slowlink.md). Needs root and iproute2 (ip, tc).
scenario_slowlink() {
  local ns=tsbench$PO end=tsb$PO net=10.213.$((200 + PO % 50)) link target run port name rate mode
  local SLOW_RATE=${SLOW_RATE:-1000} SLOW_DURATION=${SLOW_DURATION:-70s} SLOW_SETTLE=${SLOW_SETTLE:-10s} SLOW_TOP=${SLOW_TOP:-50}
  ip netns add "$ns"
  ip link add "${end}r" type veth peer name "${end}c"
  ip link set "${end}c" netns "$ns"
  ip addr add "$net.1/30" dev "${end}r"; ip link set "${end}r" up
  ip -n "$ns" addr add "$net.2/30" dev "${end}c"; ip -n "$ns" link set "${end}c" up; ip -n "$ns" link set lo up
  curl -sf "http://$SIM/api/v3/exchangeInfo" | jq -r '.symbols[] | select(.status == "TRADING") | .symbol' \
    | grep -Fxf "$out/symbols.txt" | sed -n "1,${SLOW_TOP}p" > "$out/slowlink-top.txt"
  SERVER_HOST=0.0.0.0
  for link in "${SLOW_LINK:-1mbit}:all" "${SLOW_LINK_TOP:-256kbit}:top"; do
    rate=${link%%:*}; mode=${link#*:}
    tc qdisc replace dev "${end}r" root tbf rate "$rate" burst 16kb latency 200ms
    for run in $(seq 1 "$RUNS"); do
      for target in $TARGETS; do
        port=$((28080 + PO)); [ "$target" = baseline ] && port=$((28090 + PO))
        name="slowlink-$target-$rate-$mode-$run"
        start_server "$target" "$port"
        set_rate "$SLOW_RATE"
        sleep 3   # the feed settles at its rate before the client connects (a warm-up period, not synchronisation)
        local symbols=(--all-symbols --symbol-list "@$out/symbols.txt")
        [ "$mode" = top ] && symbols=(--symbols "$SLOW_TOP" --symbol-list "@$out/slowlink-top.txt")
        ip netns exec "$ns" java -jar "$(jar loadgen)" --url "ws://$net.1:$port" --connections 1 "${symbols[@]}" \
          --mode combined --duration "$SLOW_DURATION" --settle "$SLOW_SETTLE" --window 10s --view-age \
          --json-out "$out/$name.json" > "$out/$name.log" 2>&1 || log "load generator $name exited with $?"
        stop_servers
        record "$(jq -c --arg target "$target" --arg link "$rate" --arg mode "$mode" --argjson run "$run" \
          '{scenario: "slowlink", target: $target, link: $link, subscription: $mode, run: $run,
            messagesPerSecond, conflatedUpdates, outOfOrder, closesByCode,
            windows: [.windows[] | {from: .fromSeconds, to: .toSeconds, ticks, conflated: .conflatedUpdates,
              ageP50ms: (.ageMicros.p50 / 1000), ageP99ms: (.ageMicros.p99 / 1000), ageMaxMs: (.ageMicros.max / 1000),
              viewP50ms: (.viewAgeMicros.p50 / 1000), viewP99ms: (.viewAgeMicros.p99 / 1000)}]}' "$out/$name.json")"
        log "slowlink $target $rate $mode run $run: $(grep -c '^window' "$out/$name.log") windows"
      done
    done
  done
  SERVER_HOST=127.0.0.1
  ip link del "${end}r"; ip netns del "$ns"
  { echo "| target | link | subscription | run | per 10 s window: age of received ticks p50 / p99 (ms); view of each symbol p99 (ms) |"
    echo "|---|---|---|---|---|"
    jq -r 'select(.scenario == "slowlink") | "| \(.target) | \(.link) | \(.subscription) | \(.run) | "
      + ([.windows[] | "\(.from|floor)-\(.to|floor)s: \(.ageP50ms|floor) / \(.ageP99ms|floor); \(.viewP99ms|floor)"] | join("<br>")) + " |"' \
      "$out/results.jsonl"; } > "$out/slowlink.md"
  cat "$out/slowlink.md"
}

{ echo "# $(date -u +%FT%TZ) $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1), node $(node --version)"
  if [ "$PIN" = 1 ]; then echo "# pinned: servers on CPUs $SERVER_CPUS, load generators on $LOADGEN_CPUS, infra on ${INFRA_CPUS:-any}"; else echo "# not pinned"; fi; } > "$out/machine.txt"
start_infra
for s in "${scenarios[@]}"; do
  log "scenario $s"
  "scenario_${s//-/_}"
done
set_rate 0
java -cp "$bench_jar" io.tickstream.bench.SuiteSummary "$out" | tee "$out/summary.md"
# One latency plot per feed rate of the latency scenario (and the isolation runs at theirs): every run drawn.
for rate in $LATENCY_RATES; do
  series=()
  for f in "$out"/latency-*-"$rate"-*.json "$out"/isolation-*-"$rate"-*.json; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .json); target=$(echo "$name" | cut -d- -f2); kind=$(echo "$name" | cut -d- -f1)
    label=$target; [ "$kind" = isolation ] && label="$target, $STALLED_PERCENT% stalled"
    series+=("$label=$f")
  done
  [ ${#series[@]} -gt 0 ] && java -cp "$bench_jar" io.tickstream.bench.LatencyPlot --out "$out/latency-$rate.svg" \
    --title "$CONNECTIONS conns x $SYMBOLS symbols, $rate ticks/s: latency now - pt" "${series[@]}"
done
# The isolation-fill runs: every run of every target and stalled share.
series=()
for f in "$out"/isolation-fill-*.json; do
  [ -f "$f" ] || continue
  name=$(basename "$f" .json); rest=${name#isolation-fill-}; target=${rest%%-*}
  pct=$(echo "$name" | grep -oE 'stalled[0-9.]+' | cut -c8-)
  series+=("$target, $pct% stalled=$f")
done
[ ${#series[@]} -gt 0 ] && java -cp "$bench_jar" io.tickstream.bench.LatencyPlot --out "$out/isolation-fill.svg" \
  --title "$FILL_CONNECTIONS !bookTicker conns, $FILL_RATE ticks/s: healthy clients' latency now - pt" "${series[@]}"
echo "(results: $out)"
