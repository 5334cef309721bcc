FROM gradle:8-jdk17 AS builder
WORKDIR /home/gradle/project
COPY . .
RUN gradle build --no-daemon

FROM eclipse-temurin:17-jre
WORKDIR /home/gradle/project
COPY --from=builder /home/gradle/project/build/libs/app.jar /home/gradle/project/app.jar
EXPOSE 8080
CMD ["java", "-Xmx256m", "-jar", "/home/gradle/project/app.jar"]
