FROM python:3.12.1-alpine3.19@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN apk add --no-cache libpq=16.1-r0 \
 && pip install --no-cache-dir flask==3.0.0 "requests>=2.31,<3" -r requirements.txt \
 && pip install --upgrade pip
USER 10001
HEALTHCHECK CMD ["/bin/true"]
