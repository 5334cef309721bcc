FROM rust:1.79-slim-bookworm AS builder

WORKDIR /app

# dummy main.rs just to install deps
RUN mkdir src && \
    echo 'fn main() { panic!("Dummy Image Called!")}' > ./src/main.rs
COPY ./Cargo.toml ./Cargo.lock ./
RUN cargo build --release
RUN rm -rf src

COPY ./ ./

RUN cargo build --release
ENV ROCKET_PROFILE=release

FROM debian:bookworm-slim
ENV ROCKET_PROFILE=release
WORKDIR /app
COPY --from=builder /app/target/release/quotes /app/target/release/quotes
COPY --from=builder /app/static /app/static
COPY --from=builder /app/Rocket.toml /app/Rocket.toml
EXPOSE 8000
CMD ["/app/target/release/quotes"]
