FROM rust:1.80-slim AS builder

WORKDIR /usr/src/app
COPY . .

RUN rustup target add x86_64-unknown-linux-musl && cargo build --release -p ws-server --target x86_64-unknown-linux-musl

FROM scratch
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app/target/x86_64-unknown-linux-musl/release/server /usr/src/app/target/x86_64-unknown-linux-musl/release/server
EXPOSE 8082
CMD ["/usr/src/app/target/x86_64-unknown-linux-musl/release/server"]
