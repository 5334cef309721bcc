FROM rust:1.79-slim-bookworm AS builder

WORKDIR /app

# dummy main.rs just to install deps
RUN mkdir src && \
    echo 'fn main() { panic!("Dummy Image Called!")}' > ./src/main.rs
COPY ./Cargo.toml ./Cargo.lock ./
RUN rustup target add x86_64-unknown-linux-musl && cargo build --release --target x86_64-unknown-linux-musl
RUN rm -rf src

COPY ./ ./

RUN cargo build --release --target x86_64-unknown-linux-musl
ENV ROCKET_PROFILE=release

FROM scratch
ENV ROCKET_PROFILE=release
WORKDIR /app
COPY --from=builder /app/target/x86_64-unknown-linux-musl/release/quotes /app/target/x86_64-unknown-linux-musl/release/quotes
COPY --from=builder /app/static /app/static
COPY --from=builder /app/Rocket.toml /app/Rocket.toml
EXPOSE 8000
CMD ["/app/target/x86_64-unknown-linux-musl/release/quotes"]
