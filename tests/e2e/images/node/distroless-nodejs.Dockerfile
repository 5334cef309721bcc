# dfslim e2e stand-in for gcr.io/distroless/nodejs<major>-debian12(:<variant>), as
# GoogleContainerTools/distroless nodejs/nodejs.bzl builds it: the cc image of the
# same variant plus the official node binary and its LICENSE under /nodejs, and
# ENTRYPOINT ["/nodejs/bin/node"]. No npm, npx, corepack; no shell (but in :debug).
ARG BASE=gcr.io/distroless/cc-debian12:latest
FROM ${BASE}
COPY node /nodejs/bin/node
COPY LICENSE /nodejs/LICENSE
ENTRYPOINT ["/nodejs/bin/node"]
