FROM node:22-bookworm-slim AS builder
WORKDIR /repo
RUN corepack enable
COPY . .
RUN pnpm install --frozen-lockfile && pnpm --filter api build
RUN pnpm prune --prod

FROM gcr.io/distroless/nodejs22-debian12:nonroot
WORKDIR /repo
COPY --chown=nonroot:nonroot --from=builder /repo /repo
EXPOSE 4000
CMD ["packages/api/dist/server.js"]
