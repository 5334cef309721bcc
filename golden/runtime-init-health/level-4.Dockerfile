# syntax=docker/dockerfile:1
FROM golang:1.21-alpine AS builder
RUN apk add --no-cache tini-static
WORKDIR /build
COPY go.mod ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /bin/api .

FROM scratch
# tini reaps zombies and forwards signals; wget serves the health check
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=builder /sbin/tini-static /sbin/tini
COPY --from=builder /bin/api /usr/local/bin/api
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s \
    CMD ["/usr/local/bin/api", "healthcheck"]
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["api", "serve"]
