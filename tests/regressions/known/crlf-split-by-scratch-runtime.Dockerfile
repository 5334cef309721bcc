FROM golang:1.21
WORKDIR /src
RUN go build -o /app .
CMD ["go", "run", "./main.go"]
# dfslim: ignore=strip-flags
USER nobody
