FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN mkdir /data && chown 10001 /data
USER 10001
HEALTHCHECK CMD ["/bin/true"]
