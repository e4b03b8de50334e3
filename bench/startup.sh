#!/usr/bin/env bash
# Start to ready (issue 12, goal 6): how long each role takes from its launch to ready, with a 2,000-symbol
# exchange and a real Kafka broker, and what JDK 25's ahead-of-time cache changes.
#
#   bench/startup.sh [fanout|ingest|local|firstminute ...]      default: fanout ingest local
#
# What is measured, per role (the clock starts when ./tickstream ROLE is launched; ./tickstream execs java, so this
# includes the wrapper's own few tens of milliseconds, which every user pays too):
#   fanout  until GET /health/ready answers 200. The topic already holds a tick of every TRADING symbol of the
#           simulator's 2,000 (a burst of BURST_RATE ticks/s for BURST seconds before the first start, then the feed
#           at FEED ticks/s throughout), so the node rebuilds its snapshot from the compacted topic before it is ready.
#           It joins the Hazelcast cluster of the running ingest, as in production.
#   ingest  until GET /health/ready answers 200: exchangeInfo read, every chunk's connection open and ticking
#           (the ingest's own definition of "streaming all symbols into Kafka"). Alone in its cluster.
#   local   ./tickstream local --exchange=simulator: until the summary with the URLs is printed, and until the
#           board is usable (the fanout's /health/ready and the ingest's both 200). Fresh embedded broker each time.
#   firstminute  the warm-up penalty: a fanout is started (each variant), and the moment it is ready a load generator
#           opens FM_CONNECTIONS (1000) x 5 symbols for FM_DURATION (70s) and prints p50/p99 of now - pt every second.
#           Then a second load generator runs the same against the same, now warm, node: the load generator's own JVM
#           warms up in both runs, the node only in the first, so the difference between the two runs' first minute
#           is the node's warm-up penalty. FM_RUNS (2) repetitions; per-second lines go to firstminute.jsonl.
# Phases are read from each run's log (timestamps of the roles' own INFO lines). Readiness is polled every POLL s.
# cpuMsToReady is the CPU time (user + system) the role's JVM had used when it was seen ready: on a machine shared with
# other work, a steadier figure than the wall clock.
#
# Variants (VARIANTS, default "plain aot"), alternated within each repetition so drift of the shared machine hits
# both alike:
#   plain   JAVA_OPTS as given (JAVA_OPTS_BASE, default -XX:+UseZGC), JAVA_AOT=off
#   aot     the same plus -XX:AOTCache=<role>.aot, made once per role before the runs by a training run: the role
#           started the same way with -XX:AOTCacheOutput, driven for TRAIN seconds (the fanout and local with
#           TRAIN_CONNECTIONS load-generator clients), then stopped with SIGTERM, which writes the cache.
# Environment: RUNS (5), UNIVERSE (2000), FEED (1000), BURST (10), BURST_RATE (20000), TRAIN (15), TRAIN_CONNECTIONS
#   (200), POLL (0.05), CPUS (unset: not pinned; e.g. "0" runs the measured role with taskset -c 0).
# Results: bench/results/startup-<time>/results.jsonl (one line per run) and summary.md (medians, min-max);
# logs stay in that folder and are not committed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/java-home.sh

