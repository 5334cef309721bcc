# Shape (a): Maven builds the jar inside the image, and the image runs it.
FROM maven:3.9-eclipse-temurin-17 AS builder
WORKDIR /app
COPY . .
RUN mvn package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=builder /app/target/hello-service-1.0.0.jar /app/hello-service-1.0.0.jar
EXPOSE 8080
# -Xmx256m must survive every level.
CMD ["java", "-Xmx256m", "-jar", "/app/hello-service-1.0.0.jar"]
