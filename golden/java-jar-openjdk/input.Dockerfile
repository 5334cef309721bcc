# Shape (b): a jar built on the machine, run by the deprecated openjdk image.
FROM openjdk:17
COPY target/*.jar app.jar
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app.jar"]
