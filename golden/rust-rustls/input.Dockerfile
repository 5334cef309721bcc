FROM rust:1.82-slim-bookworm

WORKDIR /srv
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked

EXPOSE 443
ENV RUST_LOG=info CARGO_INCREMENTAL=0
CMD ["/srv/target/release/fetcher"]
