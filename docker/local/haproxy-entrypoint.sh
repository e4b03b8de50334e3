#!/bin/sh
# As the haproxy image's docker-entrypoint.sh: options alone run haproxy with them, and haproxy runs in the
# foreground in master-worker mode (-W -db), so it is PID 1, logs to stdout and reloads on SIGUSR2.
set -e
if [ "${1#-}" != "$1" ]; then
  set -- haproxy "$@"
fi
if [ "$1" = haproxy ]; then
  shift
  set -- haproxy -W -db "$@"
fi
exec "$@"
