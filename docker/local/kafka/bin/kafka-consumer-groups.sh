#!/bin/sh
# As the Kafka distribution's kafka-consumer-groups.sh: org.apache.kafka.tools.consumer.group.ConsumerGroupCommand with the libs of this image (kafka-run-class.sh).
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
