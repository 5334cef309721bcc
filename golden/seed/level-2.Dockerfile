# A shop service, built the way the first tutorial said.
FROM golang:1.16-alpine AS builder

COPY . /$GOPATH/src/shop/
WORKDIR /$GOPATH/src/shop/

RUN go env -w GO111MODULE=on
RUN go mod download

RUN go build ./cmd/server.go

FROM alpine:3.22
WORKDIR /go/src/shop
COPY --from=builder /go/src/shop/server /go/src/shop/server
EXPOSE 8080
CMD ["/go/src/shop/server"]
