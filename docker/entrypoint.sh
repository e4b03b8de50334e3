#!/bin/sh
# The image's ENTRYPOINT: the role's jar with the image's JVM options (JAVA_AOT_OPTS: the AOT cache made at image
# build by docker/aot-train.sh), then the operator's JAVA_OPTS, then the
# container's command as arguments (flags such as --fanout.drain-window=30s, or -instances 4).
# exec: java is PID 1 and gets SIGTERM itself, so the fanout drains its clients before the container stops.
# shellcheck disable=SC2086
exec java $JAVA_BASE_OPTS $JAVA_GC_OPTS $JAVA_AOT_OPTS $JAVA_OPTS -jar /app/tickstream.jar "$@"
