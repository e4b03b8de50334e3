#!/bin/sh
# As the Kafka distribution's kafka-topics.sh: org.apache.kafka.tools.TopicCommand with the libs of this image (kafka-run-class.sh).
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
