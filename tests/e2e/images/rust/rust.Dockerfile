# The dfslim e2e stand-in for rust:<v> (BASE=buildpack-deps:bookworm) and rust:<v>-slim
# (BASE=debian:bookworm-slim, APT_PACKAGES="ca-certificates gcc libc6-dev"), after
# rust-lang/docker-rust stable/bookworm{,/slim}/Dockerfile. The context (made by
# images/rust.sh) holds rustup/ and cargo/ as `rustup-init --profile minimal` leaves them,
# plus cargo/config.toml pointing crates.io at the e2e mirror.
ARG BASE=debian:bookworm-slim
FROM $BASE

LABEL org.opencontainers.image.source=https://github.com/rust-lang/docker-rust

ARG RUST_VERSION
ARG MIRROR
ARG APT_PACKAGES=""
ENV RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:$PATH \
    RUST_VERSION=$RUST_VERSION \
    RUSTUP_DIST_SERVER=$MIRROR/rustup

RUN set -eux; \
    if [ -n "$APT_PACKAGES" ]; then \
        apt-get update; \
        apt-get install -y --no-install-recommends $APT_PACKAGES; \
        rm -rf /var/lib/apt/lists/*; \
    fi

COPY rustup /usr/local/rustup
COPY cargo /usr/local/cargo
# `chmod -R a+w $RUSTUP_HOME $CARGO_HOME` as in the real image (COPY made the two
# directories 0755; what is inside is writable already).
RUN chmod a+w /usr/local/rustup /usr/local/cargo
