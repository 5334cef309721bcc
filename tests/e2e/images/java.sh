#!/usr/bin/env bash
# Stand-ins for the Java images (Temurin JDK/JRE, Maven, the deprecated openjdk:17,
# distroless java17), a Maven repository on the e2e mirror, and the prebuilt jar of
# the java-jar app. Run by tests/e2e/base-images.sh after debian.sh and distroless.sh
# (it builds FROM debian:bookworm(-slim) and gcr.io/distroless/base-nossl-debian12).
#
# Java inside is Debian's openjdk-17 (17.0.x, HotSpot) and Maven is Debian's 3.8.7,
# whatever the tags say; the Temurin images are Ubuntu in reality, Debian bookworm-slim
# here; openjdk:17 is Oracle Linux 8 in reality. Build contexts and what each holds:
# tests/e2e/images/java/*.Dockerfile (their headers compare them with the real ones).
#
#   tags                                   made from
#   eclipse-temurin:17-jdk, 17, ...        temurin-jdk.Dockerfile: bookworm-slim + the real
#                                          image's packages + Debian's JDK made self-contained
#                                          at /opt/java/openjdk (jmods, jlink, binutils)
#   eclipse-temurin:17-jre, ...            temurin-jre.Dockerfile: same without binutils; the
#                                          JRE jlinked from the JDK's jmods as OpenJDK's make
#                                          links Temurin's (its 50 modules, --strip-debug)
#   maven:3.9-eclipse-temurin-17, ...      maven.Dockerfile on eclipse-temurin:17-jdk
#   openjdk:17, 17-jdk, ...                openjdk.Dockerfile VARIANT=oracle (no apt-get;
#                                          the JDK with lib/src.zip, as jdk.java.net's)
#   openjdk:17-jdk-slim, ...               openjdk.Dockerfile VARIANT=slim (no binutils)
#   maven:3.8-openjdk-17, ...              maven.Dockerfile on openjdk:17
#   gcr.io/distroless/java17-debian12      distroless-java.Dockerfile (target java) on
#     (:latest, :nonroot)                  base-nossl-debian12: Debian's JRE .deb unpacked
#   gcr.io/distroless/java-base-debian12   the same without the JRE (target java-base): the
#     (:latest, :nonroot)                  base for a jlink runtime
#
# Maven Central is not reachable. The mirror ($MIRROR_DIR/maven, served by
# tests/e2e/mirror.sh as <url>/maven/) is filled once on the machine from Debian's
# packaged Maven plugins: the .deb files of MAVEN_PACKAGES and every *-java package
# they depend on (apt-get download, cached in $CACHE/maven-debs), unpacked, and their
# /usr/share/maven-repo turned into a remote repository by java/maven-repo.py
# (regular files, .sha1 files, maven-metadata.xml). The maven stand-ins' global
# settings.xml mirror every repository to it, so `mvn package` downloads into
# /root/.m2 inside the build, as against Maven Central. Plugin versions that resolve:
# Maven 3.8's defaults (resources 2.6, compiler 3.1, surefire 2.12.4, jar 2.4,
# install 2.4, clean 2.5; Debian relocates them to its versions) and Debian's versions
# (compiler 3.10.1, resources 3.3.0, jar 3.3.0, surefire 2.22.3, clean 3.2.0,
# install 3.1.0, dependency 3.5.0, shade 3.4.1); junit 4.13.2.
set -euo pipefail

# ---- which tags exist --------------------------------------------------------
TEMURIN_JDK_TAGS=(eclipse-temurin:17-jdk eclipse-temurin:17 eclipse-temurin:17-jdk-noble
  eclipse-temurin:17-noble eclipse-temurin:17-jdk-jammy eclipse-temurin:17-jammy)
TEMURIN_JRE_TAGS=(eclipse-temurin:17-jre eclipse-temurin:17-jre-noble eclipse-temurin:17-jre-jammy)
MAVEN_TAGS=(maven:3.9-eclipse-temurin-17 maven:3-eclipse-temurin-17 maven:3.9-eclipse-temurin-17-noble
  maven:3-eclipse-temurin-17-noble maven:3.9.9-eclipse-temurin-17)
OPENJDK_TAGS=(openjdk:17 openjdk:17-jdk openjdk:17-oracle openjdk:17-jdk-oracle
  openjdk:17-jdk-oraclelinux8 openjdk:17-oraclelinux8)
