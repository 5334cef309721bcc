FROM golang:1.30
RUN apt-get update && apt-get install -y --no-install-recommends libfoo-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN go build -o /app/app .
CMD ["/app/app"]
