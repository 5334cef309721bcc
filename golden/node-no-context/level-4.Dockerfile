FROM node:20-slim AS builder
WORKDIR /usr/src/app
COPY package*.json ./
RUN npm install
COPY . .

FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /usr/src/app
COPY --chown=nonroot:nonroot --from=builder /usr/src/app /usr/src/app
EXPOSE 8080
CMD ["server.js"]
