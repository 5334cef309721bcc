FROM rust:1.37.0-slim AS builder

WORKDIR /usr/src/myapp
COPY . .

RUN cargo install --path .

FROM debian:buster-slim
WORKDIR /usr/src/myapp
COPY --from=builder /usr/local/cargo/bin/myapp /usr/local/cargo/bin/myapp
CMD ["/usr/local/cargo/bin/myapp"]
