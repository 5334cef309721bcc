FROM golang:1.22-bookworm

# SQLite from Debian, linked through cgo.
RUN apt-get update && apt-get install -y libsqlite3-dev

WORKDIR /app
COPY . .

RUN go build -o app .

EXPOSE 8094
CMD ["./app"]
