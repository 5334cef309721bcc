FROM maven:3.8.5-openjdk-17 AS builder
WORKDIR /app
COPY . .
RUN mvn clean install -DskipTests

FROM gcr.io/distroless/java17-debian12:nonroot
WORKDIR /app
COPY --chown=nonroot:nonroot --from=builder /app/target/demo-0.0.1-SNAPSHOT.jar /app/demo-0.0.1-SNAPSHOT.jar
COPY --chown=nonroot:nonroot --from=builder /app/application.properties /app/application.properties
COPY --chown=nonroot:nonroot --from=builder /app/config /app/config
EXPOSE 8080
CMD ["/app/demo-0.0.1-SNAPSHOT.jar"]
