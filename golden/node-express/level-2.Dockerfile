# An Express API, the way the tutorial writes it.
FROM node:20-slim AS builder

WORKDIR /usr/src/app

COPY package*.json ./
RUN npm install

COPY . .

ENV PORT=3000

FROM node:20-slim
ENV PORT=3000
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app /usr/src/app
EXPOSE 3000
CMD ["node", "server.js"]
