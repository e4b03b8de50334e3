# Sourced by ./tickstream: selects a JDK 21 or newer and exports JAVA_HOME, PATH and JAVA_MAJOR.
# (The test command, ./mvnw verify, needs none of this: Maven's toolchains plugin finds a JDK 21+ by itself.)
#
# Looks, in this order, at: JAVA_HOME; the `java` on PATH; macOS's /usr/libexec/java_home; then the usual install
# places (Linux packages under /usr/lib/jvm, macOS /Library/Java/JavaVirtualMachines, Homebrew, SDKMAN, ~/.jdks,
# asdf, mise) and takes the newest. The first two win when they are 21+, so a JDK you chose is the one used.
# The major version from the JDK's `release` file (every JDK and JRE since 9 has one): reading it is instant, where
# asking `java` starts a JVM, and this runs for every candidate on every ./tickstream start. JDK 8's "1.8.0_x" reads
# as 1 and is refused like any JDK below 21. Without the file, java is asked.
_java_major() {
  local v
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -1)
    [ -n "$v" ] && { echo "$v"; return; }
  fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1
}
_java_ok() {
  local major
  [ -n "$1" ] && [ -x "$1/bin/java" ] || return 1
  major=$(_java_major "$1")
  [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null
}
_java_pick() {
  local candidate major best="" best_major=0
  if _java_ok "${JAVA_HOME:-}"; then echo "$JAVA_HOME"; return; fi
  if command -v java >/dev/null 2>&1; then
    # The home of the `java` on PATH, by following its links (a JVM start saved); asked from java if that fails.
    candidate=$(cd "$(dirname "$(readlink -f "$(command -v java)" 2>/dev/null)")/.." 2>/dev/null && pwd -P || true)
    [ -x "$candidate/bin/java" ] && [ -f "$candidate/release" ] \
      || candidate=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p' | head -1)
    if _java_ok "$candidate"; then echo "$candidate"; return; fi
  fi
  if [ -x /usr/libexec/java_home ]; then
    candidate=$(/usr/libexec/java_home -v 21+ 2>/dev/null || true)
    if _java_ok "$candidate"; then echo "$candidate"; return; fi
  fi
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/Library/Java/JavaVirtualMachines/*/Contents/Home \
      /opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home /usr/local/opt/openjdk*/libexec/openjdk.jdk/Contents/Home \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* "$HOME"/.asdf/installs/java/* "$HOME"/.local/share/mise/installs/java/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then
      best=$candidate; best_major=$major
    fi
  done
  echo "$best"
}

JAVA_HOME=$(_java_pick)
if [ -z "$JAVA_HOME" ]; then
  cat >&2 <<'EOF'
tickstream needs a JDK 21 or newer, and none was found (JAVA_HOME, java on PATH, /usr/lib/jvm, macOS's java_home,
Homebrew, SDKMAN). Install one, for example:
  Debian/Ubuntu:  sudo apt-get install openjdk-21-jdk      (or Temurin 21/25 from adoptium.net)
  macOS:          brew install --cask temurin@21
  any:            sdk install java 21-tem                  (SDKMAN)
or point JAVA_HOME at one you have.
EOF
  exit 1
fi
JAVA_MAJOR=$(_java_major "$JAVA_HOME")
export JAVA_HOME JAVA_MAJOR
export PATH="$JAVA_HOME/bin:$PATH"
unset -f _java_major _java_ok _java_pick
