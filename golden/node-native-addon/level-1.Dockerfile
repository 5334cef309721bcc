FROM node:18
WORKDIR /srv
COPY . .
RUN npm ci && npm cache clean --force
USER node
EXPOSE 8000
CMD ["node", "index.js"]
