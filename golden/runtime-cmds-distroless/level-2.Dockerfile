FROM golang:1.22-alpine AS build

WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
RUN go build -o /out/app ./cmd/server

FROM alpine:3.20

RUN apk add --no-cache ca-certificates tzdata && \
    addgroup -S app && adduser -S -G app app

COPY --from=build /out/app /usr/local/bin/app
RUN chmod +x /usr/local/bin/app

USER app
EXPOSE 8095
ENTRYPOINT ["/usr/local/bin/app"]
