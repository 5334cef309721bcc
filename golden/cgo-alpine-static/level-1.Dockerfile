FROM golang:1.22-alpine AS build
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -ldflags "-X main.version=1.0" -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
CMD ["/app"]
