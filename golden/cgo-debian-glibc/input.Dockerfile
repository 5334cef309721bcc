# cgo calling glibc only: the runtime keeps glibc (debian-slim, then distroless base).
FROM golang:1.22

WORKDIR /app
COPY . .

RUN go build -o app .

EXPOSE 8093
CMD ["./app"]
