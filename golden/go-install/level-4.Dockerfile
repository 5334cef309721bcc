FROM golang:1.20-alpine AS builder
WORKDIR /go/src/tools
COPY . .
ENV CGO_ENABLED=0
RUN go install ./cmd/api

FROM scratch
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
WORKDIR /go/src/tools
COPY --from=builder /go/bin/api /go/bin/api
EXPOSE 8000
CMD ["/go/bin/api"]
