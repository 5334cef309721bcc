# Windows editors write CRLF.
FROM golang:1.19 as compile

WORKDIR /app
# sources
COPY . .
RUN go vet ./... && \
    # build it
    go build -o hello .

from alpine:3.18
copy --from=compile /app/hello /hello
cmd ["/hello"]
