# Shape (a): Maven builds the jar inside the image, and the image runs it.
FROM maven:3.9-eclipse-temurin-17 AS builder
WORKDIR /app
COPY . .
RUN mvn package

FROM builder AS jre
RUN jdeps --ignore-missing-deps -q --multi-release 17 --print-module-deps \
        /app/target/hello-service-1.0.0.jar > /tmp/jre-modules \
    && jlink --add-modules "$(cat /tmp/jre-modules),jdk.crypto.ec" \
        --no-header-files --no-man-pages --output /opt/jre

FROM gcr.io/distroless/java-base-debian12:nonroot
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/jre /opt/java/openjdk
WORKDIR /app
COPY --chown=nonroot:nonroot --from=builder /app/target/hello-service-1.0.0.jar /app/hello-service-1.0.0.jar
EXPOSE 8080
# -Xmx256m must survive every level.
CMD ["java", "-Xmx256m", "-jar", "/app/hello-service-1.0.0.jar"]
