FROM golang:1.21
WORKDIR /app
RUN go build -o /app .
CMD /app
ENTRYPOINT ./app
