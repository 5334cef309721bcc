FROM rust:1.79-bookworm

WORKDIR /app

# dummy main.rs just to install deps
RUN mkdir src && \
    echo 'fn main() { panic!("Dummy Image Called!")}' > ./src/main.rs
COPY ./Cargo.toml ./Cargo.lock ./
RUN cargo build --release
RUN rm -rf src

COPY ./ ./

RUN cargo build --release
ENV ROCKET_PROFILE=release
EXPOSE 8000
CMD ["cargo", "run", "--release"]
