# Sourced by ./tickstream and .ci/run: selects a JDK 21 or newer.
# Keeps JAVA_HOME if it already points at one; otherwise takes the newest JDK under /usr/lib/jvm.
_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(_java_major "$JAVA_HOME")" -lt 21 ] 2>/dev/null; then
  JAVA_HOME=""
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "${best_major:-0}" ]; then
      JAVA_HOME=$candidate; best_major=$major
    fi
  done
  unset best_major major candidate
fi
if [ -z "$JAVA_HOME" ]; then
  echo "tickstream needs a JDK 21 or newer: set JAVA_HOME" >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
