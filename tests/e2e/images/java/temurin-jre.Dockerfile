# Stand-in for eclipse-temurin:17-jre (see tests/e2e/images/java.sh).
#
# The real image (github:adoptium/containers 17/jre/ubuntu/noble/Dockerfile) is the
# JDK one without binutils and with Temurin's JRE tarball at /opt/java/openjdk (no
# javac, jlink, jdeps, jshell, no jmods), `java -Xshare:dump`, ENTRYPOINT
# /__cacert_entrypoint.sh and no CMD of its own (setting ENTRYPOINT clears the
# base image's CMD).
#
# Here: debian:bookworm-slim instead of Ubuntu, and the JRE made the way Temurin's
# JRE tarball is made. Temurin builds `make product-images legacy-jre-image`
# (github:adoptium/temurin-build configureBuild.sh), and OpenJDK's make/Images.gmk
# (jdk17u) links the legacy JRE image from the JDK's jmods:
#   jlink --add-modules $(JRE_MODULES_LIST) --no-man-pages --no-header-files --strip-debug
# with JRE_MODULES = BOOT_MODULES + PLATFORM_MODULES + jdk.jdwp.agent
# (make/conf/module-loader-map.conf: 50 modules in 17, not jdk.random,
# jdk.unsupported.desktop nor any tool module), then writes both CDS archives,
# lib/server/classes.jsa and classes_nocoops.jsa (-XX:-UseCompressedOops). The same
# here from the stand-in JDK's jmods (JreModules.java lists the modules the JDK's own
# boot and platform loaders define, which is that map as the build compiled it in).
# --strip-debug drops the classes' debug attributes (line numbers in JDK frames of a
# stack trace) and native debug symbols (objcopy: the JDK stand-in has binutils).
#
# Layers: the real image extracts the tarball and runs `java -Xshare:dump` in one RUN,
# so classes.jsa is in the image once; here that dump runs in the jre stage, before
# the COPY (a dump after it would add a second classes.jsa layer of 13.5 MB).
ARG JDK_IMAGE=eclipse-temurin:17-jdk
FROM ${JDK_IMAGE} AS jdk
COPY JreModules.java /tmp/JreModules.java
RUN set -eux; \
    mods=$(java --add-modules ALL-SYSTEM /tmp/JreModules.java 2>/dev/null); \
    test "$(echo "$mods" | tr , '\n' | wc -l)" -ge 45; \
    jlink --add-modules "$mods" --no-man-pages --no-header-files --strip-debug --output /opt/java/jre; \
    cd /opt/java/jre; \
    bin/java -Xshare:dump -XX:SharedArchiveFile=lib/server/classes_nocoops.jsa -XX:-UseCompressedOops -Xmx128M -Xms128M; \
    # the Dockerfile's `java -Xshare:dump` (the same classes.jsa make writes first)
    bin/java -Xshare:dump; \
    bin/java --list-modules | wc -l

FROM debian:bookworm-slim

ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=$JAVA_HOME/bin:$PATH

# Default to UTF-8 file.encoding
ENV LANG='en_US.UTF-8' LANGUAGE='en_US:en' LC_ALL='en_US.UTF-8'

RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        curl \
        wget \
        gnupg \
        fontconfig \
        ca-certificates p11-kit \
        tzdata \
        locales \
    ; \
    echo "en_US.UTF-8 UTF-8" >> /etc/locale.gen; \
    locale-gen en_US.UTF-8; \
    rm -rf /var/lib/apt/lists/*

# Debian's 17.0.x build inside, whatever this says.
ENV JAVA_VERSION=jdk-17

COPY --from=jdk /opt/java/jre /opt/java/openjdk
# (java -Xshare:dump ran in the jdk stage: see the header)
RUN set -eux; \
    find "$JAVA_HOME/lib" -name '*.so' -exec dirname '{}' ';' | sort -u > /etc/ld.so.conf.d/docker-openjdk.conf; \
    ldconfig; \
    java -Xshare:on -version; \
    java --version

COPY entrypoint.sh /__cacert_entrypoint.sh
ENTRYPOINT ["/__cacert_entrypoint.sh"]
