FROM openjdk:17-jdk-slim AS build
WORKDIR /src
COPY pom.xml .
COPY src ./src
RUN ./mvnw -q package

FROM eclipse-temurin:17-jre
USER 10001
COPY --from=build /src/target/tool.jar /opt/tool/tool.jar
ENTRYPOINT ["java", "-Dfile.encoding=UTF-8", "-jar", "/opt/tool/tool.jar"]
