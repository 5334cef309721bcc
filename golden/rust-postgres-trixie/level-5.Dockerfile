FROM rust AS builder

COPY . .

ENV CARGO_PROFILE_RELEASE_STRIP=symbols
RUN cargo build --release

FROM debian:trixie-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libpq5 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /target/release/api /target/release/api
EXPOSE 80
CMD ["/target/release/api", "--port", "80"]
