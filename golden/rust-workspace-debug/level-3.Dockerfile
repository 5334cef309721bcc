FROM rust:1.80-slim AS builder

WORKDIR /usr/src/app
COPY . .

RUN cargo build --release -p ws-server

FROM debian:bookworm-slim
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app/target/release/server /usr/src/app/target/release/server
EXPOSE 8082
CMD ["/usr/src/app/target/release/server"]
