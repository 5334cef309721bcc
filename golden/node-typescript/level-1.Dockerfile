FROM node:20.11.1-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci && npm cache clean --force
COPY src ./src
RUN npm run build \
    && echo built
ENV NODE_ENV=production
EXPOSE 8080
CMD npm run start
