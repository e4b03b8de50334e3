#!/usr/bin/env bash
# 2,000 x 5 with the fanout alone on CPU 0 and everything else (broker, simulator, ingest, load generator) on CPU 1.
cd /work/main
S=/work/sitting
while pgrep -f run2.sh >/dev/null; do sleep 2; done
log() { echo "### $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) $*" | tee -a $S/progress.log; }
G1="-XX:+UseG1GC -XX:+UseCompactObjectHeaders"
for v in express kafka; do
  log "pinned 2000x5 $v"
  e=true; [ $v = kafka ] && e=false
  ( while :; do p=$(pgrep -f "tickstream-fanout-verticle-0.1.0-SNAPSHOT-all.jar" | head -1); [ -n "$p" ] && { sleep 3; taskset -a -cp 0 $p >/dev/null; break; }; sleep 0.2; done ) &
  INGEST_OPTS=--ingest.express=$e FANOUT_OPTS=--fanout.express=$e MODE=loadgen RUNS=1 WARMUP=20 MEASURE=30 GC="$G1" \
    taskset -c 1 bench/latency-budget.sh > $S/pinned-$v.log 2>&1
  wait
done
log "done3"
