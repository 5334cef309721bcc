# A small HTTP service, built the way the Rust book's Docker post does it.
FROM rust:1.80-slim AS builder

WORKDIR /usr/src/app
COPY . .

ENV CARGO_PROFILE_RELEASE_STRIP=symbols
RUN rustup target add x86_64-unknown-linux-musl && cargo build --release --target x86_64-unknown-linux-musl

FROM scratch
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app/target/x86_64-unknown-linux-musl/release/tiny-api /usr/src/app/target/x86_64-unknown-linux-musl/release/tiny-api
EXPOSE 8080
CMD ["/usr/src/app/target/x86_64-unknown-linux-musl/release/tiny-api"]
