#!/usr/bin/env bash
# The quiet-window benchmark sitting for issue 12, run on merged main, one thing at a time.
cd /work/main
S=/work/sitting
log() { echo "### $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) $*" | tee -a $S/progress.log; }
G1="-XX:+UseG1GC -XX:+UseCompactObjectHeaders"
log "package"
. scripts/java-home.sh >/dev/null; ./mvnw -q -B -ntp package -DskipTests > $S/package.log 2>&1 || { log "package failed"; exit 1; }
log "latency probe pairs"
for i in 1 2 3; do
  RUNS=1 WARMUP=15 MEASURE=20 GC="$G1" bench/latency-budget.sh > $S/lat-kafka-$i.log 2>&1
  RUNS=1 WARMUP=15 MEASURE=20 GC="$G1" INGEST_OPTS=--ingest.express=true FANOUT_OPTS=--fanout.express=true bench/latency-budget.sh > $S/lat-express-$i.log 2>&1
done
log "latency loadgen 2000x5 pair"
for i in 1; do
  MODE=loadgen RUNS=1 WARMUP=20 MEASURE=30 GC="$G1" bench/latency-budget.sh > $S/latlg-kafka-$i.log 2>&1
  MODE=loadgen RUNS=1 WARMUP=20 MEASURE=30 GC="$G1" INGEST_OPTS=--ingest.express=true FANOUT_OPTS=--fanout.express=true bench/latency-budget.sh > $S/latlg-express-$i.log 2>&1
done
log "isolation-fill"
RUNS=2 SKIP_BUILD=1 bench/suite.sh isolation-fill > $S/isolation-fill.log 2>&1
log "throughput"
TARGETS="tickstream baseline" RUNS=2 DURATION=30s THROUGHPUT_RATES=60000 SKIP_BUILD=1 bench/suite.sh throughput > $S/throughput.log 2>&1
log "scenario1"
RUNS=1 INFRA_CPUS=1 SKIP_BUILD=1 bench/suite.sh scenario1 > $S/scenario1.log 2>&1
log "startup fanout"
RUNS=3 JAVA_OPTS_BASE="$G1 -XX:G1PeriodicGCInterval=30000 -Xms64m -Xmx1g" bench/startup.sh fanout > $S/startup-fanout.log 2>&1
log "startup ingest"
RUNS=3 JAVA_OPTS_BASE="-XX:+UseZGC -Xmx1g" bench/startup.sh ingest > $S/startup-ingest.log 2>&1
log "firstminute"
FM_RUNS=1 VARIANTS=aot JAVA_OPTS_BASE="$G1 -XX:G1PeriodicGCInterval=30000 -Xms64m -Xmx1g" bench/startup.sh firstminute > $S/firstminute.log 2>&1
log "done"
