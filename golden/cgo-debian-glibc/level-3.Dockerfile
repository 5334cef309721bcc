# cgo calling glibc only: the runtime keeps glibc (debian-slim, then distroless base).
FROM golang:1.22 AS builder

WORKDIR /app
COPY . .

RUN go build -o app .

FROM debian:bookworm-slim
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
WORKDIR /app
COPY --from=builder /app/app /app/app
EXPOSE 8093
CMD ["/app/app"]
