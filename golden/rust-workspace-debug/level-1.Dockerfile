FROM rust:1.80-slim

WORKDIR /usr/src/app
COPY . .

RUN cargo build -p ws-server

EXPOSE 8082
CMD ["./target/debug/server"]
