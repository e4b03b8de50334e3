#!/usr/bin/env bash
# Lists newer final releases of every dependency, plugin and version property of the build (pre-releases are
# ignored: versions-rules.xml). Reports only: it changes no file. See docs/security/dependencies.md for when to run
# it and how to check the dependencies for known vulnerabilities.
#
#   scripts/check-updates.sh            # all three reports: summary shown, full logs in target/dependency-updates/
#   scripts/check-updates.sh -o         # offline: only what the local repository (~/.m2) already knows
#
# Needs Maven Central (or a mirror in ~/.m2/settings.xml): the plugin reads each artifact's maven-metadata.xml.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/dependency-updates
mkdir -p "$out"
plugin=org.codehaus.mojo:versions-maven-plugin
# The version comes from the parent pom's pluginManagement (versions-plugin.version): one place for it.
version=$(sed -n 's:.*<versions-plugin.version>\(.*\)</versions-plugin.version>.*:\1:p' pom.xml)
for goal in display-dependency-updates display-plugin-updates display-property-updates; do
  echo "== $goal"
  ./mvnw -B -ntp "$@" "$plugin:$version:$goal" -Dversions.outputLineWidth=160 >"$out/$goal.log" 2>&1 || { tail -40 "$out/$goal.log"; exit 1; }
  # Every module reports its own; the same update named by several modules is shown once.
  grep -E -- '->' "$out/$goal.log" | sed -e 's/^\[INFO\] *//' -e 's/ \.\.* / /' | sort -u | tee "$out/$goal.txt" || echo "   (none)"
done
echo "Full reports: $out/"
