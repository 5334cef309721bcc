# syntax=docker/dockerfile:1
FROM golang:1.21-alpine AS builder
WORKDIR /build
COPY go.mod ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /bin/api .

FROM alpine:3.19
# tini reaps zombies and forwards signals; wget serves the health check
RUN apk add --no-cache tini wget ca-certificates
COPY --from=builder /bin/api /usr/local/bin/api
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s \
    CMD wget -qO- http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["api", "serve"]