RUNS=${RUNS:-5}; UNIVERSE=${UNIVERSE:-2000}; FEED=${FEED:-1000}; BURST=${BURST:-10}; BURST_RATE=${BURST_RATE:-20000}
TRAIN=${TRAIN:-15}; TRAIN_CONNECTIONS=${TRAIN_CONNECTIONS:-200}; POLL=${POLL:-0.05}
VARIANTS=${VARIANTS:-"plain aot"}; JAVA_OPTS_BASE=${JAVA_OPTS_BASE:-"-XX:+UseZGC"}; CPUS=${CPUS:-}
roles=("$@"); [ ${#roles[@]} -eq 0 ] && roles=(fanout ingest local)
FM_CONNECTIONS=${FM_CONNECTIONS:-1000}; FM_DURATION=${FM_DURATION:-70s}

v=0.1.0-SNAPSHOT
jar() { echo "$root/modules/$1/target/tickstream-$1-$v-all.jar"; }
KAFKA=127.0.0.1:21092; SIM=127.0.0.1:21443; INGEST_HTTP=21089; FANOUT=21080; FANOUT_ADMIN=21090
# Ports below Linux's ephemeral range (32768-60999), where a client socket of some other process could hold them;
# ports and a cluster name of their own, so a run never joins or disturbs anything else on the machine.
CLUSTER=(--cluster.name="startup-bench-$$" --cluster.port=5841 --cluster.members=127.0.0.1:5841,127.0.0.1:5842,127.0.0.1:5843)
LOCAL=(--exchange=simulator --local.kafka-port=21192 --fanout.port=21180 --simulator.port=21543 --ingest.admin-port=21189 --fanout.admin-port=21190
  --cluster.name="startup-bench-local-$$" --cluster.port=5851 --cluster.members=127.0.0.1:5851 --local.status-interval=0s)

./mvnw -q -B -ntp package -DskipTests -pl modules/kafka-broker,modules/exchange-simulator,modules/ingest-verticle,modules/fanout-verticle,modules/local-stack,modules/loadgen -am

out=$root/bench/results/startup-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
work=$(mktemp -d)
infra=(); feeder=""; role_pid=""
cleanup() {
  kill $role_pid $feeder "${infra[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }
now_ms() { date +%s%3N; }
port_free() { if ss -Htln "sport = :$1" | grep -q .; then echo "port $1 is taken; stop what listens there first" >&2; exit 1; fi; }
wait_log() { for _ in $(seq 1 "$3"); do grep -q "$2" "$1" && return 0; sleep 1; done; echo "no '$2' in $1" >&2; return 1; }
ready() { curl -sf -o /dev/null --max-time 1 "$1"; }
# wait_ready URL...: polls every POLL s until every URL answers 200 (at most 180 s); prints the time in ms.
wait_ready() {
  local deadline=$(( $(now_ms) + 180000 )) u ok
  while [ "$(now_ms)" -lt "$deadline" ]; do
    ok=1; for u in "$@"; do ready "$u" || { ok=0; break; }; done
    [ "$ok" = 1 ] && { now_ms; return 0; }
    if [ -n "${WATCH:-}" ] && ! kill -0 "$WATCH" 2>/dev/null; then echo "the process being waited for exited" >&2; return 1; fi
    sleep "$POLL"
  done
  echo "timed out waiting for $*" >&2; return 1
}
# log_ms LOG PATTERN [first|last]: epoch ms of the first (or last) line matching PATTERN, from its HH:MM:SS.mmm
# prefix (today, UTC as the roles log); empty if none.
log_ms() {
  local line
  if [ "${3:-first}" = last ]; then line=$(grep -a "$2" "$1" | tail -1 || true); else line=$(grep -a -m1 "$2" "$1" || true); fi
  [ -z "$line" ] && return 0
  local hms=${line:0:12}
  echo $(( $(date -u -d "$(date -u +%F) ${hms%.*}" +%s) * 1000 + 10#${hms#*.} ))
}
since() { if [ -n "$2" ]; then echo $(( $2 - $1 )); else echo null; fi; }
set_rate() { curl -sf -X POST "http://$SIM/sim/rate?ticksPerSecond=$1" > /dev/null; }
stop_pid() { kill "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; }
on_cpus() { if [ -n "$CPUS" ]; then exec taskset -c "$CPUS" "$@"; else exec "$@"; fi; }

# launch ROLE VARIANT LOG [extra JAVA_OPTS]: ./tickstream ROLE in the background, pid in role_pid.
launch() {
  local role=$1 variant=$2 logf=$3 extra=${4:-} opts=$JAVA_OPTS_BASE
  [ "$variant" = aot ] && opts="$opts -XX:AOTCache=$out/$role.aot"
  case "$role" in
    fanout) JAVA_OPTS="$opts $extra" JAVA_AOT=off on_cpus ./tickstream fanout "${CLUSTER[@]}" --port $FANOUT \
              --admin-port $FANOUT_ADMIN --kafka.bootstrap-servers=$KAFKA > "$logf" 2>&1 & ;;
    ingest) JAVA_OPTS="$opts $extra" JAVA_AOT=off on_cpus ./tickstream ingest "${CLUSTER[@]}" --rest-url "http://$SIM" \
              --ws-url "ws://$SIM" --kafka.bootstrap-servers=$KAFKA --admin-port $INGEST_HTTP > "$logf" 2>&1 & ;;
    local)  JAVA_OPTS="$opts $extra" JAVA_AOT=off on_cpus ./tickstream local "${LOCAL[@]}" > "$logf" 2>&1 & ;;
  esac
  role_pid=$!; WATCH=$role_pid
}
ready_urls() {
  case "$1" in
    fanout) echo "http://127.0.0.1:$FANOUT_ADMIN/health/ready" ;;
    ingest) echo "http://127.0.0.1:$INGEST_HTTP/health/ready" ;;
    local)  echo "http://127.0.0.1:21190/health/ready http://127.0.0.1:21189/health/ready" ;;
  esac
}

