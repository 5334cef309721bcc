# The shipped stage is picked by BuildKit's platform args (docker/buildx's shape).
FROM golang:1.22-alpine AS build
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go build -o /usr/bin/tool ./cmd/tool

FROM alpine:3.20 AS bin-unix
COPY --from=build /usr/bin/tool /usr/local/bin/tool
ENTRYPOINT ["tool"]

FROM bin-unix AS bin-linux
FROM bin-unix AS bin-darwin

FROM scratch AS bin-windows
COPY --from=build /usr/bin/tool /tool.exe

FROM bin-$TARGETOS
