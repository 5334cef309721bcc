# Stand-ins for the deprecated openjdk:17 images (see tests/e2e/images/java.sh).
# github:docker-library/openjdk removed 17 in April 2022 (commit c2d5621a); at 17.0.2:
#
#   VARIANT=oracle  openjdk:17, 17-jdk, 17-oracle, 17-jdk-oraclelinux8: oraclelinux:8-slim
#                   + gzip tar binutils freetype fontconfig (microdnf), the jdk.java.net
#                   OpenJDK build at JAVA_HOME=/usr/java/openjdk-17, /usr/java/default and
#                   /usr/java/latest -> it, every bin/* as /usr/bin/<tool> (alternatives),
#                   LANG=C.UTF-8, CMD ["jshell"]. No apt-get: Oracle Linux has microdnf.
#   VARIANT=slim    openjdk:17-jdk-slim, 17-slim, 17-jdk-slim-bullseye: debian:bullseye-slim
#                   + ca-certificates p11-kit, JAVA_HOME=/usr/local/openjdk-17, LANG=C.UTF-8,
#                   CMD ["jshell"]. No binutils (so `jlink --strip-debug` fails there: no objcopy).
#
# Both are JDKs (the project published no JRE for 17). Here: debian:bookworm-slim, and
# the stand-in JDK tree of eclipse-temurin:17-jdk (Debian's 17.0.x). For the Oracle
# Linux one the apt tools are removed, so a Dockerfile that runs apt-get on openjdk:17
# fails as it does with the real image; microdnf is not there either.
#
# Unlike Temurin's Dockerfile, these keep the tarball's lib/src.zip (the jdk.java.net
# JDK image has it: make/Images.gmk copies src.zip into every JDK image; the
# Dockerfiles above remove only the tarball). Debian ships it in openjdk-17-source
# (52 MB), taken from there. The real RUN extracts the tarball and runs
# `java -Xshare:dump` in one layer; the stand-in JDK tree arrives with that dump done
# (temurin-jdk.Dockerfile), so no second classes.jsa is written after the COPY.
ARG JDK_IMAGE=eclipse-temurin:17-jdk
FROM debian:bookworm-slim AS source
RUN set -eux; \
    apt-get update; \
    cd /tmp; \
    apt-get download openjdk-17-source; \
    dpkg-deb -x openjdk-17-source_*.deb /tmp/x; \
    mv /tmp/x/usr/lib/jvm/openjdk-17/lib/src.zip /src.zip; \
    rm -rf /tmp/x /tmp/*.deb /var/lib/apt/lists/*

FROM ${JDK_IMAGE} AS jdk
COPY --from=source /src.zip /opt/java/openjdk/lib/src.zip

FROM debian:bookworm-slim
ARG VARIANT=oracle
ARG JAVA_HOME_DIR=/usr/java/openjdk-17

RUN set -eux; \
    case "$VARIANT" in \
      oracle) pkgs='binutils fontconfig' ;; \
      slim) pkgs='ca-certificates p11-kit' ;; \
      *) echo "unknown VARIANT $VARIANT"; exit 1 ;; \
    esac; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs; \
    rm -rf /var/lib/apt/lists/*

ENV JAVA_HOME=${JAVA_HOME_DIR}
ENV PATH=$JAVA_HOME/bin:$PATH

# Default to UTF-8 file.encoding
ENV LANG=C.UTF-8

# Debian's 17.0.x build inside, whatever this says.
ENV JAVA_VERSION=17.0.2

COPY --from=jdk /opt/java/openjdk ${JAVA_HOME_DIR}

RUN set -eux; \
    if [ "$VARIANT" = oracle ]; then \
      ln -sfT "$JAVA_HOME" /usr/java/default; \
      ln -sfT "$JAVA_HOME" /usr/java/latest; \
      for bin in "$JAVA_HOME/bin/"*; do ln -s "$bin" "/usr/bin/$(basename "$bin")"; done; \
      rm -f /usr/bin/apt /usr/bin/apt-get /usr/bin/apt-cache /usr/bin/apt-mark /usr/bin/apt-config /usr/bin/apt-key; \
    fi; \
    find "$JAVA_HOME/lib" -name '*.so' -exec dirname '{}' ';' | sort -u > /etc/ld.so.conf.d/docker-openjdk.conf; \
    ldconfig; \
    java -Xshare:on -version; \
    javac --version; \
    java --version

# "jshell" is an interactive REPL for Java (see https://en.wikipedia.org/wiki/JShell)
CMD ["jshell"]
