FROM gcr.io/distroless/
WORKDIR / .
RUN go build
CMD ./h