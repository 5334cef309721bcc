FROM golang:1.21 AS builder
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
ENV CGO_ENABLED=1
RUN go build -o /app/notes .

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
WORKDIR /app
COPY --from=builder /app/notes /app/notes
EXPOSE 8081
CMD ["/app/notes"]
