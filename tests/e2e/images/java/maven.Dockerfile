# Stand-in for maven:3.9-eclipse-temurin-17 and friends (see tests/e2e/images/java.sh).
#
# The real image (github:carlossg/docker-maven eclipse-temurin-17-noble/Dockerfile) is
# eclipse-temurin:17-jdk-noble + ca-certificates curl git openssh-client, Apache
# Maven's binary tarball at MAVEN_HOME=/usr/share/maven (/usr/bin/mvn -> it),
# /usr/share/maven/ref/settings-docker.xml, ENV MAVEN_CONFIG=/root/.m2,
# ENTRYPOINT ["/usr/local/bin/mvn-entrypoint.sh"], CMD ["mvn"]. No repository is
# baked in: `mvn package` downloads plugins and dependencies into /root/.m2 in the
# build's layer.
#
# Here: Debian's maven 3.8.7 (whatever the tag says) made self-contained like the
# tarball (bin/ boot/ conf/ lib/, every symlink into /usr/share/java and /etc/maven
# replaced by its file), on the JDK stand-in given as BASE. Maven Central is not
# reachable, so the global settings (conf/settings.xml) mirror every repository to
# the e2e mirror (MIRROR_URL, served by tests/e2e/mirror.sh), which holds Debian's
# packaged Maven repository (/usr/share/maven-repo of the plugin packages). Builds
# still download into /root/.m2 as real ones do.
ARG BASE=eclipse-temurin:17-jdk
FROM debian:bookworm-slim AS debian-maven
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends maven; \
    rm -rf /var/lib/apt/lists/*; \
    cp -a -L /usr/share/maven /opt/maven; \
    rm -rf /opt/maven/man; \
    test -z "$(find /opt/maven -type l)"

FROM ${BASE}
# Packages the real image adds (empty for the openjdk:17 variants, whose real base,
# Oracle Linux, installs findutils and git with microdnf).
ARG PACKAGES="ca-certificates curl git openssh-client"
RUN if [ -n "$PACKAGES" ]; then \
      apt-get update \
      && apt-get install -y $PACKAGES --no-install-recommends \
      && rm -rf /var/lib/apt/lists/*; \
    fi

ENV MAVEN_HOME=/usr/share/maven

COPY --from=debian-maven /opt/maven ${MAVEN_HOME}
COPY mvn-entrypoint.sh /usr/local/bin/mvn-entrypoint.sh
COPY settings-docker.xml /usr/share/maven/ref/

RUN ln -s ${MAVEN_HOME}/bin/mvn /usr/bin/mvn

ARG MIRROR_URL
RUN set -eu; \
    test -n "$MIRROR_URL"; \
    { \
      echo '<?xml version="1.0" encoding="UTF-8"?>'; \
      echo '<!-- dfslim e2e: Maven Central is not reachable; every repository is mirrored to the'; \
      echo '     e2e mirror (Debian packaged Maven repository), see tests/e2e/images/java.sh. -->'; \
      echo '<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"'; \
      echo '          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'; \
      echo '          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">'; \
      echo '  <mirrors>'; \
      echo '    <mirror>'; \
      echo '      <id>dfslim-e2e</id>'; \
      echo '      <mirrorOf>*</mirrorOf>'; \
      echo "      <url>${MIRROR_URL%/}/maven/</url>"; \
      echo '    </mirror>'; \
      echo '  </mirrors>'; \
      echo '</settings>'; \
    } > ${MAVEN_HOME}/conf/settings.xml; \
    mvn --version

ARG USER_HOME_DIR="/root"
ENV MAVEN_CONFIG="$USER_HOME_DIR/.m2"

ENTRYPOINT ["/usr/local/bin/mvn-entrypoint.sh"]
CMD ["mvn"]
