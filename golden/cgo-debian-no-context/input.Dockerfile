FROM golang:1.22

WORKDIR /app
COPY go.mod go.sum ./
RUN go mod download
COPY . .

# cgo needs gcc (the golang image has it already)
RUN apt-get update && apt-get install -y gcc
RUN CGO_ENABLED=1 GOOS=linux go build -o main

EXPOSE 8080
CMD ["/app/main"]
