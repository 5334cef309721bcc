FROM ubuntu:22.04
# Lists downloaded here are read by the next RUN: they cannot go.
RUN apt-get update
RUN apt-get install -y openjdk-17-jre-headless
# Every package pinned: ca-certificates cannot be added unpinned.
RUN apt-get update && apt-get install -y curl=7.81.0-1ubuntu1.20 && rm -rf /var/lib/apt/lists/*
# apt's files live in cache mounts: nothing of them reaches the layer.
RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt \
    apt-get update && apt-get install -y wget
CMD ["java", "-version"]
