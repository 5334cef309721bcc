# The runtime image is a build arg; its default is a base dfslim replaces.
ARG APP_IMAGE=ubuntu:22.04

FROM golang:1.22-alpine AS build
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go build -o /out/server ./cmd/server

# Deploy
FROM $APP_IMAGE
WORKDIR /srv
COPY --from=build /out/server /srv/server
CMD ["./server"]
