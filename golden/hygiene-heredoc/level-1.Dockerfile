FROM debian:bookworm-slim
RUN <<EOF
set -eux
apt-get update
apt-get install -y curl
rm -rf /var/lib/apt/lists/*
EOF
RUN <<EOF
  apt-get update
  apt-get install -y wget && rm -rf /var/lib/apt/lists/*
  # done
EOF
RUN apt-get update; \
	apt-get install -y python3-pip && \
	rm -rf /var/lib/apt/lists/*;
CMD ["bash"]
