# Windows editors write CRLF.
FROM golang:1.19-alpine as compile

WORKDIR /app
# sources
COPY . .
ENV CGO_ENABLED=0
RUN go vet ./... && \
    # build it
    go build -ldflags="-s -w" -o hello .

from scratch
copy --from=compile /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
copy --from=compile /app/hello /hello
cmd ["/hello"]
