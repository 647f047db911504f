FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ADD app.py /app/app.py
USER 10001
HEALTHCHECK CMD ["/bin/true"]
