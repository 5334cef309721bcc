# A small HTTP service, built the way the Rust book's Docker post does it.
FROM rust:1.80-slim AS builder

WORKDIR /usr/src/app
COPY . .

RUN cargo build --release

FROM debian:bookworm-slim
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app/target/release/tiny-api /usr/src/app/target/release/tiny-api
EXPOSE 8080
CMD ["/usr/src/app/target/release/tiny-api"]
