FROM node:22-bookworm-slim AS builder
WORKDIR /repo
RUN corepack enable
COPY . .
RUN pnpm install --frozen-lockfile && pnpm --filter api build

FROM node:22-bookworm-slim
WORKDIR /repo
COPY --from=builder /repo /repo
EXPOSE 4000
CMD ["node", "packages/api/dist/server.js"]
