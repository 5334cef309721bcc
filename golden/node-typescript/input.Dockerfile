FROM node:20.11.1-bookworm
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci
COPY src ./src
RUN npm run build \
    && echo built
ENV NODE_ENV=production
EXPOSE 8080
CMD npm run start
