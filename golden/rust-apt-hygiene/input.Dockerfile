FROM rust:1.80
RUN apt-get update && \
    apt-get install -y pkg-config libssl-dev
WORKDIR /usr/src/app
COPY . .
RUN cargo build --release
EXPOSE 8081
CMD ["./target/release/tls-probe"]
