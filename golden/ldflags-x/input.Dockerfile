FROM golang:1.22-alpine3.19 AS builder
ARG VERSION=dev
WORKDIR /app
COPY . .
RUN go build \
    -ldflags "-X main.version=${VERSION}" \
    -o /app/bin/server \
    ./cmd/server

FROM alpine:3.19
COPY --from=builder /app/bin/server /server
ENTRYPOINT ["/server"]
