FROM golang:
WORKDIR `
CMD ./2
RUN go build