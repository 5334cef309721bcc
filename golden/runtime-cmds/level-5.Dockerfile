FROM golang:1.22-alpine AS build
RUN mkdir -p /rootfs/etc /rootfs/home/app && \
    printf '%s\n' 'app:x:100:101:Linux User,,,:/home/app:/sbin/nologin' > /rootfs/etc/passwd && \
    printf '%s\n' 'app:x:101:app' > /rootfs/etc/group

WORKDIR /src
COPY go.mod ./
ENV CGO_ENABLED=0
RUN go mod download
COPY . .
RUN go build -ldflags="-s -w" -tags=timetzdata -o /out/app ./cmd/server

FROM scratch

COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /rootfs/etc/passwd /rootfs/etc/group /etc/
COPY --from=build --chown=100:101 /rootfs/home/app /home/app

COPY --from=build /out/app /usr/local/bin/app

USER 100:101
EXPOSE 8095
ENTRYPOINT ["/usr/local/bin/app"]