# train ROLE: one run that writes $out/ROLE.aot when it stops.
train() {
  local role=$1 logf=$out/train-$1.log
  log "training run of $role for the AOT cache ($TRAIN s)"
  launch "$role" plain "$logf" "-XX:AOTCacheOutput=$out/$role.aot"
  # shellcheck disable=SC2046
  wait_ready $(ready_urls "$role") > /dev/null
  if [ "$role" != ingest ]; then
    local port=$FANOUT; [ "$role" = local ] && port=21180
    java -XX:+UseZGC -jar "$(jar loadgen)" --url "ws://127.0.0.1:$port" --connections "$TRAIN_CONNECTIONS" --symbols 5 \
      --duration "${TRAIN}s" --json-out "$work/train-$role.json" > "$out/train-$role-loadgen.log" 2>&1 || true
  else
    sleep "$TRAIN"
  fi
  local t=$(now_ms)
  stop_pid "$role_pid"; role_pid=""
  log "  cache $(du -h "$out/$role.aot" 2>/dev/null | cut -f1) written in $(( $(now_ms) - t )) ms after SIGTERM"
}

# measure ROLE VARIANT RUN: one start, its phases in results.jsonl.
measure() {
  local role=$1 variant=$2 run=$3 logf=$out/$1-$2-$3.log t0 t1 load
  load=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(now_ms)
  launch "$role" "$variant" "$logf"
  local watcher=""
  if [ "$role" = local ]; then
    rm -f "$work/urls"
    ( for _ in $(seq 1 4000); do grep -q 'tickstream local is running' "$logf" && { now_ms > "$work/urls"; exit 0; }; sleep "$POLL"; done ) &
    watcher=$!
  fi
  # shellcheck disable=SC2046
  t1=$(wait_ready $(ready_urls "$role"))
  local pid=$role_pid rss cpu
  # CPU the role used until ready (user + system, all threads): on a shared machine, less noisy than the wall clock.
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat" 2>/dev/null || echo null)
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo null)
  local phases
  case "$role" in
    fanout)
      local records
      records=$(grep -a -m1 'Rebuilding the snapshot' "$logf" | grep -oE '=[0-9]+' | tr -d = | awk '{s += $1} END {print s + 0}')
      phases="\"listening\":$(since "$t0" "$(log_ms "$logf" 'Fanout listening')"),\"consumerAssigned\":$(since "$t0" "$(log_ms "$logf" 'Rebuilding the snapshot')"),\"snapshotRebuilt\":$(since "$t0" "$(log_ms "$logf" 'Snapshot of')"),\"topicRecords\":$records,\"symbols\":$(grep -a -m1 -oE 'Snapshot of [0-9]+' "$logf" | grep -oE '[0-9]+' || echo null)" ;;
    ingest)
      phases="\"healthUp\":$(since "$t0" "$(log_ms "$logf" 'Ingest admin')"),\"symbolsListed\":$(since "$t0" "$(log_ms "$logf" 'Symbols: ')"),\"lastConnectionOpen\":$(since "$t0" "$(log_ms "$logf" 'open with' last)")" ;;
    local)
      phases="\"brokerStarting\":$(since "$t0" "$(log_ms "$logf" 'Starting the embedded Kafka')"),\"clusterJoin\":$(since "$t0" "$(log_ms "$logf" 'Joining the Hazelcast')"),\"simulator\":$(since "$t0" "$(log_ms "$logf" 'Starting the exchange simulator')"),\"fanout\":$(since "$t0" "$(log_ms "$logf" 'Starting the fanout node')"),\"ingest\":$(since "$t0" "$(log_ms "$logf" 'Starting the ingest')")" ;;
  esac
  stop_pid "$pid"; role_pid=""
  if [ "$role" = local ]; then
    # The summary with the URLs has no timestamp: the watcher started with the run noted when it appeared.
    wait "$watcher" 2>/dev/null || true
    phases="$phases,\"urlsPrinted\":$(since "$t0" "$(cat "$work/urls" 2>/dev/null)")"
  fi
  local line="{\"role\":\"$role\",\"variant\":\"$variant\",\"run\":$run,\"readyMs\":$((t1 - t0)),\"cpuMsToReady\":$cpu,$phases,\"rssKiB\":$rss,\"load1\":$load}"
  echo "$line" >> "$out/results.jsonl"
  log "  $role $variant run $run: ready after $((t1 - t0)) ms"
}

