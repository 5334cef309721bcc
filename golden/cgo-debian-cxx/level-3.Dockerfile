FROM golang:1.21 AS build
RUN apt-get update && apt-get install -y --no-install-recommends g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -o /out/server ./cmd/server

FROM debian:bookworm-slim
COPY --from=build /out/server /usr/local/bin/server
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/server"]
