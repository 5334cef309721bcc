FROM rust:1.80 AS builder
WORKDIR /usr/src/app
COPY . .
# native-tls: OpenSSL through openssl-sys (pkg-config + libssl-dev in the full image)
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
RUN cargo build --release

FROM gcr.io/distroless/cc-debian12:nonroot
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app/target/release/tls-probe /usr/src/app/target/release/tls-probe
EXPOSE 8081
CMD ["/usr/src/app/target/release/tls-probe"]
