#!/bin/sh
# As the Kafka distribution's kafka-console-producer.sh: org.apache.kafka.tools.ConsoleProducer with the libs of this image (kafka-run-class.sh).
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.ConsoleProducer "$@"
