FROM openjdk:17-jdk-slim AS build
WORKDIR /src
COPY pom.xml .
COPY src ./src
RUN ./mvnw -q package

FROM build AS jre
RUN jdeps --ignore-missing-deps -q --multi-release 17 --print-module-deps \
        /src/target/tool.jar > /tmp/jre-modules \
    && jlink --add-modules "$(cat /tmp/jre-modules),jdk.crypto.ec,jdk.zipfs" \
        --no-header-files --no-man-pages --strip-java-debug-attributes --output /opt/jre

FROM gcr.io/distroless/java-base-debian12:nonroot
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/jre /opt/java/openjdk
WORKDIR /
USER 10001
COPY --from=build /src/target/tool.jar /opt/tool/tool.jar
ENTRYPOINT ["java", "-Dfile.encoding=UTF-8", "-jar", "/opt/tool/tool.jar"]
