# A Go server on Debian with curl for its health check.
FROM golang:1.22 AS build
# The builder's layers never ship: left as is.
RUN apt-get update && apt-get install -y libsqlite3-dev
WORKDIR /src
COPY . .
RUN go build -ldflags="-s -w" -o /out/server .

FROM debian:bookworm
RUN apt-get update && \
    apt-get install -y --no-install-recommends \
      ca-certificates \
      curl \
      libsqlite3-0 \
      tzdata && \
    rm -rf /var/lib/apt/lists/*
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/server /usr/local/bin/server
HEALTHCHECK CMD curl -f http://localhost:8096/health || exit 1
CMD ["server"]
