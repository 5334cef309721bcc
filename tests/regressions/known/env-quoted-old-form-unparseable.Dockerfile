FROM g
ENV " b "
RUN go build
CMD /