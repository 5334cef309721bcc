FROM alpine:3.20
RUN apk update && apk add ca-certificates tzdata
RUN apk update \
    && apk add --virtual .build-deps gcc musl-dev \
    && apk del .build-deps
# One command next to one command: apk update stays, its index goes.
RUN apk add --no-cache curl
RUN apk update && apk add --no-cache jq
RUN apk update
RUN apk --update add bash && rm -rf /var/cache/apk/*
CMD ["sh"]
