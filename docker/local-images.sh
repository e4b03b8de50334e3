#!/usr/bin/env bash
# Builds local stand-ins for every image docker/compose.yaml pulls from Docker Hub, from Debian packages only (and
# Kafka's jars from Maven Central), for machines that reach a Debian mirror and Maven Central but not Docker Hub:
#
#   docker/local-images.sh          # as root, DOCKER_HOST set (scripts/docker-engine.sh start)
#   docker-compose -f docker/compose.yaml --env-file docker/local.env up -d --build
#
# 1. a Debian trixie root file system, debootstrap --variant=minbase (about a minute), kept under
#    TICKSTREAM_LOCAL_ROOTFS (/var/lib/tickstream-docker/rootfs) so that it is made once, and imported as
#    tickstream-local/debian:trixie (docker import: the only way to a first image without a registry);
# 2. docker/local/Dockerfile's targets on it: jre, jdk, haproxy, prometheus, kafka (tickstream-local/*; the tags are
#    the ones docker/local.env names, checked below).
# A second run finds the root and the imported image and only asks BuildKit, whose cache answers in seconds.
# Why each image looks as it does: docker/local/Dockerfile. Why at all: docker/README.md, "Without Docker Hub".
#
# Variables: DOCKER (Debian's client, /usr/bin/docker: the one in /usr/local/bin may refuse BuildKit here),
# DEBIAN_MIRROR (http://deb.debian.org/debian), DEBIAN_SECURITY_MIRROR (http://deb.debian.org/debian-security),
# TICKSTREAM_LOCAL_CA_DIR (/usr/local/share/ca-certificates: certificate authorities for the JDK image),
# TICKSTREAM_LOCAL_ROOTFS, TICKSTREAM_LOCAL_REBUILD=1 (a new root and base image: Debian's security updates).
set -euo pipefail
cd "$(dirname "$0")/.."

DOCKER=${DOCKER:-/usr/bin/docker}
SUITE=trixie
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
ROOTFS_DIR=${TICKSTREAM_LOCAL_ROOTFS:-/var/lib/tickstream-docker/rootfs}
BASE_IMAGE=tickstream-local/debian:$SUITE
# The Kafka the project builds and tests against (the root pom), so the broker in the stack is the one of the tests.
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' pom.xml | head -1)
# target -> image; docker/local.env must name the same (checked before anything is built).
declare -A IMAGES=(
  [jre]=tickstream-local/jre:25
  [jdk]=tickstream-local/jdk:25
  [haproxy]=tickstream-local/haproxy:3.0
  [prometheus]=tickstream-local/prometheus:$SUITE
  [kafka]=tickstream-local/kafka:$KAFKA_VERSION
)
ORDER=(jre jdk haproxy prometheus kafka)

say() { echo "local-images: $*" >&2; }
export DOCKER_BUILDKIT=1

# ---- preconditions: fail early, with what to do ----
[ -n "$KAFKA_VERSION" ] || { say "no <kafka.version> in pom.xml"; exit 1; }
for var in JRE_IMAGE:jre JDK_IMAGE:jdk HAPROXY_IMAGE:haproxy PROMETHEUS_IMAGE:prometheus KAFKA_IMAGE:kafka; do
  if ! grep -qx "${var%%:*}=${IMAGES[${var#*:}]}" docker/local.env; then
    say "docker/local.env does not say ${var%%:*}=${IMAGES[${var#*:}]}: the stack would not use this image"
    exit 1
  fi
done
"$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || { say "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}): eval \"\$(scripts/docker-engine.sh start)\""; exit 1; }

# ---- 1. the Debian root and its image ----
rootfs=$ROOTFS_DIR/$SUITE-minbase
if [ "${TICKSTREAM_LOCAL_REBUILD:-0}" = 1 ]; then
  rm -rf "$rootfs"
  "$DOCKER" image rm "$BASE_IMAGE" >/dev/null 2>&1 || true
fi
if ! "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  start=$SECONDS
  # .complete marks a root debootstrap finished and this script trimmed: an interrupted run starts over.
  if [ ! -f "$rootfs/.complete" ]; then
    [ "$(id -u)" = 0 ] || { say "debootstrap needs root"; exit 1; }
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
    say "debootstrap --variant=minbase $SUITE from $MIRROR"
    rm -rf "$rootfs"
    mkdir -p "$ROOTFS_DIR"
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >&2
    # apt sources of the image: the release, its updates and security updates.
    printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
      "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" "$SECURITY_MIRROR" "$SUITE" > "$rootfs/etc/apt/sources.list"
    # What Debian's own container images do: no recommended packages, no docs, man pages or translations in later
    # installs (copyright files stay), no service started by a package's install script (there is no init).
    printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
      > "$rootfs/etc/apt/apt.conf.d/90tickstream-local"
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
      'path-include /usr/share/locale/locale.alias' > "$rootfs/etc/dpkg/dpkg.cfg.d/90tickstream-local"
    printf '#!/bin/sh\n# No daemon starts at package install inside an image.\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
    chmod 755 "$rootfs/usr/sbin/policy-rc.d"
    # The same trim for what debootstrap installed, and its download caches.
    find "$rootfs/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
    find "$rootfs/usr/share/man" "$rootfs/usr/share/info" -mindepth 1 ! -type d -delete
    find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/var/log/apt "$rootfs"/var/log/dpkg.log "$rootfs"/var/log/bootstrap.log
    touch "$rootfs/.complete"
  fi
  say "importing $rootfs as $BASE_IMAGE"
  tar -C "$rootfs" --numeric-owner --exclude=./.complete -c . \
    | "$DOCKER" import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' \
        --message "debootstrap --variant=minbase $SUITE $MIRROR" - "$BASE_IMAGE" >/dev/null
  say "$BASE_IMAGE ready in $((SECONDS - start)) s"
fi

# ---- 2. the images on it ----
# The context: docker/local and the Maven wrapper (the Kafka stage resolves its jars with it), copied, because
# the repository's .dockerignore (made for the role images) leaves docker/ out.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp -a docker/local/. "$context/"
cp -a mvnw .mvn "$context/"
# The certificate authorities this host added to its trust (a TLS-inspecting proxy's, say): the JDK image downloads
# from Maven Central over HTTPS and must trust what the host trusts (docker/local/Dockerfile, jdk).
mkdir -p "$context/ca"
find "${TICKSTREAM_LOCAL_CA_DIR:-/usr/local/share/ca-certificates}" -name '*.crt' -type f -exec cp {} "$context/ca/" \; 2>/dev/null || true
for target in "${ORDER[@]}"; do
  start=$SECONDS
  say "building ${IMAGES[$target]}"
  # --network=host: apt and Maven download; this engine's containers have no NAT to the outside.
  "$DOCKER" build --network=host --progress=plain -f "$context/Dockerfile" --target "$target" \
    --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg KAFKA_VERSION="$KAFKA_VERSION" \
    -t "${IMAGES[$target]}" "$context" >"$context/build.log" 2>&1 \
    || { cat "$context/build.log" >&2; say "building ${IMAGES[$target]} failed"; exit 1; }
  say "${IMAGES[$target]} ready in $((SECONDS - start)) s"
done
"$DOCKER" images --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep '^tickstream-local/' | sort >&2
