FROM golang:1.22-alpine
WORKDIR /srv/echo
COPY . .
ENV PORT=7070
EXPOSE 7070
CMD go run .
