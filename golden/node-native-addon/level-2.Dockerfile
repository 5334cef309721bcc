FROM node:18 AS builder
WORKDIR /srv
COPY . .
RUN npm ci

FROM node:18-slim
WORKDIR /srv
COPY --from=builder /srv /srv
USER node
EXPOSE 8000
CMD ["node", "index.js"]
