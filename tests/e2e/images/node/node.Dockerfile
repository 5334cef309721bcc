# dfslim e2e stand-in for node:<v>(-bookworm) and node:<v>(-bookworm)-slim, shaped like
# nodejs/docker-node 20/bookworm/Dockerfile (BASE=buildpack-deps:bookworm) and
# 20/bookworm-slim/Dockerfile (BASE=debian:bookworm-slim). The context is assembled by
# tests/e2e/images/node.sh: node/ is the official tarball's layout (installed under
# /usr/local as the real images do), yarn/ is yarn classic's release tarball.
ARG BASE=buildpack-deps:bookworm
FROM ${BASE}

RUN groupadd --gid 1000 node \
  && useradd --uid 1000 --gid node --shell /bin/bash --create-home node

ARG NODE_VERSION
ENV NODE_VERSION=${NODE_VERSION}

COPY node/ /usr/local/
RUN ln -s /usr/local/bin/node /usr/local/bin/nodejs \
  # smoke tests
  && node --version \
  && npm --version \
  && rm -rf /tmp/*

ARG YARN_VERSION
ENV YARN_VERSION=${YARN_VERSION}

COPY yarn/ /opt/yarn-v${YARN_VERSION}/
RUN ln -s /opt/yarn-v$YARN_VERSION/bin/yarn /usr/local/bin/yarn \
  && ln -s /opt/yarn-v$YARN_VERSION/bin/yarnpkg /usr/local/bin/yarnpkg \
  # smoke test
  && yarn --version \
  && rm -rf /tmp/*

# Not in the real images: the e2e network reaches no registry but the machine's
# mirror (tests/e2e/mirror.sh), so the package managers are pointed at it. The
# registry the machine reaches serves no npm signatures, so corepack's check of
# them is off (COREPACK_INTEGRITY_KEYS=0); the tarball integrity is still checked.
ARG MIRROR
ENV NPM_CONFIG_REGISTRY=${MIRROR}/npm/ \
    YARN_REGISTRY=${MIRROR}/npm/ \
    COREPACK_NPM_REGISTRY=${MIRROR}/npm \
    COREPACK_INTEGRITY_KEYS=0 \
    NODEJS_ORG_MIRROR=${MIRROR}/nodejs/dist

COPY docker-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["docker-entrypoint.sh"]

CMD [ "node" ]