# first_minute VARIANT RUN: a fresh fanout, a load generator from its first ready moment, then a second one on the warm node.
first_minute() {
  local variant=$1 run=$2 pass lg
  launch fanout "$variant" "$out/firstminute-$variant-$run.log"
  # shellcheck disable=SC2046
  wait_ready $(ready_urls fanout) > /dev/null
  for pass in cold warm; do
    lg=$out/firstminute-$variant-$run-$pass.lg.log
    java -XX:+UseZGC -jar "$(jar loadgen)" --url "ws://127.0.0.1:$FANOUT" --connections "$FM_CONNECTIONS" --symbols 5 \
      --duration "$FM_DURATION" --ramp-rate 2000 --settle 0s --json-out "$work/fm.json" > "$lg" 2>&1 || true
    python3 "$root/bench/startup-seconds.py" "$variant" "$run" "$pass" < "$lg" >> "$out/firstminute.jsonl"
    log "  firstminute $variant run $run $pass: $(grep -m1 'latency (now' "$lg" | cut -c1-150)"
  done
  stop_pid "$role_pid"; role_pid=""
}

start_infra() {
  for p in 21092 21093 21443 $INGEST_HTTP $FANOUT $FANOUT_ADMIN; do port_free $p; done
  log "starting Kafka broker and simulator ($UNIVERSE symbols, $FEED ticks/s)"
  java -jar "$(jar kafka-broker)" --port 21092 --controller-port 21093 --log-dir "$work/kafka" > "$out/kafka.log" 2>&1 &
  infra+=($!)
  java -XX:+UseZGC -jar "$(jar exchange-simulator)" --port 21443 --universe-size "$UNIVERSE" --tick-rate "$FEED" > "$out/simulator.log" 2>&1 &
  infra+=($!)
  wait_log "$out/kafka.log" ready 60
  wait_log "$out/simulator.log" listening 60
}

