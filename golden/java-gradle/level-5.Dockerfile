FROM gradle:8-jdk17 AS builder
WORKDIR /home/gradle/project
COPY . .
RUN gradle build --no-daemon

FROM builder AS jre
RUN jdeps --ignore-missing-deps -q --multi-release 17 --print-module-deps \
        /home/gradle/project/build/libs/app.jar > /tmp/jre-modules \
    && jlink --add-modules "$(cat /tmp/jre-modules),jdk.crypto.ec" \
        --no-header-files --no-man-pages --strip-debug --output /opt/jre

FROM gcr.io/distroless/java-base-debian12:nonroot
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/jre /opt/java/openjdk
WORKDIR /home/gradle/project
COPY --chown=nonroot:nonroot --from=builder /home/gradle/project/build/libs/app.jar /home/gradle/project/app.jar
EXPOSE 8080
CMD ["java", "-Xmx256m", "-jar", "/home/gradle/project/app.jar"]
