# The runtime image is a build arg; its default is a base dfslim replaces.
ARG APP_IMAGE=scratch

FROM golang:1.22-alpine AS build
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go build -ldflags="-s -w" -o /out/server ./cmd/server

# Deploy
FROM $APP_IMAGE
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
WORKDIR /srv
COPY --from=build /out/server /srv/server
CMD ["./server"]
