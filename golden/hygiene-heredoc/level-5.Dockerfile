FROM debian:bookworm-slim
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends curl ca-certificates
rm -rf /var/lib/apt/lists/*
EOF
RUN <<EOF
  apt-get update
  apt-get install -y --no-install-recommends wget ca-certificates && rm -rf /var/lib/apt/lists/*
  # done
EOF
RUN apt-get update; \
	apt-get install -y --no-install-recommends python3-pip build-essential python3-dev && \
	rm -rf /var/lib/apt/lists/*;
CMD ["bash"]
