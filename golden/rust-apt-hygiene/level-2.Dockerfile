FROM rust:1.80-slim AS builder
RUN apt-get update && \
    apt-get install -y pkg-config libssl-dev
WORKDIR /usr/src/app
COPY . .
RUN cargo build --release

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 && rm -rf /var/lib/apt/lists/*
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app/target/release/tls-probe /usr/src/app/target/release/tls-probe
EXPOSE 8081
CMD ["/usr/src/app/target/release/tls-probe"]