OPENJDK_SLIM_TAGS=(openjdk:17-jdk-slim openjdk:17-slim openjdk:17-jdk-slim-bullseye openjdk:17-slim-bullseye)
MAVEN_OPENJDK_TAGS=(maven:3.8-openjdk-17 maven:3.8.5-openjdk-17 maven:3-openjdk-17)
DISTROLESS_JAVA_TAGS=(gcr.io/distroless/java17-debian12:latest gcr.io/distroless/java17:latest)
DISTROLESS_JAVA_NONROOT_TAGS=(gcr.io/distroless/java17-debian12:nonroot gcr.io/distroless/java17:nonroot)
DISTROLESS_JAVA_BASE_TAGS=(gcr.io/distroless/java-base-debian12:latest)
DISTROLESS_JAVA_BASE_NONROOT_TAGS=(gcr.io/distroless/java-base-debian12:nonroot)
# Debian packages whose /usr/share/maven-repo makes the Maven mirror (+ their *-java deps)
MAVEN_PACKAGES=(libmaven-compiler-plugin-java libmaven-resources-plugin-java libmaven-jar-plugin-java
  libsurefire-java libmaven-clean-plugin-java libmaven-install-plugin-java
  libmaven-dependency-plugin-java libmaven-shade-plugin-java libmaven-deploy-plugin-java
  libmaven-site-plugin-java junit4)
# Bump one when that content changes. The revision an image carries (label
# dfslim.e2e.rev, cached tar name) is this number plus the ids of the images it is
# built FROM (and, for maven, the mirror URL it points at), so a rebuilt base
# (debian.sh, distroless.sh, or the JDK here) rebuilds what is made from it.
REV_TEMURIN_JDK=2
REV_TEMURIN_JRE=2
REV_MAVEN=1
REV_OPENJDK=2
REV_DISTROLESS_JAVA=2
REV_MAVEN_MIRROR=5
# ------------------------------------------------------------------------------

E2E_NAME=java
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"
CTX=$E2E_LIB_DIR/images/java
APPS=$E2E_LIB_DIR/apps

for base in debian:bookworm debian:bookworm-slim gcr.io/distroless/base-nossl-debian12:latest \
  gcr.io/distroless/base-nossl-debian12:nonroot; do
  docker image inspect "$base" >/dev/null 2>&1 || die "$base missing: run images/debian.sh and images/distroless.sh first"
done

# ---- the Maven repository on the mirror --------------------------------------
fill_maven_mirror() {
  local out=$MIRROR_DIR/maven marker=$MIRROR_DIR/maven/.dfslim-r$REV_MAVEN_MIRROR
  if [[ -f $marker && $FORCE == 0 ]]; then
    log "maven mirror present ($out)"
    return 0
  fi
  local t0=$SECONDS debs=$CACHE/maven-debs pkgs
  command -v apt-get >/dev/null || die "apt-get missing: the Maven mirror is made from Debian packages"
  if ! apt-cache show "${MAVEN_PACKAGES[0]}" >/dev/null 2>&1; then
    log "apt-get update (no package lists)"
    apt-get update >/dev/null
  fi
  # the packages and every *-java package (and junit/velocity) they need
  pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${MAVEN_PACKAGES[@]}" 2>/dev/null |
    grep -E '^[a-z0-9]' | sort -u | grep -E -- '-java$|^junit[45]$|^velocity$')
  mkdir -p "$debs"
  (cd "$debs" && apt-get download $pkgs >"$E2E_DIR/maven-debs.log" 2>&1) ||
    { tail -n 20 "$E2E_DIR/maven-debs.log" >&2; die "apt-get download of the Maven packages failed"; }
  # unpack next to the mirror (same filesystem: maven-repo.py hard-links the files)
  local staging=$MIRROR_DIR/.maven-staging deb
  rm -rf "$staging"
  mkdir -p "$staging"
  for deb in $pkgs; do
    deb=$(ls "$debs/${deb}"_*.deb 2>/dev/null | sort -V | tail -n 1)
    [[ -n $deb ]] && dpkg-deb -x "$deb" "$staging"
  done
  python3 "$CTX/maven-repo.py" "$staging" "$out.part" >&2
  rm -rf "$out" "$staging"
  mv "$out.part" "$out"
  touch "$marker"
  log "maven mirror filled from $(wc -w <<<"$pkgs") Debian packages in $((SECONDS - t0)) s ($(du -sh "$out" | cut -f1))"
}

fill_maven_mirror
bash "$E2E_LIB_DIR/mirror.sh" start
MIRROR_URL=$(bash "$E2E_LIB_DIR/mirror.sh" url)

