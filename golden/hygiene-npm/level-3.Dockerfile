FROM node:20 AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-slim
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev && npm cache clean --force
RUN yarn global add pm2 \
  && pm2 --version \
  && yarn cache clean
RUN ["npm", "install", "-g", "serve"]
RUN --mount=type=cache,target=/root/.npm npm install -g typescript
COPY --from=build /app/dist ./dist
CMD ["pm2-runtime", "dist/index.js"]
