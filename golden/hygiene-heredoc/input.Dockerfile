FROM debian:bookworm-slim
RUN <<EOF
set -eux
apt-get update
apt-get install -y curl
EOF
RUN <<EOF
  apt-get update
  apt-get install -y wget
  # done
EOF
RUN apt-get update; \
	apt-get install -y python3-pip;
CMD ["bash"]
