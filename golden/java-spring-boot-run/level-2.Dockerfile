FROM maven:3.8.5-openjdk-17 AS builder
WORKDIR /app
COPY . .
RUN mvn clean install -DskipTests

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=builder /app/target/demo-0.0.1-SNAPSHOT.jar /app/demo-0.0.1-SNAPSHOT.jar
COPY --from=builder /app/application.properties /app/application.properties
COPY --from=builder /app/config /app/config
EXPOSE 8080
CMD ["java", "-jar", "/app/demo-0.0.1-SNAPSHOT.jar"]
