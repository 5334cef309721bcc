# A shop service, built the way the first tutorial said.
FROM golang:1.16-alpine

COPY . /$GOPATH/src/shop/
WORKDIR /$GOPATH/src/shop/

RUN go env -w GO111MODULE=on
RUN go mod download

RUN go build ./cmd/server.go

EXPOSE 8080
CMD ["go","run","./cmd/server.go"]
