FROM golang:1.22-bookworm AS build
RUN mkdir -p /rootfs/etc /rootfs/home/worker && \
    printf '%s\n' 'worker:x:10001:10001::/home/worker:/usr/sbin/nologin' > /rootfs/etc/passwd && \
    printf '%s\n' 'worker:x:10001:' > /rootfs/etc/group
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go build -tags=timetzdata -o /out/worker ./cmd/worker

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /rootfs/etc/passwd /rootfs/etc/group /etc/
COPY --from=build --chown=10001:10001 /rootfs/home/worker /home/worker
COPY --from=build --chown=10001:10001 /out/worker /usr/local/bin/worker
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/worker"]
