# An Express API, the way the tutorial writes it.
FROM node:20-slim AS builder

WORKDIR /usr/src/app

COPY package*.json ./
RUN npm ci --omit=dev

COPY . .

ENV PORT=3000

FROM gcr.io/distroless/nodejs20-debian12:nonroot
ENV PORT=3000
WORKDIR /usr/src/app
COPY --chown=nonroot:nonroot --from=builder /usr/src/app /usr/src/app
EXPOSE 3000
CMD ["server.js"]
