FROM golang:1.22-bookworm AS build
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go build -o /out/worker ./cmd/worker

FROM debian:bookworm-slim
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates tzdata libc6; \
    rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 worker && \
    useradd --uid 10001 --gid worker --create-home --shell /usr/sbin/nologin worker
COPY --from=build --chown=worker:worker /out/worker /usr/local/bin/worker
USER worker
ENTRYPOINT ["/usr/local/bin/worker"]
