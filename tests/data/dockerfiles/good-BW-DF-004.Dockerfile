FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
COPY app.py /app/app.py
ADD rootfs.tar.gz /
USER 10001
HEALTHCHECK CMD ["/bin/true"]
