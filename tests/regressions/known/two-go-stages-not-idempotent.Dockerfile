FROM golang:1.21
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /app .
CMD ["/app"]
FROM golang:${GO_VERSION}
ENTRYPOINT ./app
CMD ["go", "run", "./cmd/main.go"]
\RUN <<EOF
set -e
go build -o /app .
EOF