FROM golang:1.21 AS builder
RUN apt-get update && apt-get install -y git
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go build -ldflags="-s -w" -o /app .

FROM scratch
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
WORKDIR /src
COPY --from=builder /app /app
EXPOSE 8080
CMD ["/app"]
