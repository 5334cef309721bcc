# Stand-in for gcr.io/distroless/python3-debian12 (and :nonroot), built by
# tests/e2e/images/python.sh the way GoogleContainerTools/distroless built it
# (python3/config.bzl + python.bzl before its removal in May 2026): the cc-debian12
# image + these Debian packages unpacked without maintainer scripts (so no .pyc,
# no ensurepip, no pip, no venv module's ensurepip), + /usr/bin/python and
# /usr/bin/python3 -> /usr/bin/python3.11, ENV LANG=C.UTF-8,
# ENTRYPOINT ["/usr/bin/python3.11"]. No shell (cc-debian12 has none).
ARG BASE=gcr.io/distroless/cc-debian12:latest

FROM debian:bookworm-slim AS debs
RUN set -eux; \
	apt-get update; \
	mkdir -p /debs /rootfs/var/lib/dpkg/status.d /rootfs/usr/bin; \
	cd /debs; \
	apt-get download \
		libbz2-1.0 libdb5.3 libexpat1 liblzma5 libsqlite3-0 libuuid1 libncursesw6 \
		libtinfo6 python3-distutils zlib1g libcom-err2 libcrypt1 libgssapi-krb5-2 \
		libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libnsl2 libreadline8 \
		libtirpc3 libffi8 libpython3.11-minimal libpython3.11-stdlib python3.11-minimal; \
	for deb in *.deb; do \
		pkg="$(dpkg-deb -f "$deb" Package)"; \
		dpkg-deb -x "$deb" /rootfs; \
		dpkg-deb -f "$deb" > "/rootfs/var/lib/dpkg/status.d/$pkg"; \
		dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./md5sums > "/rootfs/var/lib/dpkg/status.d/$pkg.md5sums" 2>/dev/null || true; \
	done; \
	ln -s /usr/bin/python3.11 /rootfs/usr/bin/python; \
	ln -s /usr/bin/python3.11 /rootfs/usr/bin/python3; \
	rm -rf /var/lib/apt/lists/*

FROM ${BASE}
COPY --from=debs /rootfs/ /
ENV LANG=C.UTF-8
ENTRYPOINT ["/usr/bin/python3.11"]
