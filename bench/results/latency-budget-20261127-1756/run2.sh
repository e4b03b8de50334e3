#!/usr/bin/env bash
# The express lane's CPU cost at a high feed: whole-life CPU of the fanout and ingest processes, Kafka only vs express.
cd /work/main
S=/work/sitting

log() { echo "### $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) $*" | tee -a $S/progress.log; }
cpu() { local p; p=$(pgrep -f "tickstream-$1-0.1.0-SNAPSHOT-all.jar" | head -1); [ -n "$p" ] && awk '{print $14+$15}' /proc/$p/stat 2>/dev/null; }
G1="-XX:+UseG1GC -XX:+UseCompactObjectHeaders"
for i in 1 2; do
  for v in kafka express; do
    opts=(INGEST_OPTS=--ingest.express=false FANOUT_OPTS=--fanout.express=false); [ $v = express ] && opts=(INGEST_OPTS=--ingest.express=true FANOUT_OPTS=--fanout.express=true)
    log "cpu $v $i"
    env "${opts[@]}" RATE=20000 RUNS=1 WARMUP=10 MEASURE=30 GC="$G1" bench/latency-budget.sh > $S/cpu2-$v-$i.log 2>&1 &
    bp=$!; lf=0; li=0
    while kill -0 $bp 2>/dev/null; do f=$(cpu fanout-verticle); g=$(cpu ingest-verticle); [ -n "$f" ] && lf=$f; [ -n "$g" ] && li=$g; sleep 1; done
    echo "$v $i fanout_ticks=$lf ingest_ticks=$li" | tee -a $S/cpu2.txt
  done
done
log "done2"
