#!/bin/sh
# The image's ENTRYPOINT: the role's jar with the image's JVM options (JAVA_AOT_OPTS: the AOT cache made at image
# build by docker/aot-train.sh), then the operator's JAVA_OPTS, then the
# container's command as arguments (flags such as --fanout.drain-window=30s, or -instances 4).
# exec: java is PID 1 and gets SIGTERM itself, so the fanout drains its clients before the container stops.
# EVENT_BUS_KEYSTORE_BASE64 (ECS, from Secrets Manager, which injects secrets as variables, not files): the event bus's
# PKCS12 key store, written where cluster.event-bus-tls.keystore points.
if [ -n "${EVENT_BUS_KEYSTORE_BASE64:-}" ]; then
  : "${TICKSTREAM_CLUSTER_EVENT_BUS_TLS_KEYSTORE:=/tmp/event-bus.p12}"
  export TICKSTREAM_CLUSTER_EVENT_BUS_TLS_KEYSTORE
  (umask 077 && printf '%s' "$EVENT_BUS_KEYSTORE_BASE64" | base64 -d > "$TICKSTREAM_CLUSTER_EVENT_BUS_TLS_KEYSTORE")
  unset EVENT_BUS_KEYSTORE_BASE64
fi
# shellcheck disable=SC2086
exec java $JAVA_BASE_OPTS $JAVA_GC_OPTS $JAVA_AOT_OPTS $JAVA_OPTS -jar /app/tickstream.jar "$@"
