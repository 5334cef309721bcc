FROM golang:1.22-alpine AS build
RUN apk add --no-cache gcc musl-dev sqlite-dev
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -o /out/app .

FROM alpine:3.20
RUN apk add --no-cache sqlite-libs
COPY --from=build /out/app /app
CMD ["/app"]
