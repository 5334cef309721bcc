FROM node:22-bookworm
WORKDIR /repo
RUN corepack enable
COPY . .
RUN pnpm install --frozen-lockfile && pnpm --filter api build
EXPOSE 4000
CMD ["pnpm", "start"]
