FROM golang:1.22-bookworm AS builder
RUN apt-get update && apt-get install -y --no-install-recommends libfoo-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN go build -ldflags="-s -w" -o /app/app .
CMD ["/app/app"]
