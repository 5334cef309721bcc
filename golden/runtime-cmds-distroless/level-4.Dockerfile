FROM golang:1.22-alpine AS build

WORKDIR /src
COPY go.mod ./
ENV CGO_ENABLED=0
RUN go mod download
COPY . .
RUN go build -o /out/app ./cmd/server

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /

COPY --from=build /out/app /usr/local/bin/app

USER 65532:65532
EXPOSE 8095
ENTRYPOINT ["/usr/local/bin/app"]
