FROM node:20
WORKDIR /app
COPY . .
RUN npm ci && npm cache clean --force
EXPOSE 80
HEALTHCHECK CMD curl -f http://localhost/health || exit 1
CMD ["node", "server.js"]
