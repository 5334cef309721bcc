FROM golang:1.21 AS builder
RUN apt-get update && apt-get install -y git
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go build -o /app .

FROM alpine:3.22
WORKDIR /src
COPY --from=builder /app /app
EXPOSE 8080
CMD ["/app"]
