#!/bin/bash
# kafka-run-class.sh CLASS ARGS...: what the Kafka distribution's script of that name does, reduced to what this image
# needs: java with every jar of /opt/kafka/libs (resolved from Maven Central, docker/local/kafka/pom.xml), the same
# variables (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS, KAFKA_OPTS) and their defaults, so what
# works with apache/kafka's commands works here. The tools log warnings only, to stderr, as the distribution's do.
set -euo pipefail
base=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 CLASS [ARGS...]" >&2; exit 1; }
heap=${KAFKA_HEAP_OPTS:--Xmx256M}
perf=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
log4j=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base/config/tools-log4j2.properties}
# Kafka 4.1's libraries still call sun.misc.Unsafe: without this JDK 24+ prints a warning at every command.
# shellcheck disable=SC2086
exec java $heap $perf $log4j --sun-misc-unsafe-memory-access=allow ${KAFKA_OPTS:-} -cp "$base/libs/*" "$@"
