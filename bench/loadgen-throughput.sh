#!/usr/bin/env bash
# How many messages/s the load generator itself can take on one core: bench/FrameFirehose sends pre-encoded
# book-ticker frames as fast as the clients read them, the load generator measures them, each pinned to a core of
# its own with taskset (FIREHOSE_CPU 0, LOADGEN_CPU 1). The rate is the load generator's, not a server's.
#
#   bench/loadgen-throughput.sh
#
# Environment: RUNS (3); DURATION (20s); SETTLE (5s, passed as --settle when the jar knows it); CONNECTIONS (100);
#   SYMBOLS (5); MODE (raw); FRAMES_PER_WRITE (64: frames the firehose writes per syscall, 1 is a node
#   writing each tick alone); EVENT_LOOPS (1); LOADGEN_JAR (the module's jar; point it at another build to compare);
#   LOADGEN_JAVA_OPTS ("-XX:+UseZGC"); EXTRA (more loadgen flags). Prints one line per run and the median.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/java-home.sh
RUNS=${RUNS:-3}; DURATION=${DURATION:-20s}; SETTLE=${SETTLE:-5s}; CONNECTIONS=${CONNECTIONS:-100}; SYMBOLS=${SYMBOLS:-5}
MODE=${MODE:-raw}; FRAMES_PER_WRITE=${FRAMES_PER_WRITE:-64}; EVENT_LOOPS=${EVENT_LOOPS:-1}; FIREHOSE_CPU=${FIREHOSE_CPU:-0}; LOADGEN_CPU=${LOADGEN_CPU:-1}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:-"-XX:+UseZGC"}; EXTRA=${EXTRA:-}
v=0.1.0-SNAPSHOT
LOADGEN_JAR=${LOADGEN_JAR:-$root/modules/loadgen/target/tickstream-loadgen-$v-all.jar}
bench_jar=$root/bench/target/tickstream-bench-$v-all.jar
[ -n "${SKIP_BUILD:-}" ] || ./mvnw -q -B -ntp package -DskipTests -pl bench,modules/loadgen -am
# exec: run in the background, the function's subshell becomes the JVM, so $! is its pid.
pin() { local cpu=$1; shift; if command -v taskset > /dev/null; then exec taskset -c "$cpu" "$@"; else exec "$@"; fi; }

out=$root/bench/results/loadgen-throughput-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
seq 0 999 | awk '{printf "SYM%04dUSDT\n", $1}' > "$out/symbols.txt"
fh=""
trap '[ -n "$fh" ] && kill "$fh" 2>/dev/null; wait 2>/dev/null || true' EXIT
settle_flag=()
unzip -p "$LOADGEN_JAR" io/tickstream/loadgen/LoadGenSettings.class 2>/dev/null | grep -q loadgen.settle && settle_flag=(--settle "$SETTLE")
clk=$(getconf CLK_TCK)
rates=()
for run in $(seq 1 "$RUNS"); do
  pin "$FIREHOSE_CPU" java -XX:+UseParallelGC -cp "$bench_jar" io.tickstream.bench.FrameFirehose 29500 "$FRAMES_PER_WRITE" > "$out/firehose-$run.log" 2>&1 &
  fh=$!
  for _ in $(seq 1 50); do grep -q listening "$out/firehose-$run.log" && break; sleep 0.2; done
  # shellcheck disable=SC2086
  pin "$LOADGEN_CPU" java $LOADGEN_JAVA_OPTS -jar "$LOADGEN_JAR" --url ws://127.0.0.1:29500 --connections "$CONNECTIONS" \
    --symbols "$SYMBOLS" --mode "$MODE" --event-loops "$EVENT_LOOPS" --duration "$DURATION" --ramp-rate 10000 \
    --symbol-list "@$out/symbols.txt" --json-out "$out/run-$run.json" "${settle_flag[@]}" $EXTRA > "$out/loadgen-$run.log" 2>&1 &
  lg=$!
  # The load generator's CPU time, sampled each second while it lives (its /proc entry goes with it).
  lg_ticks=0; t0=$(date +%s.%N)
  while kill -0 "$lg" 2>/dev/null; do
    lg_ticks=$(awk '{print $14 + $15}' "/proc/$lg/stat" 2>/dev/null || echo "$lg_ticks"); sleep 1
  done
  wait "$lg" || echo "loadgen run $run exited with $?" >&2
  lg_cores=$(echo "$lg_ticks / $clk / ($(date +%s.%N) - $t0)" | bc -l | xargs printf '%.2f')
  fh_cpu=$(awk -v c="$clk" '{printf "%.1f", ($14 + $15) / c}' "/proc/$fh/stat")
  kill "$fh"; wait "$fh" 2>/dev/null || true; fh=""
  # Steady rate: the median of the per-second progress lines after the first five seconds.
  steady=$(grep -oE '^t=[0-9]+s .*msgs/s=[0-9]+' "$out/loadgen-$run.log" | awk -F'msgs/s=' '{split($1,a,"[=s]"); if (a[2] > 5) print $2}' \
    | sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : 0)}')
  whole=$(jq -r '.messagesPerSecond | floor' "$out/run-$run.json")
  echo "run $run: steady $steady msgs/s (median per-second), whole run $whole msgs/s, loadgen ${lg_cores} cores, firehose CPU ${fh_cpu}s" | tee -a "$out/summary.txt"
  rates+=("$steady")
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median of $RUNS: $median msgs/s ($MODE, $CONNECTIONS connections x $SYMBOLS symbols, $FRAMES_PER_WRITE frames per write, loadgen on CPU $LOADGEN_CPU, $(basename "$LOADGEN_JAR"))" | tee -a "$out/summary.txt"
