FROM golang:1.21
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
ENV CGO_ENABLED=1
RUN go build -o /app/notes .
EXPOSE 8081
CMD ["/app/notes"]
