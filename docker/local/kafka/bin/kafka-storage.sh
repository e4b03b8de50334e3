#!/bin/sh
# As the Kafka distribution's kafka-storage.sh: kafka.tools.StorageTool with the libs of this image (kafka-run-class.sh).
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
