FROM node:20
WORKDIR /app
COPY . .
RUN npm ci
EXPOSE 80
HEALTHCHECK CMD curl -f http://localhost/health || exit 1
CMD ["node", "server.js"]
