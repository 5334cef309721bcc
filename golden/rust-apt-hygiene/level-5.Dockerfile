FROM rust:1.80-slim AS builder
RUN apt-get update && \
    apt-get install -y pkg-config libssl-dev
WORKDIR /usr/src/app
COPY . .
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
RUN cargo build --release

FROM gcr.io/distroless/cc-debian12:nonroot
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app/target/release/tls-probe /usr/src/app/target/release/tls-probe
EXPOSE 8081
CMD ["/usr/src/app/target/release/tls-probe"]
