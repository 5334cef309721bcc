ARG GO_VERSION=1.22
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /build
COPY . .
ENV CGO_ENABLED=0
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -o app .

FROM gcr.io/distroless/base-debian12
COPY --from=build /build/app /app
CMD ["/app"]
