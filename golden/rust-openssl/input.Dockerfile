FROM rust:1.80
WORKDIR /usr/src/app
COPY . .
# native-tls: OpenSSL through openssl-sys (pkg-config + libssl-dev in the full image)
RUN cargo build --release
EXPOSE 8081
CMD ["./target/release/tls-probe"]
