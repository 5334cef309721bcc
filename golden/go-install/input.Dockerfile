FROM golang:1.20
WORKDIR /go/src/tools
COPY . .
RUN go install ./cmd/api
EXPOSE 8000
CMD ["api"]
