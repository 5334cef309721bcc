FROM golang:1.20-alpine
WORKDIR /go/src/tools
COPY . .
RUN go install ./cmd/api
EXPOSE 8000
CMD ["api"]
