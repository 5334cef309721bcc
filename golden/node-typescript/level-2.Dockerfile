FROM node:20.11.1-bookworm-slim AS builder
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci
COPY src ./src
RUN npm run build \
    && echo built
ENV NODE_ENV=production

FROM node:20.11.1-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=builder /app /app
EXPOSE 8080
CMD ["node", "dist/index.js"]