# ---- images ------------------------------------------------------------------
# DFSLIM_E2E_NO_CACHE=1: build without the layer cache (to time a clean machine)
NO_CACHE=()
[[ ${DFSLIM_E2E_NO_CACHE:-} == 1 ]] && NO_CACHE=(--no-cache)
image() { # REV TAGS-ARRAY-NAME DOCKERFILE [build args...]
  local rev=$1 file=$3
  local -n tags=$2
  shift 3
  if needs_build "${tags[0]}" "$rev"; then
    build_image "${tags[0]}" "$rev" "$CTX" -f "$CTX/$file" "${NO_CACHE[@]}" "$@"
  else
    log "${tags[0]} present; skipping"
  fi
  tag_aliases "$rev" "${tags[@]}"
}

# img_id TAG: the first 12 hex digits of an image's id
img_id() {
  local i
  i=$(docker image inspect -f '{{.Id}}' "$1") || die "$1 missing"
  i=${i#sha256:}
  echo "${i:0:12}"
}
URL_ID=$(printf '%s' "$MIRROR_URL" | sha1sum | cut -c1-8)
SLIM=debian:bookworm-slim
JDK=${TEMURIN_JDK_TAGS[0]}

image "$REV_TEMURIN_JDK-$(img_id $SLIM)" TEMURIN_JDK_TAGS temurin-jdk.Dockerfile
image "$REV_TEMURIN_JRE-$(img_id $SLIM)-$(img_id "$JDK")" TEMURIN_JRE_TAGS temurin-jre.Dockerfile \
  --build-arg JDK_IMAGE="$JDK"
image "$REV_MAVEN-$(img_id $SLIM)-$(img_id "$JDK")-$URL_ID" MAVEN_TAGS maven.Dockerfile --build-arg BASE="$JDK" \
  --build-arg MIRROR_URL="$MIRROR_URL"
image "$REV_OPENJDK-$(img_id $SLIM)-$(img_id "$JDK")" OPENJDK_TAGS openjdk.Dockerfile --build-arg JDK_IMAGE="$JDK" \
  --build-arg VARIANT=oracle --build-arg JAVA_HOME_DIR=/usr/java/openjdk-17
image "$REV_OPENJDK-$(img_id $SLIM)-$(img_id "$JDK")" OPENJDK_SLIM_TAGS openjdk.Dockerfile --build-arg JDK_IMAGE="$JDK" \
  --build-arg VARIANT=slim --build-arg JAVA_HOME_DIR=/usr/local/openjdk-17
image "$REV_MAVEN-$(img_id $SLIM)-$(img_id "${OPENJDK_TAGS[0]}")-$URL_ID" MAVEN_OPENJDK_TAGS maven.Dockerfile \
  --build-arg BASE="${OPENJDK_TAGS[0]}" --build-arg PACKAGES= --build-arg MIRROR_URL="$MIRROR_URL"
for user in latest nonroot; do
  base=gcr.io/distroless/base-nossl-debian12:$user
  rev=$REV_DISTROLESS_JAVA-$(img_id debian:bookworm)-$(img_id "$base")
  suffix=$([[ $user == nonroot ]] && echo _NONROOT || true)
  image "$rev" "DISTROLESS_JAVA_BASE${suffix}_TAGS" distroless-java.Dockerfile --target java-base \
    --build-arg BASE="$base"
  image "$rev" "DISTROLESS_JAVA${suffix}_TAGS" distroless-java.Dockerfile --target java --build-arg BASE="$base"
done

# ---- the java-jar app's prebuilt jar -------------------------------------------
# Shape (b): the jar is built elsewhere (CI) and the Dockerfile only copies it. Here it
# is built with the maven stand-in from the app's own pom.xml and sources, into
# apps/java-jar/target/ (ignored by git), again whenever a source is newer.
build_app_jar() {
  local app=$APPS/$1 jar=$APPS/$1/target/$2 t0=$SECONDS
  [[ -d $app ]] || return 0
  if [[ -f $jar && -z $(find "$app/pom.xml" "$app/src" -newer "$jar" -print -quit) && $FORCE == 0 ]]; then
    log "$1: $2 up to date"
    return 0
  fi
  mkdir -p "$E2E_DIR/logs"
  if ! docker run --rm -v "$app:/src" -w /src "${MAVEN_TAGS[0]}" mvn -B -e package \
    >"$E2E_DIR/logs/$1-jar.log" 2>&1; then
    tail -n 30 "$E2E_DIR/logs/$1-jar.log" >&2
    die "building $1's jar failed; log: $E2E_DIR/logs/$1-jar.log"
  fi
  [[ -f $jar ]] || die "$1: mvn package made no $jar"
  log "$1: built target/$2 in $((SECONDS - t0)) s"
}
build_app_jar java-jar hello-service-1.0.0.jar

log "done in $((SECONDS - T_START)) s"
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' |
  grep -E '^(eclipse-temurin|maven|openjdk|gcr.io/distroless/java[^:]*):' | sort >&2
