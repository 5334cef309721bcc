FROM golang:1.22-bookworm AS builder

# SQLite from Debian, linked through cgo.
RUN apt-get update && apt-get install -y libsqlite3-dev

WORKDIR /app
COPY . .

RUN go build -ldflags="-s -w" -o app .

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
WORKDIR /app
COPY --from=builder /app/app /app/app
EXPOSE 8094
CMD ["/app/app"]
