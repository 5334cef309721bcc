# Shape (a): Maven builds the jar inside the image, and the image runs it.
FROM maven:3.9-eclipse-temurin-17
WORKDIR /app
COPY . .
RUN mvn package
EXPOSE 8080
# -Xmx256m must survive every level.
CMD ["java", "-Xmx256m", "-jar", "target/hello-service-1.0.0.jar"]
