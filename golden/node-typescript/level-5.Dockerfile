FROM node:20.11.1-bookworm-slim AS builder
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci
COPY src ./src
RUN npm run build \
    && echo built
RUN npm prune --omit=dev
ENV NODE_ENV=production

FROM gcr.io/distroless/nodejs20-debian12:nonroot
ENV NODE_ENV=production
WORKDIR /app
COPY --chown=nonroot:nonroot --from=builder /app /app
EXPOSE 8080
CMD ["dist/index.js"]
