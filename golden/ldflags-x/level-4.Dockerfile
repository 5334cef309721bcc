FROM golang:1.22-alpine3.19 AS builder
ARG VERSION=dev
WORKDIR /app
COPY . .
ENV CGO_ENABLED=0
RUN go build \
    -ldflags "-X main.version=${VERSION}" \
    -o /app/bin/server \
    ./cmd/server

FROM scratch
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=builder /app/bin/server /server
ENTRYPOINT ["/server"]
