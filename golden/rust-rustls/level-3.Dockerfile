FROM rust:1.82-slim-bookworm AS builder

WORKDIR /srv
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked

ENV RUST_LOG=info CARGO_INCREMENTAL=0

FROM debian:bookworm-slim
ENV RUST_LOG=info
WORKDIR /srv
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=builder /srv/target/release/fetcher /srv/target/release/fetcher
EXPOSE 443
CMD ["/srv/target/release/fetcher"]
