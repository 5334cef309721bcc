FROM rust

COPY . .

EXPOSE 80

RUN cargo build --release

CMD ./target/release/api --port 80