start_feeder() {
  log "starting the feeding ingest; $BURST s at $BURST_RATE ticks/s so every symbol has a tick in the topic"
  JAVA_OPTS=$JAVA_OPTS_BASE JAVA_AOT=off ./tickstream ingest "${CLUSTER[@]}" --rest-url "http://$SIM" --ws-url "ws://$SIM" \
    --kafka.bootstrap-servers=$KAFKA --admin-port $INGEST_HTTP > "$out/feeder.log" 2>&1 &
  feeder=$!; WATCH=$feeder
  wait_ready "http://127.0.0.1:$INGEST_HTTP/health/ready" > /dev/null
  set_rate "$BURST_RATE"; sleep "$BURST"; set_rate "$FEED"
}

{
  echo "# $(date -u +%FT%TZ) $(nproc) cores, $(java -version 2>&1 | head -1); RUNS=$RUNS VARIANTS='$VARIANTS' JAVA_OPTS_BASE='$JAVA_OPTS_BASE' CPUS='$CPUS'"
  echo "# load before: $(cat /proc/loadavg)"
} > "$out/machine.txt"

need_infra=0
for r in "${roles[@]}"; do [ "$r" != local ] && need_infra=1; done
[ "$need_infra" = 1 ] && start_infra
for role in "${roles[@]}"; do
  if [ "$role" = firstminute ]; then
    [ -z "$feeder" ] && start_feeder
    for variant in $VARIANTS; do [ "$variant" = aot ] && [ ! -f "$out/fanout.aot" ] && train fanout; done
    for run in $(seq 1 "${FM_RUNS:-2}"); do for variant in $VARIANTS; do first_minute "$variant" "$run"; done; done
    stop_pid "$feeder"; feeder=""
    continue
  fi
  if [ "$role" = fanout ]; then start_feeder; fi
  if [ "$role" = ingest ] && [ -n "$feeder" ]; then stop_pid "$feeder"; feeder=""; fi
  for variant in $VARIANTS; do [ "$variant" = aot ] && [ ! -f "$out/$role.aot" ] && train "$role"; done
  for run in $(seq 1 "$RUNS"); do
    for variant in $VARIANTS; do measure "$role" "$variant" "$run"; done
  done
  if [ "$role" = fanout ] && [ -n "$feeder" ]; then stop_pid "$feeder"; feeder=""; fi
done
echo "# load after: $(cat /proc/loadavg)" >> "$out/machine.txt"

python3 - "$out/results.jsonl" > "$out/summary.md" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["role"], r["variant"]), []).append(r)
def cell(vals):
    vals = [v for v in vals if v is not None]
    if not vals: return "-"
    return f"{statistics.median(vals):.0f} ({min(vals):.0f}-{max(vals):.0f})"
for role in dict.fromkeys(r["role"] for r in rows):
    keys = [k for k in rows[0].keys() if k not in ("role", "variant", "run")]
    keys = [k for k in dict.fromkeys(k for r in rows if r["role"] == role for k in r) if k not in ("role", "variant", "run")]
    print(f"\n### {role}: ms from launch, median (min-max)\n")
    print("| variant | runs | " + " | ".join(keys) + " |")
    print("|---|---|" + "---|" * len(keys))
    for (ro, variant), rs in groups.items():
        if ro != role: continue
        print(f"| {variant} | {len(rs)} | " + " | ".join(cell([r.get(k) for r in rs]) for k in keys) + " |")
    medians = {v: statistics.median(r["readyMs"] for r in rs) for (ro, v), rs in groups.items() if ro == role}
    if "plain" in medians and "aot" in medians:
        print(f"\nready, aot / plain: {medians['aot'] / medians['plain']:.2f}")
EOF
[ -f "$out/firstminute.jsonl" ] && python3 "$root/bench/startup-seconds.py" --summary "$out/firstminute.jsonl" >> "$out/summary.md"
cat "$out/machine.txt" "$out/summary.md"
echo "(results: $out)"
