# Shape (b): a jar built on the machine, run by the deprecated openjdk image.
FROM eclipse-temurin:17-jre
COPY target/*.jar app.jar
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app.jar"]
