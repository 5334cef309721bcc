FROM node:18 AS builder
WORKDIR /srv
COPY . .
RUN npm ci --omit=dev

FROM gcr.io/distroless/nodejs18-debian12:nonroot
WORKDIR /srv
COPY --from=builder /srv /srv
USER 1000:1000
EXPOSE 8000
CMD ["index.js"]
