FROM golang:1.20-alpine AS builder
WORKDIR /go/src/tools
COPY . .
RUN go install ./cmd/api

FROM alpine:3.22
WORKDIR /go/src/tools
COPY --from=builder /go/bin/api /go/bin/api
EXPOSE 8000
CMD ["/go/bin/api"]
