# A small HTTP service, built the way the Rust book's Docker post does it.
FROM rust:1.80

WORKDIR /usr/src/app
COPY . .

RUN cargo build --release

EXPOSE 8080
CMD ["./target/release/tiny-api"]
