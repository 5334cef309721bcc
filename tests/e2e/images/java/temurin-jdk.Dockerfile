# Stand-in for eclipse-temurin:17-jdk (see tests/e2e/images/java.sh).
#
# The real image (github:adoptium/containers 17/jdk/ubuntu/noble/Dockerfile) is
# ubuntu:24.04 + curl wget gnupg fontconfig ca-certificates p11-kit binutils tzdata
# locales (en_US.UTF-8 generated), and the Temurin JDK tarball unpacked at
# /opt/java/openjdk (src.zip removed), `java -Xshare:dump`, ENTRYPOINT
# /__cacert_entrypoint.sh, CMD ["jshell"].
#
# Here: debian:bookworm-slim instead of Ubuntu, and Debian's openjdk-17-jdk-headless
# (17.0.x, HotSpot, with jmods, so jlink works) instead of Temurin's build, made into
# a self-contained tree at /opt/java/openjdk like the tarball: every symlink of the
# Debian layout (conf/ -> /etc/java-17-openjdk, lib/security/cacerts ->
# /etc/ssl/certs/java/cacerts, ...) replaced by the file it points to, dangling ones
# (src.zip, docs) dropped. So `COPY --from=<this> /opt/java/openjdk ...` carries a
# working JDK, as with the real image.
#
# What the tarball holds and Debian's headless packages split off: the tarball is
# OpenJDK's JDK image (make/Images.gmk `jlink_jdk`: every module, so every jmod's
# bin/, lib/, conf/ and include/ files), while Debian puts libawt_xawt.so, libjawt.so,
# libsplashscreen.so, bin/jconsole and a few templates and headers in openjdk-17-jre
# and openjdk-17-jdk (not headless). They are taken here from the jmods (< 1 MB).
#
# Layers: the real image extracts the tarball and runs `java -Xshare:dump` in one RUN,
# so lib/server/classes.jsa is in the image once. Here the dump runs in the stage that
# makes the tree, before the COPY; a dump in a RUN after the COPY would write a second
# classes.jsa (13.6 MB) into another layer, which the real image does not carry.
FROM debian:bookworm-slim AS debian-jdk
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jdk-headless; \
    rm -rf /var/lib/apt/lists/*; \
    mkdir -p /opt/java; \
    cp -a /usr/lib/jvm/java-17-openjdk-amd64 /opt/java/openjdk; \
    cd /opt/java/openjdk; \
    find . -type l | while read -r l; do \
        t=$(readlink -f "$l" || true); \
        rm -f "$l"; \
        if [ -f "$t" ]; then cp -p "$t" "$l"; \
        elif [ -d "$t" ] && [ "${t#/usr/share/doc}" = "$t" ]; then cp -a -L "$t" "$l"; fi; \
    done; \
    test -z "$(find . -type l)"; \
    mkdir /tmp/jmods; \
    for j in jmods/*.jmod; do bin/jmod extract --dir /tmp/jmods "$j"; done; \
    cp -r -n /tmp/jmods/bin /tmp/jmods/lib /tmp/jmods/conf /tmp/jmods/include .; \
    chmod 755 bin/*; \
    rm -rf /tmp/jmods; \
    test -f lib/libawt_xawt.so; \
    bin/java -Xshare:dump; \
    bin/java -version

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
        # jlink --strip-debug on 13+ needs objcopy
        binutils \
        tzdata \
        locales \
    ; \
    echo "en_US.UTF-8 UTF-8" >> /etc/locale.gen; \
    locale-gen en_US.UTF-8; \
    rm -rf /var/lib/apt/lists/*

# Debian's 17.0.x build inside, whatever this says.
ENV JAVA_VERSION=jdk-17

COPY --from=debian-jdk /opt/java/openjdk /opt/java/openjdk
# (java -Xshare:dump ran in the debian-jdk stage: see the header)
RUN set -eux; \
    find "$JAVA_HOME/lib" -name '*.so' -exec dirname '{}' ';' | sort -u > /etc/ld.so.conf.d/docker-openjdk.conf; \
    ldconfig; \
    java -Xshare:on -version; \
    javac --version; \
    java --version

COPY entrypoint.sh /__cacert_entrypoint.sh
ENTRYPOINT ["/__cacert_entrypoint.sh"]

CMD ["jshell"]
