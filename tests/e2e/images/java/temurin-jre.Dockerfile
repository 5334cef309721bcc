# Stand-in for eclipse-temurin:17-jre (see tests/e2e/images/java.sh).
#
# The real image (github:adoptium/containers 17/jre/ubuntu/noble/Dockerfile) is the
# JDK one without binutils and with Temurin's JRE tarball at /opt/java/openjdk (no
# javac, jlink, jdeps, jshell, no jmods), `java -Xshare:dump`, ENTRYPOINT
# /__cacert_entrypoint.sh and no CMD of its own (setting ENTRYPOINT clears the
# base image's CMD).
#
# Here: debian:bookworm-slim instead of Ubuntu, and the JRE made the way the JDK
# build makes Temurin's legacy JRE image: the runtime modules (all but the JDK's
# tool modules) linked with jlink from the stand-in JDK's jmods.
ARG JDK_IMAGE=eclipse-temurin:17-jdk
FROM ${JDK_IMAGE} AS jdk
RUN set -eux; \
    tools='jdk.compiler jdk.javadoc jdk.jdeps jdk.jlink jdk.jshell jdk.jartool jdk.jdi jdk.hotspot.agent jdk.jconsole jdk.jpackage jdk.jstatd jdk.editpad jdk.internal.ed jdk.internal.le jdk.internal.opt jdk.jcmd jdk.attach jdk.internal.jvmstat'; \
    mods=$(java --list-modules | sed 's/@.*//' | grep -vxF -f "$(printf '%s\n' $tools > /tmp/tools; echo /tmp/tools)" | paste -sd, -); \
    jlink --add-modules "$mods" --output /opt/java/jre; \
    /opt/java/jre/bin/java --list-modules | wc -l

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
RUN set -eux; \
    find "$JAVA_HOME/lib" -name '*.so' -exec dirname '{}' ';' | sort -u > /etc/ld.so.conf.d/docker-openjdk.conf; \
    ldconfig; \
    java -Xshare:dump; \
    java --version

COPY entrypoint.sh /__cacert_entrypoint.sh
ENTRYPOINT ["/__cacert_entrypoint.sh"]
