FROM e as scratch
RUN go build
FROM alpine
RUN go build
CMD /c