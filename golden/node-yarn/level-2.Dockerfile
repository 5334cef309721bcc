FROM node:lts-slim AS builder
WORKDIR /home/node/app
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile
COPY . .

FROM node:lts-slim
WORKDIR /home/node/app
COPY --from=builder /home/node/app /home/node/app
EXPOSE 3000
CMD ["node", "src/main.js", "--port", "3000"]
