FROM eclipse-temurin:17-jdk AS jre
COPY target/*.jar /tmp/app.jar
RUN jdeps --ignore-missing-deps -q --multi-release 17 --print-module-deps \
        /tmp/app.jar > /tmp/jre-modules \
    && jlink --add-modules "$(cat /tmp/jre-modules),jdk.crypto.ec" \
        --no-header-files --no-man-pages --strip-debug --output /opt/jre

# Shape (b): a jar built on the machine, run by the deprecated openjdk image.
FROM gcr.io/distroless/java-base-debian12:nonroot
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/jre /opt/java/openjdk
WORKDIR /
COPY target/*.jar app.jar
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app.jar"]
