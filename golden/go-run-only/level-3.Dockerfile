FROM golang:1.22-alpine AS builder
WORKDIR /srv/echo
COPY . .
ENV PORT=7070
ENV CGO_ENABLED=0
RUN go build -o /srv/echo/echo .

FROM alpine:3.22
ENV PORT=7070
WORKDIR /srv/echo
COPY --from=builder /srv/echo/echo /srv/echo/echo
EXPOSE 7070
CMD ["/srv/echo/echo"]
