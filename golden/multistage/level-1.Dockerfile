# syntax=docker/dockerfile:1
FROM golang:1.21.5-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -o /out/api ./cmd/api

FROM debian:bookworm-slim
COPY --from=build /out/api /usr/local/bin/api
USER 65534:65534
EXPOSE 9000
ENTRYPOINT ["/usr/local/bin/api"]
CMD ["--listen", ":9000"]
