FROM o
RUN go build
CMD /h
R\