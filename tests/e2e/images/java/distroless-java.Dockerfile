# Stand-ins for gcr.io/distroless/java17-debian12 (target java) and
# gcr.io/distroless/java-base-debian12 (target java-base), :latest and :nonroot,
# see tests/e2e/images/java.sh.
#
# The real image (github:GoogleContainerTools/distroless java/, before debian12 was
# dropped in commit b80e2842: java_openjdk_image for ("17", "debian12")) is
# base-nossl-debian12 (static + libc6; :nonroot = user 65532, WORKDIR /home/nonroot)
# + the Java base packages (JAVA_BASE_PACKAGES["debian12"] below) + the C.UTF-8
# locale + /etc/ssl/certs/java/cacerts, ENV LANG=C.UTF-8, and Debian's
# openjdk-17-jre-headless unpacked as is (no maintainer scripts: no CDS archive)
# at /usr/lib/jvm/java-17-openjdk-amd64, /usr/bin/java -> its bin/java,
# ENV JAVA_VERSION=17.0.x, ENTRYPOINT ["/usr/bin/java", "-jar"]. No shell, no
# javac, no jlink. So is this one: the same .deb files from the Debian mirror,
# unpacked onto the base-nossl-debian12 stand-in.
#
# java-base-debian12 is the same without the JRE (no /usr/bin/java, no ENTRYPOINT):
# the base for a runtime made with jlink. It has what a JDK's native libraries may
# need beyond glibc (zlib, libstdc++, libgcc_s), which Debian's JDK does need (a
# jlink runtime of the stand-in JDK does not start on base-debian12: no libz.so.1,
# no libstdc++.so.6), while Temurin's bundles zlib and links libstdc++ statically.
ARG BASE=gcr.io/distroless/base-nossl-debian12:latest
FROM debian:bookworm AS pkgs
RUN set -eux; \
    apt-get update; \
    # ca-certificates-java makes /etc/ssl/certs/java/cacerts when a JRE is installed
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless; \
    mkdir /debs /rootfs; \
    cd /debs; \
    apt-get download openjdk-17-jre-headless \
        zlib1g libjpeg62-turbo liblcms2-2 libfreetype6 fonts-dejavu-core fontconfig-config \
        libexpat1 libfontconfig1 libuuid1 libbrotli1 libcrypt1 libstdc++6 libgcc-s1 \
        gcc-12-base libpng16-16 libharfbuzz0b libgraphite2-3 libpcre2-8-0 libglib2.0-0 \
        libc-bin; \
    for d in *.deb; do \
        case "$d" in libc-bin_*|openjdk-*) continue ;; esac; \
        dpkg-deb -x "$d" /rootfs; \
    done; \
    mkdir /rootfs-jre; \
    dpkg-deb -x openjdk-17-jre-headless_*.deb /rootfs-jre; \
    mkdir /libc-bin; dpkg-deb -x libc-bin_*.deb /libc-bin; \
    mkdir -p /rootfs/usr/lib/locale; \
    cp -a /libc-bin/usr/lib/locale/C.utf8 /rootfs/usr/lib/locale/; \
    mkdir -p /rootfs/etc/ssl/certs/java /rootfs-jre/usr/bin; \
    cp /etc/ssl/certs/java/cacerts /rootfs/etc/ssl/certs/java/cacerts; \
    ln -s /usr/lib/jvm/java-17-openjdk-amd64/bin/java /rootfs-jre/usr/bin/java; \
    for r in /rootfs /rootfs-jre; do \
        rm -rf $r/usr/share/man $r/usr/share/info $r/usr/share/lintian $r/usr/share/doc/*/changelog*; \
    done; \
    dpkg-deb -f openjdk-17-jre-headless_*.deb Version

FROM ${BASE} AS java-base
COPY --from=pkgs /rootfs/ /
ENV LANG=C.UTF-8

FROM java-base AS java
COPY --from=pkgs /rootfs-jre/ /
# Debian's 17.0.x inside; the real image says e.g. 17.0.18.
ENV JAVA_VERSION=17
ENTRYPOINT ["/usr/bin/java", "-jar"]
