#!/bin/bash
# kafka-server-start.sh server.properties: the broker (and controller, in KRaft combined mode) in the foreground,
# with the distribution's defaults: a 1 GB heap and the broker's logging (INFO to stdout).
set -euo pipefail
base=$(cd "$(dirname "$0")/.." && pwd)
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}
export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base/config/log4j2.properties}
exec "$base/bin/kafka-run-class.sh" kafka.Kafka "$@"
